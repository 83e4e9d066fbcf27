"""An inconsistency: where offerings of one model, or catalogs, disagree. Plain data, no words.

The checks that find them are in ``analysis/consistency*.py`` and ``analysis/cross_source.py``;
their words are in ``render/inconsistency_line.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from catalog_watch.model.catalog import JSON
from catalog_watch.model.severity import Severity

__all__ = ["Inconsistency", "InconsistencyKind", "inconsistency_kind"]


class InconsistencyKind(StrEnum):
    """What disagrees; a ``str`` so JSON output and ids read exactly as the bare names did.

    The fields and severities of each are in ``analysis/consistency.py``'s docstring.
    """

    LIMIT_MISMATCH = "limit_mismatch"
    PRICE_UNIT_ERROR = "price_unit_error"
    PRICE_SPREAD = "price_spread"
    MODALITY_MISMATCH = "modality_mismatch"
    CAPABILITY_MISMATCH = "capability_mismatch"
    KNOWLEDGE_MISMATCH = "knowledge_mismatch"
    OUTPUT_EXCEEDS_CONTEXT = "output_exceeds_context"
    CACHE_READ_ABOVE_INPUT = "cache_read_above_input"
    ZERO_PRICE_IN_PAID_GROUP = "zero_price_in_paid_group"
    TIER_BELOW_BASE = "tier_below_base"
    SOURCE_DISAGREEMENT = "source_disagreement"
    """Two catalogs (models.dev, LiteLLM, OpenRouter) disagree on the maker's offering."""


_KINDS = {kind.value: kind for kind in InconsistencyKind}


def inconsistency_kind(name: object) -> InconsistencyKind | None:
    """The kind a stored name (a ledger line's ``inconsistency_kind``) spells, None if none."""
    return _KINDS.get(name) if isinstance(name, str) else None


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One disagreement inside a group of offerings, or one offering that contradicts itself.

    ``values`` maps ``"<provider>/<model id>"`` to the value(s) involved, keys sorted. It is left
    out of hashing (a dict is not hashable); ``id`` identifies the finding.
    """

    id: str
    kind: InconsistencyKind
    model: str
    field: str
    values: Mapping[str, JSON] = dataclasses.field(hash=False)
    severity: Severity

    def to_json(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "model": self.model,
            "field": self.field,
            "values": dict(self.values),
            "severity": self.severity.value,
        }
