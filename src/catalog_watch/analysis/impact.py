"""What a price change costs: scenario figures, the team's own usage, the cheapest channel.

Runs after the diff, on the price changes only (a few per run in practice), so the keyed diff
stays fast. The cheapest channel is only recomputed for the models whose offerings changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from catalog_watch.analysis.cheapest import cheapest_offer
from catalog_watch.analysis.consistency import group_offerings
from catalog_watch.analysis.cost import (
    Impact,
    Offer,
    Pricer,
    Scenario,
    UsageImpact,
    costing,
    shown_amount,
    usage_impact,
)
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.model.catalog import Catalog, Record
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.settings.costs import CostSettings
from catalog_watch.settings.inconsistencies import ConsistencySettings

_MEMBERSHIP = frozenset(
    {ChangeKind.PRICE_CHANGED, ChangeKind.MODEL_ADDED, ChangeKind.MODEL_REMOVED}
)


def with_cost_impact(
    changes: Sequence[Change], old: Catalog, new: Catalog, costs: CostSettings
) -> list[Change]:
    """Price changes get each scenario's before → after and, if configured, the usage impact;
    a scenario (or a usage) whose cost did not move is left out."""
    pricers = [(scenario, costing(scenario)) for scenario in costs.scenarios]
    per_offering: dict[tuple[str, str], tuple[tuple[Impact, ...], UsageImpact | None]] = {}
    result: list[Change] = []
    for change in changes:
        if change.kind is not _PRICE_CHANGED or change.model is None:
            result.append(change)
            continue
        where = (change.provider, change.model)
        found = per_offering.get(where)
        if found is None:  # input and output of one model: one computation
            before, after = old.record(*where), new.record(*where)
            yours = [
                UsageImpact(usage, delta)
                for usage in costs.usage
                if (usage.provider, usage.model) == where
                and (delta := usage_impact(before, after, usage)) != 0
            ]
            found = per_offering[where] = (_moved(before, after, pricers), next(iter(yours), None))
        result.append(change.with_costs(*found))
    return result


_PRICE_CHANGED = ChangeKind.PRICE_CHANGED


def changed_impact(
    before: Record | None, after: Record | None, chosen: Sequence[Scenario]
) -> tuple[Impact, ...]:
    """The scenarios whose cost the price change moved. A change of a price no scenario uses
    (``cache_read``, ``input_audio``, a tier no scenario crosses), or float noise that moves a
    cost by less than it is shown with, costs the same: left out."""
    return _moved(before, after, [(scenario, costing(scenario)) for scenario in chosen])


def _moved(
    before: Record | None, after: Record | None, pricers: Sequence[tuple[Scenario, Pricer]]
) -> tuple[Impact, ...]:
    moved: list[Impact] = []
    for scenario, cost_of in pricers:
        was = None if before is None else cost_of(before)
        now = None if after is None else cost_of(after)
        if was is None or now is None:
            if was is not now:
                moved.append(Impact(scenario, was, now))
        elif was != now and shown_amount(was) != shown_amount(now):
            moved.append(Impact(scenario, was, now))
    return tuple(moved)


def cheapest_changes(
    changes: Sequence[Change],
    old: Catalog,
    new: Catalog,
    settings: ConsistencySettings,
    costs: CostSettings,
    index: ModelIndex | None = None,
) -> list[Change]:
    """``cheapest_changed`` for every model whose cheapest paid channel moved to another one;
    models are the groups the inconsistencies use (``index``: models.json, when given)."""
    touched = {
        (c.provider, c.model) for c in changes if c.kind in _MEMBERSHIP and c.model is not None
    }
    if not touched:
        return []
    scenario = costs.reference
    cost_of = costing(scenario)

    def priced(provider: str, model: str, record: Record) -> Decimal | None:
        return cost_of(record)

    found: list[Change] = []
    for key, members in _touched_groups(touched, old, new, settings, index):
        before = cheapest_offer(old, members, scenario, priced)
        after = cheapest_offer(new, members, scenario, priced)
        if before is None or after is None or before.cost == after.cost:
            continue
        if (before.provider, before.model_id) == (after.provider, after.model_id):
            continue
        found.append(
            Change(
                kind=ChangeKind.CHEAPEST_CHANGED,
                provider=after.provider,
                model=key,
                field=f"cheapest ({scenario.name}, {scenario.per})",
                old=None,
                new=None,
                severity=Severity.MEDIUM if after.cost > before.cost else Severity.LOW,
                cheapest=(
                    Offer(before.provider, before.model_id, before.cost),
                    Offer(after.provider, after.model_id, after.cost),
                ),
            )
        )
    return found


def _touched_groups(
    touched: set[tuple[str, str]],
    old: Catalog,
    new: Catalog,
    settings: ConsistencySettings,
    index: ModelIndex | None,
) -> Iterable[tuple[str, list[tuple[str, str]]]]:
    """Groups (from both catalogs, members merged) that hold a changed offering."""
    merged: dict[str, set[tuple[str, str]]] = {}
    for catalog in (old, new):
        for key, members in group_offerings(catalog, settings, index).items():
            if not touched.isdisjoint(members):
                merged.setdefault(key, set()).update(members)
    for key in sorted(merged):
        if len(merged[key]) >= 2:  # one offering alone has no other channel to lose to
            yield key, sorted(merged[key])
