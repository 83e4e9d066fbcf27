"""``catalog-watch run``: the whole job, from fetch to a commit (or a rolling PR) and Slack.

The catalog is fetched once; everything after that is "apply the run to a tree": write the
snapshot, a CHANGELOG section, ledger lines and pending alerts into a folder, then commit. Commit
mode applies it to the checkout, pull-request mode (``pull_request_mode.py``) to a throw-away
worktree of the base branch, dry-run to a temporary copy. Because applying is a function of
(tree, fetched catalog), a push that lost a race can redo it on the new tip without fetching again.
After the push, pending alerts go to Slack and their delivery is committed (``notify.py``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from catalog_watch.changelog import CHANGELOG_FILE, write_changelog
from catalog_watch.config import DEFAULT_BRANCH
from catalog_watch.errors import CatalogRejected, FetchError
from catalog_watch.fetch import FetchResult
from catalog_watch.health import Health, record_success
from catalog_watch.ledger import LEDGER_FILE, append_ledger, ledger_records
from catalog_watch.notify import (
    Delivery,
    deliver_pending,
    links_from_env,
    preview_pending,
    queue_alerts,
)
from catalog_watch.outbox import OUTBOX_FILE, read_outbox, write_outbox
from catalog_watch.publish.git import Git, push_with_recovery
from catalog_watch.publish.github import PullRequestResult
from catalog_watch.publish.slack import SlackSettings
from catalog_watch.render.headline import headline
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.pull_request import commit_message, pull_labels, pull_title
from catalog_watch.render.slack import Links
from catalog_watch.report import Report
from catalog_watch.run import CheckOptions, evaluate, fetch_for
from catalog_watch.snapshot import write_snapshot
from catalog_watch.timestamps import utc_stamp

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


@dataclass(frozen=True, slots=True)
class JobResult:
    report: Report | None
    not_modified: bool = False
    applied: Applied | None = None
    commit_sha: str | None = None
    pull: PullRequestResult | None = None
    delivery: Delivery | None = None
    preview: str = ""  # dry-run: what would be committed and sent


def run_job(options: JobOptions) -> JobResult:
    git = Git(options.repo)
    if options.mode == "pull-request":
        from catalog_watch.pull_request_mode import run_pull_request

        return run_pull_request(git, options)
    if options.mode == "dry-run":
        return _dry_run(fetch_for(options.repo / options.check.snapshots, options.check), options)
    return _commit_mode(git, options)


def _commit_mode(git: Git, options: JobOptions) -> JobResult:
    from catalog_watch.health_run import health_before, note_failure, note_success

    git.catch_up(git.current_branch())  # a re-run starts from an old commit
    before = health_before(git, options)
    try:
        fetched = fetch_for(options.repo / options.check.snapshots, options.check)
        result = JobResult(report=None, not_modified=True)
        if not fetched.not_modified:
            result = _commit(git, fetched, options)
    except (FetchError, CatalogRejected) as error:
        note_failure(git, options, error)
        if options.slack is not None:
            deliver_and_commit(git, options, git.head())
        raise
    note_success(git, options, before, changed=result.commit_sha is not None)
    if options.slack is None:
        return result
    delivery = deliver_and_commit(git, options, result.commit_sha or git.head())
    return replace(result, delivery=delivery)


def apply_run(root: Path, fetched: FetchResult, options: JobOptions, commit: str | None) -> Applied:
    """Write snapshot, CHANGELOG, ledger and pending alerts under ``root`` (none if unchanged)."""
    snapshots = root / options.check.snapshots
    outcome = evaluate(snapshots, fetched, options.check)
    message = commit_message(outcome.report)
    if outcome.unchanged:
        return Applied(report=outcome.report, paths=(), message=message)
    now = options.moment
    health = record_success(Health.from_meta(outcome.meta), now, changed=True)
    write_snapshot(snapshots, outcome.files, {**outcome.meta, "health": health.to_json()})
    heading = f"{now:%Y-%m-%d %H:%M} UTC: {headline(outcome.report)}"
    write_changelog(snapshots / CHANGELOG_FILE, heading, render_markdown(outcome.report))
    records = ledger_records(outcome.report, time=utc_stamp(now), commit=commit)
    append_ledger(snapshots / LEDGER_FILE, records)
    if options.slack is not None:
        config = options.check.config
        queue_alerts(
            snapshots, outcome.report, config, from_snapshot=outcome.from_snapshot, now=now
        )
    return Applied(report=outcome.report, paths=(str(options.check.snapshots),), message=message)


def deliver_and_commit(
    git: Git, options: JobOptions, commit: str, pull_url: str | None = None
) -> Delivery:
    """Send pending alerts, then commit and push the outbox's delivered marks (commit mode)."""
    delivery = deliver(git.path, options, commit=commit, pull_url=pull_url)
    if not delivery.delivered:
        return delivery
    message = f"catalog-watch: {len(delivery.delivered)} alerts delivered to Slack"
    paths = (str(options.check.snapshots),)
    if git.commit(paths, message) is None:
        return delivery

    def redo(tip: Git) -> str | None:
        mark_delivered(tip.path, options, delivery.delivered)
        return tip.commit(paths, message)

    push_with_recovery(git, git.current_branch(), redo)
    return delivery


