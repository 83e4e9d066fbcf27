"""One model across every provider that offers it: ``catalog-watch show MODEL``.

The offerings are found with the same grouping as the inconsistencies (``identity.py``: the id
rule, models.json when given, the configured aliases), so a card and an inconsistency report
always talk about the same set of offerings.

A query is resolved by ``model_names.py`` (a group key, ``<provider>/<model id>``, any provider's
model id, a canonical id, anything that normalizes to a key; case does not matter), the rule
``history``, ``price-at`` and ``inconsistencies --model`` share. A query that matches nothing
gives ``None``; :func:`close_matches` then offers up to five group keys (difflib) and
:func:`no_match_message` says it in one line.

What the card holds, and the choices behind it:

* **Cheapest channel**: the lowest cost of the reference scenario (by default "RAG answer",
  5,000 input and 500 output tokens per request) among *paid* offerings: a usable input/output
  price, a cost above zero and not a ``:free`` variant. Ties go to the provider id, then the
  model id, so the answer never depends on dict order.
* **Scenario costs** are given at the maker's own provider when it sells the model with a price
  (``google`` for Gemini, ``anthropic`` for Claude...: the lab of the models.json canonical id when
  an index is given, else the group key's prefix: ``identity.MAKERS``), otherwise at the
  cheapest channel.
* **Inconsistencies**: :func:`~catalog_watch.analysis.consistency.find_inconsistencies` on the whole
  catalog (the free-provider rule needs it) kept to this group, in its order (most severe first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from catalog_watch.analysis.cheapest import Channel, cheapest_channel, cheapest_offer
from catalog_watch.analysis.consistency import (
    DEFAULT_SETTINGS,
    ConsistencySettings,
    Inconsistency,
    find_inconsistencies,
    group_offerings,
)
from catalog_watch.analysis.cost import (
    DEFAULT_SCENARIOS,
    REFERENCE_SCENARIO,
    Scenario,
    scenario_cost,
)
from catalog_watch.analysis.identity import ModelIndex, maker_named, maker_of_key
from catalog_watch.analysis.model_names import MAX_SUGGESTIONS, ModelNames, no_match_message
from catalog_watch.model.catalog import JSON, Catalog, Record

__all__ = [
    "Channel",
    "ModelCard",
    "Offering",
    "ScenarioCost",
    "cheapest_channel",
    "cheapest_offer",
    "close_matches",
    "maker_provider",
    "model_card",
    "no_match_message",
    "resolve_group",
]


@dataclass(frozen=True, slots=True)
class Offering:
    """One provider's offering, as the pricing table shows it (catalog values as written)."""

    provider: str
    model_id: str
    name: str | None
    input: JSON
    output: JSON
    cache_read: JSON
    context: JSON
    max_output: JSON
    release_date: str | None
    reference_cost: Decimal | None
    """The reference scenario's cost on this offering (None: no usable price)."""

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.model_id}"


@dataclass(frozen=True, slots=True)
class ScenarioCost:
    scenario: Scenario
    cost: Decimal | None


@dataclass(frozen=True, slots=True)
class ModelCard:
    """Everything ``catalog-watch show`` prints about one model.

    Attributes:
        model: the group key (``gemini-3-1-flash-image-preview``).
        canonical_id: the models.json id when an index was given and knows the model.
        query: what was asked for, as typed.
        offerings: every offering in the group, sorted by provider then model id.
        provider_count: how many distinct providers offer it.
        reference: the scenario that ranks channels.
        cheapest: the cheapest paid channel on ``reference``, None when nobody charges for it.
        scenario_provider: ``(provider, model id)`` the scenario costs are computed at.
        scenario_basis: ``"maker"`` (the model's own lab sells it) or ``"cheapest"``.
        scenarios: each scenario's cost at ``scenario_provider``.
        inconsistencies: the group's current findings, most severe first.
    """

    model: str
    canonical_id: str | None
    query: str
    offerings: tuple[Offering, ...]
    provider_count: int
    reference: Scenario
    cheapest: Channel | None
    scenario_provider: tuple[str, str] | None
    scenario_basis: Literal["maker", "cheapest"] | None
    scenarios: tuple[ScenarioCost, ...]
    inconsistencies: tuple[Inconsistency, ...]


# -- Public entry points ---------------------------------------------------------------------


