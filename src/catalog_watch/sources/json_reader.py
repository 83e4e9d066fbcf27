"""The one JSON reader: what catalog-watch takes in as JSON, when fetching and when reading back.

Three limits decide what a JSON value may hold, so that whatever a run accepts, the next run can
read back from its snapshot (issue 9):

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
hold paragraphs. :func:`bad_record` checks all of it in one walk.

Where each limit applies:

* :func:`read_upstream` (a fetched catalog, a catalog file) refuses only a document that is not
  JSON at all or nests deeper than :data:`MAX_DOCUMENT_DEPTH`. Bad values inside it are parsed
  the way Python's ``json`` gives them (``nan``, ``inf``, a ``str`` holding a surrogate), so that
  one bad record does not refuse the whole catalog: each source's validation calls
  :func:`bad_record` on every record it would keep and rejects the ones that break a limit. A
  key that an object repeats is found too (:func:`duplicates_in`), for the source to reject the
  record it is in. One leading UTF-8 byte order mark is skipped.
* :func:`read_stored` (a file catalog-watch wrote) is strict: any broken limit is an error. It
  skips one leading byte order mark as well (catalog-watch never writes one; a file saved again
  by an editor that adds it still reads, and the next write puts back the canonical bytes).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pydantic_core

from catalog_watch.model.catalog import JSON

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
    :data:`MAX_DOCUMENT_DEPTH`; bad values inside are left for :func:`bad_record`. A document
    in which an object repeats a key comes back as the same value (the last one wins, as in
    ``json.loads``) that :func:`duplicates_in` knows the repeats of.
    """
    data = _without_bom(_as_utf8(data))
    repeated: list[int] = []

    def pairs(items: list[tuple[str, JSON]]) -> dict[str, JSON]:
        mapping = dict(items)
        if len(mapping) != len(items):
            repeated.append(1)
        return mapping

    try:
        document = json.loads(data.decode("utf-8", "surrogatepass"), object_pairs_hook=pairs)
    except RecursionError:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document")) from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an int over 4300 digits
        raise JSONReadError(f"not valid JSON: {error}") from None
    if nesting_depth(data, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document"))
    return _with_duplicates(document, find_duplicates(data)) if repeated else document


def read_stored(data: bytes) -> JSON:
    """A file catalog-watch wrote, held to every limit; :class:`JSONReadError` if it breaks one.

    Meant for the snapshot's provider files and ``_meta.json`` (``snapshot._parse_json``).

    pydantic-core parses it (the same values as ``json.loads`` in less time, and it refuses NaN,
    Infinity and lone surrogates itself); the nesting and the float range are checked here.
    """
    data = _without_bom(data)
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


# -- Repeated keys ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key that one object of a document holds more than once (``json.loads`` keeps the last)."""

    path: tuple[str | int, ...]  # the keys and indexes down to the object that repeats it
    key: str
    lines: tuple[int, ...]  # the line of each occurrence, first to last

    @property
    def reason(self) -> str:
        """Why the record holding it is rejected (the rejection names the record and field)."""
        lines = ", ".join(str(line) for line in self.lines)
        return (
            f"appears {len(self.lines)} times in the document (lines {lines}); which one "
            "upstream means cannot be told"
        )

    def __str__(self) -> str:
        dotted = ".".join(printable(str(part)) for part in self.path)
        where = repr(dotted) if self.path else "the top level"
        lines = ", ".join(str(line) for line in self.lines)
        times = len(self.lines)
        return f"the key {printable(self.key)!r} appears {times} times in {where} (lines {lines})"


class DuplicatedObject(dict[str, JSON]):
    """A document (an object) some of whose objects repeat a key: see :func:`duplicates_in`."""

    __slots__ = ("duplicates",)

    def __init__(self, value: dict[str, JSON], duplicates: tuple[Duplicate, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


class DuplicatedArray(list[JSON]):
    """A document (an array) some of whose objects repeat a key: see :func:`duplicates_in`."""

    __slots__ = ("duplicates",)

    def __init__(self, value: list[JSON], duplicates: tuple[Duplicate, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


def duplicates_in(document: JSON) -> tuple[Duplicate, ...]:
    """The keys repeated in a document :func:`read_upstream` returned (none for any other value)."""
    if isinstance(document, DuplicatedObject | DuplicatedArray):
        return document.duplicates
    return ()


def find_duplicates(data: bytes) -> tuple[Duplicate, ...]:
    """Every key repeated within one object of the valid UTF-8 JSON ``data``, in document order.

    One pass over the strings and brackets in Python: several times slower than parsing, so
    :func:`read_upstream` calls it only once parsing has seen a repeat.
    """
    found: list[tuple[int, Duplicate]] = []
    stack: list[_Frame] = []
    for token in _STRUCTURE.finditer(data):
        text = token.group()
        top = stack[-1] if stack else None
        if text[0] == 0x22:  # a string: a key when its object waits for one
            if top is not None and top.keys is not None and top.expect_key:
                top.take_key(json.loads(text.decode("utf-8", "surrogatepass")), token.start())
        elif text in (b"{", b"["):
            stack.append(_Frame(top.child() if top else (), is_object=text == b"{"))
        elif text == b",":
            if top is not None:
                top.next_member()
        elif top is not None:  # "}" or "]"
            found.extend(stack.pop().repeats(data))
    return tuple(duplicate for _, duplicate in sorted(found, key=lambda item: item[0]))


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


_STORABLE = _Rule(_surely_storable, _storable_fault)
_CATALOG_TEXT = _Rule(str.isprintable, _text_fault)  # printable: no control, surrogate or nonchar

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
    if kind is float:
        if _isfinite(value):
            return None
        spelled = _spelled(value)
        return [], _NUMBER_REASONS[spelled], spelled
    if kind in _ALWAYS_PLAIN:
        return None
    return [], f"a Python {kind.__name__} is not a JSON value", None


def _first_in(items: Iterable[tuple[str | int, JSON]], room: int, rule: _Rule) -> _Found | None:
    plain = rule.plain
    for place, item in items:
        item_kind = type(item)
        if item_kind is str:
            if plain(item):
                continue
        elif item_kind is float:
            if _isfinite(item):
                continue
        elif item_kind in _ALWAYS_PLAIN:
            continue
        found = _first_unstorable(item, room - 1, rule)
        if found is not None:
            found[0].append(printable(place) if type(place) is str else place)
            return found
    return None


_ALWAYS_PLAIN = frozenset({int, bool, type(None)})
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


def _as_utf8(data: bytes) -> bytes:
    """``json.loads`` also reads UTF-16 and UTF-32; the byte-level checks below need UTF-8."""
    encoding = json.detect_encoding(data)
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    return data.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")


_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


class _Frame:
    """An object or array :func:`find_duplicates` is inside of."""

    __slots__ = ("expect_key", "keys", "member", "path")

    def __init__(self, path: tuple[str | int, ...], *, is_object: bool) -> None:
        self.path = path
        self.keys: dict[str, list[int]] | None = {} if is_object else None
        self.member: str | int = 0
        self.expect_key = is_object

    def child(self) -> tuple[str | int, ...]:
        return (*self.path, self.member)

    def take_key(self, key: str, offset: int) -> None:
        assert self.keys is not None
        self.keys.setdefault(key, []).append(offset)
        self.member, self.expect_key = key, False

    def next_member(self) -> None:
        if self.keys is not None:
            self.expect_key = True
        elif isinstance(self.member, int):
            self.member += 1

    def repeats(self, data: bytes) -> list[tuple[int, Duplicate]]:
        repeated = [(key, at) for key, at in (self.keys or {}).items() if len(at) > 1]
        return [
            (at[0], Duplicate(self.path, key, tuple(data.count(b"\n", 0, o) + 1 for o in at)))
            for key, at in repeated
        ]


def _with_duplicates(document: JSON, duplicates: tuple[Duplicate, ...]) -> JSON:
    if not duplicates:
        return document
    if isinstance(document, dict):
        return DuplicatedObject(document, duplicates)
    return DuplicatedArray(document, duplicates)


_BOM = b"\xef\xbb\xbf"


def _without_bom(data: bytes) -> bytes:
    """``data`` without its one leading UTF-8 byte order mark; a second one is left to fail."""
    return data[len(_BOM) :] if data.startswith(_BOM) else data


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
