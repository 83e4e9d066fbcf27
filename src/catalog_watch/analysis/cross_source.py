"""Where catalogs disagree about the maker's own offering of a model.

models.dev lists OpenAI's ``gpt-4o`` under provider ``openai``, LiteLLM under
``litellm_provider: openai`` with key ``gpt-4o``, OpenRouter as ``openai/gpt-4o``. Only the
maker's own channel is compared (a reseller's price is its own business): that is where two
catalogs that disagree cannot both be right.

Id matching rules, explicit and each tested:

1. The maker comes from the provider (models.dev, LiteLLM) or the author prefix (OpenRouter),
   through ``identity.MAKERS`` (``x-ai`` and ``xai`` are one maker; ``gemini`` is Google's AI
   Studio; ``zai``, ``z-ai`` and ``zhipuai`` are Zhipu AI, ``zhipuai`` in models.json).
2. The model id loses any provider prefix (``gemini/gemini-1.5-flash`` → ``gemini-1.5-flash``),
   is lower-cased, and a dot between digits becomes a dash (``claude-sonnet-4.5`` ↔
   ``claude-sonnet-4-5``).
3. Variants are distinct offerings and are never matched: ``:free``, ``:batch``, ``:thinking``
   (anything after ``:``), OpenRouter's ``~`` aliases.
4. ``-latest`` aliases are kept distinct: an alias moves, a dated or plain id does not.
5. A dated id (``-20250514`` or ``-2025-05-14``) matches the undated id of another catalog only
   when that catalog has no dated variant of its own for the same model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from catalog_watch.analysis.identity import maker_named
from catalog_watch.model.catalog import JSON, Catalog, Record
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.model.json_text import is_number
from catalog_watch.model.severity import Severity

KIND = InconsistencyKind.SOURCE_DISAGREEMENT
PRICE_TOLERANCE = 0.01  # prices within 1 % are the same price (rounding in per-token sources)
WINDOW_TOLERANCE = 0.05  # 128000 vs 131072 is one window written two ways
FIELDS = ("cost.input", "cost.output", "limit.context", "limit.output")

_DATE = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")
_VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")


@dataclass(frozen=True, slots=True)
class Entry:
    source: str
    provider: str
    model: str
    record: Record

    @property
    def label(self) -> str:
        return f"{self.source}:{self.provider}/{self.model}"


def model_key(maker_hint: str, model_id: str) -> tuple[str, str] | None:
    """(maker, normalized id) for a maker's own offering, or None for variants and aliases."""
    if ":" in model_id or model_id.startswith("~"):
        return None
    author, _, name = model_id.rpartition("/")
    maker = maker_named(author.split("/")[-1] if author else maker_hint)
    if maker is None:
        return None
    return maker.id, _VERSION_DOT.sub("-", name.lower())


def maker_entries(catalog: Catalog) -> Iterator[tuple[tuple[str, str], Entry]]:
    """Every maker's own offering in the catalog, keyed by (maker, normalized id).

    Outside OpenRouter the provider must be the maker the id names: NVIDIA's API serves
    ``meta/llama-3.1-8b-instruct`` too, but only its ``nvidia/...`` models are its own.
    """
    openrouter = catalog.source == "openrouter"
    for provider_id, model_id, record in catalog.offerings():
        maker = None if openrouter else maker_named(provider_id)
        if openrouter or maker is not None:
            key = model_key("" if openrouter else provider_id, model_id)
            if key is not None and (maker is None or key[0] == maker.id):
                yield key, Entry(catalog.source, provider_id, model_id, record)