def deliver(
    root: Path, options: JobOptions, *, commit: str | None, pull_url: str | None
) -> Delivery:
    assert options.slack is not None
    snapshots = options.check.snapshots
    links = links_from_env(
        options.env, commit=commit, pull_url=pull_url, changelog=f"{snapshots}/{CHANGELOG_FILE}"
    )
    max_age = timedelta(hours=options.check.config.alerts.pending_max_age_hours)
    return deliver_pending(
        root / snapshots,
        options.slack,
        options.env,
        links=links,
        now=options.moment,
        max_age=max_age,
    )


def mark_delivered(root: Path, options: JobOptions, ids: tuple[str, ...]) -> None:
    """Re-apply delivery marks on another copy of the outbox (a new tip after a push race)."""
    path = root / options.check.snapshots / OUTBOX_FILE
    write_outbox(path, read_outbox(path).mark_delivered(ids, when=utc_stamp(options.moment)))


def _commit(git: Git, fetched: FetchResult, options: JobOptions) -> JobResult:
    branch = git.current_branch()
    applied = apply_run(options.repo, fetched, options, git.head())
    sha = git.commit(applied.paths, applied.message) if applied.paths else None
    if sha is None:
        return JobResult(report=applied.report, applied=applied)

    def redo(tip: Git) -> str | None:
        again = apply_run(tip.path, fetched, options, tip.head())
        return tip.commit(again.paths, again.message) if again.paths else None

    pushed = push_with_recovery(git, branch, redo)
    return JobResult(report=applied.report, applied=applied, commit_sha=pushed.sha)


def _dry_run(fetched: FetchResult, options: JobOptions) -> JobResult:
    with tempfile.TemporaryDirectory(prefix="catalog-watch-dry-run-") as scratch:
        root = Path(scratch)
        source = options.repo / options.check.snapshots
        if source.is_dir():
            shutil.copytree(source, root / options.check.snapshots)
        if fetched.not_modified:
            applied = None
            written: list[str] = []
        else:
            applied = apply_run(root, fetched, options, None)
            written = _changed_files(source, root / options.check.snapshots)
        payloads = preview_pending(root / options.check.snapshots, Links())
    lines = ["dry run: nothing was written, committed, pushed or sent."]
    lines += _commit_preview(applied, written, options) + _slack_preview(payloads, options)
    report = applied.report if applied else None
    return JobResult(
        report=report,
        not_modified=fetched.not_modified,
        applied=applied,
        preview="\n".join(lines) + "\n",
    )


def _commit_preview(applied: Applied | None, written: list[str], options: JobOptions) -> list[str]:
    if applied is None or not applied.paths:
        return ["nothing to commit: the snapshot is up to date."]
    from catalog_watch.pull_request_mode import fitted_body

    report = applied.report
    return [
        "would commit:",
        *(f"  {path}" for path in written),
        f"message: {applied.message}",
        "pull request title:",
        f"  {pull_title(report)}",
        "pull request labels:",
        f"  {', '.join(pull_labels(report)) or '(none)'}",
        "pull request body:",
        "",
        fitted_body(report, options),
    ]


def _slack_preview(payloads: list[tuple[str, dict[str, object]]], options: JobOptions) -> list[str]:
    if options.slack is None:
        return ["Slack: not configured (no SLACK_WEBHOOK_URL or SLACK_TOKEN + SLACK_CHANNEL)."]
    lines = [f"Slack: would send {len(payloads)} message(s):"]
    for destination, payload in payloads:
        lines.append(f"--- to {destination}")
        lines.append(json.dumps(payload, sort_keys=True, ensure_ascii=False, indent=2))
    return lines


def _changed_files(before: Path, after: Path) -> list[str]:
    names = {p.name for p in after.iterdir()} | (
        {p.name for p in before.iterdir()} if before.is_dir() else set()
    )
    changed = []
    for name in sorted(names):
        old, new = before / name, after / name
        if not new.exists() or not old.exists() or old.read_bytes() != new.read_bytes():
            changed.append(str(before / name))
    return changed
