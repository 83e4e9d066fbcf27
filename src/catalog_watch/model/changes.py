"""Change records: what changed, where, how much, and how much it matters.

A change is plain data so that every renderer (terminal, markdown, JSON, Slack, the ledger)
shows the same facts. ``field`` is the dotted path into the api.json record (``cost.input``,
``limit.context``, ``experimental.modes.fast.cost.input``); lists are compared whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from catalog_watch.model.catalog import JSON
from catalog_watch.model.severity import Severity
from catalog_watch.render.money import offer_words, usage_words

if TYPE_CHECKING:
    from catalog_watch.analysis.cost import Impact, Offer, UsageImpact


class ChangeKind(StrEnum):
    PROVIDER_ADDED = "provider_added"
    PROVIDER_REMOVED = "provider_removed"
    PROVIDER_CHANGED = "provider_changed"
    MODEL_ADDED = "model_added"
    MODEL_REMOVED = "model_removed"
    PRICE_CHANGED = "price_changed"
    LIMIT_CHANGED = "limit_changed"
    CAPABILITY_CHANGED = "capability_changed"
    MODALITY_CHANGED = "modality_changed"
    STATUS_CHANGED = "status_changed"
    METADATA_CHANGED = "metadata_changed"
    CHEAPEST_CHANGED = "cheapest_changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one offering (or provider) that differs between two catalogs."""

    kind: ChangeKind
    provider: str
    model: str | None
    field: str | None
    old: JSON
    new: JSON
    severity: Severity
    change_pct: float | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    impact: tuple[Impact, ...] = ()  # price changes: each cost scenario before → after
    usage: UsageImpact | None = None  # price changes: what a month of the team's usage costs more
    cheapest: tuple[Offer, Offer] | None = None  # cheapest_changed: the channel before, after
    used_in: tuple[str, ...] = ()  # where the repository's code uses this model (``a.py:42``)

    def with_costs(self, impact: tuple[Impact, ...], usage: UsageImpact | None) -> Change:
        """This change with its cost impact (``dataclasses.replace``, written out: it runs on
        every price change of a run)."""
        return Change(
            self.kind,
            self.provider,
            self.model,
            self.field,
            self.old,
            self.new,
            self.severity,
            self.change_pct,
            self.added,
            self.removed,
            impact,
            usage,
            self.cheapest,
            self.used_in,
        )

    @property
    def sort_key(self) -> tuple[str, str, int, str]:
        """Provider, then model (provider-level records first), then kind, then field."""
        return (self.provider, self.model or "", _KIND_ORDER[self.kind], self.field or "")

    @property
    def shown_old(self) -> JSON:
        """``old`` as reports, the ledger and alerts carry it: a cheapest channel in words."""
        return offer_words(self.cheapest[0]) if self.cheapest else self.old

    @property
    def shown_new(self) -> JSON:
        return offer_words(self.cheapest[1]) if self.cheapest else self.new

    def to_json(self) -> dict[str, JSON]:
        """The JSON contract's record; its two sentences (``usage_impact``, a cheapest channel's
        ``old``/``new``) are worded by ``render.money``, the data holds the numbers."""
        cheapest = self.cheapest
        kind = self.kind
        data: dict[str, JSON] = {
            "kind": _KIND_NAMES[kind],
            "provider": self.provider,
            "model": self.model,
            "field": self.field,
            "old": offer_words(cheapest[0]) if cheapest else self.old,
            "new": offer_words(cheapest[1]) if cheapest else self.new,
            "severity": _SEVERITY_NAMES[self.severity],
        }
        if kind is _PRICE_CHANGED:
            data["change_pct"] = self.change_pct
        elif kind is _MODALITY_CHANGED:
            data["added"] = list(self.added)
            data["removed"] = list(self.removed)
        if self.impact:
            data["impact"] = [impact.to_json() for impact in self.impact]
        if self.usage is not None:
            data["usage_impact"] = usage_words(self.usage)
        if self.used_in:  # only then: a repository that uses none of the changes reads as before
            data["used_in"] = list(self.used_in)
        return data


# Read once per change of a report: an enum's ``.value`` and ``ChangeKind.X`` are slow lookups.
_KIND_NAMES = {kind: kind.value for kind in ChangeKind}
_SEVERITY_NAMES = {severity: severity.value for severity in Severity}
_PRICE_CHANGED = ChangeKind.PRICE_CHANGED
_MODALITY_CHANGED = ChangeKind.MODALITY_CHANGED
_KIND_ORDER = {kind: position for position, kind in enumerate(ChangeKind)}
