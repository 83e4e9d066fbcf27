"""``catalog-watch run``: the whole job, as one transaction on the committed snapshot folder.

The sequence, the same in every publishing mode: start from the committed state (leftovers of a
killed run set aside, the tool's unpushed commits pushed) → fetch → apply the run to the tree
(snapshot, CHANGELOG, ledger and pending alerts computed in memory, staged, read back, renamed
in: ``transaction.py``) → commit → push → claim the pending alerts → deliver, saving each
accepted message → health. The mode is a *saver* (``CommitSaver`` here; the pull-request mode's
in ``pull_request_mode.py``; dry-run saves nothing): it applies a change to its tree, commits and
pushes it, and on a lost race applies it again on the new tip. Because applying is a function of
(tree, fetched catalog), a push that lost a race redoes the run without fetching again.

Every failure, whatever its cause, is recorded in the failure streak (``health_run.py``); a run
that was killed is counted by the next run in the same checkout (``leftovers.py``).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from catalog_watch.errors import CatalogWatchError, ConfigError, UnfinishedRun
from catalog_watch.jobs.check import CheckOptions, Outcome, evaluate, fetch_for, fetch_since
from catalog_watch.jobs.delivery import Context, Delivery, Saver, deliver
from catalog_watch.jobs.health import HealthWriter, first_line
from catalog_watch.jobs.leftovers import mark_ended, mark_started, set_aside, unfinished_run
from catalog_watch.jobs.notify import links_from_env, preview_pending, queued
from catalog_watch.model.health import Health, record_success
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.publish.git import Git, push_with_recovery, sync
from catalog_watch.publish.github import PullRequestResult
from catalog_watch.publish.slack import SlackSettings
from catalog_watch.render.headline import headline
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.pull_request import commit_message, pull_labels, pull_title
from catalog_watch.render.slack import Links
from catalog_watch.settings.config import DEFAULT_BRANCH
from catalog_watch.sources.fetch import FetchResult
from catalog_watch.store.changelog import CHANGELOG_FILE, changelog_files, changelog_section
from catalog_watch.store.ledger import LEDGER_FILE, ledger_records, ledger_text, parse_ledger
from catalog_watch.store.outbox import OUTBOX_FILE, outbox_text, parse_outbox, read_outbox
from catalog_watch.store.snapshot import read_meta, snapshot_change
from catalog_watch.store.transaction import FolderChange, apply_change

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
    notices: tuple[str, ...] = ()  # leftovers set aside, commits pushed late...


def run_job(options: JobOptions) -> JobResult:
    if options.mode == "dry-run":
        return _dry_run(fetch_for(options.repo / options.check.snapshots, options.check), options)
    git = Git(options.repo)
    run_id = new_run_id(options.env)
    dead = unfinished_run(git)
    mark_started(git, run_id)
    try:
        if options.mode == "pull-request":
            from catalog_watch.jobs.pull_request import run_pull_request

            return run_pull_request(git, options, run_id)
        return _commit_mode(CommitSaver(git, git.current_branch(), options), options, run_id, dead)
    finally:
        mark_ended(git)


def new_run_id(env: Mapping[str, str]) -> str:
    """Unique per run (two runs never share a claim), with the Actions run id when there is one."""
    prefix = env.get("GITHUB_RUN_ID", "local")
    return f"{prefix}-{env.get('GITHUB_RUN_ATTEMPT', '1')}-{uuid.uuid4().hex[:12]}"


@dataclass(slots=True)
class CommitSaver:
    """Commit mode's saver: apply to the checkout, commit the snapshot folder, push (CAS)."""

    git: Git
    branch: str
    options: JobOptions

    @property
    def root(self) -> Path:
        return self.git.path

    @property
    def owned(self) -> tuple[str, ...]:
        return (str(self.options.check.snapshots),)

    def save(self, message: str, apply: Callable[[Path], None]) -> bool:
        apply(self.git.path)
        return self.commit(self.owned, message, lambda tip: self._again(tip, apply, message))

    def commit(self, paths: Sequence[str], message: str, redo: Callable[[Git], str | None]) -> bool:
        """Commit ``paths`` and push; on a race, ``redo`` re-applies the change on the new tip."""
        if not paths or self.git.commit(paths, message) is None:
            return False
        push_with_recovery(self.git, self.branch, redo, owned=self.owned)
        return True

    def _again(self, tip: Git, apply: Callable[[Path], None], message: str) -> str | None:
        apply(tip.path)
        return tip.commit(self.owned, message)


