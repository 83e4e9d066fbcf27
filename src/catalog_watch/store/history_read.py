"""Reading a history: the snapshot folder's git log, or its ledger and the snapshot beside it.

The periods themselves are worked out by the pure :mod:`catalog_watch.analysis.history`; this
module only feeds it what the files and the repository hold.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS, diff_catalogs
from catalog_watch.analysis.history import (
    FieldFilter,
    History,
    Offering,
    Period,
    Select,
    Timeline,
    ledger_history,
)
from catalog_watch.errors import SnapshotError
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS, JSON, Catalog, JSONObject
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.history_git import (
    CacheHead,
    Event,
    blob_reader,
    cache_folder,
    commits_touching,
    descends,
    provider_document,
    read_cache,
    resolve_commit,
    write_cache,
)
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
    """Periods from the snapshot folder's first-parent history: two git processes in all (no
    cache: ``load_history`` keeps one)."""
    events, _ = _walk(repo, PurePosixPath(snapshots).as_posix(), ref, ignore_fields, None)
    timeline = Timeline(fields, ignore_fields)
    _replay(timeline, events, None)
    return timeline.finish()


def git_events(repo: Path, snapshots: str, ref: str) -> tuple[list[Event], str | None]:
    """Every offering event of the folder's history, and the first snapshot commit's time
    (None: no commit). Kept in ``.git/catalog-watch/history-cache``: a read at the cached
    commit costs one ``git rev-parse``; new commits are walked and appended; a cache that is
    missing, unreadable or not in ``ref``'s history is rebuilt. Two git processes per walk."""
    folder = PurePosixPath(snapshots).as_posix()
    tip = resolve_commit(repo, ref)
    ignore = DEFAULT_IGNORED_FIELDS
    where = cache_folder(repo, folder)
    if tip is None or where is None:
        events, head = _walk(repo, folder, ref, ignore, None)
        return events, head.begins
    cached = read_cache(where)
    if cached is not None and cached[0].tip == tip:
        return cached[1], cached[0].begins
    if cached is not None and descends(repo, cached[0].tip, tip):
        old, events = cached
        more, head = _walk(repo, folder, f"{old.tip}..{tip}", ignore, old)
        head = dataclasses.replace(head, tip=tip, size=old.size + _size(more))
        write_cache(where, head, more, append=True)
        return events + more, head.begins
    events, head = _walk(repo, folder, tip, ignore, None)
    write_cache(where, dataclasses.replace(head, tip=tip, size=_size(events)), events, append=False)
    return events, head.begins


def _size(events: Sequence[Event]) -> int:
    return sum(len(json.dumps(event).encode()) + 1 for event in events)


def _walk(
    repo: Path, folder: str, ref: str, ignore: Sequence[str], since: CacheHead | None
) -> tuple[list[Event], CacheHead]:
    """The events of the commits of ``ref`` (a range after ``since``'s commit), diffing only
    the provider files each commit touched."""
    blobs = dict(since.state) if since is not None else {}
    last = since.last if since is not None else ""
    docs: JSONObject = {}
    events: list[Event] = []
    commits = commits_touching(repo, folder, ref)
    with blob_reader(repo) as read:

        def doc(pid: str) -> JSON:
            if pid not in docs:
                docs[pid] = provider_document(read(blobs[pid]), f"{blobs[pid]}:{pid}.json")
            return docs[pid]

        for sha, stamp, touched in commits:
            at = last = max(stamp, last)  # a clock that went back must not reorder periods
            before = {pid: doc(pid) for pid in touched if pid in blobs}
            for pid, blob in touched.items():
                docs.pop(pid, None)
                if blob is None:
                    blobs.pop(pid, None)
                else:
                    blobs[pid] = blob
                    docs[pid] = provider_document(read(blob), f"{sha}:{pid}.json")
            after = {pid: docs[pid] for pid in touched if pid in blobs}
            old, new = _differing(before, after)
            changes = diff_catalogs(_catalog(old), _catalog(new), ignore)
            events.extend(_events(at, changes))
    begins = since.begins if since is not None else None
    if begins is None and commits:
        begins = utc_stamp(commits[0][1])
    return events, CacheHead("", last, begins, blobs, 0)


def _differing(before: JSONObject, after: JSONObject) -> tuple[JSONObject, JSONObject]:
    """The two sides of a commit's provider files with only the model records that differ (a
    provider added or removed stays whole): what the diff finds is the same, and only those
    records are parsed and judged, not every record of a touched provider each commit."""
    old, new = dict(before), dict(after)
    for pid in before.keys() & after.keys():
        one, other = before[pid], after[pid]
        if not isinstance(one, dict) or not isinstance(other, dict):
            continue
        first, second = one.get("models"), other.get("models")
        if not isinstance(first, dict) or not isinstance(second, dict):
            continue
        ids = {m for m in first.keys() | second.keys() if first.get(m) != second.get(m)}
        old[pid] = {**one, "models": {m: first[m] for m in ids if m in first}}
        new[pid] = {**other, "models": {m: second[m] for m in ids if m in second}}
    return old, new


def _events(at: str, changes: Iterable[Change]) -> Iterator[Event]:
    for change in changes:
        if change.model is None:
            continue
        if change.kind is ChangeKind.MODEL_ADDED:
            yield (at, "added", change.provider, change.model, None, None, change.new)
        elif change.kind is ChangeKind.MODEL_REMOVED:
            yield (at, "removed", change.provider, change.model, None, change.old, None)
        elif change.field is not None:
            yield (
                at,
                "changed",
                change.provider,
                change.model,
                change.field,
                change.old,
                change.new,
            )


def _replay(timeline: Timeline, events: Iterable[Event], only: Collection[Offering] | None) -> None:
    """Feed ``events`` in order; an offering outside ``only`` is fed without its values (its
    lives are still kept, its periods never built)."""
    for at, kind, provider, model, field, old, new in events:
        if only is not None and (provider, model) not in only:
            old = new = None
        if kind == "added":
            timeline.added(at, provider, model, new)
        elif kind == "removed":
            timeline.removed(at, provider, model, old)
        elif field is not None:
            timeline.change(at, provider, model, field, old, new)


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
        events, begins = git_events(repo, snapshots, ref)
        offerings = dict.fromkeys((event[2], event[3]) for event in events)  # in walk order
        only = select(offerings.keys()) if select is not None else None
        timeline = Timeline(fields, DEFAULT_IGNORED_FIELDS, only)
        _replay(timeline, events, only)
        periods = timeline.finish()
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