def model_card(
    catalog: Catalog,
    query: str,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
    *,
    scenarios: Sequence[Scenario] = DEFAULT_SCENARIOS,
    reference: Scenario | None = None,
) -> ModelCard | None:
    """The card of the model ``query`` names, or None when it names nothing in the catalog.

    ``reference`` (default: the first of ``scenarios``, "RAG answer" for the defaults) ranks the
    channels.
    """
    groups = group_offerings(catalog, settings, index)
    key = resolve_group(catalog, query, groups, index)
    if key is None:
        return None
    if reference is None:
        reference = scenarios[0] if scenarios else REFERENCE_SCENARIO
    members = groups[key]
    offerings = tuple(
        _offering(provider, model_id, _record(catalog, provider, model_id), reference)
        for provider, model_id in sorted(members)
    )
    cheapest = cheapest_offer(catalog, members, reference)
    basis: Literal["maker", "cheapest"] | None = None
    at: tuple[str, str] | None = None
    maker = maker_provider(key, index)
    if maker is not None:
        at = _priced_member(catalog, members, maker, reference)
        basis = "maker" if at is not None else None
    if at is None and cheapest is not None:
        at, basis = (cheapest.provider, cheapest.model_id), "cheapest"
    costs: tuple[ScenarioCost, ...] = ()
    if at is not None:
        record = _record(catalog, *at)
        costs = tuple(ScenarioCost(s, scenario_cost(record, s)) for s in scenarios)
    found = tuple(
        item for item in find_inconsistencies(catalog, settings, index) if item.model == key
    )
    return ModelCard(
        model=key,
        canonical_id=index.canonical_id(key) if index is not None else None,
        query=query,
        offerings=offerings,
        provider_count=len({provider for provider, _ in members}),
        reference=reference,
        cheapest=cheapest,
        scenario_provider=at,
        scenario_basis=basis,
        scenarios=costs,
        inconsistencies=found,
    )


def resolve_group(
    catalog: Catalog,
    query: str,
    groups: Mapping[str, Sequence[tuple[str, str]]],
    index: ModelIndex | None = None,
) -> str | None:
    """The group key ``query`` names (rules in ``model_names.py``), or None."""
    del catalog  # the groups hold every offering of it
    return ModelNames(groups, index).resolve(query)


def close_matches(
    catalog: Catalog,
    query: str,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
    n: int = MAX_SUGGESTIONS,
) -> list[str]:
    """Up to ``n`` group keys that look like ``query``, closest first (each one a valid query)."""
    return ModelNames(group_offerings(catalog, settings, index), index).suggestions(query, n)


def maker_provider(group_key: str, index: ModelIndex | None = None) -> str | None:
    """The provider id of the lab that makes the model, if known.

    With an index, the lab of the canonical id (``google/gemini-2.5-flash`` → ``google``); else
    the maker whose prefix the group key starts with (``identity.MAKERS``). Either way the
    maker's own provider id (Meta sells Llama as ``llama``).
    """
    if index is not None:
        canonical = index.canonical_id(group_key)
        if canonical is not None and "/" in canonical:
            lab = canonical.split("/", 1)[0].lower()
            known = maker_named(lab)
            return lab if known is None else known.provider
    maker = maker_of_key(group_key)
    return None if maker is None else maker.provider


# -- Internals -------------------------------------------------------------------------------


def _record(catalog: Catalog, provider: str, model_id: str) -> Record:
    return catalog.providers[provider].models[model_id]


def _priced_member(
    catalog: Catalog, members: Sequence[tuple[str, str]], provider: str, scenario: Scenario
) -> tuple[str, str] | None:
    """The maker's first offering in the group (by model id) that has a usable price."""
    for member_provider, model_id in members:
        if member_provider == provider:
            cost = scenario_cost(_record(catalog, member_provider, model_id), scenario)
            if cost is not None:
                return member_provider, model_id
    return None


def _section(record: Record, name: str) -> Mapping[str, JSON]:
    value = record.get(name)
    return value if isinstance(value, Mapping) else {}


def _offering(provider: str, model_id: str, record: Record, reference: Scenario) -> Offering:
    cost, limit = _section(record, "cost"), _section(record, "limit")
    name, released = record.get("name"), record.get("release_date")
    return Offering(
        provider=provider,
        model_id=model_id,
        name=name if isinstance(name, str) else None,
        input=cost.get("input"),
        output=cost.get("output"),
        cache_read=cost.get("cache_read"),
        context=limit.get("context"),
        max_output=limit.get("output"),
        release_date=released if isinstance(released, str) else None,
        reference_cost=scenario_cost(record, reference),
    )
