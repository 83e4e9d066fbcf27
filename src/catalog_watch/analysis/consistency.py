"""Cross-provider inconsistencies in one catalog: the same model described differently.

Offerings are grouped by model (``identity.py``), then each group is compared field by field
(``consistency_group.py``) and each offering is checked on its own (``consistency_offering.py``).
Every finding is an :class:`Inconsistency` whose ``id`` does not depend on the numbers, so
comparing two runs (:func:`compare_inconsistencies`) says which disagreements appeared and which
were resolved, not which merely moved.

Noise control, all measured on the real 2026-06 catalog:

* Context and output windows within ``context_tolerance`` (5 %) of each other are one window
  written two ways (128000 vs 131072). A window of 0 means "not published" (image, audio and
  embedding models) and is left out, as is a missing value.
* Prices are compared only between offerings that are actually paid: offerings without ``cost``
  are "unknown price", ``:free`` variants and providers that list most of their models at 0/0
  (coding and token plans, GitHub Models, NVIDIA's free tier, local runtimes) are left out; a
  price of 0 is a different finding (``zero_price_in_paid_group``), not a spread.
* Capabilities and modalities compare only values that are present (``structured_output`` is
  optional: missing is unknown, not false); modality lists compare as sets.

Kinds, their field and severity (and why):

=========================  =====================  =================================================
kind                        field                  severity
=========================  =====================  =================================================
limit_mismatch              limit.context/output   HIGH at ``window_high_ratio`` (2x) or more: a
                                                   client trusting the bigger number gets requests
                                                   rejected; MEDIUM between the tolerance and 2x.
price_unit_error            cost.input/output      HIGH: a price ``unit_error_ratio`` (100x) or more
                                                   off the group median is per-1K vs per-1M or
                                                   cents vs dollars, not a market price.
price_spread                cost.input/output      MEDIUM from ``price_ratio`` (3x); HIGH from
                                                   ``high_price_ratio`` (10x): someone pays 10x too
                                                   much or the catalog is wrong either way.
modality_mismatch           modalities.output      MEDIUM: a model that does or does not produce
                                                   images/audio is a different product.
modality_mismatch           modalities.input       LOW: providers legitimately accept fewer inputs
                                                   (no PDF, no video) for the same model.
capability_mismatch         tool_call              MEDIUM: agents select models on tool calling.
capability_mismatch         reasoning, attachment, LOW: often a provider-side toggle (hybrid
                            structured_output      reasoning models) or simply unstated.
knowledge_mismatch          knowledge              LOW if more than 12 months apart (likely a typo
                                                   or a mis-grouped model), else INFO: the cutoff
                                                   does not change what a call costs or accepts.
output_exceeds_context      limit.output           MEDIUM: impossible as written; max_tokens
                                                   taken from it fails.
cache_read_above_input      cost.cache_read        MEDIUM: a cache hit is a discount by definition;
                                                   cost estimates for cached prompts are wrong.
zero_price_in_paid_group    cost                   MEDIUM: usually a price never filled in; a
                                                   cost dashboard would show the model as free.
tier_below_base             cost.tiers,            LOW: long-context tiers cost more, never less;
                            cost.context_over_200k only long prompts are affected.
=========================  =====================  =================================================

Stable ids: ``"<kind>:<group key>:<field>"`` for a group finding and
``"<kind>:<provider>/<model id>:<field>"`` for a finding about one offering. The single-offering
form leaves the group key out on purpose: it depends on aliases and on whether models.json was
available, and a per-offering finding should not appear/resolve when only the grouping moved.
Treat ids as opaque strings (model ids may contain ``:``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from catalog_watch.analysis.consistency_group import Group, check_group
from catalog_watch.analysis.consistency_offering import check_offering, section, zero_priced
from catalog_watch.analysis.identity import (
    ModelIndex,
    group_by_identity,
    load_model_index,
    normalize_model_id,
)
from catalog_watch.analysis.recent import Recent
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.settings.inconsistencies import ConsistencySettings

__all__ = [
    "DEFAULT_SETTINGS",
    "ConsistencySettings",
    "Inconsistency",
    "InconsistencyKind",
    "ModelIndex",
    "changed_groups",
    "compare_inconsistencies",
    "find_inconsistencies",
    "free_providers",
    "group_offerings",
    "load_model_index",
    "normalize_model_id",
]

DEFAULT_SETTINGS = ConsistencySettings()


def group_offerings(
    catalog: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Group key -> ``[(provider, model id)]`` for every offering (singletons included).

    See ``identity.py`` for the identity rules.
    """
    return group_by_identity(catalog, settings.aliases, index)


