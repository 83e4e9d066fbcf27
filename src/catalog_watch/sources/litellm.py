"""LiteLLM ``model_prices_and_context_window.json`` → :class:`Catalog` of canonical records.

The adapter rewrites LiteLLM's ``{key: entry}`` map into an api.json-shaped document of
models.dev records, then hands it to :func:`parse_catalog`, so validation, rejection, last-good
handling and the snapshot format are the same as for models.dev. The returned catalog says
``source="litellm"``; its ``rejections`` are the adapter's own (named with the provider, the
entry's key and LiteLLM's field name, e.g. ``input_cost_per_token``) followed by
``parse_catalog``'s.

Mapping (one LiteLLM entry → one offering):

* **Provider** = ``litellm_provider``, which must be a provider id as it is
  (``catalog.PROVIDER_ID``: lowercase letters, digits, ``.``, ``_``, ``-``, at most 64, no
  Windows device name). Every real value (123 of them, e.g. ``vertex_ai-anthropic_models``) is
  one. Another value is not rewritten into one (``../openai`` or ``openai\\n`` would then land
  in ``openai``): its entry is rejected, under the provider ``(unknown)``, and so is an entry
  without one. The provider's ``name`` is the id too.
* **Model id** = the entry's key, unchanged (it is what a LiteLLM caller passes and is unique);
  ``name`` = the key too (LiteLLM has no display name).
* **Prices** (USD per token → USD per 1M via :func:`per_million`, exactly):
  ``input_cost_per_token`` → ``cost.input``, ``output_cost_per_token`` → ``cost.output``,
  ``cache_read_input_token_cost`` → ``cost.cache_read``, ``cache_creation_input_token_cost`` →
  ``cost.cache_write``, ``output_cost_per_reasoning_token`` → ``cost.reasoning``,
  ``input_cost_per_audio_token`` → ``cost.input_audio``, ``output_cost_per_audio_token`` →
  ``cost.output_audio``. No price field at all → no ``cost`` (an unknown price, never 0).
  Values are taken as written: a unit error upstream (``wandb/*`` at 0.135/token) stays a huge
  number for the inconsistency checks to flag; float noise upstream stays too.
* **Long-context tiers**: ``<price field>_above_<N>k_tokens`` (input, output, cache read, cache
  write, reasoning) → ``cost.tiers`` entries ``{input, output, ..., tier: {type: "context",
  size: N*1000}}``, sorted by size. Service-tier variants (``*_priority``, ``*_flex``,
  ``*_batches``) and the 1-hour cache write are not tiers: they stay under ``litellm``.
  ``tiered_pricing: [{range: [start, end], <price fields>}]`` (DashScope, Volcengine: 18 entries
  whose only prices are there) is mapped when the entry has no flat ``input_cost_per_token`` /
  ``output_cost_per_token``: the range starting at 0 gives the base prices, every other range a
  tier at ``size = start`` (the range end is only checked: past the start, and no two ranges
  share a token; every real one ends where the next starts). With flat prices present it stays
  raw under ``litellm``. Two ``*_above_<N>k_tokens`` fields for one price at one size
  (``_above_128k_`` and ``_above_0128k_``) reject the entry; ``N`` is ASCII digits.
* **Limits**: ``max_input_tokens`` → ``limit.context``, ``max_output_tokens`` →
  ``limit.output``; a missing one is ``0`` (models.dev's "not published" convention, which
  ``limit`` being required forces). ``max_tokens`` is *never* used as a fallback: it is LiteLLM's
  legacy field, "max output tokens, else max input tokens", so it cannot say which window it is.
  Of the 2,456 kept July entries with ``max_input_tokens`` it equals ``max_output_tokens`` in
  2,293 and the input window in 116 (mostly embeddings, which have no output cap). It stays
  under ``litellm``. Whole floats (``2000000.0``) are accepted as ints.
* **Capabilities**: ``supports_function_calling`` → ``tool_call``, ``supports_reasoning`` →
  ``reasoning`` (absent = false, as LiteLLM itself reads them); ``supports_response_schema`` →
  ``structured_output`` only when present (absent = unknown). LiteLLM says nothing about
  ``temperature``, ``open_weights``, ``family``, ``knowledge`` or release dates: left out.
* **Modalities**: input = ``text`` plus ``image`` (``supports_vision``), ``audio``
  (``supports_audio_input``), ``video`` (``supports_video_input``), ``pdf``
  (``supports_pdf_input``); ``attachment`` = any of those. Output = LiteLLM's
  ``supported_output_modalities`` when it is given (it is the only place image output is said),
  else ``text`` plus ``audio`` when ``supports_audio_output``. (Input uses the flags rather than
  ``supported_modalities`` because only the flags know about PDF; that list stays under
  ``litellm``.)
* **Deprecation**: ``deprecation_date`` is kept as ``deprecation_date`` on the record. With a
  ``today`` argument, ``status: "deprecated"`` is set when the date is ``<= today`` (on the date
  itself the model is gone). No ``today`` → no status: parsing never reads the clock.
* **Everything else** (``mode``, ``max_tokens``, ``source``, ``supports_tool_choice``, service
  tiers, per-image/per-second prices...) is kept as written under a ``litellm`` sub-object, so an
  edit there shows up as a metadata change instead of vanishing.

What is skipped (counted in :attr:`Conversion.skipped`, never a rejection):

* the reserved keys ``sample_spec`` (documentation, strings in numeric fields),
  ``fallback_generalizations`` (routing regexes) and ``last_updated`` (added by the RoCry mirror
  the saved snapshots come from);
* entries whose ``mode`` is not priced per token: only ``chat``, ``completion``, ``responses``,
  ``realtime`` and ``embedding`` are kept. ``realtime`` (21 of them were ``chat`` in January) and
  ``embedding`` (models.dev lists embedding models too; ``gemini/gemini-1.5-flash`` moved from
  chat to embedding between the two snapshots) are kept so that a mode change reads as a change,
  not as a removal. Image, audio, video, rerank, search, OCR, moderation and vector-store entries
  are priced per image, second, character, query or page, which a per-1M-token record cannot
  hold. Entries with no ``mode`` (Fireworks' size-bucket price rows) are skipped too.

What is rejected (the entry is left out, a :class:`Rejection` names provider, key and field): a
non-object entry; a missing or unusable ``litellm_provider``; a ``mode`` that is not a string; a
mapped price that is not a non-negative finite number; a mapped token limit that is not a
non-negative whole number; a mapped ``supports_*`` flag that is not a boolean; a
``deprecation_date`` that is not a string; a malformed mapped ``tiered_pricing`` (overlapping
ranges too); two tier fields for one price at one size. ``null`` counts
as absent. A numeric *string* price or limit (``"0.000001"``) is accepted, converted exactly, and
noted in ``Catalog.warnings``: the value is unambiguous and ``sample_spec``, the one entry that
holds strings in number fields, is skipped before this point. As for models.dev, more than
``max_rejected_share`` bad entries (adapter and ``parse_catalog`` rejections together, over the
entries not skipped) refuses the whole document.

The helpers shared with ``openrouter.py`` (:class:`Conversion`, :class:`FieldReader`,
:func:`finish_catalog`, :func:`is_deprecated`) live here for now.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import JSON, Catalog, Rejection, provider_id_problem
from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
from catalog_watch.sources.adapter import Conversion, FieldReader, finish_catalog, is_deprecated
from catalog_watch.sources.json_duplicates import Duplicate, duplicates_in
from catalog_watch.sources.models_dev import rejection
from catalog_watch.sources.units import MAX_TOKENS

SOURCE_NAME = "litellm"
DEFAULT_URL = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)

KEPT_MODES = frozenset({"chat", "completion", "responses", "realtime", "embedding"})
"""The modes priced per token; every other mode is skipped (see the module docstring)."""

RESERVED_KEYS = frozenset({"sample_spec", "fallback_generalizations", "last_updated"})
UNKNOWN_PROVIDER = "(unknown)"

SKIP_RESERVED = "reserved key"
SKIP_NO_MODE = "no mode"
SKIP_MODE_PREFIX = "mode "
"""Skip reasons: ``"reserved key"``, ``"no mode"`` and ``"mode <name>"`` (``"mode embedding"``)."""

PRICE_FIELDS: Mapping[str, str] = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cache_read",
    "cache_creation_input_token_cost": "cache_write",
    "output_cost_per_reasoning_token": "reasoning",
    "input_cost_per_audio_token": "input_audio",
    "output_cost_per_audio_token": "output_audio",
}
_TIER_FIELD = re.compile(
    r"(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost|output_cost_per_reasoning_token)_above_([0-9]+)k_tokens"
)
"""Matched whole (``fullmatch``) and in ASCII digits only: ``_above_128k_tokens`` spelled in
Arabic-Indic digits is an unknown field (kept under ``litellm``), not a second 128k tier."""
_INPUT_FLAGS = (
    ("supports_vision", "image"),
    ("supports_audio_input", "audio"),
    ("supports_video_input", "video"),
    ("supports_pdf_input", "pdf"),
)


# -- LiteLLM ---------------------------------------------------------------------------------


def parse_litellm(
    document: object,
    *,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
    today: date | None = None,
) -> Catalog:
    """LiteLLM's price map → a checked catalog with ``source="litellm"``."""
    return finish_catalog(
        convert_litellm(document, today=today),
        source=SOURCE_NAME,
        max_rejected_share=max_rejected_share,
    )


