"""models.dev ``api.json`` → :class:`Catalog`, with per-record validation.

The pydantic models below describe the schema as models.dev really serves it (checked against
four catalogs from 2025-09 to 2026-06). They are used to *check* records, not to rebuild them:
the accepted record is the JSON object upstream sent, so unknown fields are kept and numbers stay
as written.

What happens to bad input (the rule the README documents):

* **The whole catalog is refused** (:class:`CatalogRejected`, nothing written) when its shape is
  broken: the top level is not an object or holds no provider, a provider entry or its ``models``
  is not an object, or more than ``max_rejected_share`` of the offerings are bad (an upstream
  build that broke wholesale must not be half-accepted).
* **One record is rejected with a warning** when it alone is bad: a price that is not a number,
  negative, NaN or infinite; a limit that is not a non-negative integer; a flag that is not a
  boolean; a missing ``name``, ``limit`` or ``modalities``; a model whose ``id`` differs from its
  key; a value that no snapshot file could hold back, anywhere in the record and unknown fields
  included (nested deeper than ``json_reader.MAX_DEPTH`` allows, NaN, an infinity or a number
  such as ``1e400`` that overflows to one, a lone surrogate in a string or a field name). A bad
  provider field (or a provider ``id`` that differs from its key) rejects that whole provider.
  A rejected record keeps its last good value (see ``last_good.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, NotRequired

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from catalog_watch.catalog import JSON, Catalog, Provider, Rejection
from catalog_watch.errors import CatalogRejected
from catalog_watch.json_reader import Unstorable, printable, reportable, unstorable

SOURCE_NAME = "models.dev"
DEFAULT_URL = "https://models.dev/api.json"
DEFAULT_MAX_REJECTED_SHARE = 0.05

# Where a provider's fields and a model record sit in the provider's snapshot file (json_reader
# levels: 1 is the file's top object): a record is checked against what that file may nest.
PROVIDER_DEPTH = 1
RECORD_DEPTH = 3  # the provider's object, its "models", the record

# Strict float accepts ints too; the validated value is thrown away (the raw record is kept), so
# ``3`` stays ``3`` in the snapshot.
Price = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Tokens = Annotated[int, Strict(), Field(ge=0)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict()]
Object = dict[str, Any]


def _flag_or_object(value: Any) -> Any:
    if not isinstance(value, bool | dict):
        raise ValueError("should be true, false or an object")
    return value


FlagOrObject = Annotated[Any, AfterValidator(_flag_or_object)]

# TypedDicts rather than BaseModels: they check the records without building objects, which
# halves the time to validate a 5,000-offering catalog. ``extra="allow"`` everywhere: a new
# upstream field is news, not an error.
_OPEN = ConfigDict(extra="allow")


@with_config(_OPEN)
class Prices(TypedDict, total=False):
    input: Price
    output: Price
    reasoning: Price
    cache_read: Price
    cache_write: Price
    input_audio: Price
    output_audio: Price


@with_config(_OPEN)
class TierCondition(TypedDict):
    type: Text
    size: Tokens


@with_config(_OPEN)
class Tier(Prices):
    tier: TierCondition


@with_config(_OPEN)
class Cost(Prices, total=False):
    context_over_200k: Prices
    tiers: list[Tier]


@with_config(_OPEN)
class Limit(TypedDict):
    context: Tokens
    output: Tokens
    input: NotRequired[Tokens]


@with_config(_OPEN)
class Modalities(TypedDict):
    input: list[Text]
    output: list[Text]


@with_config(_OPEN)
class Mode(TypedDict, total=False):
    cost: Prices


@with_config(_OPEN)
class Experimental(TypedDict, total=False):
    modes: dict[str, Mode]


@with_config(_OPEN)
class ModelRecord(TypedDict):
    id: Text
    name: Text
    modalities: Modalities
    limit: Limit
    cost: NotRequired[Cost]
    family: NotRequired[Text]
    attachment: NotRequired[Flag]
    reasoning: NotRequired[Flag]
    tool_call: NotRequired[Flag]
    structured_output: NotRequired[Flag]
    temperature: NotRequired[Flag]
    open_weights: NotRequired[Flag]
    interleaved: NotRequired[FlagOrObject]
    reasoning_options: NotRequired[list[Object]]
    knowledge: NotRequired[Text]
    release_date: NotRequired[Text]
    last_updated: NotRequired[Text]
    status: NotRequired[Text]
    provider: NotRequired[Object]
    experimental: NotRequired[Experimental]


@with_config(_OPEN)
class ProviderRecord(TypedDict):
    id: Text
    name: Text
    models: dict[str, ModelRecord]
    env: NotRequired[list[Text]]
    npm: NotRequired[Text]
    api: NotRequired[Text]
    doc: NotRequired[Text]


_CATALOG = TypeAdapter(dict[str, ProviderRecord])


def looks_like_models_dev(document: object) -> bool:
    """An object of providers, each an object with a ``models`` object."""
    if not isinstance(document, dict) or not document:
        return False
    providers = list(document.values())[:20]
    return all(isinstance(p, dict) and isinstance(p.get("models"), dict) for p in providers)


def parse_catalog(
    document: object, *, max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE
) -> Catalog:
    """Check an api.json document; return the good records and the rejected ones."""
    providers = _check_shape(document)
    bad = _validation_failures(providers)
    rejections: list[Rejection] = []
    accepted: dict[str, Provider] = {}
    for provider_id in sorted(providers):
        raw = providers[provider_id]
        provider_bad = bad.get((provider_id, None), [])
        if raw.get("id") != provider_id:
            provider_bad.append(
                rejection(provider_id, None, "id", "differs from its key", raw.get("id"))
            )
        info = {k: v for k, v in raw.items() if k != "models"}
        if not provider_bad and (problem := unstorable(info, depth=PROVIDER_DEPTH)):
            provider_bad.append(_unstorable_rejection(provider_id, None, problem))
        if provider_bad:
            rejections.extend(provider_bad)
            continue
        models: dict[str, JSON] = {}
        for model_id, record in raw["models"].items():
            model_bad = bad.get((provider_id, model_id), [])
            if isinstance(record, dict) and record.get("id") != model_id:
                model_bad.append(
                    rejection(provider_id, model_id, "id", "differs from its key", record.get("id"))
                )
            # Last, on what passed: a value that cannot be stored, unknown fields included.
            if not model_bad and (problem := unstorable(record, depth=RECORD_DEPTH)):
                model_bad.append(_unstorable_rejection(provider_id, model_id, problem))
            if model_bad:
                rejections.extend(model_bad)
            else:
                models[model_id] = record
        accepted[provider_id] = Provider(id=provider_id, info=info, models=models)
    _refuse_if_mostly_bad(providers, rejections, max_rejected_share)
    return Catalog(providers=accepted, source=SOURCE_NAME, rejections=tuple(rejections))


def _check_shape(document: object) -> dict[str, dict[str, Any]]:
    """The structure every record hangs from; a break here refuses the whole catalog."""
    if not isinstance(document, dict):
        raise CatalogRejected(
            f"{SOURCE_NAME}: expected a JSON object of providers, got {type(document).__name__}"
        )
    if not document:
        raise CatalogRejected(f"{SOURCE_NAME}: the catalog holds no provider at all")
    for provider_id, provider in document.items():
        if not isinstance(provider, dict):
            raise CatalogRejected(
                f"{SOURCE_NAME}: provider {provider_id!r} is a {type(provider).__name__}, "
                "not an object"
            )
        if not isinstance(provider.get("models"), dict):
            raise CatalogRejected(
                f"{SOURCE_NAME}: provider {provider_id!r} field 'models' is missing or not an "
                "object"
            )
    return document


def _validation_failures(
    providers: dict[str, dict[str, Any]],
) -> dict[tuple[str, str | None], list[Rejection]]:
    """Validate the whole document in one pass and file each error under its record."""
    try:
        _CATALOG.validate_python(providers)
    except ValidationError as error:
        failures: dict[tuple[str, str | None], list[Rejection]] = defaultdict(list)
        for item in error.errors():
            rejection = _rejection_from_error(item["loc"], item["msg"], item.get("input"))
            failures[(rejection.provider, rejection.model)].append(rejection)
        return failures
    return {}


def _rejection_from_error(loc: tuple[int | str, ...], message: str, value: JSON) -> Rejection:
    provider_id = str(loc[0])
    if len(loc) >= 3 and loc[1] == "models":
        field = ".".join(str(part) for part in loc[3:]) or "(record)"
        return rejection(provider_id, str(loc[2]), field, message, value)
    field = ".".join(str(part) for part in loc[1:]) or "(record)"
    return rejection(provider_id, None, field, message, value)


def rejection(provider: str, model: str | None, field: str, reason: str, value: JSON) -> Rejection:
    """A rejection that ``_meta.json`` can hold; every source builds its rejections here.

    A whole record or list says nothing a reader can act on (None), NaN and infinities are
    spelled (``"NaN"``), lone surrogates in names and values are escaped.
    """
    return Rejection(
        provider=printable(provider),
        model=None if model is None else printable(model),
        field=printable(field),
        reason=printable(reason),
        value=reportable(value),
    )


def _unstorable_rejection(provider: str, model: str | None, problem: Unstorable) -> Rejection:
    return rejection(provider, model, problem.field, problem.reason, problem.value)


def _refuse_if_mostly_bad(
    providers: dict[str, dict[str, Any]], rejections: list[Rejection], share: float
) -> None:
    total = sum(len(p["models"]) for p in providers.values())
    bad_offerings = {(r.provider, r.model) for r in rejections if r.model is not None}
    bad_providers = {r.provider for r in rejections if r.model is None}
    bad = len(bad_offerings) + sum(len(providers[p]["models"]) for p in bad_providers)
    if total and bad / total > share:
        first = "; ".join(str(r) for r in rejections[:3])
        raise CatalogRejected(
            f"{SOURCE_NAME}: {bad} of {total} offerings ({bad / total:.1%}) failed validation, "
            f"more than the {share:.0%} allowed; the upstream catalog looks broken. "
            f"First errors: {first}"
        )
