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

from catalog_watch.analysis.deprecations import DATED_SOURCES
from catalog_watch.analysis.usage import UsedModels, mark_used
from catalog_watch.errors import ConfigError
from catalog_watch.jobs.check import CheckOptions, Outcome, evaluate, model_index
from catalog_watch.jobs.delivery_types import Context, Delivery, Saver
from catalog_watch.jobs.deprecation_alerts import queue_reminders
from catalog_watch.jobs.health import HealthWriter
from catalog_watch.jobs.notify import queued
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.health import Health, record_success
from catalog_watch.model.links import links_from_env
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.render.headline import headline
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.pull_request import commit_message
from catalog_watch.settings.config import DEFAULT_BRANCH
from catalog_watch.settings.slack import SlackSettings
from catalog_watch.sources.fetch import FetchResult
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.changelog import CHANGELOG_FILE, changelog_files, changelog_section
from catalog_watch.store.files import read_text_if_any
from catalog_watch.store.ledger import (
    LEDGER_FILE,
    check_ledger,
    ledger_edges,
    ledger_files,
    ledger_records,
)
from catalog_watch.store.outbox import OUTBOX_FILE, outbox_text, parse_outbox, read_outbox
from catalog_watch.store.snapshot import read_meta, snapshot_change
from catalog_watch.store.transaction import FolderChange, Writes, apply_change

if TYPE_CHECKING:
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
    used: UsedModels = field(default_factory=UsedModels)  # the models the repository's code uses


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
    as it was. Nothing is written when the catalog is unchanged.
    """
    snapshots = root / options.check.snapshots
    check = options.check if options.check.now else replace(options.check, now=options.moment)
    outcome = evaluate(snapshots, fetched, check)
    used = _used(outcome, options)
    outcome = replace(
        outcome, report=mark_used(outcome.report, used, options.check.config.usage.raise_severity)
    )
    message = commit_message(outcome.report)
    if outcome.unchanged:
        return Applied(report=outcome.report, paths=(), message=message, used=used)
    now = options.moment
    health = record_success(Health.from_meta(outcome.meta), now, changed=True)
    change = snapshot_change(snapshots, outcome.files, {**outcome.meta, "health": health.to_json()})
    records = _records(snapshots, outcome.report, now, commit)
    files = {**change.files, **records.files}
    checks = {**change.checks, LEDGER_FILE: check_ledger}
    if options.slack is not None:
        files[OUTBOX_FILE] = _outbox(snapshots, outcome, options, used)
        checks[OUTBOX_FILE] = lambda data, path: parse_outbox(data.decode(), where=str(path))
    written = apply_change(
        FolderChange(snapshots, files, change.remove, checks, appends=records.appends)
    )
    rel = options.check.snapshots
    paths = tuple(str(rel / name) for name in (*written.written, *written.removed))
    return Applied(report=outcome.report, paths=paths, message=message, used=used)


def _used(outcome: Outcome, options: JobOptions) -> UsedModels:
    """The one scan of the run: the checkout's code (``options.repo``, also in a dry run, whose
    tree holds only the snapshots) against the new catalog, the snapshot folder left out."""
    if outcome.catalog is None:
        return UsedModels()
    return _used_in(outcome.catalog, options)


def _used_in(catalog: Catalog, options: JobOptions) -> UsedModels:
    check = options.check
    index = model_index(check.models_json)
    exclude = (check.snapshots.as_posix(),)
    return _used_models()(options.repo, check.config, catalog, index, exclude=exclude)


SCAN = "catalog_watch.jobs.usage"
"""The code scan (``jobs/usage.py``, with PyYAML and pathspec), imported by the first run step
that parsed a catalog. A run that decides "unchanged" from the hashes never loads it: 8 of the
run's own modules and about 50 of the libraries' (their compiling, on a fresh runner, too)."""


def _used_models() -> Callable[..., UsedModels]:
    scan: Callable[..., UsedModels] = importlib.import_module(SCAN).used_models
    return scan


def _records(snapshots: Path, report: Report, now: datetime, commit: str | None) -> Writes:
    """The run's changelog section and ledger lines: appended to the month's files (of the
    ledger's current file only its first and last lines are read); ``CHANGELOG.md`` rewritten
    with the latest runs; older months read only when the run rolls them over or migrates."""
    heading = f"{now:%Y-%m-%d %H:%M} UTC: {headline(report)}"
    section = changelog_section(heading, render_markdown(report))
    existing = read_text_if_any(snapshots / CHANGELOG_FILE)
    changelog = changelog_files(existing, section, lambda name: read_text_if_any(snapshots / name))
    lines = ledger_records(report, time=utc_stamp(now), commit=commit)
    ledger = ledger_files(
        ledger_edges(snapshots / LEDGER_FILE),
        lines,
        lambda name: read_text_if_any(snapshots / name),
        where=str(snapshots / LEDGER_FILE),
    )
    return Writes(
        files={**changelog.files, **ledger.files}, appends={**changelog.appends, **ledger.appends}
    )


def _outbox(snapshots: Path, outcome: Outcome, options: JobOptions, used: UsedModels) -> bytes:
    """The outbox with the run's alerts, and the recovery after an alerted failure streak (in
    this commit: a run that changed the catalog makes no health commit)."""
    now = options.moment
    outbox = queued(
        read_outbox(snapshots / OUTBOX_FILE),
        outcome.report,
        options.check.config,
        from_snapshot=outcome.from_snapshot,
        now=now,
        used=used,
    )
    outbox = queue_reminders(outbox, outcome.catalog, used, options.check, now)
    recovery = health_writer(options).recovery(Health.from_meta(read_meta(snapshots)))
    return outbox_text(outbox.add(recovery, created=utc_stamp(now))).encode()


def write_reminders(root: Path, options: JobOptions) -> None:
    """Queue the retirement reminders due now on a run that wrote no new catalog (unchanged, or
    HTTP 304): a reminder is due for days, not only on the day the catalog happens to change.
    The catalog is the snapshot's; the folder is left as it was when nothing is due."""
    snapshots = root / options.check.snapshots
    folders = (snapshots, *options.check.compare_with)
    if not {(read_meta(folder) or {}).get("source") for folder in folders} & DATED_SOURCES:
        return  # models.dev alone dates nothing: no reminder can be due, skip the parse
    catalog = load_catalog(snapshots, options.check.config, options.check.source_type)
    used = _used_in(catalog, options)
    outbox = read_outbox(snapshots / OUTBOX_FILE)
    after = queue_reminders(outbox, catalog, used, options.check, options.moment)
    if after.entries == outbox.entries:
        return
    checks = {OUTBOX_FILE: _outbox_check}
    apply_change(FolderChange(snapshots, {OUTBOX_FILE: outbox_text(after).encode()}, (), checks))


def _outbox_check(data: bytes, path: Path) -> object:
    return parse_outbox(data.decode(), where=str(path))


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
