"""Schema drift: which field names the catalog uses, and which appeared or vanished.

A new upstream field (or one that stops being sent) is reported apart from data changes, so that
a reviewer sees "models.dev started sending cost.tiers" once instead of 191 separate changes.

Likewise a field that appears on many records in one run (upstream filled it in: models.dev's
``reasoning_options`` appeared on 1,429 of 2,759 offerings between March and June 2026) is one
note, :class:`FieldAppeared`, instead of a change per record. "Many" is at least
:data:`APPEARED_MIN_SHARE` of the records present in both catalogs and at least
:data:`APPEARED_MIN_RECORDS` records: on the real catalogs only ``reasoning_options`` (52 %) is
folded, while ``structured_output`` gained on 142 offerings (5 %) and ``cost.cache_read`` on 75
stay changes. The folded changes stay in the ledger and the JSON report; the reports, alerts and
pull-request body show the note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog_watch.model.catalog import JSON, Catalog
from catalog_watch.model.changes import Change, ChangeKind

APPEARED_MIN_SHARE = 0.10
"""A field absent before and present now on this share of the records compared is one note."""
APPEARED_MIN_RECORDS = 50
"""... and on at least this many records (a small catalog's three offerings stay changes)."""

# Objects whose keys are names chosen by upstream (mode names, HTTP headers), not field names;
# they may sit at any depth (``experimental.modes.*.provider.headers``).
FREE_FORM_MAPS = frozenset({"experimental.modes", "provider.headers", "provider.body"})
_FREE_FORM_SUFFIXES = tuple(f".{name}" for name in sorted(FREE_FORM_MAPS))


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Dotted field names seen on providers and on models (lists of objects as ``path[]``)."""

    provider: frozenset[str]
    model: frozenset[str]

    def to_json(self) -> dict[str, JSON]:
        return {"provider": sorted(self.provider), "model": sorted(self.model)}

    @classmethod
    def from_json(cls, value: JSON) -> FieldNames | None:
        if not isinstance(value, dict):
            return None
        return cls(frozenset(value.get("provider", ())), frozenset(value.get("model", ())))


@dataclass(frozen=True, slots=True)
class FieldAppeared:
    """A field that appeared on ``records`` records at once: on offerings (``level`` "model")
    or on providers' own records ("provider")."""

    level: str
    field: str
    kind: ChangeKind  # the kind its changes have (capability_changed for reasoning_options)
    records: int

    def folds(self, change: Change) -> bool:
        """``change`` is one of the appearances this note stands for."""
        return (
            change.field == self.field
            and change.old is None
            and change.new is not None
            and change.kind is self.kind
            and (change.model is None) is (self.level == "provider")
        )

    def to_json(self) -> dict[str, JSON]:
        return {
            "level": self.level,
            "field": self.field,
            "kind": self.kind.value,
            "records": self.records,
        }


@dataclass(frozen=True, slots=True)
class SchemaDrift:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    appeared_on: tuple[FieldAppeared, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.appeared_on)

    def folds(self, change: Change) -> bool:
        if change.old is not None or change.new is None:  # most changes: no appearance
            return False
        return any(note.folds(change) for note in self.appeared_on)

    def to_json(self) -> dict[str, JSON]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "appeared_on": [note.to_json() for note in self.appeared_on],
        }


def fields_appeared(
    changes: Iterable[Change],
    *,
    offerings: int,
    providers: int,
    min_share: float = APPEARED_MIN_SHARE,
    min_records: int = APPEARED_MIN_RECORDS,
) -> tuple[FieldAppeared, ...]:
    """The fields absent before and present now on many of the ``offerings`` (``providers``)
    present in both catalogs, sorted by level and field."""
    counts = Counter(
        ("provider" if c.model is None else "model", c.field, c.kind)
        for c in changes
        if c.field is not None
        and c.old is None
        and c.new is not None
        and c.kind is not ChangeKind.CHEAPEST_CHANGED
    )
    compared = {"model": offerings, "provider": providers}
    return tuple(
        FieldAppeared(level, field, kind, n)
        for (level, field, kind), n in sorted(counts.items())
        if n >= min_records and n >= min_share * compared[level]
    )


def compared_counts(old: Catalog, new: Catalog) -> tuple[int, int]:
    """(offerings, providers) present in both catalogs: the records a field can appear on."""
    providers = old.providers.keys() & new.providers.keys()
    offerings = sum(
        len(old.providers[p].models.keys() & new.providers[p].models.keys()) for p in providers
    )
    return offerings, len(providers)


def field_names(catalog: Catalog) -> FieldNames:
    provider_fields: set[str] = set()
    model_fields: set[str] = set()
    for provider in catalog.providers.values():
        _collect(provider.info, "", provider_fields)
        for record in provider.models.values():
            _collect(record, "", model_fields)
    return FieldNames(frozenset(provider_fields), frozenset(model_fields))


def drift_between(old: Catalog, new: Catalog) -> SchemaDrift:
    """``schema_drift(field_names(old), field_names(new))``, walking fewer records.

    A record the same in both catalogs brings the same names to both sides, so only the changed
    records are walked; then the unchanged ones, only until every name that one side's changed
    records have and the other's lack is found on some unchanged record (then it is no drift).
    """
    provider_fields: list[set[str]] = [set(), set()]
    changed: list[set[str]] = [set(), set()]
    unchanged: list[Mapping[str, JSON]] = []
    for side, catalog in enumerate((old, new)):
        for provider in catalog.providers.values():
            _collect(provider.info, "", provider_fields[side])
    for provider_id in old.providers.keys() | new.providers.keys():
        before, after = old.providers.get(provider_id), new.providers.get(provider_id)
        old_models = before.models if before is not None else {}
        new_models = after.models if after is not None else {}
        for model_id in old_models.keys() | new_models.keys():
            was, now = old_models.get(model_id), new_models.get(model_id)
            if was == now and was is not None:
                unchanged.append(was)
                continue
            if was is not None:
                _collect(was, "", changed[0])
            if now is not None:
                _collect(now, "", changed[1])
    open_names = changed[0] ^ changed[1]
    seen: set[str] = set()
    for record in unchanged:
        if not open_names - seen:
            break
        _collect(record, "", seen)
    old_names = FieldNames(frozenset(provider_fields[0]), frozenset(changed[0] | seen))
    new_names = FieldNames(frozenset(provider_fields[1]), frozenset(changed[1] | seen))
    return schema_drift(old_names, new_names)


def schema_drift(old: FieldNames, new: FieldNames) -> SchemaDrift:
    """Field names in ``new`` but not ``old`` and the reverse, as ``provider:…``/``model:…``."""
    before = {f"provider:{f}" for f in old.provider} | {f"model:{f}" for f in old.model}
    after = {f"provider:{f}" for f in new.provider} | {f"model:{f}" for f in new.model}
    return SchemaDrift(added=tuple(sorted(after - before)), removed=tuple(sorted(before - after)))


def _collect(record: Mapping[str, JSON], prefix: str, into: set[str]) -> None:
    # Hot path (every record of two catalogs): exact type checks, no helper calls per key.
    for key, value in record.items():
        path = prefix + key
        into.add(path)
        kind = type(value)
        if kind is dict:
            if path in FREE_FORM_MAPS or path.endswith(_FREE_FORM_SUFFIXES):
                for inner in value.values():
                    if type(inner) is dict:
                        _collect(inner, path + ".*.", into)
            else:
                _collect(value, path + ".", into)
        elif kind is list:
            for item in value:
                if type(item) is dict:
                    _collect(item, path + "[].", into)
