"""The one JSON reader: what catalog-watch takes in as JSON, when fetching and when reading back.

Three limits decide what a JSON value may hold, so that whatever a run accepts, the next run can
read back from its snapshot (issue 9):

* **nesting**: at most :data:`MAX_DEPTH` levels of objects and arrays in a stored file;
* **numbers**: finite 64-bit floats only: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON,
  and a number such as ``1e400`` that a float cannot hold would read back as infinity;
* **strings**: no lone surrogate (``"\\ud800"``): JSON can spell one, UTF-8 cannot hold one.

Where each limit applies:

* :func:`read_upstream` (a fetched catalog, a catalog file) refuses only a document that is not
  JSON at all or nests deeper than :data:`MAX_DOCUMENT_DEPTH`. Bad values inside it are parsed
  the way Python's ``json`` gives them (``nan``, ``inf``, a ``str`` holding a surrogate), so that
  one bad record does not refuse the whole catalog: each source's validation calls
  :func:`unstorable` on every record it would keep and rejects the ones that break a limit.
* :func:`read_stored` (a file catalog-watch wrote) is strict: any broken limit is an error.

The invariant (tested in ``tests/test_json_limits.py``): a value ``v`` with ``unstorable(v)`` of
None is written by ``snapshot.canonical_json`` and read back by :func:`read_stored` as ``v``.

Errors are :class:`JSONReadError`, whose text is one clause with the position (``not valid JSON:
...``, ``nested deeper than 64 levels at line 3 column 9``) that the caller prefixes with the URL
or file it read.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import pydantic_core

from catalog_watch.catalog import JSON

MAX_DEPTH = 64
"""The most levels of objects and arrays a stored JSON file may nest (``{"a": [1]}`` is 2).

models.dev's api.json nests 9 levels and a model record 4, so 64 leaves room for any plausible
new upstream field. It stays far below the limits of the parsers that read the files back:
pydantic-core stops at about 200 levels ("recursion limit exceeded"), which is how one 210-level
record once made every later run fail, and CPython's recursion limit is 1000 frames.
"""

MAX_DOCUMENT_DEPTH = 256
"""The most levels an upstream document may nest for us to parse it at all.

