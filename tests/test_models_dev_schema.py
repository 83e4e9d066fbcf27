"""The models.dev schema in plain Python (sources/models_dev_schema.py) gives pydantic's errors.

The TypedDicts below are the schema as pydantic checked it before (sources/models_dev.py until
issue 14): the oracle. For every record a strategy makes (good ones, and ones with a wrong type,
a missing field, a NaN, a negative or huge number, a key that is not a string, unusual containers
anywhere), both list the same errors in the same order: place, message and value.
"""

from __future__ import annotations

import collections
import copy
import enum
import json
import math
from typing import Annotated, Any, NotRequired

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict

from catalog_watch.model.json_text import JSONNumber
from catalog_watch.sources.models_dev_schema import schema_errors
from tests.factories import MODELS_DEV, model, provider

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


ORACLE = TypeAdapter(dict[str, ProviderRecord])


def pydantic_errors(providers: Any) -> list[tuple[Any, ...]]:
    try:
        ORACLE.validate_python(providers)
    except ValidationError as error:
        return [(item["loc"], item["msg"], item["input"]) for item in error.errors()]
    return []


def ours(providers: Any) -> list[tuple[Any, ...]]:
    return [(place, message, value) for place, message, value in schema_errors(providers)]


def same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Equal, NaN equal to NaN and values compared by identity where == cannot tell (1 == True)."""
    return len(a) == len(b) and all(
        x[0] == y[0] and x[1] == y[1] and _same_value(x[2], y[2]) for x, y in zip(a, b, strict=True)
    )


def _same_value(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return bool(type(x) is type(y) and x == y) or x is y


class Small(enum.IntEnum):
    ONE = 1


class Word(str):
    pass


ODD_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**53 + 1,
    2**64,
    10**308,
    10**309,
    -(10**400),
    0.5,
    -0.5,
    float("nan"),
    float("inf"),
    float("-inf"),
    JSONNumber(0.25, "0.250"),
    Small.ONE,
    "",
    "text",
    Word("sub"),
    b"bytes",
    [],
    ["text"],
    ["text", 1],
    ("text",),
    {"text"},
    frozenset(),
    collections.deque(["text"]),
    {},
    {"a": 1},
    {1: "x"},
    [{"a": 1}],
    [{"a": 1}, "x"],
    [{1: 2}],
    {"input": 1, "output": 2},
    {"context": 1, "output": 2},
]
odd = st.sampled_from(ODD_VALUES).map(copy.copy)
PLACES = [
    ("id",),
    ("name",),
    ("family",),
    ("attachment",),
    ("reasoning",),
    ("tool_call",),
    ("structured_output",),
    ("temperature",),
    ("open_weights",),
    ("interleaved",),
    ("reasoning_options",),
    ("knowledge",),
    ("release_date",),
    ("last_updated",),
    ("status",),
    ("provider",),
    ("experimental",),
    ("experimental", "modes"),
    ("experimental", "modes", "x"),
    ("experimental", "modes", "x", "cost"),
    ("experimental", "modes", "x", "cost", "input"),
    ("modalities",),
    ("modalities", "input"),
    ("modalities", "output"),
    ("limit",),
    ("limit", "context"),
    ("limit", "output"),
    ("limit", "input"),
    ("cost",),
    ("cost", "input"),
    ("cost", "output"),
    ("cost", "cache_read"),
    ("cost", "reasoning"),
    ("cost", "output_audio"),
    ("cost", "context_over_200k"),
    ("cost", "context_over_200k", "input"),
    ("cost", "tiers"),
    ("cost", "tiers", 0),
    ("cost", "tiers", 0, "input"),
    ("cost", "tiers", 0, "tier"),
    ("cost", "tiers", 0, "tier", "size"),
    ("cost", "tiers", 0, "tier", "type"),
    (7,),
    ("limit", 7),
    ("cost", "tiers", 0, 7),
    ("provider", 7),
    ("extra", "deep"),
]
MISSING = object()


def _record() -> dict[str, Any]:
    record = model("m", structured_output=True, knowledge="2024-01", status="beta")
    record["cost"] = {
        "input": 1,
        "output": 2.5,
        "cache_read": 0.1,
        "context_over_200k": {"input": 2, "output": 5},
        "tiers": [{"input": 2, "output": 5, "tier": {"type": "context", "size": 200000}}],
    }
    record["limit"]["input"] = 100
    record["interleaved"] = {"field": "reasoning_content"}
    record["reasoning_options"] = [{"type": "toggle"}]
    record["provider"] = {"npm": "@ai-sdk/x"}
    record["experimental"] = {"modes": {"x": {"cost": {"input": 1}}}}
    return record


def _put(record: dict[str, Any], place: tuple[Any, ...], value: Any) -> None:
    """Put ``value`` (or take the key away, for MISSING) at ``place``, where that place still
    exists: a bad value put above it earlier may have replaced it."""
    target: Any = record
    for part in place[:-1]:
        target = _child(target, part)
        if target is None:
            return
    last = place[-1]
    if value is MISSING and isinstance(target, dict):
        target.pop(last, None)
    elif value is not MISSING and _child(target, last, containers_only=False) is not _ABSENT:
        target[last] = value


_ABSENT = object()


def _child(target: Any, part: Any, *, containers_only: bool = True) -> Any:
    if isinstance(target, dict):
        found = target.get(part, None if containers_only else _PRESENT)
    elif isinstance(target, list) and isinstance(part, int) and part < len(target):
        found = target[part]
    else:
        return None if containers_only else _ABSENT
    return found if not containers_only or isinstance(found, dict | list) else None


_PRESENT = object()  # a dict takes any key; an absent one is added


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record = _record()
    for _ in range(draw(st.integers(0, 3))):
        place = draw(st.sampled_from(PLACES))
        _put(record, place, draw(odd | st.just(MISSING)))
    return record


@settings(max_examples=1500, deadline=None)
@given(st.lists(records(), min_size=1, max_size=3), st.sampled_from([*ODD_VALUES[:20], MISSING]))
def test_every_record_gets_the_errors_pydantic_gave(
    models: list[dict[str, Any]], provider_field: Any
) -> None:
    raw = provider("acme", *[m for m in models if isinstance(m.get("id"), str)])
    raw["models"].update(
        {f"odd{i}": m for i, m in enumerate(models) if not isinstance(m.get("id"), str)}
    )
    _put(raw, ("env",), provider_field)
    providers = {"acme": raw, "beta": provider("beta", model("b"))}
    assert same(ours(providers), pydantic_errors(providers))


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
@pytest.mark.parametrize("place", PLACES, ids=repr)
def test_each_odd_value_in_each_place_gets_the_error_pydantic_gave(
    place: tuple[Any, ...], value: Any
) -> None:
    record = _record()
    _put(record, place, copy.copy(value))
    providers = {"acme": provider("acme", model("ok")) | {"models": {"m": record}}}
    assert same(ours(providers), pydantic_errors(providers))


def test_keys_that_are_not_strings_get_the_errors_pydantic_gave() -> None:
    record = _record() | {3: "x"}
    raw = provider("acme") | {"models": {"m": record, 4: model("four")}, 5: "y"}
    providers = {"acme": raw, 6: provider("six")}
    assert same(ours(providers), pydantic_errors(providers))
    assert len(ours(providers)) == 4


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28"])
def test_the_real_catalogs_have_no_error_in_either(name: str) -> None:
    document = json.loads((MODELS_DEV / f"{name}.json").read_text(encoding="utf-8"))
    assert ours(document) == pydantic_errors(document) == []