def _commit_mode(
    saver: CommitSaver, options: JobOptions, run_id: str, dead: str | None
) -> JobResult:
    """The run in commit mode: put the checkout right, fetch, apply, commit, push, deliver."""
    git, snapshots = saver.git, options.check.snapshots
    notices = _prepare(saver, options)
    health = health_writer(options)
    if dead is not None:
        error = UnfinishedRun(f"the previous run ({dead}) ended without finishing (killed?)")
        _save_quietly(
            saver, "catalog-watch: previous run did not finish", health.failure(error), notices
        )
    try:
        meta = read_meta(git.path / snapshots)
        read_outbox(git.path / snapshots / OUTBOX_FILE)  # damaged: stop before anything is written
        before = Health.from_meta(meta)
        fetched = fetch_since(meta, options.check)
        result = JobResult(report=None, not_modified=True)
        if not fetched.not_modified:
            result = _commit(saver, fetched, options)
        saver.save(
            "catalog-watch: health", health.success(before, changed=result.commit_sha is not None)
        )
    except Exception as error:
        _record_failure(saver, health, error, notices)
        if options.slack is not None:
            _deliver_quietly(saver, options, run_id, dead, notices)
        _print_notices(notices)
        raise
    if options.slack is None:
        return replace(result, notices=tuple(notices))
    try:
        delivery = deliver_through(
            saver, options, run_id, dead, commit=result.commit_sha or git.head()
        )
    except Exception as error:
        _record_failure(saver, health, error, notices)
        _print_notices(notices)
        raise
    if delivery.errors:  # Slack refused or was unreachable: the run failed, the alerts wait
        _record_failure(saver, health, delivery.errors[0], notices)
    return replace(result, delivery=delivery, notices=tuple(notices))


def _prepare(saver: CommitSaver, options: JobOptions) -> list[str]:
    """Start from the committed state: leftovers set aside, unpushed commits pushed."""
    notices: list[str] = []
    aside = set_aside(saver.git, str(options.check.snapshots), utc_stamp(options.moment))
    if aside.notice():
        notices.append(str(aside.notice()))
    synced = sync(saver.git, saver.branch, owned=saver.owned)
    if synced:
        notices.append(synced)
    return notices


def health_writer(options: JobOptions) -> HealthWriter:
    return HealthWriter(
        snapshots=options.check.snapshots,
        source=options.check.source_type or "models.dev",
        config=options.check.config,
        now=options.moment,
        alerts=options.slack is not None,
        run_url=links_from_env(options.env, commit=None, pull_url=None, changelog="").run,
    )


def _record_failure(
    saver: CommitSaver, health: HealthWriter, error: BaseException, notices: list[str]
) -> None:
    message = f"catalog-watch: run failed: {first_line(error)}"
    _save_quietly(saver, message, health.failure(error), notices)


def _save_quietly(
    saver: CommitSaver, message: str, apply: Callable[[Path], None], notices: list[str]
) -> None:
    """Record a failure; if even that fails (a full disk, no push), say so and go on failing."""
    try:
        saver.save(message, apply)
    except (CatalogWatchError, OSError) as error:
        notices.append(f"could not record the failed run: {first_line(error)}")


def _deliver_quietly(
    saver: CommitSaver, options: JobOptions, run_id: str, dead: str | None, notices: list[str]
) -> None:
    try:
        delivery = deliver_through(saver, options, run_id, dead, commit=saver.git.head())
    except (CatalogWatchError, OSError) as error:
        notices.append(f"could not deliver the pending alerts: {first_line(error)}")
        return
    notices.extend(delivery.notices)


