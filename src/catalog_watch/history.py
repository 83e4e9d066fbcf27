"""Effective-dated history: which value a field of an offering had, from when to when.

Two ways to rebuild it, giving the same periods where both know them:

* from the ledger (``changes.jsonl``): only what changed is known, so a field's first value runs
  "since before the history begins" (``start`` None) unless the model was added in the ledger;
* from git: one ``git log`` and one ``git cat-file --batch`` over the snapshot folder's history,
  diffing provider files state to state; the first commit is the baseline (its values start at
  its date), so nothing is known before it.

Times are UTC ``YYYY-MM-DDTHH:MM:SSZ`` strings (the ledger's and git's commit dates, normalised),
which sort as they compare. A period holds from ``start`` (inclusive) to ``end`` (exclusive); a
field that is absent (None) has no period, but its boundaries still end and start its neighbours.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath

from catalog_watch.catalog import JSON, Catalog
from catalog_watch.changes import ChangeKind
from catalog_watch.diff import DEFAULT_IGNORED_FIELDS, diff_catalogs
from catalog_watch.errors import SnapshotError
from catalog_watch.history_git import blob_reader, commits_touching, provider_document
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.timestamps import utc_stamp

Key = tuple[str, str, str]
FieldFilter = Callable[[str], bool]
Moment = str | date | datetime
PRICE_KEYS = ("cost.input", "cost.output", "cost.cache_read")
_FIELD_KINDS = frozenset(
    f"{name}_changed" for name in ("price", "limit", "capability", "modality", "status", "metadata")
)


@dataclass(frozen=True, slots=True)
class Period:
    """``value`` of one field of one offering, in effect from ``start`` until ``end``."""

    provider: str
    model: str
    field: str
    value: JSON
    start: str | None  # None: since before the history begins
    end: str | None  # None: still current

    def to_json(self) -> dict[str, JSON]:
        return {
            "provider": self.provider,
            "model": self.model,
            "field": self.field,
            "value": self.value,
            "from": self.start,
            "to": self.end,
        }


class _Timeline:
    """Open periods per (provider, model) → field; events must come in time order."""

    def __init__(self, fields: FieldFilter | None, ignore: Sequence[str]) -> None:
        self.keep = fields or (lambda _field: True)
        self.ignore = tuple(ignore)
        self.open: dict[tuple[str, str], dict[str, tuple[JSON, str | None]]] = {}
        self.since: dict[Key, str] = {}  # the last boundary of each field
        self.model_since: dict[tuple[str, str], str] = {}  # the last add or removal
        self.periods: list[Period] = []

    def change(self, at: str, provider: str, model: str, field: str, old: JSON, new: JSON) -> None:
        """One changed leaf; an object value is split into its own leaves, as diff.py walks."""
        olds, news = _leaves(old, f"{field}."), _leaves(new, f"{field}.")
        for leaf in sorted(olds.keys() | news.keys()) or [field]:
            self._set(at, (provider, model, leaf), olds.get(leaf), news.get(leaf))

    def added(self, at: str, provider: str, model: str, record: JSON) -> None:
        self.model_since[(provider, model)] = at
        for leaf, value in _leaves(record, "").items():
            self._set(at, (provider, model, leaf), None, value)

    def removed(self, at: str, provider: str, model: str, record: JSON) -> None:
        known = _leaves(record, "")
        for leaf in sorted(known.keys() | self.open.get((provider, model), {}).keys()):
            self._set(at, (provider, model, leaf), known.get(leaf), None)
        self.model_since[(provider, model)] = at

    def _set(self, at: str, key: Key, old: JSON, new: JSON) -> None:
        field = key[2]
        if not self.keep(field) or _ignored(field, self.ignore):
            return
        fields = self.open.setdefault(key[:2], {})
        if field in fields:
            value, start = fields.pop(field)
            self._emit(key, value, start, at)
        elif old is not None:
            self._emit(key, old, self.since.get(key, self.model_since.get(key[:2])), at)
        self.since[key] = at
        if new is not None:
            fields[field] = (new, at)

    def _emit(self, key: Key, value: JSON, start: str | None, end: str | None) -> None:
        if start is None or end is None or start < end:  # a zero-length period never held
            self.periods.append(Period(*key, value=value, start=start, end=end))

    def finish(self) -> list[Period]:
        for (provider, model), fields in self.open.items():
            for field, (value, start) in fields.items():
                self._emit((provider, model, field), value, start, None)
        self.open = {}
        return sorted(self.periods, key=period_key)


def history_from_ledger(
    records: Iterable[Mapping[str, JSON]],
    *,
    fields: FieldFilter | None = None,
    ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
) -> list[Period]:
    """Periods from ledger lines (any order; sorted by ``time``, file order within one run)."""
    kinds = _FIELD_KINDS | {ChangeKind.MODEL_ADDED.value, ChangeKind.MODEL_REMOVED.value}
    timed = [
        (utc_stamp(str(r["time"])), r)
        for r in records
        if r.get("kind") in kinds and r.get("time") and r.get("provider") and r.get("model")
    ]
    timeline = _Timeline(fields, ignore_fields)
    for at, record in sorted(timed, key=lambda item: item[0]):
        kind, provider, model = record["kind"], str(record["provider"]), str(record["model"])
        if kind == ChangeKind.MODEL_ADDED:
            timeline.added(at, provider, model, record.get("new"))
        elif kind == ChangeKind.MODEL_REMOVED:
            timeline.removed(at, provider, model, record.get("old"))
        elif kind in _FIELD_KINDS and isinstance(record.get("field"), str):
            field = str(record["field"])
            timeline.change(at, provider, model, field, record.get("old"), record.get("new"))
    return timeline.finish()


def history_from_git(
    repo: Path,
    snapshots: str = "snapshots/models.dev",
    *,
    fields: FieldFilter | None = None,
    ref: str = "HEAD",
    ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
) -> list[Period]:
    """Periods from the snapshot folder's first-parent history: two git processes in all."""
    timeline = _Timeline(fields, ignore_fields)
    state: dict[str, JSON] = {}
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
            for change in diff_catalogs(_catalog(before), _catalog(after), ignore_fields):
                if change.model is None:
                    continue
                if change.kind is ChangeKind.MODEL_ADDED:
                    timeline.added(at, change.provider, change.model, change.new)
                elif change.kind is ChangeKind.MODEL_REMOVED:
                    timeline.removed(at, change.provider, change.model, change.old)
                elif change.field is not None:
                    args = (change.provider, change.model, change.field, change.old, change.new)
                    timeline.change(at, *args)
    return timeline.finish()