def looks_like_litellm(document: object) -> bool:
    """A JSON object whose values are mostly objects carrying ``litellm_provider``."""
    if not isinstance(document, dict) or not document:
        return False
    hits = sum(isinstance(v, dict) and "litellm_provider" in v for v in document.values())
    return hits * 2 > len(document)


def convert_litellm(document: object, *, today: date | None = None) -> Conversion:
    """LiteLLM's ``{key: entry}`` map → api.json document, rejections and skips."""
    if not isinstance(document, dict):
        raise CatalogRejected(
            f"{SOURCE_NAME}: expected a JSON object of models, got {type(document).__name__}"
        )
    providers: dict[str, dict[str, Any]] = {}
    rejections: list[Rejection] = []
    warnings: list[Rejection] = []
    skipped: dict[str, list[str]] = defaultdict(list)
    repeated = _repeated_fields(duplicates_in(document))
    for key, entry in document.items():
        key = str(key)
        if key in RESERVED_KEYS:
            skipped[SKIP_RESERVED].append(key)
            continue
        if not isinstance(entry, dict):
            reason = f"is a {type(entry).__name__}, not an object"
            rejections.append(_rejection(UNKNOWN_PROVIDER, key, "(record)", reason, entry))
            continue
        mode = entry.get("mode")
        if mode is None:
            skipped[SKIP_NO_MODE].append(key)
            continue
        if isinstance(mode, str) and mode not in KEPT_MODES:
            skipped[SKIP_MODE_PREFIX + mode].append(key)
            continue
        provider_id = _provider_of(key, entry, providers)
        if isinstance(provider_id, Rejection):
            rejections.append(provider_id)
            continue
        # The provider exists even when all its entries are rejected, so that last-good
        # handling can put their previous records back.
        provider = providers.setdefault(
            provider_id, {"id": provider_id, "name": provider_id, "models": {}}
        )
        reader = FieldReader(provider_id, key)
        if not isinstance(mode, str):
            reader.reject("mode", "should be a string", mode)
        for field, reason in repeated.get(key, ()):
            reader.reject(field, reason)
        record = _record(key, entry, provider_id, reader, today)
        warnings.extend(reader.warnings)
        if reader.rejections:
            rejections.extend(reader.rejections)
        else:
            provider["models"][key] = record
    return Conversion(
        document=providers,
        rejections=tuple(rejections),
        warnings=tuple(warnings),
        skipped={reason: tuple(keys) for reason, keys in skipped.items()},
    )