def find_inconsistencies(
    catalog: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
    keys: Collection[str] | None = None,
) -> list[Inconsistency]:
    """Every inconsistency in the catalog (only in the groups ``keys`` names, if given), most
    severe first, then by id."""
    groups = group_by_identity(catalog, settings.aliases, index)
    models = {provider_id: provider.models for provider_id, provider in catalog.providers.items()}
    free = free_providers(catalog)
    found: list[Inconsistency] = []
    for key, members in groups.items():
        if keys is not None and key not in keys:
            continue
        records = [models[provider][model_id] for provider, model_id in members]
        rows = [
            check_offering(key, provider, model_id, record, found)
            for (provider, model_id), record in zip(members, records, strict=True)
        ]
        if len(members) > 1:
            check_group(Group(key, members, records, rows), free, settings, found)
    found.sort(key=_order)
    return found


def changed_groups(
    old: Catalog,
    new: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> frozenset[str]:
    """The group keys whose findings may differ between ``old`` and ``new``.

    A group's findings depend only on its key, its members' records and which of their providers
    are free (:func:`free_providers`); a group with none of those changed finds the same on both
    sides, so no appeared or resolved finding can come from it. Records compare as plain dicts
    (every field, ignored ones too: a check may read what the diff leaves out).
    """
    touched: set[tuple[str, str]] = set()
    for provider_id in old.providers.keys() | new.providers.keys():
        before, after = old.providers.get(provider_id), new.providers.get(provider_id)
        old_models = before.models if before is not None else {}
        new_models = after.models if after is not None else {}
        if old_models == new_models:
            continue
        touched.update(
            (provider_id, model_id)
            for model_id in old_models.keys() | new_models.keys()
            if old_models.get(model_id) != new_models.get(model_id)
        )
    moved = free_providers(old) ^ free_providers(new)
    for catalog in (old, new):  # a provider that turned free (or paid) touches all its offerings
        touched.update(
            (p, m) for p in moved if p in catalog.providers for m in catalog.providers[p].models
        )
    keys: set[str] = set()
    for catalog in (old, new):
        for key, members in group_by_identity(catalog, settings.aliases, index).items():
            if not touched.isdisjoint(members):
                keys.add(key)
    return frozenset(keys)


def compare_inconsistencies(
    old: Sequence[Inconsistency], new: Sequence[Inconsistency]
) -> tuple[list[Inconsistency], list[Inconsistency]]:
    """``(appeared, resolved)`` between two runs, matched by id, each sorted like the input.

    A finding whose values or severity changed keeps its id and is in neither list.
    """
    old_ids = {item.id for item in old}
    new_ids = {item.id for item in new}
    appeared = sorted((item for item in new if item.id not in old_ids), key=_order)
    resolved = sorted((item for item in old if item.id not in new_ids), key=_order)
    return appeared, resolved


def free_providers(catalog: Catalog) -> frozenset[str]:
    """Providers that list most of their priced models at 0/0: the zero is their policy.

    Coding and token plans, GitHub Models, NVIDIA's free endpoints, local runtimes (28 providers
    on 2026-06). Their offerings, like ``:free`` variants, take no part in price comparisons.
    A comparison asks for each catalog's more than once: the last few are kept (``Recent``).
    """
    found = _FREE.get(catalog)
    if found is None:
        found = _free_providers(catalog)
        _FREE.put(catalog, found)
    return found


_FREE: Recent[frozenset[str]] = Recent()


def _free_providers(catalog: Catalog) -> frozenset[str]:
    free: set[str] = set()
    for provider_id, provider in catalog.providers.items():
        priced = zero = 0
        for record in provider.models.values():
            cost = section(record, "cost")
            if cost is not None:
                priced += 1
                zero += zero_priced(cost)
        if zero * 2 > priced:
            free.add(provider_id)
    return frozenset(free)


def _order(item: Inconsistency) -> tuple[int, str]:
    return item.severity.rank, item.id
