"""Catalog text on a terminal: control characters are shown, never obeyed."""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls but tab and line feed, DEL, C1 controls, the line and paragraph separators, the
# bidirectional overrides and isolates that reorder what a reader sees ("Trojan source"), and the
# lone surrogates that carry the bytes of a name that is not UTF-8 (written raw, they would make
# the output itself invalid UTF-8: ``usage --format json`` on a file named ``bad\xffname.py``).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_CONTROL_OR_NEWLINE = re.compile(f"[\n\t{_CONTROL.pattern[1:-1]}]")


def escape(char: str) -> str:
    """``\\u001b`` for ESC: the same spelling JSON uses, so escaped JSON stays valid JSON."""
    return f"\\u{ord(char):04x}"


def shown(text: str) -> str:
    """``text`` with every control character but tab and line feed spelled out."""
    return _CONTROL.sub(lambda match: escape(match.group()), text)


def one_line(text: str) -> str:
    """``text`` as one line: line feeds and tabs spelled out too (for a value inside a line)."""
    return _CONTROL_OR_NEWLINE.sub(lambda match: escape(match.group()), text)


def lines(rows: Iterable[str]) -> str:
    """Report lines as terminal text: each row stays one line whatever the catalog values in it
    hold (a model name with a line feed cannot fake a line of its own); a newline ends each."""
    return "".join(f"{one_line(row)}\n" for row in rows)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None