def _print_notices(notices: Sequence[str]) -> None:
    for notice in notices:
        print(f"catalog-watch: notice: {notice}", file=sys.stderr)


def apply_run(root: Path, fetched: FetchResult, options: JobOptions, commit: str | None) -> Applied:
    """Write snapshot, CHANGELOG, ledger and pending alerts under ``root`` as one folder change.

    Everything is computed in memory and staged (``transaction.py``): a failure leaves the folder
    as it was. Nothing is written when the catalog is unchanged.
    """
    snapshots = root / options.check.snapshots
    check = options.check if options.check.now else replace(options.check, now=options.moment)
    outcome = evaluate(snapshots, fetched, check)
    message = commit_message(outcome.report)
    if outcome.unchanged:
        return Applied(report=outcome.report, paths=(), message=message)
    now = options.moment
    health = record_success(Health.from_meta(outcome.meta), now, changed=True)
    change = snapshot_change(snapshots, outcome.files, {**outcome.meta, "health": health.to_json()})
    files = {**change.files, **_records(snapshots, outcome.report, now, commit)}
    checks = dict(change.checks)
    checks[LEDGER_FILE] = lambda data, path: parse_ledger(data.decode(), where=str(path))
    if options.slack is not None:
        files[OUTBOX_FILE] = _outbox(snapshots, outcome, options)
        checks[OUTBOX_FILE] = lambda data, path: parse_outbox(data.decode(), where=str(path))
    written = apply_change(FolderChange(snapshots, files, change.remove, checks))
    rel = options.check.snapshots
    paths = tuple(str(rel / name) for name in (*written.written, *written.removed))
    return Applied(report=outcome.report, paths=paths, message=message)


def _records(
    snapshots: Path, report: Report, now: datetime, commit: str | None
) -> dict[str, bytes]:
    """The CHANGELOG file(s) with the run's section, and the ledger with its lines."""
    heading = f"{now:%Y-%m-%d %H:%M} UTC: {headline(report)}"
    section = changelog_section(heading, render_markdown(report))
    existing = _text(snapshots / CHANGELOG_FILE)
    changelog = changelog_files(existing, section, lambda name: _text(snapshots / name))
    files = {name: text.encode() for name, text in changelog.items()}
    lines = ledger_records(report, time=utc_stamp(now), commit=commit)
    files[LEDGER_FILE] = ledger_text(_text(snapshots / LEDGER_FILE) or "", lines).encode()
    return files


def _outbox(snapshots: Path, outcome: Outcome, options: JobOptions) -> bytes:
    """The outbox with the run's alerts, and the recovery after an alerted failure streak (in
    this commit: a run that changed the catalog makes no health commit)."""
    now = options.moment
    outbox = queued(
        read_outbox(snapshots / OUTBOX_FILE),
        outcome.report,
        options.check.config,
        from_snapshot=outcome.from_snapshot,
        now=now,
    )
    recovery = health_writer(options).recovery(Health.from_meta(read_meta(snapshots)))
    return outbox_text(outbox.add(recovery, created=utc_stamp(now))).encode()


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


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
    return deliver(saver, context)


def _commit(saver: CommitSaver, fetched: FetchResult, options: JobOptions) -> JobResult:
    git = saver.git
    applied = apply_run(options.repo, fetched, options, git.head())
    if not applied.paths:
        return JobResult(report=applied.report, applied=applied)

    def redo(tip: Git) -> str | None:
        again = apply_run(tip.path, fetched, options, tip.head())
        return tip.commit(again.paths, again.message) if again.paths else None

    if not saver.commit(applied.paths, applied.message, redo):
        return JobResult(report=applied.report, applied=applied)
    return JobResult(report=applied.report, applied=applied, commit_sha=git.head())


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
    from catalog_watch.jobs.pull_request import fitted_body

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
    """The files under the folder (subfolders too) that the run would add, change or remove."""
    names = _files_under(after) | _files_under(before)
    changed = []
    for name in sorted(names):
        old, new = before / name, after / name
        if not new.exists() or not old.exists() or old.read_bytes() != new.read_bytes():
            changed.append(str(before / name))
    return changed


def _files_under(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