def match(catalogs: Sequence[Catalog]) -> dict[tuple[str, str], list[Entry]]:
    """Entries of the same model from at least two catalogs, under rules 1-5 above."""
    per_source = [_index(catalog) for catalog in catalogs]
    fallbacks = [_fallbacks(index) for index in per_source]
    dated = [_dated_bases(index) for index in per_source]
    keys = sorted({key for index in (*per_source, *fallbacks) for key in index})
    matched: dict[tuple[str, str], list[Entry]] = {}
    for key in keys:
        exact = [
            (index[key], key in bases)
            for index, bases in zip(per_source, dated, strict=True)
            if key in index
        ]
        fallback = [
            spare[key]
            for index, spare in zip(per_source, fallbacks, strict=True)
            if key not in index and key in spare
        ]
        if fallback:  # rule 5: an undated id only pairs with dated ones if its catalog has none
            exact = [(entry, has_dated) for entry, has_dated in exact if not has_dated]
        found = [entry for entry, _ in exact] + fallback
        if len({entry.source for entry in found}) >= 2:
            matched[key] = found
    return _each_entry_once(matched)


def _each_entry_once(
    matched: dict[tuple[str, str], list[Entry]],
) -> dict[tuple[str, str], list[Entry]]:
    """A dated id can pair under its own key and, through rule 5, under the undated one: keep
    the group that joins the most sources, so no offering is compared twice."""
    used: set[str] = set()
    kept: dict[tuple[str, str], list[Entry]] = {}
    ranked = sorted(matched.items(), key=lambda item: (-len({e.source for e in item[1]}), item[0]))
    for key, entries in ranked:
        free = [entry for entry in entries if entry.label not in used]
        if len({entry.source for entry in free}) >= 2:
            kept[key] = free
            used.update(entry.label for entry in free)
    return dict(sorted(kept.items()))


def _fallbacks(index: dict[tuple[str, str], Entry]) -> dict[tuple[str, str], Entry]:
    """Undated keys for a catalog's lone dated ids (no undated sibling, one dated variant)."""
    by_base: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for (maker, model), entry in index.items():
        base = _DATE.sub("", model)
        if base != model and (maker, base) not in index:
            by_base[(maker, base)].append(entry)
    return {key: entries[0] for key, entries in by_base.items() if len(entries) == 1}


def _dated_bases(index: dict[tuple[str, str], Entry]) -> set[tuple[str, str]]:
    """The (maker, undated id) of every dated id in a catalog."""
    return {(maker, _DATE.sub("", model)) for maker, model in index if _DATE.search(model)}


def disagreements(catalogs: Sequence[Catalog]) -> list[Inconsistency]:
    """Every field on which the sources give the maker's offering different values."""
    found: list[Inconsistency] = []
    for (maker, model), entries in match(catalogs).items():
        for field in FIELDS:
            values = {e.label: _value(e.record, field) for e in entries}
            present = {label: v for label, v in values.items() if _usable(v)}
            severity = _disagreement(field, list(present.values()))
            if severity is not None:
                found.append(
                    Inconsistency(
                        id=f"{KIND}:{maker}/{model}:{field}",
                        kind=KIND,
                        model=f"{maker}/{model}",
                        field=field,
                        values=dict(sorted(present.items())),
                        severity=severity,
                    )
                )
    return sorted(found, key=lambda item: (item.severity.rank, item.id))


def _index(catalog: Catalog) -> dict[tuple[str, str], Entry]:
    index: dict[tuple[str, str], Entry] = {}
    for key, entry in maker_entries(catalog):
        index.setdefault(key, entry)
    return index


def _value(record: Record, field: str) -> JSON:
    section, name = field.split(".")
    part = record.get(section)
    return part.get(name) if isinstance(part, dict) else None


def _usable(value: JSON) -> bool:
    return is_number(value) and value > 0


def _disagreement(field: str, values: list[JSON]) -> Severity | None:
    if len(values) < 2:
        return None
    low, high = float(min(values)), float(max(values))
    tolerance = PRICE_TOLERANCE if field.startswith("cost.") else WINDOW_TOLERANCE
    if (high - low) / high <= tolerance:
        return None
    if field.startswith("cost."):
        return Severity.HIGH if high / low >= 1.5 else Severity.MEDIUM
    return Severity.HIGH if high / low >= 2 else Severity.MEDIUM


def by_source(items: Sequence[Inconsistency]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        for label in item.values:
            counts[label.split(":", 1)[0]] += 1
    return dict(sorted(counts.items()))
