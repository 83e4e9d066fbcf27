"""What each model id a repository uses is, in a catalog: its offerings and what is known of them.

Resolution of one id, first rule that finds something wins:

1. **offering**: ``<provider>/<model id>`` names an offering (``openai/gpt-4o``, LiteLLM's
   ``azure/gpt-4o``; LiteLLM and SDK prefixes are mapped to catalog ids: ``bedrock`` →
   ``amazon-bedrock``, ``vertex_ai`` → ``google-vertex``, ``gemini`` → ``google``...), as does
   pydantic-ai's ``openai:gpt-4o``;
2. **provider**: the id is a model id of the provider the call implies (``ChatOpenAI`` →
   ``openai``, ``anthropic("...")`` → ``anthropic``), case aside;
3. **alias**: a dated or ``-latest`` spelling the provider does not list is read as its
   undated model (``gpt-4o-2099-01-01`` → ``gpt-4o``, ``claude-3-5-sonnet-latest`` → the newest
   ``claude-3-5-sonnet-<date>``), said in ``note``;
4. **identity**: the catalog's grouping (``analysis/identity.py``, the one the inconsistencies
   use, through ``model_names.py``'s query rules): every offering of that model, the implied
   provider's first when it has one;
5. otherwise **unresolved**, with up to five group keys that look like it ("did you mean"; for
   the first :data:`MAX_SUGGESTED_IDS` distinct unresolved ids of a scan).

Pure: the catalog, settings and index come in, typed results go out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from catalog_watch.analysis.cheapest import Channel, cheapest_offer
from catalog_watch.analysis.consistency import (
    DEFAULT_SETTINGS,
    ConsistencySettings,
    Inconsistency,
    find_inconsistencies,
    group_offerings,
)
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.model_names import ModelNames
from catalog_watch.model.catalog import JSON, Catalog, Record
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.model.usage import ScanResult, Use

__all__ = [
    "MAX_SUGGESTED_IDS",
    "PROVIDER_PREFIXES",
    "OfferingFacts",
    "Resolution",
    "ResolvedUse",
    "UsedModels",
    "mark_used",
    "raised",
    "resolve_id",
    "resolve_uses",
]

PROVIDER_PREFIXES: Mapping[str, str] = {
    "bedrock": "amazon-bedrock",
    "bedrock_converse": "amazon-bedrock",
    "vertex_ai": "google-vertex",
    "vertex": "google-vertex",
    "gemini": "google",
    "google-gla": "google",
    "google-vertex": "google-vertex",
    "together_ai": "togetherai",
    "fireworks_ai": "fireworks-ai",
    "azure_ai": "azure",
    "mistralai": "mistral",
    "x-ai": "xai",
}
"""LiteLLM / SDK provider prefixes whose catalog provider id is spelled otherwise."""

MAX_SUGGESTED_IDS = 100
"""The distinct unresolved ids of one :func:`resolve_uses` that get a "did you mean": each is a
pass of ``difflib`` over every group key (15 ms against models.dev's 2026-06-28 catalog), so
5,000 distinct unknown ids (generated code, a private catalog) would take over a minute; the
rest are reported unresolved with no suggestion."""

_DATED = re.compile(r"^(.+?)(?:-latest|[-@]\d{4}-?\d{2}-?\d{2}|-\d{4})$")
_SNAPSHOT = re.compile(r"^-(\d{4}-?\d{2}-?\d{2})$")


@dataclass(frozen=True, slots=True)
class Resolution:
    """How one id resolved: ``how`` is ``offering``, ``provider``, ``alias``, ``identity`` or
    ``unresolved``; ``offerings`` are ``(provider, model id)``, the best first; ``group`` the
    group key; ``suggestions`` group keys when unresolved."""

    how: str
    group: str | None
    offerings: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()
    note: str | None = None

    @property
    def resolved(self) -> bool:
        return bool(self.offerings)


@dataclass(frozen=True, slots=True)
class OfferingFacts:
    """One matched offering as the usage report shows it (catalog values as written)."""

    provider: str
    model_id: str
    input: JSON
    output: JSON
    context: JSON
    max_output: JSON
    status: str | None
    deprecation_date: str | None
    """LiteLLM's ``deprecation_date`` or OpenRouter's ``expiration_date``, where the record has
    it (models.dev gives only ``status``)."""

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.model_id}"


@dataclass(frozen=True, slots=True)
class ResolvedUse:
    """A use, its resolution, and the facts of the model it names."""

    use: Use
    resolution: Resolution
    offerings: tuple[OfferingFacts, ...] = ()
    cheapest: Channel | None = None
    inconsistencies: tuple[Inconsistency, ...] = ()


def resolve_uses(
    scan: ScanResult | Sequence[Use],
    catalog: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> list[ResolvedUse]:
    """Every use of ``scan`` resolved against ``catalog``, in the scan's order.

    Call ``resolve_uses(scan_repository(root), catalog)``; pass the run's consistency
    ``settings`` (aliases) and models.json ``index`` so the groups are the inconsistencies' own.
    """
    uses = scan.uses if isinstance(scan, ScanResult) else tuple(scan)
    groups = group_offerings(catalog, settings, index)
    names = ModelNames(groups, index)
    found: dict[str, list[Inconsistency]] = {}
    for item in find_inconsistencies(catalog, settings, index) if uses else ():
        found.setdefault(item.model, []).append(item)
    done: dict[tuple[str, str | None], ResolvedUse] = {}  # an id used 2,000 times: one lookup
    unresolved = 0
    out: list[ResolvedUse] = []
    for use in uses:
        key = (use.text, use.provider_hint)
        if key not in done:
            suggest = unresolved < MAX_SUGGESTED_IDS
            done[key] = _resolved(use, catalog, names, groups, found, suggest)
            if not done[key].resolution.resolved:
                unresolved += 1
        out.append(replace(done[key], use=use))
    return out


def _resolved(
    use: Use,
    catalog: Catalog,
    names: ModelNames,
    groups: Mapping[str, Sequence[tuple[str, str]]],
    found: Mapping[str, list[Inconsistency]],
    suggest: bool,
) -> ResolvedUse:
    """``use`` with its resolution and facts: the same for every use of its id and hint."""
    resolution = resolve_id(use.text, use.provider_hint, catalog, names, suggest=suggest)
    members = groups.get(resolution.group or "", ())
    return ResolvedUse(
        use=use,
        resolution=resolution,
        offerings=tuple(_facts(catalog, p, m) for p, m in resolution.offerings),
        cheapest=cheapest_offer(catalog, members) if members else None,
        inconsistencies=tuple(found.get(resolution.group or "", ())),
    )


def resolve_id(
    text: str, hint: str | None, catalog: Catalog, names: ModelNames, *, suggest: bool = True
) -> Resolution:
    """One id (rules in the module docstring); ``names`` from ``ModelNames(groups, index)``;
    no suggestions for an unresolved id unless ``suggest``."""
    if hint is not None and hint in catalog.providers:
        exact = _model_of(catalog, hint, text)  # openrouter's own "anthropic/claude-..." ids
        if exact is not None:
            return Resolution("provider", names.resolve(f"{hint}/{exact}"), ((hint, exact),))
    provider, model_id = _split(text, catalog)
    if provider is not None:
        exact = _model_of(catalog, provider, model_id)
        if exact is not None:
            return Resolution(
                "offering", names.resolve(f"{provider}/{exact}"), ((provider, exact),)
            )
        hint = provider
    if hint is not None and hint in catalog.providers:
        exact = _model_of(catalog, hint, model_id)
        if exact is not None:
            return Resolution("provider", names.resolve(f"{hint}/{exact}"), ((hint, exact),))
        alias = _alias(catalog, hint, model_id)
        if alias is not None:
            chosen, note = alias
            group = names.resolve(f"{hint}/{chosen}")
            return Resolution("alias", group, ((hint, chosen),), note=note)
    for query in dict.fromkeys((text, model_id)):
        group = names.resolve(query)
        if group is not None:
            members = sorted(names.members(group), key=lambda m: (m[0] != hint, m))
            return Resolution("identity", group, tuple(members))
    queries = dict.fromkeys((model_id, text)) if suggest else {}
    keys = next((close for query in queries if (close := names.suggestions(query))), [])
    suggestions = tuple(dict.fromkeys(names.spelling(key) for key in keys))  # ids code can use
    return Resolution("unresolved", None, suggestions=suggestions)


def _split(text: str, catalog: Catalog) -> tuple[str | None, str]:
    """(catalog provider, model id) of ``provider/model`` or ``provider:model``, else
    (None, text)."""
    for separator in ("/", ":"):
        head, found, rest = text.partition(separator)
        if found and rest:
            provider = PROVIDER_PREFIXES.get(head.lower(), head.lower())
            if provider in catalog.providers:
                return provider, rest
    return None, text


def _model_of(catalog: Catalog, provider: str, model_id: str) -> str | None:
    """The provider's model id equal to ``model_id`` (case aside), or None."""
    models = catalog.providers[provider].models
    if model_id in models:
        return model_id
    lowered = model_id.lower()
    return next((m for m in sorted(models) if m.lower() == lowered), None)


def _alias(catalog: Catalog, provider: str, model_id: str) -> tuple[str, str] | None:
    """A dated or ``-latest`` spelling read as the provider's undated or newest-dated model."""
    dated = _DATED.match(model_id)
    base = dated.group(1) if dated else model_id
    undated = _model_of(catalog, provider, base)
    if undated is not None and undated.lower() != model_id.lower():
        return undated, f"{model_id} is not listed; read as {undated}"
    snapshots = sorted(
        (m for m in catalog.providers[provider].models if _is_snapshot_of(m, base)), reverse=True
    )
    if snapshots:
        return snapshots[0], f"{model_id} read as the newest snapshot, {snapshots[0]}"
    return None


def _is_snapshot_of(model_id: str, base: str) -> bool:
    lowered, prefix = model_id.lower(), base.lower()
    return lowered.startswith(prefix) and bool(_SNAPSHOT.match(lowered[len(prefix) :]))


def _facts(catalog: Catalog, provider: str, model_id: str) -> OfferingFacts:
    record: Record = catalog.record(provider, model_id) or {}
    cost, limit = _section(record, "cost"), _section(record, "limit")
    status = record.get("status")
    retires = record.get("deprecation_date") or record.get("expiration_date")
    return OfferingFacts(
        provider=provider,
        model_id=model_id,
        input=cost.get("input"),
        output=cost.get("output"),
        context=limit.get("context"),
        max_output=limit.get("output"),
        status=status if isinstance(status, str) else None,
        deprecation_date=retires if isinstance(retires, str) else None,
    )


def _section(record: Record, name: str) -> Mapping[str, JSON]:
    value = record.get(name)
    return value if isinstance(value, Mapping) else {}


Offering = tuple[str, str]
"""``(provider, model id)``."""


@dataclass(frozen=True, slots=True)
class UsedModels:
    """Where a repository uses each model: the one record ``run``'s alerts, the deprecation
    alerts and ``lint`` ask "is this used, and where?".

    ``offerings``: ``(provider, model id)`` → sorted places (``src/agent.py:42``; a constant's
    definition line). ``groups``: identity group key (the inconsistencies' grouping) → sorted
    places of every use that resolved into the group. ``facts``: what the catalog says of each
    used offering (prices, limits, status), for the reports that list them. ``named``: the best
    offering of each use (the first its resolution found) → its places: what a report lists as
    "the models this repository uses" (an identity match counts every offering as used, but names
    one).
    """

    offerings: Mapping[Offering, tuple[str, ...]] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facts: Mapping[Offering, OfferingFacts] = field(default_factory=dict)
    offering_groups: Mapping[Offering, str] = field(default_factory=dict)
    named: Mapping[Offering, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, resolved: Iterable[ResolvedUse]) -> UsedModels:
        """From resolved uses; unresolved ones are left out (nothing in a catalog to watch)."""
        offerings: dict[Offering, set[str]] = {}
        groups: dict[str, set[str]] = {}
        facts: dict[Offering, OfferingFacts] = {}
        offering_groups: dict[Offering, str] = {}
        named: dict[Offering, set[str]] = {}
        for item in resolved:
            place = item.use.where
            if item.offerings:
                first = item.offerings[0]
                named.setdefault((first.provider, first.model_id), set()).add(place)
            if item.resolution.group is not None:
                groups.setdefault(item.resolution.group, set()).add(place)
            for fact in item.offerings:
                key = (fact.provider, fact.model_id)
                offerings.setdefault(key, set()).add(place)
                facts.setdefault(key, fact)
                if item.resolution.group is not None:
                    offering_groups.setdefault(key, item.resolution.group)
        return cls(
            offerings={key: _sorted_places(v) for key, v in sorted(offerings.items())},
            groups={key: _sorted_places(v) for key, v in sorted(groups.items())},
            facts=dict(sorted(facts.items())),
            offering_groups=dict(sorted(offering_groups.items())),
            named={key: _sorted_places(v) for key, v in sorted(named.items())},
        )

    def places_of(
        self, provider: str | None = None, model_id: str | None = None, group: str | None = None
    ) -> tuple[str, ...]:
        """The places that use the offering ``provider/model_id``; with ``group`` also those
        that use any offering of that model (an inconsistency is about the group). Sorted."""
        found: set[str] = set()
        if provider is not None and model_id is not None:
            found.update(self.offerings.get((provider, model_id), ()))
        if group is not None:
            found.update(self.groups.get(group, ()))
        return _sorted_places(found)

    def is_used(
        self, provider: str | None = None, model_id: str | None = None, group: str | None = None
    ) -> bool:
        return bool(self.places_of(provider, model_id, group))

    def __bool__(self) -> bool:
        return bool(self.offerings or self.groups)


def _sorted_places(places: Iterable[str]) -> tuple[str, ...]:
    """By path, then line as a number (``a.py:9`` before ``a.py:10``)."""

    def key(place: str) -> tuple[str, int]:
        path, _, line = place.rpartition(":")
        return (path, int(line)) if line.isdigit() else (place, 0)

    return tuple(sorted(set(places), key=key))


def mark_used(report: Report, used: UsedModels, raise_by: int = 1) -> Report:
    """Each change to an offering the code uses says where (``used_in``) and is ``raise_by``
    steps more severe (never above high). A cheapest-channel change is about the model: any use
    of its group counts. The report is returned as it is when nothing it changes is used."""
    if not used:
        return report
    changes = tuple(_marked(change, used, raise_by) for change in report.changes)
    return report if changes == report.changes else replace(report, changes=changes)


def _marked(change: Change, used: UsedModels, raise_by: int) -> Change:
    if change.model is None:
        return change
    if change.kind is ChangeKind.CHEAPEST_CHANGED:
        places = used.places_of(group=change.model)
    else:
        places = used.places_of(change.provider, change.model)
    if not places:
        return change
    return replace(change, used_in=places, severity=raised(change.severity, raise_by))


def raised(severity: Severity, steps: int) -> Severity:
    """``steps`` more urgent, capped at high."""
    order = sorted(Severity, key=lambda s: s.rank)
    return order[max(0, severity.rank - steps)]
