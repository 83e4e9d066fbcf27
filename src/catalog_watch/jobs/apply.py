"""A run's change applied to its tree: snapshot, CHANGELOG, ledger and pending alerts.

``jobs/steps.py`` imports this by name (``steps.APPLY``) once a catalog was parsed: a run that
decides "unchanged" from the hashes loads neither the code scan's caller, the changelog and
ledger writers, nor the alert queue.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.usage import UsedModels, mark_used
from catalog_watch.jobs.check import Outcome
from catalog_watch.jobs.deprecation_alerts import queue_reminders
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.jobs.notify import queued
from catalog_watch.jobs.steps import Applied, JobOptions, health_writer
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.health import Health, record_success
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.render.headline import commit_message, headline
from catalog_watch.render.markdown import render_markdown
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

__all__ = ["apply_outcome", "queue_reminders_due"]


def apply_outcome(
    snapshots: Path, outcome: Outcome, options: JobOptions, commit: str | None
) -> Applied:
    """``steps.apply_run`` for a parsed catalog: the code scanned against it, and (when it
    changed) everything written under ``snapshots`` as one staged folder change."""
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
        checks[OUTBOX_FILE] = _outbox_check
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
    return _used_in(outcome.catalog, options, outcome.index)


def _used_in(catalog: Catalog, options: JobOptions, index: ModelIndex | None) -> UsedModels:
    check = options.check
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


def queue_reminders_due(snapshots: Path, options: JobOptions) -> None:
    """``steps.write_reminders`` past its cheap test: the catalog is the snapshot's."""
    catalog = load_catalog(snapshots, options.check.config, options.check.source_type)
    used = _used_in(catalog, options, model_index(options.check.models_json))
    outbox = read_outbox(snapshots / OUTBOX_FILE)
    after = queue_reminders(outbox, catalog, used, options.check, options.moment)
    if after.entries == outbox.entries:
        return
    checks = {OUTBOX_FILE: _outbox_check}
    apply_change(FolderChange(snapshots, {OUTBOX_FILE: outbox_text(after).encode()}, (), checks))


def _outbox_check(data: bytes, path: Path) -> object:
    return parse_outbox(data.decode(), where=str(path))
