"""The schema of models.dev's api.json, checked in plain Python: a bad field rejects its record.

It is the schema as models.dev really serves it (checked against four catalogs from 2025-09 to
2026-06); records are checked, not rebuilt, so an unknown field is news, not an error. It was a
set of pydantic TypedDicts; this module gives the errors pydantic gave for them, in its words
and order (``tests/test_models_dev_schema.py`` holds those TypedDicts and compares the two), and
loads no pydantic: validating a catalog is most of what ``diff`` does.

Per field: a **text** is a ``str``; a **flag** a ``bool``; a **token count** an ``int`` (not a
``bool``) ``>= 0``; a **price** an ``int`` or a ``float`` (not a ``bool``), finite, ``>= 0``; an
**object** any mapping with string keys; a **list** any iterable but a string, bytes or a mapping.

Each record is first tested in one quick pass that only says yes for the plain values a JSON
parser gives (most records); anything else is checked again, collecting each error as
``(place, message, value)``: the place is the keys and indexes down to the value, the value is
the one at fault (the whole object for a missing field, the key for a key that is not a string).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import JSONNumber

__all__ = ["SchemaError", "schema_errors"]

Place = tuple[str | int, ...]
SchemaError = tuple[Place, str, JSON]
"""Where, what (pydantic's message), and the value at fault."""

_TEXT = "Input should be a valid string"
_FLAG = "Input should be a valid boolean"
_INTEGER = "Input should be a valid integer"
_NUMBER = "Input should be a valid number"
_FINITE = "Input should be a finite number"
_NOT_NEGATIVE = "Input should be greater than or equal to 0"
_OBJECT = "Input should be a valid dictionary"
_LIST = "Input should be a valid list"
_MISSING = "Field required"
_KEY = "Keys should be strings"
_FLAG_OR_OBJECT = "Value error, should be true, false or an object"

Errors = list[SchemaError]
Check = Callable[[Any, Place, Errors], None]
"""Appends the errors of one value (at the given place) to the list."""
Quick = Callable[[Any], bool]
"""True only if the value surely has no error (False: check it again, with places)."""


def schema_errors(providers: Mapping[Any, Any]) -> Errors:
    """Every error of a catalog's providers (each an object whose ``models`` is an object), in
    the order pydantic found them: provider by provider, field by field as the schema lists
    them, then the keys that are not strings."""
    errors: Errors = []
    for provider_id, raw in providers.items():
        if not isinstance(provider_id, str):
            errors.append(((provider_id, "[key]"), _TEXT, provider_id))
        if not _PROVIDER.quick(raw):
            _PROVIDER.check(raw, (provider_id,), errors)
    return errors


# -- Scalars ------------------------------------------------------------------------------------


def _text(value: Any, place: Place, errors: Errors) -> None:
    if not isinstance(value, str):
        errors.append((place, _TEXT, value))


def _flag(value: Any, place: Place, errors: Errors) -> None:
    if value is not True and value is not False:
        errors.append((place, _FLAG, value))


def _tokens(value: Any, place: Place, errors: Errors) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append((place, _INTEGER, value))
    elif value < 0:
        errors.append((place, _NOT_NEGATIVE, value))


def _price(value: Any, place: Place, errors: Errors) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append((place, _NUMBER, value))
        return
    try:
        number = float(value)
    except OverflowError:  # an integer past the largest float
        errors.append((place, _NUMBER, value))
        return
    if not math.isfinite(number):
        errors.append((place, _FINITE, value))
    elif number < 0:
        errors.append((place, _NOT_NEGATIVE, value))


def _flag_or_object(value: Any, place: Place, errors: Errors) -> None:
    if not isinstance(value, bool | dict):
        errors.append((place, _FLAG_OR_OBJECT, value))


_LARGEST = 1.7976931348623157e308
_SAFE_INTEGER = 2**53


def _quick_text(value: Any) -> bool:
    return type(value) is str


def _quick_flag(value: Any) -> bool:
    return type(value) is bool


def _quick_tokens(value: Any) -> bool:
    return type(value) is int and value >= 0


def _quick_price(value: Any) -> bool:
    kind = type(value)
    if kind is float or kind is JSONNumber:
        return bool(0 <= value <= _LARGEST)  # NaN fails both
    return kind is int and 0 <= value <= _SAFE_INTEGER


def _quick_flag_or_object(value: Any) -> bool:
    return type(value) is bool or type(value) is dict


# -- Containers ---------------------------------------------------------------------------------


def _quick_string_keys(mapping: dict[Any, Any]) -> bool:
    try:
        "".join(mapping)
    except TypeError:  # a key that is not a string (a str subclass joins: it is a string)
        return False
    return True


def _items(value: Any) -> list[Any] | None:
    """The items of what the schema takes as a list, or None for what it does not."""
    if isinstance(value, str | bytes | bytearray | Mapping):
        return None
    try:
        return list(value)
    except TypeError:
        return None


def _list_of(item: Check, quick: Quick) -> tuple[Check, Quick]:
    def check(value: Any, place: Place, errors: Errors) -> None:
        items = _items(value)
        if items is None:
            errors.append((place, _LIST, value))
            return
        for index, element in enumerate(items):
            item(element, (*place, index), errors)

    def quick_check(value: Any) -> bool:
        return type(value) is list and all(map(quick, value))

    return check, quick_check


def _object(value: Any, place: Place, errors: Errors) -> None:
    """``dict[str, Any]``: any mapping with string keys."""
    if not isinstance(value, Mapping):
        errors.append((place, _OBJECT, value))
        return
    for key in value:
        if not isinstance(key, str):
            errors.append(((*place, key, "[key]"), _TEXT, key))


def _quick_object(value: Any) -> bool:
    return type(value) is dict and _quick_string_keys(value)


def _dict_of(item: Check, quick: Quick) -> tuple[Check, Quick]:
    """``dict[str, <item>]``."""

    def check(value: Any, place: Place, errors: Errors) -> None:
        if not isinstance(value, Mapping):
            errors.append((place, _OBJECT, value))
            return
        for key, element in value.items():
            if not isinstance(key, str):
                errors.append(((*place, key, "[key]"), _TEXT, key))
            item(element, (*place, key), errors)

    def quick_check(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key, element in value.items():
            if type(key) is not str or not quick(element):
                return False
        return True

    return check, quick_check


class _Record:
    """A TypedDict of the schema: its fields in order, each required or not, extra keys allowed.

    ``check`` appends the errors pydantic gave: the fields in the order given (a missing
    required one as ``Field required`` on the whole object), then each key that is no string.
    """

    def __init__(self, *fields: tuple[str, bool, tuple[Check, Quick]]) -> None:
        self.fields = [(name, required, kind[0]) for name, required, kind in fields]
        self.required = frozenset(name for name, required, _ in fields if required)
        self.quick_fields = {name: kind[1] for name, _, kind in fields}

    def check(self, value: Any, place: Place, errors: Errors) -> None:
        if not isinstance(value, Mapping):
            errors.append((place, _OBJECT, value))
            return
        for name, required, check in self.fields:
            if name in value:
                check(value[name], (*place, name), errors)
            elif required:
                errors.append(((*place, name), _MISSING, value))
        for key in value:
            if not isinstance(key, str):
                errors.append(((*place, key), _KEY, key))

    def quick(self, value: Any) -> bool:
        if type(value) is not dict or not self.required <= value.keys():
            return False
        quick_fields = self.quick_fields
        for key, item in value.items():
            quick = quick_fields.get(key)
            if quick is None:
                if type(key) is not str:
                    return False
            elif not quick(item):
                return False
        return True

    @property
    def kind(self) -> tuple[Check, Quick]:
        return self.check, self.quick


# -- The schema ---------------------------------------------------------------------------------

TEXT = (_text, _quick_text)
FLAG = (_flag, _quick_flag)
TOKENS = (_tokens, _quick_tokens)
PRICE = (_price, _quick_price)
OBJECT = (_object, _quick_object)

_PRICE_FIELDS = tuple(
    (name, False, PRICE)
    for name in (
        "input",
        "output",
        "reasoning",
        "cache_read",
        "cache_write",
        "input_audio",
        "output_audio",
    )
)
_PRICES = _Record(*_PRICE_FIELDS)
_TIER = _Record(
    *_PRICE_FIELDS, ("tier", True, _Record(("type", True, TEXT), ("size", True, TOKENS)).kind)
)
_COST = _Record(
    *_PRICE_FIELDS,
    ("context_over_200k", False, _PRICES.kind),
    ("tiers", False, _list_of(*_TIER.kind)),
)
_MODES = _dict_of(*_Record(("cost", False, _PRICES.kind)).kind)
_MODEL = _Record(
    ("id", True, TEXT),
    ("name", True, TEXT),
    (
        "modalities",
        True,
        _Record(("input", True, _list_of(*TEXT)), ("output", True, _list_of(*TEXT))).kind,
    ),
    (
        "limit",
        True,
        _Record(("context", True, TOKENS), ("output", True, TOKENS), ("input", False, TOKENS)).kind,
    ),
    ("cost", False, _COST.kind),
    ("family", False, TEXT),
    ("attachment", False, FLAG),
    ("reasoning", False, FLAG),
    ("tool_call", False, FLAG),
    ("structured_output", False, FLAG),
    ("temperature", False, FLAG),
    ("open_weights", False, FLAG),
    ("interleaved", False, (_flag_or_object, _quick_flag_or_object)),
    ("reasoning_options", False, _list_of(*OBJECT)),
    ("knowledge", False, TEXT),
    ("release_date", False, TEXT),
    ("last_updated", False, TEXT),
    ("status", False, TEXT),
    ("provider", False, OBJECT),
    ("experimental", False, _Record(("modes", False, _MODES)).kind),
)
_PROVIDER = _Record(
    ("id", True, TEXT),
    ("name", True, TEXT),
    ("models", True, _dict_of(*_MODEL.kind)),
    ("env", False, _list_of(*TEXT)),
    ("npm", False, TEXT),
    ("api", False, TEXT),
    ("doc", False, TEXT),
)