Above :data:`MAX_DEPTH`, so that one record nested too deep is rejected on its own (its
provider's validation checks it against :data:`MAX_DEPTH`) rather than refusing the catalog; far
below CPython's recursion limit, where ``json``'s C parser would raise ``RecursionError`` at a
depth that depends on how deep the caller's stack already is.
"""


class JSONReadError(ValueError):
    """A document the reader refuses; the text is one clause naming the position."""


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


# -- Reading documents --------------------------------------------------------------------------


def read_upstream(data: bytes) -> JSON:
    """A document from upstream, with the values ``json.loads`` gives; see the module docstring.

    Raises :class:`JSONReadError` when it is not JSON or nests deeper than
    :data:`MAX_DOCUMENT_DEPTH`; bad values inside are left for :func:`unstorable`.
    """
    try:
        # The fast path, and the same values as ``json.loads`` (NaN and infinities included).
        # pydantic-core refuses lone surrogates and anything nested deeper than about 200
        # levels, under MAX_DOCUMENT_DEPTH (test_a_document_nested_too_deep_at_the_top... in
        # tests/test_json_limits.py pins that): ``json.loads`` then decides and explains.
        return pydantic_core.from_json(data, allow_inf_nan=True)
    except ValueError:
        pass
    data = _as_utf8(data)
    try:
        document = json.loads(data)
    except RecursionError:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document")) from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an int over 4300 digits
        raise JSONReadError(f"not valid JSON: {error}") from None
    if nesting_depth(data, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document"))
    return document


def read_stored(data: bytes) -> JSON:
    """A file catalog-watch wrote, held to every limit; :class:`JSONReadError` if it breaks one.

    Meant for the snapshot's provider files and ``_meta.json`` (``snapshot._parse_json``).

    pydantic-core parses it (the same values as ``json.loads`` in less time, and it refuses NaN,
    Infinity and lone surrogates itself); the nesting and the float range are checked here.
    """
    try:
        value = pydantic_core.from_json(data, allow_inf_nan=False)
    except ValueError as error:
        raise JSONReadError(_stored_error(data, str(error))) from None
    if nesting_depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise JSONReadError(_too_deep(data, MAX_DEPTH, "a snapshot file"))
    if _may_overflow(data) and unstorable(value) is not None:
        # Nesting, NaN and surrogates are ruled out above: what is left is a float that
        # overflowed. Where it is takes a scan of every token, done only then.
        raise JSONReadError(
            f"a number too large for a 64-bit float at {_overflow_position(data)}: it would "
            "read as infinity"
        )
    return value


# -- Checking values ----------------------------------------------------------------------------


def unstorable(value: JSON, depth: int = 1) -> Unstorable | None:
    """The first part of ``value`` that a stored file could not hold, or None when all is fine.

    ``depth`` is the level at which ``value`` itself sits in its file: 1 for a whole file, 3 for
    a model record (inside its provider's object and its ``models``). Flags what breaks a limit of
    the module docstring, and anything that is not a JSON value (a tuple, a non-string key).
    """
    found = _first_unstorable(value, MAX_DEPTH - depth + 1)
    if found is None:
        return None
    reversed_path, reason, shown = found
    path = tuple(reversed(reversed_path))
    if reason == _TOO_DEEP:
        path = path[:1]  # the field that holds it; its full path would be MAX_DEPTH keys long
    return Unstorable(path, reason, shown)


def printable(text: str) -> str:
    """``text`` with each lone surrogate written as ``\\udXXX``, so that UTF-8 can hold it."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def reportable(value: JSON) -> JSON:
    """A scalar as a rejection can report it in ``_meta.json``: NaN and infinities spelled as
    strings (``"NaN"``), lone surrogates escaped, objects, arrays and non-JSON values as None."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _spelled(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


# -- Internals ----------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_TOO_DEEP = f"nested deeper than the {MAX_DEPTH} levels a snapshot file may hold"
_SURROGATE_REASON = "holds a lone surrogate, which UTF-8 cannot encode"
_NUMBER_REASONS = {
    "NaN": "NaN is not a JSON number",
    "Infinity": "Infinity, or a number too large for a 64-bit float such as 1e400, is not a "
    "JSON number",
    "-Infinity": "-Infinity, or a number too large for a 64-bit float such as -1e400, is not a "
    "JSON number",
}

_Found = tuple[list[str | int], str, JSON]


def _first_unstorable(value: JSON, room: int) -> _Found | None:
    """The walk behind :func:`unstorable`; ``room``: the container levels still allowed.

    It runs over every record of every catalog, so it is written for speed: the path is built
    backwards while unwinding (a good value costs no path at all), a dict's keys are checked in
    one join, and plain scalars are passed over inline, without a call.
    """
    kind = type(value)
    if kind is dict:
        if room <= 0:
            return [], _TOO_DEEP, None
        if not _plain_keys(value):
            return _bad_key(value)
        for key, item in value.items():
            item_kind = type(item)
            if item_kind is str:
                if item.isascii() or not _SURROGATE.search(item):
                    continue
            elif item_kind is float:
                if _isfinite(item):
                    continue
            elif item_kind in _ALWAYS_PLAIN:
                continue
            found = _first_unstorable(item, room - 1)
            if found is not None:
                found[0].append(printable(key))
                return found
        return None
    if kind is list:
        if room <= 0:
            return [], _TOO_DEEP, None
        for index, item in enumerate(value):
            item_kind = type(item)
            if item_kind is str:
                if item.isascii() or not _SURROGATE.search(item):
                    continue
            elif item_kind is float:
                if _isfinite(item):
                    continue
            elif item_kind in _ALWAYS_PLAIN:
                continue
            found = _first_unstorable(item, room - 1)
            if found is not None:
                found[0].append(index)
                return found
        return None
    if kind is str:
        if value.isascii() or not _SURROGATE.search(value):
            return None
        return [], f"the text {_SURROGATE_REASON}", printable(value)
    if kind is float:
        if _isfinite(value):
            return None
        spelled = _spelled(value)
        return [], _NUMBER_REASONS[spelled], spelled
    if kind in _ALWAYS_PLAIN:
        return None
    return [], f"a Python {kind.__name__} is not a JSON value", None


_ALWAYS_PLAIN = frozenset({int, bool, type(None)})
_isfinite = math.isfinite


def _plain_keys(mapping: dict[Any, JSON]) -> bool:
    try:
        keys = "".join(mapping)
    except TypeError:  # a key that is not a string
        return False
    return keys.isascii() or not _SURROGATE.search(keys)


def _bad_key(mapping: dict[Any, JSON]) -> _Found:
    for key in mapping:
        if type(key) is not str:
            return [str(key)], "a field name that is not a string", None
        if _SURROGATE.search(key):
            return [printable(key)], f"the field name {_SURROGATE_REASON}", None
    raise AssertionError("_bad_key needs a dict whose keys _plain_keys refused")


def _spelled(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"


def _as_utf8(data: bytes) -> bytes:
    """``json.loads`` also reads UTF-16 and UTF-32; the byte-level checks below need UTF-8."""
    encoding = json.detect_encoding(data)
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    return data.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")


_KEEP_STRUCTURE = bytes(range(256)).translate(None, b'[]{}"')  # every byte but these is dropped
_QUOTED = re.compile(rb'"[^"]*"')
_SQUARE = bytes.maketrans(b"{}", b"[]")


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


_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _too_deep(data: bytes, limit: int, what: str) -> str:
    """The clause for a document deeper than ``limit``, with where it first gets that deep."""
    depth = 0
    for token in _TOKEN.finditer(data):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return (
                    f"nested deeper than {limit} levels at {_position(data, token.start())} "
                    f"({what} may nest at most {limit})"
                )
        elif bracket in (b"]", b"}"):
            depth -= 1
    return f"nested deeper than {limit} levels ({what} may nest at most {limit})"


def _position(data: bytes, offset: int) -> str:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return f"line {line} column {column}"


_JITER_POSITION = re.compile(r" at line (\d+) column (\d+)$")  # pydantic-core counts bytes


def _stored_error(data: bytes, message: str) -> str:
    """pydantic-core's message, in our words where it is one of our limits."""
    if message.startswith("recursion limit exceeded"):
        return _too_deep(data, MAX_DEPTH, "a snapshot file")
    place = _JITER_POSITION.search(message)
    if place is None:
        return f"not valid JSON: {message}"
    line, column = int(place.group(1)), int(place.group(2))
    line_start = 0
    for _ in range(line - 1):
        line_start = data.find(b"\n", line_start) + 1  # 0 if there is no such line: harmless
    offset = line_start + column - 1
    for literal in (b"NaN", b"Infinity"):
        if data.startswith(literal, offset):
            if data[offset - 1 : offset] == b"-":
                literal, offset = b"-" + literal, offset - 1
            return f"{literal.decode()} at {_position(data, offset)} is not a JSON number"
    if "surrogate" in message or "hex escape" in message or "unicode code point" in message:
        return f"not valid JSON: {message} (a lone surrogate, which UTF-8 cannot encode)"
    return f"not valid JSON: {message}"


# Digits as "0", "e" and "E" as "e", "+" kept, every other byte a space: a float can overflow
# only with a 3-digit exponent ("0e000", "0e+000") or 309 digits before its point. Hex strings
# (commit hashes) match too at times; the caller then checks the parsed value itself.
_NUMBERISH = bytes(
    48 if 48 <= c <= 57 else 101 if c in b"eE" else 43 if c == 43 else 32 for c in range(256)
)
_STRING_OR_NUMBER = re.compile(
    rb'"[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
)


def _may_overflow(data: bytes) -> bool:
    shape = data.translate(_NUMBERISH)
    return b"0e000" in shape or b"0e+000" in shape or b"0" * 309 in shape


def _overflow_position(data: bytes) -> str:
    """Where the first float that overflows to infinity starts, skipping strings."""
    for token in _STRING_OR_NUMBER.finditer(data):
        text = token.group()
        if not text.startswith(b'"') and any(c in text for c in b".eE") and math.isinf(float(text)):
            return _position(data, token.start())
    return "an unknown place"
