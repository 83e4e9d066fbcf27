"""Reading a history: the snapshot folder's git log, or its ledger and the snapshot beside it.

The periods themselves are worked out by the pure :mod:`catalog_watch.analysis.history`; this
module only feeds it what the files and the repository hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS, diff_catalogs
from catalog_watch.analysis.history import (
    FieldFilter,
    History,
    Period,
    Select,
    Timeline,
    ledger_history,
)
from catalog_watch.errors import SnapshotError
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS, Catalog, JSONObject
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.history_git import blob_reader, commits_touching, provider_document
from catalog_watch.store.ledger import LEDGER_FILE, read_ledger
from catalog_watch.store.snapshot import read_snapshot


def history_from_git(
    repo: Path,
    snapshots: str = DEFAULT_SNAPSHOTS,
    *,
    fields: FieldFilter | None = None,
    ref: str = "HEAD",
    ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
) -> list[Period]:
    """Periods from the snapshot folder's first-parent history: two git processes in all."""
    return _git_timeline(repo, snapshots, Timeline(fields, ignore_fields), ref)[0].finish()


def _git_timeline(
    repo: Path, snapshots: str, timeline: Timeline, ref: str
) -> tuple[Timeline, str | None]:
    """The timeline fed from git, and the first snapshot commit's time (None: no commit)."""
    state: JSONObject = {}
    last = ""
    commits = commits_touching(repo, PurePosixPath(snapshots).as_posix(), ref)
    with blob_reader(repo) as read:
        for sha, stamp, touched in commits:
            at = last = max(stamp, last)  # a clock that went back must not reorder periods
            before = {pid: state[pid] for pid in touched if pid in state}
            for pid, blob in touched.items():
                if blob is None:
                    state.pop(pid, None)
                else:
                    state[pid] = provider_document(read(blob), f"{sha}:{pid}.json")
            after = {pid: state[pid] for pid in touched if pid in state}
            _git_changes(
                timeline, at, diff_catalogs(_catalog(before), _catalog(after), timeline.ignore)
            )
    return timeline, (utc_stamp(commits[0][1]) if commits else None)


def _git_changes(timeline: Timeline, at: str, changes: Iterable[Change]) -> None:
    for change in changes:
        if change.model is None:
            continue
        if change.kind is ChangeKind.MODEL_ADDED:
            timeline.added(at, change.provider, change.model, change.new)
        elif change.kind is ChangeKind.MODEL_REMOVED:
            timeline.removed(at, change.provider, change.model, change.old)
        elif change.field is not None:
            args = (change.provider, change.model, change.field, change.old, change.new)
            timeline.change(at, *args)


def load_history(
    source: str,
    repo: Path = Path(),
    snapshots: str = DEFAULT_SNAPSHOTS,
    *,
    fields: FieldFilter | None = None,
    ref: str = "HEAD",
    select: Select | None = None,
) -> History:
    """``source`` "git" walks the repository; "ledger" reads the folder's ``changes.jsonl`` and
    the snapshot beside it. ``select`` picks the offerings to build periods for (it may raise,
    for a name that matches nothing); every offering's lives are kept either way."""
    if source == "git":
        timeline, begins = _git_timeline(
            repo, snapshots, Timeline(fields, DEFAULT_IGNORED_FIELDS), ref
        )
        only = select(timeline.lives.keys()) if select is not None else None
        periods = timeline.finish()
        if only is not None:
            periods = [p for p in periods if (p.provider, p.model) in only]
        lives = timeline.known_lives()
        return History(periods, lives, "git", snapshots, begins, begins, begins is not None)
    return _ledger_history(repo / snapshots, snapshots, fields, select)


def _ledger_history(
    folder: Path, name: str, fields: FieldFilter | None, select: Select | None
) -> History:
    path = folder / LEDGER_FILE
    records = read_ledger(path)
    snapshot = read_snapshot(folder)
    document = snapshot.document if snapshot is not None else {}
    try:
        found = ledger_history(records, document, fields=fields, select=select)
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{path}: not a ledger of change records: {error!r}") from error
    seen = path.exists() or snapshot is not None
    return History(found.periods, found.lives, "ledger", name, None, found.first_dated, seen)


def _catalog(document: JSONObject) -> Catalog:
    return parse_catalog(document, max_rejected_share=1.0) if document else Catalog(providers={})
