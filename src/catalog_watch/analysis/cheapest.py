"""The cheapest paid channel of a model: where a scenario costs least among its offerings.

Shared by ``show`` (the model card), ``usage``, ``lint`` and the cheapest-channel changes of a
diff (``impact.py``), which must not load the card's name resolution to find it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from catalog_watch.analysis.cost import REFERENCE_SCENARIO, Scenario, scenario_cost
from catalog_watch.model.catalog import Catalog, Record

__all__ = ["Channel", "cheapest_channel", "cheapest_offer"]


@dataclass(frozen=True, slots=True)
class Channel:
    """Where a scenario is cheapest: the offering and what the scenario costs there."""

    provider: str
    model_id: str
    scenario: Scenario
    cost: Decimal

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.model_id}"


def cheapest_offer(
    catalog: Catalog,
    group_members: Iterable[tuple[str, str]],
    scenario: Scenario = REFERENCE_SCENARIO,
    cost_of: Callable[[str, str, Record], Decimal | None] | None = None,
) -> Channel | None:
    """The paid offering where ``scenario`` costs least, with that cost; None if none is paid.

    Paid: a usable price, a cost above zero, and not a ``:free`` variant. Ties go to the lowest
    provider id, then model id. Members missing from ``catalog`` are skipped, so a group taken
    from another catalog (the previous run's) can be passed as is.
    """
    best: tuple[Decimal, str, str] | None = None
    for provider, model_id in group_members:
        if model_id.lower().endswith(":free"):
            continue
        record = catalog.record(provider, model_id)
        if record is None:
            continue
        cost = cost_of(provider, model_id, record) if cost_of else scenario_cost(record, scenario)
        if cost is None or cost <= 0:
            continue
        candidate = (cost, provider, model_id)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return None
    return Channel(provider=best[1], model_id=best[2], scenario=scenario, cost=best[0])


def cheapest_channel(
    catalog: Catalog,
    group_members: Iterable[tuple[str, str]],
    scenario: Scenario = REFERENCE_SCENARIO,
) -> tuple[str, str] | None:
    """``(provider, model id)`` of :func:`cheapest_offer`: compare it between two catalogs to
    tell that the cheapest channel of a model changed."""
    channel = cheapest_offer(catalog, group_members, scenario)
    return None if channel is None else (channel.provider, channel.model_id)
