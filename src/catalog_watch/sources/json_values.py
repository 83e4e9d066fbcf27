"""What a JSON value may hold for catalog-watch to store it and read it back (issue 9).

Three limits:

* **nesting**: at most :data:`MAX_DEPTH` levels of objects and arrays in a stored file;
* **numbers**: finite 64-bit floats only: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON,
  and a number such as ``1e400`` that a float cannot hold would read back as infinity;
* **strings**: no lone surrogate (``"\\ud800"``): JSON can spell one, UTF-8 cannot hold one.

A catalog record is held to a fourth, the **text rule** (issue 10), so that no sink (a terminal,
the Actions log, markdown, the XML feed) is handed a character that acts instead of showing:
no C0 control (U+0000-U+001F) but tab, LF and CR, no DEL (U+007F), no C1 control
(U+0080-U+009F), no noncharacter (U+FDD0-U+FDEF, U+FFFE, U+FFFF and their kin in every plane),
which with the surrogates covers every character XML 1.0 forbids. Stricter still: a field name
holds no control character at all, nor does ``id``; ``name`` and ``status`` hold no line break.
Tab is allowed in text because the real catalogs use it (four novita-ai model names in
models.dev 2026-03 and 2026-06 end in one), LF in free text because OpenRouter's descriptions
hold paragraphs. And an integer in a record stays within 64 bits (``-2**63`` to ``2**64 - 1``,
what orjson reads and writes): ``10**400`` spelled out is valid JSON, but it broke the checks'
float maths and the site's writer (a stored file may hold one: it reads back exact).
:func:`bad_record` checks all of it in one walk.

Where each limit applies is :mod:`~catalog_watch.sources.json_reader`'s to say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import JSONNumber

MAX_DEPTH = 64
"""The most levels of objects and arrays a stored JSON file may nest (``{"a": [1]}`` is 2).

models.dev's api.json nests 9 levels and a model record 4, so 64 leaves room for any plausible
new upstream field. It stays far below the limits of the parsers that read the files back:
pydantic-core stops at about 200 levels ("recursion limit exceeded"), which is how one 210-level
record once made every later run fail, and CPython's recursion limit is 1000 frames.
"""


@dataclass(frozen=True, slots=True)
class Unstorable:
    """The first part of a value that a stored file cannot hold."""

    path: tuple[str | int, ...]  # the keys and indexes down to it; for nesting, the outer field
    reason: str
    value: JSON = None  # the offending value as it can be reported (``"NaN"``), else None

    @property
    def field(self) -> str:
        """The dotted path (``cost.input``, ``reasoning_options.0.effort``), or ``(record)``."""
        return ".".join(str(part) for part in self.path) or "(record)"


# -- Checking values ----------------------------------------------------------------------------


def unstorable(value: JSON, depth: int = 1) -> Unstorable | None:
    """The first part of ``value`` that a stored file could not hold, or None when all is fine.

    ``depth`` is the level at which ``value`` itself sits in its file: 1 for a whole file, 3 for
    a model record (inside its provider's object and its ``models``). Flags what breaks a limit of
    the module docstring, and anything that is not a JSON value (a tuple, a non-string key).
    """
    return _walk(value, depth, _STORABLE)


def bad_record(record: JSON, depth: int) -> Unstorable | None:
    """The first part of a catalog record that breaks a limit, the text rule included, or None.

    ``record`` is a model record or a provider's own fields, at ``depth`` in its file (see
    :func:`unstorable`); one walk checks every value and field name, then ``id`` is held to the
    field-name rule and ``name`` and ``status`` to one line.
    """
    found = _walk(record, depth, _CATALOG_TEXT)
    if found is not None or type(record) is not dict:
        return found
    for field, allowed in _ONE_LINE_FIELDS.items():
        text = record.get(field)
        if type(text) is str and not text.isprintable():
            fault = _text_fault(text, allowed)
            if fault is not None:
                return Unstorable((field,), fault + _ONE_LINE_NOTE[allowed], printable(text))
    return None


def printable(text: str) -> str:
    """``text`` with each lone surrogate, control character and noncharacter escaped
    (``\\ud800``, ``\\x1b``, ``\\ufffe``): UTF-8 can hold it and no sink acts on it."""
    if text.isprintable() or not _ESCAPED.search(text):
        return text
    return _ESCAPED.sub(_escape, text)


def reportable(value: JSON) -> JSON:
    """A scalar as a rejection can report it in ``_meta.json``: NaN and infinities spelled as
    strings (``"NaN"``), lone surrogates and control characters escaped, objects, arrays and
    non-JSON values as None."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _spelled(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


# -- Documents orjson read -----------------------------------------------------------------------


