"""Effective-dated history: which value a field of an offering had, from when to when.

Two ways to rebuild it, giving the same periods where both know them:

* from the ledger (``changes.jsonl``) and the snapshot beside it: the ledger dates what changed,
  the snapshot gives every value that never changed (it holds whole records; the ledger does not
  need to, and no longer stores the records of added models). A value held since the first run
  starts "before the history begins" (``start`` None: the baseline run writes no ledger line, so
  its date is not kept), unless the model was added in the ledger;
* from git: one ``git log`` and one ``git cat-file --batch`` over the snapshot folder's history,
  diffing provider files state to state; the first commit is the baseline (its values start at
  its date), so nothing is known before it.

Each read also knows when every offering was offered (:class:`History`'s ``lives``), whatever
field filter it was asked for: ``price-at`` lists an offering without any price, and says why
nothing matched ("before the history begins", "removed on ...").

Times are UTC ``YYYY-MM-DDTHH:MM:SSZ`` strings (the ledger's and git's commit dates, normalised),
which sort as they compare. A period holds from ``start`` (inclusive) to ``end`` (exclusive); a
field that is absent (None) has no period, but its boundaries still end and start its neighbours.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS
from catalog_watch.model.catalog import JSON, JSONValue
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.timestamps import stamp_of, utc_stamp

Key = tuple[str, str, str]
Offering = tuple[str, str]
Life = tuple[str | None, str | None]
"""When an offering was offered: ``start`` (None: before the history) to ``end`` (None: now)."""
FieldFilter = Callable[[str], bool]
Select = Callable[[Collection[Offering]], Collection[Offering] | None]
"""Given every offering a history knows, the ones to build periods for (None: all)."""
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


@dataclass(frozen=True, slots=True)
class History:
    """What one read of the ledger and snapshot, or of git, knows.

    Attributes:
        periods: the periods of the selected offerings (all when nothing was selected).
        lives: every known offering → when it was offered, oldest first.
        source: ``"ledger"`` or ``"git"``.
        folder: the snapshot folder, as given (``snapshots/models.dev``).
        begins: the first moment known: git's first snapshot commit; None from the ledger, whose
            baseline run is not dated.
        first_dated: the earliest dated event (the ledger's first line, git's first commit).
        found: there was something to read (a ledger or a snapshot; a commit).
    """

    periods: list[Period]
    lives: Mapping[Offering, tuple[Life, ...]]
    source: str
    folder: str
    begins: str | None
    first_dated: str | None
    found: bool

    def offered_at(self, at: str, among: Collection[Offering] | None = None) -> list[Offering]:
        """The offerings (of ``among``) offered at the UTC stamp ``at``, sorted."""
        return sorted(
            offering
            for offering, lives in self.lives.items()
            if (among is None or offering in among) and any(_holds(life, at) for life in lives)
        )


class Timeline:
    """Open periods per (provider, model) → field; events must come in time order."""

    def __init__(
        self,
        fields: FieldFilter | None,
        ignore: Sequence[str],
        only: Collection[Offering] | None = None,
    ) -> None:
        self.keep = fields or (lambda _field: True)
        self.ignore = tuple(ignore)
        self.only = only
        self.open: dict[Offering, dict[str, tuple[JSON, str | None]]] = {}
        self.since: dict[Key, str] = {}  # the last boundary of each field
        self.model_since: dict[Offering, str] = {}  # the last add or removal
        self.lives: dict[Offering, list[list[str | None]]] = {}
        self.periods: list[Period] = []

    def change(self, at: str, provider: str, model: str, field: str, old: JSON, new: JSON) -> None:
        """One changed leaf; an object value is split into its own leaves, as diff.py walks."""
        self._alive((provider, model), at)
        olds, news = _leaves(old, f"{field}."), _leaves(new, f"{field}.")
        for leaf in sorted(olds.keys() | news.keys()) or [field]:
            self._set(at, (provider, model, leaf), olds.get(leaf), news.get(leaf))

    def added(self, at: str, provider: str, model: str, record: JSON) -> None:
        """A model that appeared; ``record`` may be partial or None (the snapshot fills in)."""
        lives = self.lives.setdefault((provider, model), [])
        if not lives or lives[-1][1] is not None:
            lives.append([at, None])
        self.model_since[(provider, model)] = at
        for leaf, value in _leaves(record, "").items():
            self._set(at, (provider, model, leaf), None, value)

    def removed(self, at: str, provider: str, model: str, record: JSON) -> None:
        lives = self.lives.setdefault((provider, model), [])
        if not lives:
            lives.append([None, at])  # offered since before the history
        elif lives[-1][1] is None:
            lives[-1][1] = at
        known = _leaves(record, "")
        for leaf in sorted(known.keys() | self.open.get((provider, model), {}).keys()):
            self._set(at, (provider, model, leaf), known.get(leaf), None)
        self.model_since[(provider, model)] = at

    def current(self, document: Mapping[str, JSONValue]) -> None:
        """The snapshot's values of every field the ledger did not leave open: held since the
        field's last boundary, else the model's addition, else before the history."""
        for provider, body in sorted(document.items()):
            models = body.get("models") if isinstance(body, Mapping) else None
            for model, record in sorted((models if isinstance(models, Mapping) else {}).items()):
                self._alive((provider, model), None)
                if self.only is not None and (provider, model) not in self.only:
                    continue
                fields = self.open.setdefault((provider, model), {})
                for leaf, value in _leaves(record, "").items():
                    if leaf not in fields and self._kept(leaf):
                        start = self.since.get((provider, model, leaf))
                        fields[leaf] = (value, start or self.model_since.get((provider, model)))

    def _alive(self, offering: Offering, at: str | None) -> list[list[str | None]]:
        """The offering's lives, the last one open: it was offered before the history, or came
        back (at ``at``, else when it last went) without a line saying so."""
        lives = self.lives.setdefault(offering, [])
        if not lives:
            lives.append([None, None])
        elif lives[-1][1] is not None:
            lives.append([at or lives[-1][1], None])
        return lives

    def _kept(self, field: str) -> bool:
        return self.keep(field) and not _ignored(field, self.ignore)

    def _set(self, at: str, key: Key, old: JSON, new: JSON) -> None:
        field = key[2]
        if not self._kept(field) or (self.only is not None and key[:2] not in self.only):
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

    def known_lives(self) -> dict[Offering, tuple[Life, ...]]:
        return {
            offering: tuple((start, end) for start, end in lives if start is None or start != end)
            for offering, lives in sorted(self.lives.items())
        }


def history_from_ledger(
    records: Iterable[LedgerLine],
    *,
    fields: FieldFilter | None = None,
    ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
    current: Mapping[str, JSONValue] | None = None,
) -> list[Period]:
    """Periods from ledger lines (any order; sorted by ``time``, file order within one run).

    ``current``, the snapshot's document (provider id → provider with its ``models``), gives the
    values that never changed; without it only the changed fields have periods.
    """
    timeline = Timeline(fields, ignore_fields)
    _walk_ledger(timeline, _timed(records))
    if current is not None:
        timeline.current(current)
    return timeline.finish()


def _timed(records: Iterable[LedgerLine]) -> list[tuple[str, LedgerLine]]:
    """The offering lines, as (UTC time, line), in time order (file order within one time)."""
    kinds = _FIELD_KINDS | {ChangeKind.MODEL_ADDED.value, ChangeKind.MODEL_REMOVED.value}
    timed = [
        (utc_stamp(str(r["time"])), r)
        for r in records
        if r.get("kind") in kinds and r.get("time") and r.get("provider") and r.get("model")
    ]
    return sorted(timed, key=lambda item: item[0])


def _walk_ledger(timeline: Timeline, timed: Iterable[tuple[str, LedgerLine]]) -> None:
    for at, record in timed:
        kind, provider, model = record["kind"], str(record["provider"]), str(record["model"])
        if kind == ChangeKind.MODEL_ADDED:
            timeline.added(at, provider, model, record.get("new"))
        elif kind == ChangeKind.MODEL_REMOVED:
            timeline.removed(at, provider, model, record.get("old"))
        elif kind in _FIELD_KINDS and isinstance(record.get("field"), str):
            field = str(record["field"])
            timeline.change(at, provider, model, field, record.get("old"), record.get("new"))


def _ledger_offerings(
    timed: Iterable[tuple[str, LedgerLine]], document: Mapping[str, JSONValue]
) -> set[Offering]:
    found = {(str(r["provider"]), str(r["model"])) for _, r in timed}
    for provider, body in document.items():
        models = body.get("models") if isinstance(body, Mapping) else None
        found.update((provider, model) for model in (models if isinstance(models, Mapping) else {}))
    return found


def ledger_history(
    records: Iterable[LedgerLine],
    current: Mapping[str, JSONValue],
    *,
    fields: FieldFilter | None = None,
    select: Select | None = None,
) -> History:
    """The history of ledger lines and the snapshot document ``current`` (see
    :func:`history_from_ledger`), with every offering's lives; ``select`` as for
    :func:`load_history`."""
    timed = _timed(records)
    only = select(_ledger_offerings(timed, current)) if select is not None else None
    timeline = Timeline(fields, DEFAULT_IGNORED_FIELDS, only)
    _walk_ledger(timeline, timed)
    timeline.current(current)
    first = timed[0][0] if timed else None
    lives = timeline.known_lives()
    return History(timeline.finish(), lives, "ledger", "", None, first, bool(lives))


def field_matcher(prefix: str) -> FieldFilter:
    """``cost`` keeps ``cost`` and every ``cost.*``; ``cost.input`` keeps just that field."""
    return lambda field: field == prefix or field.startswith(f"{prefix}.")


def value_at(periods: Iterable[Period], when: Moment) -> list[Period]:
    """The periods in effect at ``when``: ``start <= when < end``.

    A bare date (``date`` or ``"YYYY-MM-DD"``) means the day as it closed, 23:59:59 UTC: on the
    day of a change the new value wins.
    """
    at = stamp_of(when)
    return [p for p in periods if _holds((p.start, p.end), at)]


def _holds(span: Life, at: str) -> bool:
    return (span[0] is None or span[0] <= at) and (span[1] is None or at < span[1])


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
