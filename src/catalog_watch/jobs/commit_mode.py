"""``run --mode commit``: apply to the checkout, commit the snapshot folder, push, deliver."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from catalog_watch.errors import CatalogWatchError, UnfinishedRun
from catalog_watch.jobs.check import fetch_since
from catalog_watch.jobs.health import HealthWriter, first_line
from catalog_watch.jobs.leftovers import set_aside
from catalog_watch.jobs.steps import (
    JobOptions,
    JobResult,
    apply_run,
    deliver_through,
    health_writer,
    write_reminders,
)
from catalog_watch.model.health import Health
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.publish.git import Git, push_with_recovery, sync
from catalog_watch.sources.fetch import FetchResult
from catalog_watch.store.outbox import OUTBOX_FILE, read_outbox
from catalog_watch.store.snapshot import read_meta


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
        sha = self.git.commit(paths, message) if paths else None
        if sha is None:
            return False
        push_with_recovery(self.git, self.branch, redo, owned=self.owned, head=sha)
        return True

    def _again(self, tip: Git, apply: Callable[[Path], None], message: str) -> str | None:
        apply(tip.path)
        return tip.commit(self.owned, message)


def commit_mode(
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
        if options.slack is not None and result.commit_sha is None:
            reminders = partial(write_reminders, options=options)
            saver.save("catalog-watch: retirement reminders", reminders)
        changed = result.commit_sha is not None
        if health.success_to_record(before, changed=changed):
            saver.save("catalog-watch: health", health.success(before, changed=changed))
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
