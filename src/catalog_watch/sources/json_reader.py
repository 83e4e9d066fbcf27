"""The one JSON reader: what catalog-watch takes in as JSON, when fetching and when reading back.

The limits on what a JSON value may hold (nesting, numbers, strings, and the text rule of a
catalog record) are in :mod:`~catalog_watch.sources.json_values`, so that whatever a run accepts,
the next run can read back from its snapshot (issue 9); repeated keys are found by
:mod:`~catalog_watch.sources.json_duplicates`.

Where each limit applies:

* :func:`read_upstream` (a fetched catalog, a catalog file) refuses only a document that is not
  JSON at all or nests deeper than :data:`MAX_DOCUMENT_DEPTH`. Bad values inside it are parsed
  the way Python's ``json`` gives them (``nan``, ``inf``, a ``str`` holding a surrogate), so that
  one bad record does not refuse the whole catalog: each source's validation calls
  ``bad_record`` on every record it would keep and rejects the ones that break a limit. A
  key that an object repeats is found too (``duplicates_in``), for the source to reject the
  record it is in. One leading UTF-8 byte order mark is skipped. A document that is byte for
  byte what orjson writes for it (as models.dev serves api.json) is read by orjson alone.
* A float whose text is not how the snapshot encoder spells it comes back as a
  :class:`~catalog_watch.model.json_text.JSONNumber` holding that text (``0.000053``, which
  ``repr`` spells ``5.3e-05``), so that the snapshot writes it as upstream did.
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

import importlib
import json
import math
import re
from collections.abc import Callable

import orjson

from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import JSONNumber
from catalog_watch.sources.json_duplicates import find_duplicates, with_duplicates
from catalog_watch.sources.json_values import MAX_DEPTH, PlainDocument, nesting_depth, unstorable

MAX_DOCUMENT_DEPTH = 256
"""The most levels an upstream document may nest for us to parse it at all.

