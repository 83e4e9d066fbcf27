"""What every publishing mode shares: the options, a run applied to a tree, delivery through
a saver, the pull request's body."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from catalog_watch.errors import ConfigError
from catalog_watch.jobs.check import CheckOptions, Outcome, evaluate
from catalog_watch.jobs.delivery_types import Context, Delivery, Saver
from catalog_watch.jobs.health import HealthWriter
from catalog_watch.model.links import links_from_env
from catalog_watch.model.report import Report
from catalog_watch.render.headline import commit_message
from catalog_watch.settings.defaults import DATED_SOURCES, DEFAULT_BRANCH
from catalog_watch.settings.slack import SlackSettings
from catalog_watch.sources.fetch import FetchResult
from catalog_watch.store.changelog import CHANGELOG_FILE
from catalog_watch.store.meta_file import read_meta
from catalog_watch.store.outbox import OUTBOX_FILE, read_outbox

if TYPE_CHECKING:
    from catalog_watch.analysis.usage import UsedModels
    from catalog_watch.publish.github import PullRequestResult

Mode = Literal["dry-run", "commit", "pull-request"]


@dataclass(frozen=True, slots=True)
class JobOptions:
    check: CheckOptions  # ``check.snapshots`` is relative to the repository root
    mode: Mode = "dry-run"
    repo: Path = Path()
    branch: str = DEFAULT_BRANCH
    base: str | None = None
    token: str | None = None
    slack: SlackSettings | None = None  # None: Slack is not configured, no alert is queued
    env: Mapping[str, str] = field(default_factory=dict)
    now: datetime | None = None

    @property
    def moment(self) -> datetime:
        return (self.now or datetime.now(UTC)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying the run to a tree wrote."""

    report: Report
    paths: tuple[str, ...]  # relative to the tree root, to stage
    message: str
    used: UsedModels | None = None  # the models the code uses; None: no catalog parsed, no scan


@dataclass(frozen=True, slots=True)
class JobResult:
    report: Report | None
    not_modified: bool = False
    applied: Applied | None = None
    commit_sha: str | None = None
    pull: PullRequestResult | None = None
    delivery: Delivery | None = None
    preview: str = ""  # dry-run: what would be committed and sent
    notices: tuple[str, ...] = ()  # leftovers set aside, commits pushed late...


def new_run_id(env: Mapping[str, str]) -> str:
    """Unique per run (two runs never share a claim), with the Actions run id when there is one."""
    prefix = env.get("GITHUB_RUN_ID", "local")
    return f"{prefix}-{env.get('GITHUB_RUN_ATTEMPT', '1')}-{uuid.uuid4().hex[:12]}"


def health_writer(options: JobOptions) -> HealthWriter:
    return HealthWriter(
        snapshots=options.check.snapshots,
        source=options.check.source_type or "models.dev",
        config=options.check.config,
        now=options.moment,
        alerts=options.slack is not None,
        run_url=links_from_env(options.env, commit=None, pull_url=None, changelog="").run,
    )


def apply_run(root: Path, fetched: FetchResult, options: JobOptions, commit: str | None) -> Applied:
    """Write snapshot, CHANGELOG, ledger and pending alerts under ``root`` as one folder change.

    Everything is computed in memory and staged (``transaction.py``): a failure leaves the folder
    as it was. Nothing is written when the catalog is unchanged; when the hashes said so (no
    catalog parsed), the change's modules (:data:`APPLY`) are not even loaded.
    """
    snapshots = root / options.check.snapshots
    check = options.check if options.check.now else replace(options.check, now=options.moment)
    outcome = evaluate(snapshots, fetched, check)
    if outcome.unchanged and outcome.catalog is None:
        return Applied(outcome.report, (), commit_message(outcome.report))
    apply: Callable[[Path, Outcome, JobOptions, str | None], Applied]
    apply = importlib.import_module(APPLY).apply_outcome
    return apply(snapshots, outcome, options, commit)


APPLY = "catalog_watch.jobs.apply"
"""A run's change applied to its tree (``jobs/apply.py``: the code scan's caller, the changelog,
the ledger, the alerts, the retirement reminders), imported by name by the first step that
parsed a catalog: a run that decides "unchanged" from the hashes loads none of it."""


def write_reminders(root: Path, options: JobOptions) -> None:
    """Queue the retirement reminders due now on a run that wrote no new catalog (unchanged, or
    HTTP 304): a reminder is due for days, not only on the day the catalog happens to change.
    The folder is left as it was when nothing is due."""
    snapshots = root / options.check.snapshots
    folders = (snapshots, *options.check.compare_with)
    if not {(read_meta(folder) or {}).get("source") for folder in folders} & DATED_SOURCES:
        return  # models.dev alone dates nothing: no reminder can be due, skip the parse
    queue: Callable[[Path, JobOptions], None] = importlib.import_module(APPLY).queue_reminders_due
    queue(snapshots, options)


DELIVERY = "catalog_watch.jobs.delivery"
"""Rendering and sending (``jobs/delivery.py``: slack-sdk, Block Kit, the Slack renderer, about 50
modules), imported by name when an alert is pending: the hourly run with nothing to send, Slack
configured or not, never loads them (nor compiles them, on a fresh runner)."""


def deliver_through(
    saver: Saver,
    options: JobOptions,
    run_id: str,
    dead: str | None,
    *,
    commit: str | None,
    pull_url: str | None = None,
) -> Delivery:
    """Send pending alerts through the mode's saver (claims, marks: each committed and pushed)."""
    if options.slack is None:
        raise ConfigError("no Slack destination is set: nothing can deliver the pending alerts")
    snapshots = options.check.snapshots
    if not read_outbox(saver.root / snapshots / OUTBOX_FILE).pending:
        return Delivery()  # what ``deliver`` finds then: nothing to claim, send or report
    links = links_from_env(
        options.env, commit=commit, pull_url=pull_url, changelog=f"{snapshots}/{CHANGELOG_FILE}"
    )
    alerts = options.check.config.alerts
    context = Context(
        settings=options.slack,
        env=options.env,
        links=links,
        snapshots=snapshots,
        now=options.moment,
        run_id=run_id,
        lease=timedelta(minutes=alerts.claim_lease_minutes),
        max_age=timedelta(hours=alerts.pending_max_age_hours),
        webhook_delivery=alerts.webhook_delivery,
        dead_runs=(dead,) if dead else (),
    )
    deliver: Callable[[Saver, Context], Delivery] = importlib.import_module(DELIVERY).deliver
    return deliver(saver, context)