class PlainDocument(dict[str, JSON]):
    """A document (an object) that ``json_reader`` read with orjson from bytes orjson writes back
    unchanged: every value in it is plain JSON (string keys, finite floats, integers within 64
    bits, no lone surrogate), so the bytes orjson writes for a part of it tell
    :func:`surely_good` all that :func:`bad_record` would find there."""

    __slots__ = ()


def surely_good(part: JSON, depth: int) -> bool:
    """True when no record within ``part`` (a value taken from a :class:`PlainDocument`, at
    ``depth`` in its file) can break a limit: then :func:`bad_record` finds nothing in it.

    One pass in C over what orjson writes for it, not a walk of every value: no escape of a
    control character (``\\n`` and ``\\t`` included, allowed in some text: the walk decides
    those), no DEL, C1 control or noncharacter in UTF-8, and no deeper nesting than its depth
    allows. False only means: walk it.
    """
    data = orjson.dumps(part)
    if b"\\" in data and _CONTROL_ESCAPE.search(data):
        return False
    if _FORBIDDEN_UTF8.search(data.translate(None, _ASCII_BUT_DEL)):
        return False
    room = MAX_DEPTH - depth + 1
    return nesting_depth(data, room) <= room


_CONTROL_ESCAPE = re.compile(rb"\\[bfnrtu]")  # orjson escapes C0 controls only, as these
_ASCII_BUT_DEL = bytes(range(0x7F))
# In what is left (DEL and whole UTF-8 sequences, side by side): DEL, C1 controls (U+0080-U+009F),
# U+FDD0-U+FDEF, U+FFFE, U+FFFF and the last two code points of every other plane. Each pattern
# starts at a lead byte, so a match never spans two sequences.
_FORBIDDEN_UTF8 = re.compile(
    rb"\x7f|\xc2[\x80-\x9f]|\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)


def nesting_depth(data: bytes, limit: int) -> int:
    """How many levels the valid UTF-8 JSON ``data`` nests, or ``limit + 1`` once it is deeper.

    Byte operations only, each a single pass in C (a 2.4 MB catalog takes a few ms, against a
    Python walk of every value): escaped backslashes and quotes go, then every byte but brackets
    and quotes; what is left of the strings goes, and each round of removing ``[]`` pairs strips
    one level. Only meaningful for valid JSON, so callers parse first.
    """
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Adjacent quotes open and close a string without brackets, or close one and open the next
    # with nothing between: either way they say nothing about nesting.
    skeleton = data.translate(None, _KEEP_STRUCTURE).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = _QUOTED.sub(b"", skeleton)
    skeleton = skeleton.translate(_SQUARE)
    depth = 0
    while skeleton and depth <= limit:
        stripped = skeleton.replace(b"[]", b"")
        if len(stripped) == len(skeleton):
            break  # unbalanced: not valid JSON, which callers have already ruled out
        skeleton = stripped
        depth += 1
    return depth


_KEEP_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')  # every byte but these is dropped
_QUOTED = re.compile(rb'"[^"]*"')
_SQUARE = bytes.maketrans(b"{}", b"[]")


# -- Internals ----------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_ESCAPED = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_TOO_DEEP = f"nested deeper than the {MAX_DEPTH} levels a snapshot file may hold"
_SURROGATE_REASON = "holds a lone surrogate, which UTF-8 cannot encode"
_NUMBER_REASONS = {
    "NaN": "NaN is not a JSON number",
    "Infinity": "Infinity, or a number too large for a 64-bit float such as 1e400, is not a "
    "JSON number",
    "-Infinity": "-Infinity, or a number too large for a 64-bit float such as -1e400, is not a "
    "JSON number",
}

# The C0 controls each kind of text may hold (see the module docstring).
_FREE_TEXT = "\t\n\r"
_ONE_LINE = "\t"
_NAME = ""
_ONE_LINE_FIELDS = {"id": _NAME, "name": _ONE_LINE, "status": _ONE_LINE}
_ONE_LINE_NOTE = {_NAME: " in an id", _ONE_LINE: " in a one-line field"}
_FORBIDDEN = {
    allowed: re.compile(
        "[" + "".join(chr(c) for c in range(0x20) if chr(c) not in allowed) + "\x7f-\x9f"
        f"{_NONCHARACTERS}]"
    )
    for allowed in (_FREE_TEXT, _ONE_LINE, _NAME)
}


def _text_fault(text: str, allowed: str) -> str | None:
    """What breaks the text rule in ``text``: C0 controls but ``allowed`` are refused."""
    if _SURROGATE.search(text):
        return _SURROGATE_REASON
    bad = _FORBIDDEN[allowed].search(text)
    if bad is None:
        return None
    code = ord(bad.group())
    kind = "control character" if code <= 0x9F else "noncharacter"
    return f"holds {kind} U+{code:04X}"


def _storable_fault(text: str, allowed: str) -> str | None:
    return _SURROGATE_REASON if _SURROGATE.search(text) else None


def _surely_storable(text: str) -> bool:
    return text.isascii() or not _SURROGATE.search(text)


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the walk holds strings to: ``plain`` is a fast test that passes most good text,
    ``fault`` the reason a string fails (None: it passes after all)."""

    plain: Callable[[str], bool]
    fault: Callable[[str, str], str | None]
    ints: tuple[float, float] = (-math.inf, math.inf)  # the integers it allows, ends included


_STORABLE = _Rule(_surely_storable, _storable_fault)
# printable: no control, surrogate or nonchar
_CATALOG_TEXT = _Rule(str.isprintable, _text_fault, (-(2**63), 2**64 - 1))

_Found = tuple[list[str | int], str, JSON]


def _walk(value: JSON, depth: int, rule: _Rule) -> Unstorable | None:
    found = _first_unstorable(value, MAX_DEPTH - depth + 1, rule)
    if found is None:
        return None
    reversed_path, reason, shown = found
    path = tuple(reversed(reversed_path))
    if reason == _TOO_DEEP:
        path = path[:1]  # the field that holds it; its full path would be MAX_DEPTH keys long
    return Unstorable(path, reason, shown)


def _first_unstorable(value: JSON, room: int, rule: _Rule) -> _Found | None:
    """The walk behind :func:`unstorable`; ``room``: the container levels still allowed.

    It runs over every record of every catalog, so it is written for speed: the path is built
    backwards while unwinding (a good value costs no path at all), a dict's keys are checked in
    one join, and plain scalars are passed over inline, without a call.
    """
    kind = type(value)
    if kind is dict:
        if room <= 0:
            return [], _TOO_DEEP, None
        if not _plain_keys(value, rule):
            found = _bad_key(value, rule)
            if found is not None:
                return found
        return _first_in(value.items(), room, rule)
    if kind is list:
        if room <= 0:
            return [], _TOO_DEEP, None
        return _first_in(enumerate(value), room, rule)
    if kind is str:
        if rule.plain(value):
            return None
        fault = rule.fault(value, _FREE_TEXT)
        return None if fault is None else ([], fault, printable(value))
    if kind is float or kind is JSONNumber:
        if _isfinite(value):
            return None
        spelled = _spelled(value)
        return [], _NUMBER_REASONS[spelled], spelled
    if kind is int:
        low, high = rule.ints
        return None if low <= value <= high else ([], _LONG_INT, _shown_int(value))
    if kind in _ALWAYS_PLAIN:
        return None
    return [], f"a Python {kind.__name__} is not a JSON value", None


def _first_in(items: Iterable[tuple[str | int, JSON]], room: int, rule: _Rule) -> _Found | None:
    plain, (low, high) = rule.plain, rule.ints
    for place, item in items:
        item_kind = type(item)
        if item_kind is str:
            if plain(item):
                continue
        elif item_kind is float or item_kind is JSONNumber:
            if _isfinite(item):
                continue
        elif item_kind is int:
            if low <= item <= high:
                continue
        elif item_kind in _ALWAYS_PLAIN:
            continue
        found = _first_unstorable(item, room - 1, rule)
        if found is not None:
            found[0].append(printable(place) if type(place) is str else place)
            return found
    return None


_ALWAYS_PLAIN = frozenset({bool, type(None)})
_LONG_INT = "an integer beyond 64 bits is not a number catalog-watch accepts in a catalog"


def _shown_int(number: int) -> str:
    """A long integer as a rejection reports it: a few digits and the count (``_meta.json`` is
    written by orjson, which holds no such integer)."""
    digits = str(abs(number))
    return f"{'-' if number < 0 else ''}{digits[:12]}… ({len(digits)} digits)"


_isfinite = math.isfinite


def _plain_keys(mapping: dict[Any, JSON], rule: _Rule) -> bool:
    try:
        keys = "".join(mapping)
    except TypeError:  # a key that is not a string
        return False
    return rule.plain(keys)


def _bad_key(mapping: dict[Any, JSON], rule: _Rule) -> _Found | None:
    for key in mapping:
        if type(key) is not str:
            return [str(key)], "a field name that is not a string", None
        fault = rule.fault(key, _NAME)
        if fault is not None:
            return [printable(key)], f"the field name {fault}", None
    return None  # text ``plain`` stops at but ``fault`` allows, such as U+200D in an emoji


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _spelled(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"