Above :data:`MAX_DEPTH`, so that one record nested too deep is rejected on its own (its
provider's validation checks it against :data:`MAX_DEPTH`) rather than refusing the catalog; far
below CPython's recursion limit, where ``json``'s C parser would raise ``RecursionError`` at a
depth that depends on how deep the caller's stack already is.
"""


class JSONReadError(ValueError):
    """A document the reader refuses; the text is one clause naming the position."""


# -- Reading documents --------------------------------------------------------------------------


def read_upstream(data: bytes) -> JSON:
    """A document from upstream, with the values ``json.loads`` gives; see the module docstring.

    Raises :class:`JSONReadError` when it is not JSON or nests deeper than
    :data:`MAX_DOCUMENT_DEPTH`; bad values inside are left for ``bad_record``. A document
    in which an object repeats a key comes back as the same value (the last one wins, as in
    ``json.loads``) that :func:`duplicates_in` knows the repeats of.
    """
    data = _without_bom(_as_utf8(data))
    canonical = _as_orjson_writes_it(data)
    if canonical is not None:
        return canonical
    repeated: list[int] = []

    def pairs(items: list[tuple[str, JSON]]) -> dict[str, JSON]:
        mapping = dict(items)
        if len(mapping) != len(items):
            repeated.append(1)
        return mapping

    try:
        text = data.decode("utf-8", "surrogatepass")
        document = json.loads(text, object_pairs_hook=pairs, parse_float=_number)
    except RecursionError:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document")) from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, an int over 4300 digits
        raise JSONReadError(f"not valid JSON: {error}") from None
    if nesting_depth(data, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH:
        raise JSONReadError(_too_deep(data, MAX_DOCUMENT_DEPTH, "a document"))
    return with_duplicates(document, find_duplicates(data)) if repeated else document


def _as_orjson_writes_it(data: bytes) -> JSON | None:
    """The document, when ``data`` is byte for byte what orjson writes for it; else None.

    models.dev serves api.json that way (compact, every number and escape spelled as orjson
    spells it), and orjson reads it in a fraction of the time the careful parse below takes.
    Equal bytes prove that the careful parse gives the same value: a repeated key would be
    missing from what orjson writes back; a number orjson spells otherwise (``0.0000025``, which
    it writes ``2.5e-6`` and the careful parse keeps as a :class:`JSONNumber`; an integer past
    64 bits, which orjson reads as a float; ``-0``) would differ; and what orjson cannot read
    (NaN, a lone surrogate, invalid UTF-8) or write back (more than 254 levels, less than
    :data:`MAX_DOCUMENT_DEPTH`) raises. All of that takes the careful path, with its errors.
    An object comes back as a :class:`PlainDocument`, which validation checks at C speed.
    """
    try:
        document: JSON = orjson.loads(data)
        written = orjson.dumps(document)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if written != data.strip(_JSON_SPACE):
        return None
    return PlainDocument(document) if type(document) is dict else document


_JSON_SPACE = b" \t\n\r"


def _number(text: str) -> float:
    """A float as parsed, remembering its text where the snapshot encoder (orjson) would spell
    it otherwise (``0.000053``, ``1E3``, ``1.50``): snapshots keep numbers as upstream wrote them.
    """
    value = float(text)
    if _spelling(value) == text.encode():
        return value
    return JSONNumber(value, text)


_spelling = orjson.dumps


def read_stored(data: bytes) -> JSON:
    """A file catalog-watch wrote, held to every limit; :class:`JSONReadError` if it breaks one.

    Meant for the snapshot's provider files and ``_meta.json`` (``snapshot._parse_json``).

    orjson or pydantic-core parses it (:func:`_parse_stored`: the same values as ``json.loads``
    in less time, refusing NaN, Infinity and lone surrogates themselves); the nesting and the
    float range are checked here.
    """
    data = _without_bom(data)
    shape = data.translate(_NUMBERISH)
    value = _parse_stored(data, shape)
    if nesting_depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise JSONReadError(_too_deep(data, MAX_DEPTH, "a snapshot file"))
    if _may_overflow(shape) and unstorable(value) is not None:
        # Nesting, NaN and surrogates are ruled out above: what is left is a float that
        # overflowed. Where it is takes a scan of every token, done only then.
        raise JSONReadError(
            f"a number too large for a 64-bit float at {_overflow_position(data)}: it would "
            "read as infinity"
        )
    return value


def _parse_stored(data: bytes, shape: bytes) -> JSON:
    """orjson's values where they are pydantic-core's, else pydantic-core's, or its error.

    orjson reads an integer past 64 bits as a float (``2**64`` as ``1.8446744073709552e+19``),
    so a document that may hold an integer of 19 digits or more goes to pydantic-core, which
    keeps it. So does anything orjson refuses: the errors are pydantic-core's, which
    :func:`_stored_error` words, and an overflowing float, which it reads as infinity for
    :func:`read_stored` to place. pydantic-core is imported only then (:data:`FALLBACK_PARSER`).
    """
    if not _may_hold_long_integer(data, shape):
        try:
            document: JSON = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            return document
    from_json: Callable[..., JSON] = importlib.import_module(FALLBACK_PARSER).from_json
    try:
        return from_json(data, allow_inf_nan=False)
    except ValueError as error:
        raise JSONReadError(_stored_error(data, str(error))) from None


FALLBACK_PARSER = "pydantic_core"
"""Imported by name when first needed: its import (about 40 ms) was the largest part of the
``check`` fast path's own, which reads ``_meta.json`` and nothing else."""
_LONG_DIGITS = b"0" * 19  # 19 digits in the shape: at least 2**63, past orjson's integers
_BEFORE_A_NUMBER = frozenset(b" \t\n\r:,[")


def _may_hold_long_integer(data: bytes, shape: bytes) -> bool:
    """Whether a run of 19 digits or more starts where a JSON number can (after ``:``, ``,``,
    ``[``, white space or the start, with or without ``-``). A run after a quote, a letter or a
    point (a hash, a string of digits, a fraction) is not an integer; a run in a string after a
    space is taken for one, which only costs the slower parser."""
    at = shape.find(_LONG_DIGITS)
    while at != -1:
        start = at - 1 if at and data[at - 1] == 45 else at  # 45: "-"
        if start == 0 or data[start - 1] in _BEFORE_A_NUMBER:
            return True
        end = at + len(_LONG_DIGITS)
        while end < len(shape) and shape[end] == 48:  # 48: a digit's "0"
            end += 1
        at = shape.find(_LONG_DIGITS, end)
    return False


def _as_utf8(data: bytes) -> bytes:
    """``json.loads`` also reads UTF-16 and UTF-32; the byte-level checks below need UTF-8."""
    encoding = json.detect_encoding(data)
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    return data.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")


_BOM = b"\xef\xbb\xbf"


def _without_bom(data: bytes) -> bytes:
    """``data`` without its one leading UTF-8 byte order mark; a second one is left to fail."""
    return data[len(_BOM) :] if data.startswith(_BOM) else data


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


def _may_overflow(shape: bytes) -> bool:
    """``shape``: the bytes translated by ``_NUMBERISH``."""
    return b"0e000" in shape or b"0e+000" in shape or b"0" * 309 in shape


def _overflow_position(data: bytes) -> str:
    """Where the first float that overflows to infinity starts, skipping strings."""
    for token in _STRING_OR_NUMBER.finditer(data):
        text = token.group()
        if not text.startswith(b'"') and any(c in text for c in b".eE") and math.isinf(float(text)):
            return _position(data, token.start())
    return "an unknown place"
