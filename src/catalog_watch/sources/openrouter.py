"""OpenRouter ``GET /api/v1/models`` → :class:`Catalog` of canonical records.

Like the LiteLLM adapter, this one rewrites the response into an api.json-shaped document of
models.dev records and hands it to :func:`parse_catalog`; the catalog says
``source="openrouter"`` and its ``rejections`` are the adapter's own (named with the model id and
OpenRouter's field name, e.g. ``pricing.prompt``) followed by ``parse_catalog``'s.

Input: the full response ``{"data": [...], "total_count", "links"}`` or the bare ``data`` array
(what ``jq .data`` mirrors keep). Anything else refuses the whole document.

Mapping (one model of ``data`` → one offering):

* **One provider**, ``openrouter`` (name ``OpenRouter``). **Model id** = ``id`` as is, so
  ``:free``, ``:batch``, ``:thinking`` variants and ``~author/x-latest`` aliases stay distinct
  offerings; ``name`` as is.
* **Prices** are decimal strings in USD per token, converted exactly to USD per 1M:
  ``prompt`` → ``cost.input``, ``completion`` → ``cost.output``, ``input_cache_read`` →
  ``cost.cache_read``, ``input_cache_write`` → ``cost.cache_write``, ``internal_reasoning`` →
  ``cost.reasoning``. ``"0"`` is a real price of 0 (``:free``). ``"-1"`` means the price is
  dynamic (routers such as ``openrouter/auto``): that price is left out, and the record gets
  ``pricing_dynamic: true``; with no price left there is no ``cost`` at all. That is not a
  rejection. A JSON number instead of a string is accepted as the number it is.
* **Long-context tiers**: each ``pricing.overrides`` item with ``min_prompt_tokens`` → a
  ``cost.tiers`` entry ``{input, output, cache_read, ..., tier: {type: "context", size:
  min_prompt_tokens}}``. Overrides without it (the ``utc_start``/``utc_end`` time-of-day windows
  of ``deepseek/deepseek-v4-pro``) are not context tiers: they stay raw under
  ``openrouter.pricing.overrides``, as do the unmapped keys of a tier override (``audio``...).
* **Other prices** (``web_search`` per request, ``image``, ``audio``, ``input_cache_write_1h``,
  ``input_audio_cache``, ``image_output``, ``audio_output``) have other or unclear units: kept
  raw, as strings, under ``openrouter.pricing``.
* **Limits**: ``context_length`` → ``limit.context``, ``top_provider.max_completion_tokens`` →
  ``limit.output``; ``null`` is 0 (models.dev's "not published"). ``top_provider.context_length``
  (it can differ) stays under ``openrouter.top_provider``.
* **Modalities**: ``architecture.input_modalities`` / ``output_modalities`` → ``modalities``, with
  ``file`` renamed ``pdf`` (OpenRouter's file input is PDF documents, models.dev's word for it);
  ``attachment`` = any input besides text. ``architecture.modality`` (``"text+image->text"``) is
  derived from the two lists and dropped, so one change is not reported twice.
* **Capabilities** from ``supported_parameters``: ``tools`` → ``tool_call``; ``reasoning`` or
  ``include_reasoning`` → ``reasoning``; ``structured_outputs`` or ``response_format`` →
  ``structured_output``; ``temperature`` → ``temperature``. A missing list leaves the four
  unknown (absent); the sorted list itself is kept under ``openrouter.supported_parameters``.
* ``knowledge_cutoff`` → ``knowledge``; ``created`` (unix seconds) → ``release_date``
  (``YYYY-MM-DD``, UTC; it is when OpenRouter listed the model); ``hugging_face_id`` non-empty →
  ``open_weights: true``, otherwise ``open_weights`` is left out (unknown: OpenRouter leaves it
  empty for closed models and for some open ones alike). The id itself is kept under
  ``openrouter``.
* ``expiration_date`` is kept as ``expiration_date``; with a ``today`` argument, ``status:
  "deprecated"`` is set when the date is ``<= today``. No ``today`` → no status: parsing never
  reads the clock.
* **Everything else** is kept under an ``openrouter`` sub-object (``canonical_slug``,
  ``architecture.tokenizer``, ``top_provider.is_moderated``, ``default_parameters``,
  ``reasoning``, ``alias_target``, ``links``, fields added later...), **except** ``description``
  (rewritten often, and cut off with "...") and ``benchmarks`` (arena elo, win rate and rank move
  daily): keeping them would make every run a change.

What is skipped (counted in :attr:`Conversion.skipped`): models with no ``text`` output (the
``_all`` variant of the endpoint adds embedding, speech and video models, priced in other
units); the default endpoint returns none. What is rejected (a :class:`Rejection` per bad field,
the model is left out): a non-object entry or one without a string ``id`` (named ``data[i]``), a
repeated ``id`` (the first is kept; the repeat is named ``data[i]``), a ``name`` that is not a
string, ``pricing`` / ``architecture`` / ``top_provider`` that are not objects, a price that is
not a non-negative decimal (other than ``-1``), a bad token count, bad modality or parameter
lists, a ``created`` that is not a timestamp, a ``knowledge_cutoff`` / ``expiration_date`` /
``hugging_face_id`` that is not a string. More than ``max_rejected_share`` bad models refuses
the whole document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import JSON, Catalog, Rejection
from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
from catalog_watch.sources.adapter import Conversion, FieldReader, finish_catalog, is_deprecated
from catalog_watch.sources.json_duplicates import Duplicate, duplicates_in
from catalog_watch.sources.models_dev import rejection
from catalog_watch.sources.openrouter_pricing import cost_block

SOURCE_NAME = "openrouter"
DEFAULT_URL = "https://openrouter.ai/api/v1/models"
PROVIDER_ID = "openrouter"
PROVIDER_NAME = "OpenRouter"

SKIP_NO_TEXT_OUTPUT = "no text output"

DROPPED_FIELDS = frozenset({"description", "benchmarks"})
"""Fields left out of the record because they change on most runs."""

_CAPABILITIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("tool_call", frozenset({"tools"})),
    ("reasoning", frozenset({"reasoning", "include_reasoning"})),
    ("structured_output", frozenset({"structured_outputs", "response_format"})),
    ("temperature", frozenset({"temperature"})),
)
_MODALITY_NAMES: Mapping[str, str] = {"file": "pdf"}
_MAPPED = frozenset(
    {
        "id",
        "name",
        "created",
        "context_length",
        "architecture",
        "pricing",
        "top_provider",
        "supported_parameters",
        "knowledge_cutoff",
        "expiration_date",
    }
)


def parse_openrouter(
    document: object,
    *,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
    today: date | None = None,
) -> Catalog:
    """OpenRouter's model list → a checked catalog with ``source="openrouter"``."""
    return finish_catalog(
        convert_openrouter(document, today=today),
        source=SOURCE_NAME,
        max_rejected_share=max_rejected_share,
    )