def _provider_of(key: str, entry: dict[str, Any], providers: dict[str, Any]) -> str | Rejection:
    """The entry's provider id, or the rejection of the entry when it has no usable one."""
    raw = entry.get("litellm_provider")
    if isinstance(raw, str):
        problem = provider_id_problem(raw, providers)
        if problem is None:
            return raw
    else:
        problem = "missing" if raw is None else "should be a string"
    return _rejection(UNKNOWN_PROVIDER, key, "litellm_provider", problem, raw)


def _repeated_fields(duplicates: tuple[Duplicate, ...]) -> dict[str, list[tuple[str, str]]]:
    """Entry key → (field, reason) of each key repeated in it, or in the top-level map (the
    entry itself, ``(record)``): which value upstream means cannot be told, so it is rejected."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for duplicate in duplicates:
        place = (*duplicate.path, duplicate.key)
        field = ".".join(str(part) for part in place[1:]) or "(record)"
        found[str(place[0])].append((field, duplicate.reason))
    return found


def _record(
    key: str, entry: dict[str, Any], provider_id: str, reader: FieldReader, today: date | None
) -> dict[str, JSON]:
    used: set[str] = {"litellm_provider"}

    def take(name: str) -> JSON:
        used.add(name)
        return entry.get(name)

    cost: dict[str, JSON] = {}
    for source_field, target in PRICE_FIELDS.items():
        price = reader.price(take(source_field), source_field)
        if price is not None:
            cost[target] = price
    tiers = _above_tiers(entry, reader, used)
    has_flat = any(
        entry.get(name) is not None for name in ("input_cost_per_token", "output_cost_per_token")
    )
    if not has_flat and entry.get("tiered_pricing") is not None:
        base, range_tiers = _tiered_pricing(take("tiered_pricing"), reader)
        cost.update(base)
        tiers.extend(range_tiers)
    if tiers:
        cost["tiers"] = sorted(tiers, key=lambda tier: tier["tier"]["size"])

    inputs = ["text"]
    for flag_field, modality in _INPUT_FLAGS:
        if reader.flag(take(flag_field), flag_field):
            inputs.append(modality)
    outputs = _output_modalities(take("supported_output_modalities"), reader)
    if outputs is None:
        outputs = ["text"]
        if reader.flag(take("supports_audio_output"), "supports_audio_output"):
            outputs.append("audio")
    else:
        reader.flag(take("supports_audio_output"), "supports_audio_output")

    record: dict[str, JSON] = {
        "id": key,
        "name": key,
        "attachment": len(inputs) > 1,
        "reasoning": bool(reader.flag(take("supports_reasoning"), "supports_reasoning")),
        "tool_call": bool(
            reader.flag(take("supports_function_calling"), "supports_function_calling")
        ),
    }
    structured = reader.flag(take("supports_response_schema"), "supports_response_schema")
    if structured is not None:
        record["structured_output"] = structured
    record["modalities"] = {"input": inputs, "output": outputs}
    record["limit"] = {
        "context": reader.tokens(take("max_input_tokens"), "max_input_tokens") or 0,
        "output": reader.tokens(take("max_output_tokens"), "max_output_tokens") or 0,
    }
    if cost:
        record["cost"] = cost
    deprecation = reader.text(take("deprecation_date"), "deprecation_date")
    if deprecation is not None:
        record["deprecation_date"] = deprecation
        gone = is_deprecated(deprecation, today)
        if gone:
            record["status"] = "deprecated"
        elif gone is None and today is not None:
            reader.warn("deprecation_date", "not a YYYY-MM-DD date; no status derived", deprecation)
    rest = {name: value for name, value in entry.items() if name not in used}
    if rest:
        record["litellm"] = rest
    return record


def _above_tiers(
    entry: dict[str, Any], reader: FieldReader, used: set[str]
) -> list[dict[str, JSON]]:
    """``input_cost_per_token_above_200k_tokens`` and kin → one tier per threshold.

    Two fields for one price at one size (``_above_128k_`` and ``_above_0128k_``) reject the
    entry, as a repeated key does: keeping either would drop the other price unseen.
    """
    by_size: dict[int, dict[str, JSON]] = {}
    named: dict[tuple[int, str], str] = {}
    for name, value in entry.items():
        match = _TIER_FIELD.fullmatch(name)
        if match is None:
            continue
        used.add(name)
        size, target = _tier_size(match.group(2)), PRICE_FIELDS[match.group(1)]
        if size is None:
            reader.reject(name, f"names a size past the largest token count ({MAX_TOKENS})", value)
            continue
        first = named.setdefault((size, target), name) if value is not None else name
        if first != name:
            reason = f"is the same {target} price above {size:,} tokens as {first}"
            reader.reject(name, f"{reason}; which one upstream means cannot be told", value)
            continue
        price = reader.price(value, name)
        if price is None:
            continue
        tier = by_size.setdefault(size, {"tier": {"type": "context", "size": size}})
        tier[target] = price
    return list(by_size.values())


def _tier_size(digits: str) -> int | None:
    """``128`` (thousands of tokens) → 128000; None past the largest count a catalog holds (and
    before Python's int() refuses a few thousand digits)."""
    if len(digits) > len(str(MAX_TOKENS)):
        return None
    size = int(digits) * 1000
    return size if size <= MAX_TOKENS else None


def _tiered_pricing(
    value: JSON, reader: FieldReader
) -> tuple[dict[str, JSON], list[dict[str, JSON]]]:
    """``tiered_pricing`` ranges → base prices (the range from 0) and context tiers."""
    base: dict[str, JSON] = {}
    tiers: list[dict[str, JSON]] = []
    if not isinstance(value, list):
        reader.reject("tiered_pricing", "should be a list of price ranges", value)
        return base, tiers
    spans: list[_Span] = []
    for index, item in enumerate(value):
        where = f"tiered_pricing[{index}]"
        if not isinstance(item, dict):
            reader.reject(where, "should be an object", item)
            continue
        span = _range_of(item.get("range"), where, reader)
        if span is None:
            continue
        spans.append(span)
        prices: dict[str, JSON] = {}
        for source_field, target in PRICE_FIELDS.items():
            price = reader.price(item.get(source_field), f"{where}.{source_field}")
            if price is not None:
                prices[target] = price
        if span.start == 0:
            base.update(prices)
        else:
            tiers.append({**prices, "tier": {"type": "context", "size": span.start}})
    _check_overlaps(spans, reader)
    return base, tiers


@dataclass(frozen=True, slots=True)
class _Span:
    """One ``tiered_pricing`` range: from ``start`` tokens up to ``end`` (None: no end)."""

    where: str
    start: int
    end: int | None


def _range_of(bounds: JSON, where: str, reader: FieldReader) -> _Span | None:
    """A range's ``[start, end]``; None (rejected) when it is not a range of token counts."""
    field = f"{where}.range"
    if not isinstance(bounds, list) or not bounds:
        reader.reject(field, "should be a [start, end] list", bounds)
        return None
    start = reader.tokens(bounds[0], field)
    if start is None:
        if bounds[0] is None:
            reader.reject(field, "has no start", bounds)
        return None
    end = reader.tokens(bounds[1], field) if len(bounds) > 1 else None
    if end is not None and end <= start:
        reader.reject(field, "ends at or before its start", bounds)
        return None
    return _Span(where, start, end)


def _check_overlaps(spans: list[_Span], reader: FieldReader) -> None:
    """Reject ranges that share tokens: two prices for one context size, and which one upstream
    means cannot be told. Ranges that touch (``[0, 32000]``, ``[32000, 128000]``) do not: every
    real one is written so."""
    previous: _Span | None = None
    widest: _Span | None = None  # of the ranges so far, the one that reaches furthest
    for span in sorted(spans, key=lambda span: span.start):
        field = f"{span.where}.range"
        if previous is not None and span.start == previous.start:
            reason = f"starts at {span.start:,} tokens, as {previous.where} does"
            reader.reject(field, f"{reason}: two prices for one context size")
        elif widest is not None and (widest.end is None or span.start < widest.end):
            reason = f"starts at {span.start:,} tokens, inside {widest.where} ({_shown(widest)})"
            reader.reject(field, f"{reason}: two prices for one context size")
        if widest is None or _further(span, widest):
            widest = span
        previous = span


def _shown(span: _Span) -> str:
    end = "no end" if span.end is None else f"{span.end:,}"
    return f"{span.start:,} to {end}"


def _further(span: _Span, than: _Span) -> bool:
    """Whether ``span`` reaches past ``than``'s end (a range without an end reaches furthest)."""
    if than.end is None:
        return False
    return span.end is None or span.end > than.end


def _output_modalities(value: JSON, reader: FieldReader) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        reader.reject("supported_output_modalities", "should be a list of strings", value)
        return None
    return list(value)


def _rejection(provider: str, model: str, field: str, reason: str, value: JSON) -> Rejection:
    return rejection(provider, model, field, reason, value)
