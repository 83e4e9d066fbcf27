"""Schema drift: which field names the catalog uses, and which appeared or vanished.

A new upstream field (or one that stops being sent) is reported apart from data changes, so that
a reviewer sees "models.dev started sending cost.tiers" once instead of 191 separate changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog_watch.catalog import JSON, Catalog

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
class SchemaDrift:
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def to_json(self) -> dict[str, JSON]:
        return {"added": list(self.added), "removed": list(self.removed)}


def field_names(catalog: Catalog) -> FieldNames:
    provider_fields: set[str] = set()
    model_fields: set[str] = set()
    for provider in catalog.providers.values():
        _collect(provider.info, "", provider_fields)
        for record in provider.models.values():
            _collect(record, "", model_fields)
    return FieldNames(frozenset(provider_fields), frozenset(model_fields))


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