def looks_like_openrouter(document: object) -> bool:
    """``{"data": [...]}`` or a bare list whose items mostly have ``id`` and ``pricing``."""
    if isinstance(document, dict):
        document = document.get("data")
    if not isinstance(document, list) or not document:
        return False
    hits = sum(isinstance(m, dict) and "id" in m and "pricing" in m for m in document)
    return hits * 2 > len(document)


def convert_openrouter(document: object, *, today: date | None = None) -> Conversion:
    """OpenRouter's model list → api.json document, rejections and skips."""
    entries = _data(document)
    repeated = _repeated_fields(duplicates_in(document), wrapped=isinstance(document, dict))
    models: dict[str, JSON] = {}
    seen: set[str] = set()
    rejections: list[Rejection] = []
    warnings: list[Rejection] = []
    skipped: dict[str, list[str]] = defaultdict(list)
    for index, entry in enumerate(entries):
        where = f"data[{index}]"
        if not isinstance(entry, dict):
            reason = f"is a {type(entry).__name__}, not an object"
            rejections.append(_rejection(where, "(record)", reason, entry))
            continue
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not model_id.strip():
            rejections.append(_rejection(where, "id", "missing or not a string", model_id))
            continue
        if model_id in seen:
            reason = "repeats an earlier model's id; the first one is kept"
            rejections.append(_rejection(where, "id", reason, model_id))
            continue
        seen.add(model_id)
        reader = FieldReader(PROVIDER_ID, model_id, strings_expected=True)
        for field, reason in repeated.get(index, ()):
            reader.reject(field, reason)
        record = _record(model_id, entry, reader, today)
        warnings.extend(reader.warnings)
        if reader.rejections:
            rejections.extend(reader.rejections)
        elif "text" not in record["modalities"]["output"]:
            skipped[SKIP_NO_TEXT_OUTPUT].append(model_id)
        else:
            models[model_id] = record
    provider = {"id": PROVIDER_ID, "name": PROVIDER_NAME, "models": models}
    return Conversion(
        document={PROVIDER_ID: provider} if models or rejections else {},
        rejections=tuple(rejections),
        warnings=tuple(warnings),
        skipped={reason: tuple(ids) for reason, ids in skipped.items()},
    )


def _data(document: object) -> list[Any]:
    if isinstance(document, dict):
        data = document.get("data")
        if not isinstance(data, list):
            raise CatalogRejected(
                f"{SOURCE_NAME}: expected {{'data': [...]}}, but 'data' is "
                f"{type(data).__name__ if 'data' in document else 'missing'}"
            )
        return data
    if isinstance(document, list):
        return document
    raise CatalogRejected(
        f"{SOURCE_NAME}: expected the /models response or its data list, got "
        f"{type(document).__name__}"
    )


