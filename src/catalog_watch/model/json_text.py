"""The few ways catalog-watch writes JSON: keys sorted and text as itself (not ``\\u`` escapes).

One function per use, so that two writers of the same kind of file cannot drift apart: a JSON
Lines record (``changes.jsonl``, ``outbox.jsonl``) and an identity key are compact; a document a
command prints is one line (or indented, for files people read); a value shown in words is its
JSON spelling. Snapshots have their own byte form (``store/snapshot.canonical_json``).
"""

from __future__ import annotations

import json
import sys
from typing import TypeGuard

import orjson

__all__ = [
    "NUMBER",
    "JSONNumber",
    "as_written",
    "is_number",
    "json_key",
    "json_line",
    "json_output",
    "json_value",
]


class JSONNumber(float):
    """A float that remembers how upstream wrote it (``0.000053``, which ``repr`` spells
    ``5.3e-05``), so that a snapshot keeps the number as written; it is a float everywhere else.

    ``json_reader.read_upstream`` makes one only where the text differs from the encoder's own
    spelling; ``store/snapshot.canonical_json`` writes ``text`` back.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: float, text: str) -> JSONNumber:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self) -> tuple[type[JSONNumber], tuple[float, str]]:
        return (JSONNumber, (float(self), self.text))


NUMBER = (int, float, JSONNumber)
"""``type(value) in NUMBER`` is :func:`is_number` written inline, for the hottest loops."""


def is_number(value: object) -> TypeGuard[int | float]:
    """A JSON number: ``int``, ``float`` or :class:`JSONNumber`, not ``bool`` (a subclass of int,
    hence ``type``; a parsed document holds no other subclass). Cheap enough for the hot loops."""
    return type(value) in NUMBER


def as_float(value: object) -> float | None:
    """A JSON number as a float, or None: not a number (``True`` is not 1 here), or one no finite
    float holds (``10**400`` spelled out, NaN), which ``float()`` would raise on or mislead with.
    Catalogs hold neither; a hand-edited ledger or outbox line may."""
    if not is_number(value) or not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        return None
    return float(value)


_FLOAT_MAX = sys.float_info.max


def json_key(value: object) -> str:
    """A value as a stable key (alert and rejection ids): compact, no newline."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def json_line(value: object) -> str:
    """One JSON Lines record, newline included."""
    return json_key(value) + "\n"


def json_output(value: object, *, indent: bool = False) -> str:
    """A document a command prints (``--format json``), newline included: compact (no spaces)
    or indented by 2, keys sorted, text as itself, a number upstream wrote as upstream wrote it.

    orjson writes it, in a tenth of the time of ``json``'s C encoder on a diff of two real
    catalogs (3.4 MB). What orjson refuses goes to ``json``, in the same layout: an integer past
    64 bits, a lone surrogate, a key that is not a string (``json`` sorts integer keys as numbers).
    A NaN or an infinity, which JSON cannot spell (``json`` wrote ``NaN``, which no parser of
    the standard reads), is written ``null``; no record a source keeps holds one (``json_values``).
    """
    try:
        data = orjson.dumps(value, default=as_written, option=_INDENTED if indent else _COMPACT)
    except orjson.JSONEncodeError:
        separators = (",", ": ") if indent else (",", ":")
        text = json.dumps(
            value,
            sort_keys=True,
            ensure_ascii=False,
            indent=2 if indent else None,
            separators=separators,
        )
        return text + "\n"
    return data.decode("utf-8")


_COMPACT = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_INDENTED = _COMPACT | orjson.OPT_INDENT_2


def as_written(value: object) -> orjson.Fragment:
    """orjson's ``default``: a :class:`JSONNumber` as upstream wrote it; anything else refused."""
    if type(value) is JSONNumber:
        return orjson.Fragment(value.text)
    raise TypeError(f"a Python {type(value).__name__} is not a JSON value")


def json_value(value: object) -> str:
    """A value shown in words where it is not a string: ``{"a": 1}``, ``[1, 2]``, ``null``."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
