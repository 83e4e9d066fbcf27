"""A config file's validation error in the file's own terms: one line with the line number, the
key, what is expected there and what was found (``catalog-watch.toml:12: watch#1.kinds: expected
a list such as ["a", "b"], got "price_changed"``), never pydantic's "Input should be a valid tuple".
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

Loc = tuple[int | str, ...]

_EXPECTED = {
    "tuple_type": 'a list such as ["a", "b"]',
    "list_type": 'a list such as ["a", "b"]',
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "string_too_short": "a non-empty string",
    "date_type": "a date such as 2026-12-31",
    "date_parsing": "a date such as 2026-12-31",
    "date_from_datetime_parsing": "a date such as 2026-12-31",
    "date_from_datetime_inexact": "a date such as 2026-12-31",
    "model_type": "a table",
    "dataclass_type": "a table",
    "dict_type": "a table",
    "string_pattern_mismatch": "a name of letters, digits and _ (an environment variable)",
    "too_short": "a list of at least one value",
    "finite_number": "a finite number",
}
_BOUNDS = {
    "greater_than": ("gt", "above"),
    "greater_than_equal": ("ge", "of at least"),
    "less_than": ("lt", "below"),
    "less_than_equal": ("le", "of at most"),
}
_HEADER = re.compile(r"""^\s*(\[\[?)\s*([A-Za-z0-9_.\-"' ]+?)\s*\]\]?\s*(?:#.*)?$""")
_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_KEY_PART = re.compile(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""")


def describe(path: object, text: str, error: ValidationError, root: type) -> str:
    """The first problem of ``error`` as one line naming file, line, key and expectation."""
    problems = _without_echoes(error.errors())
    first = problems[0]
    loc = tuple(first["loc"])
    line = line_of(loc, text)
    where = f"{path}:{line}" if line is not None else f"{path}"
    key = f" {key_name(loc)}:" if loc else ""
    more = len(problems) - 1
    rest = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}:{key} {problem(first, root)}{rest}"


def _without_echoes(problems: list[ErrorDetails]) -> list[ErrorDetails]:
    """Without a list's "too short" that only echoes a refused item of it: pydantic drops the
    item and then counts the list short (``lead_days = [99999]``: one problem, not two)."""
    lists = {tuple(p["loc"][:-1]) for p in problems if p["loc"] and isinstance(p["loc"][-1], int)}
    kept = [p for p in problems if not (p["type"] == "too_short" and tuple(p["loc"]) in lists)]
    return kept or problems


def problem(item: ErrorDetails, root: type) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's
        known = known_keys(tuple(item["loc"]), root)
        return "unknown key" + (f"; known here: {', '.join(known)}" if known else "")
    if kind == "missing":
        return "missing (required)"
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    expected = _EXPECTED.get(kind)
    if kind in _BOUNDS:
        bound, words = _BOUNDS[kind]
        expected = f"a number {words} {_bound(ctx[bound])}"
    elif "expected" in ctx:
        expected = f"one of {ctx['expected']}"
    if expected is None:
        return str(item["msg"])
    return f"expected {expected}, got {_shown(item['input'])}"


def _bound(value: float) -> str:
    """``87600``, not ``87600.0`` or ``5.256e+06``: pydantic hands a float bound as a float."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def key_name(loc: Loc) -> str:
    """``('watch', 0, 'kinds')`` → ``watch#1.kinds``: the n-th table of an array, from 1."""
    name = ""
    for part in loc:
        name += f"#{part + 1}" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def known_keys(loc: Loc, root: type) -> list[str]:
    """The keys the table holding ``loc``'s last key accepts (empty when it is not a table)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = _field_types(model)
        if fields is None or part not in fields:
            return []
        args = [a for a in get_args(fields[part]) if a is not Ellipsis]
        model = args[0] if args else fields[part]
    fields = _field_types(model)
    return sorted(fields) if fields is not None else []


def _field_types(model: Any) -> dict[str, Any] | None:
    """A table's keys and their types (every section is a dataclass); None for anything else."""
    if isinstance(model, type) and dataclasses.is_dataclass(model):
        hints = get_type_hints(model)
        return {f.name: hints[f.name] for f in dataclasses.fields(model)}
    return None


def line_of(loc: Loc, text: str) -> int | None:
    """The line of the key at ``loc`` (or of its nearest table or key found), from 1."""
    lines = key_lines(text)
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def key_lines(text: str) -> dict[Loc, int]:
    """Every table header and key assignment of a TOML text → its line (the first one)."""
    found: dict[Loc, int] = {}
    table: Loc = ()
    arrays: Counter[Loc] = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            path = _parts(header[2])
            if header[1] == "[[":
                table = (*path, arrays[path])
                arrays[path] += 1
            else:
                table = path
            found.setdefault(table, number)
        elif key := _KEY.match(line):
            found.setdefault((*table, *_parts(key[1])), number)
    return found


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(next(g for g in m.groups() if g is not None) for m in _KEY_PART.finditer(dotted))


def _shown(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