def _repeated_fields(
    duplicates: tuple[Duplicate, ...], *, wrapped: bool
) -> dict[int, list[tuple[str, str]]]:
    """Entry index → (field, reason) of each key repeated in that entry; a repeated ``data``
    refuses the document (which list is the catalog cannot be told), other wrapper keys are not
    read."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for duplicate in duplicates:
        place = (*duplicate.path, duplicate.key)
        if wrapped and place == ("data",):
            raise CatalogRejected(f"{SOURCE_NAME}: {duplicate}; which one is the catalog?")
        if wrapped:
            place = place[1:] if place[0] == "data" else ()
        if len(place) < 2 or not isinstance(place[0], int):
            continue
        found[place[0]].append((".".join(str(part) for part in place[1:]), duplicate.reason))
    return found


def _record(
    model_id: str, entry: dict[str, Any], reader: FieldReader, today: date | None
) -> dict[str, JSON]:
    extra: dict[str, JSON] = {
        k: v for k, v in entry.items() if k not in _MAPPED and k not in DROPPED_FIELDS
    }
    record: dict[str, JSON] = {"id": model_id}
    name = entry.get("name")
    if not isinstance(name, str):
        reader.reject("name", "missing or not a string", name)
    record["name"] = name

    architecture = _object(entry.get("architecture"), "architecture", reader, required=True)
    inputs = _modalities(architecture.get("input_modalities"), "input_modalities", reader)
    outputs = _modalities(architecture.get("output_modalities"), "output_modalities", reader)
    rest = {
        k: v
        for k, v in architecture.items()
        if k not in ("input_modalities", "output_modalities", "modality")
    }
    if rest:
        extra["architecture"] = rest
    record["attachment"] = any(m != "text" for m in inputs)

    parameters = entry.get("supported_parameters")
    if parameters is not None:
        if isinstance(parameters, list) and all(isinstance(p, str) for p in parameters):
            for capability, names in _CAPABILITIES:
                record[capability] = not names.isdisjoint(parameters)
            extra["supported_parameters"] = sorted(parameters)
        else:
            reader.reject("supported_parameters", "should be a list of strings", parameters)

    hugging_face_id = reader.text(entry.get("hugging_face_id"), "hugging_face_id")
    if hugging_face_id:
        record["open_weights"] = True
    knowledge = reader.text(entry.get("knowledge_cutoff"), "knowledge_cutoff")
    if knowledge is not None:
        record["knowledge"] = knowledge
    release = _release_date(entry.get("created"), reader)
    if release is not None:
        record["release_date"] = release

    record["modalities"] = {"input": inputs, "output": outputs}
    top = _object(entry.get("top_provider"), "top_provider", reader, required=False)
    record["limit"] = {
        "context": reader.tokens(entry.get("context_length"), "context_length") or 0,
        "output": reader.tokens(
            top.get("max_completion_tokens"), "top_provider.max_completion_tokens"
        )
        or 0,
    }
    top_rest = {k: v for k, v in top.items() if k != "max_completion_tokens"}
    if top_rest:
        extra["top_provider"] = top_rest

    pricing = _object(entry.get("pricing"), "pricing", reader, required=True)
    cost, dynamic, pricing_rest = cost_block(pricing, reader)
    if cost:
        record["cost"] = cost
    if dynamic:
        record["pricing_dynamic"] = True
    if pricing_rest:
        extra["pricing"] = pricing_rest

    expiration = reader.text(entry.get("expiration_date"), "expiration_date")
    if expiration is not None:
        record["expiration_date"] = expiration
        gone = is_deprecated(expiration, today)
        if gone:
            record["status"] = "deprecated"
        elif gone is None and today is not None:
            reader.warn("expiration_date", "not a YYYY-MM-DD date; no status derived", expiration)
    if extra:
        record["openrouter"] = extra
    return record


def _object(value: JSON, field: str, reader: FieldReader, *, required: bool) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is not None or required:
        reader.reject(field, "missing or not an object", value)
    return {}


def _modalities(value: JSON, field: str, reader: FieldReader) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        reader.reject(f"architecture.{field}", "should be a non-empty list of strings", value)
        return []
    return [_MODALITY_NAMES.get(str(v), str(v)) for v in value]


def _release_date(value: JSON, reader: FieldReader) -> str | None:
    """``created`` (unix seconds) → the UTC day, ``YYYY-MM-DD``."""
    if value is None:
        return None
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        reader.reject("created", "should be a unix timestamp in whole seconds", value)
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        reader.reject("created", "not a usable unix timestamp", value)
        return None


def _rejection(where: str, field: str, reason: str, value: JSON) -> Rejection:
    return rejection(PROVIDER_ID, where, field, reason, value)
