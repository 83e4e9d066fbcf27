"""The canonical catalog: providers and their model offerings, as plain JSON records.

Records stay the JSON objects upstream sent (unknown fields included, numbers as written), so
that a snapshot round-trips byte for byte and a new upstream field shows up as a change. The
typed view of the schema lives in ``sources/models_dev.py``, which validates records before they
get here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

JSON: TypeAlias = Any
"""A value as ``json.loads`` returns it: dict, list, str, int, float, bool or None."""

Record: TypeAlias = Mapping[str, JSON]


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider: its own fields (``name``, ``env``, ``api``...) and its model offerings."""

    id: str
    info: Record
    models: Mapping[str, Record]

    def to_document(self) -> dict[str, JSON]:
        """The provider as api.json writes it: its fields plus ``models``."""
        return {**self.info, "models": dict(self.models)}


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record (or a field of one) that failed validation and was not accepted."""

    provider: str
    model: str | None
    field: str
    reason: str
    value: JSON = None

    @property
    def where(self) -> str:
        model = f" model {self.model!r}" if self.model is not None else ""
        return f"provider {self.provider!r}{model} field {self.field!r}"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason} (got {self.value!r})"

    def to_json(self) -> dict[str, JSON]:
        return {
            "provider": self.provider,
            "model": self.model,
            "field": self.field,
            "reason": self.reason,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class Catalog:
    """A whole catalog from one source, keyed by provider id then model id."""

    providers: Mapping[str, Provider]
    source: str = "models.dev"
    rejections: tuple[Rejection, ...] = field(default=())
    warnings: tuple[Rejection, ...] = field(default=())

    def offerings(self) -> Iterator[tuple[str, str, Record]]:
        """Every (provider id, model id, record), sorted by provider then model."""
        for provider_id in sorted(self.providers):
            models = self.providers[provider_id].models
            for model_id in sorted(models):
                yield provider_id, model_id, models[model_id]

    def record(self, provider_id: str, model_id: str) -> Record | None:
        """One offering's record, or None when the catalog does not have it."""
        provider = self.providers.get(provider_id)
        return None if provider is None else provider.models.get(model_id)

    @property
    def offering_count(self) -> int:
        return sum(len(p.models) for p in self.providers.values())

    def to_document(self) -> dict[str, JSON]:
        """The catalog in api.json shape, providers and models sorted by id."""
        return {pid: self.providers[pid].to_document() for pid in sorted(self.providers)}