def load_history(
    source: str,
    repo: Path = Path(),
    snapshots: str = "snapshots/models.dev",
    *,
    fields: FieldFilter | None = None,
    ref: str = "HEAD",
) -> list[Period]:
    """``source`` "git" walks the repository; "ledger" reads the folder's ``changes.jsonl``."""
    if source == "git":
        return history_from_git(repo, snapshots, fields=fields, ref=ref)
    from catalog_watch.ledger import LEDGER_FILE, read_ledger

    path = repo / snapshots / LEDGER_FILE
    try:
        return history_from_ledger(read_ledger(path), fields=fields)
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{path}: not a ledger of change records: {error!r}") from error


def field_matcher(prefix: str) -> FieldFilter:
    """``cost`` keeps ``cost`` and every ``cost.*``; ``cost.input`` keeps just that field."""
    return lambda field: field == prefix or field.startswith(f"{prefix}.")


def model_matches(query: str, model_id: str) -> bool:
    """The id exactly, case-insensitively, or its part after the last ``/``."""
    wanted, have = query.casefold(), model_id.casefold()
    return wanted == have or wanted == have.rpartition("/")[2]


def filter_periods(
    periods: Iterable[Period],
    *,
    model: str | None = None,
    provider: str | None = None,
    field: str | None = None,
) -> list[Period]:
    matches_field = field_matcher(field) if field is not None else None
    return [
        p
        for p in periods
        if (model is None or model_matches(model, p.model))
        and (provider is None or p.provider == provider)
        and (matches_field is None or matches_field(p.field))
    ]


def value_at(periods: Iterable[Period], when: Moment) -> list[Period]:
    """The periods in effect at ``when``: ``start <= when < end``.

    A bare date (``date`` or ``"YYYY-MM-DD"``) means the day as it closed, 23:59:59 UTC: on the
    day of a change the new value wins.
    """
    at = moment(when)
    return [
        p for p in periods if (p.start is None or p.start <= at) and (p.end is None or at < p.end)
    ]


def price_at(
    periods: Iterable[Period], model: str, when: Moment, *, provider: str | None = None
) -> list[tuple[str, str, dict[str, JSON]]]:
    """(provider, model id, prices) for every offering of ``model`` with a period at ``when``.

    ``prices`` always has ``cost.input``, ``cost.output`` and ``cost.cache_read`` (None: no such
    price), plus any other ``cost.*`` field in effect.
    """
    rows: dict[tuple[str, str], dict[str, JSON]] = {}
    for p in value_at(filter_periods(periods, model=model, provider=provider), when):
        prices = rows.setdefault((p.provider, p.model), dict.fromkeys(PRICE_KEYS))
        if p.field.startswith("cost."):
            prices[p.field] = p.value
    return [(pid, mid, rows[(pid, mid)]) for pid, mid in sorted(rows)]


def moment(when: Moment) -> str:
    """A moment as a UTC stamp; a bare date is its last second (see ``value_at``)."""
    if isinstance(when, str) and len(when) == 10:
        when = date.fromisoformat(when)
    if isinstance(when, date) and not isinstance(when, datetime):
        when = datetime.combine(when, time(23, 59, 59), tzinfo=UTC)
    return utc_stamp(when)


def period_key(period: Period) -> tuple[str, str, str, str]:
    return (period.provider, period.model, period.field, period.start or "")


def _leaves(value: JSON, prefix: str) -> dict[str, JSON]:
    """Dotted field → value: objects walked to their leaves, lists and scalars whole."""
    if not isinstance(value, Mapping):
        return {} if value is None or not prefix else {prefix[:-1]: value}
    found: dict[str, JSON] = {}
    for key, item in value.items():
        found.update(_leaves(item, f"{prefix}{key}."))
    return found


def _ignored(field: str, patterns: Sequence[str]) -> bool:
    return any(
        field == p or field.startswith(f"{p}.") or fnmatch.fnmatchcase(field, p) for p in patterns
    )


def _catalog(document: dict[str, JSON]) -> Catalog:
    return parse_catalog(document, max_rejected_share=1.0) if document else Catalog(providers={})
