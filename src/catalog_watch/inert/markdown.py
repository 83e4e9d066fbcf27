"""Catalog text in GitHub markdown (PR body, step summary, CHANGELOG.md): shown, never acted on.

GitHub acts on more than markdown: after rendering it links ``@user`` and ``@org/team`` (and
notifies them), ``#123`` and ``GH-123`` (and a merged PR with ``fixes #123`` closes the issue),
bare URLs, and it keeps a subset of raw HTML. :func:`text` makes a value plain text in a table
cell or a list item: HTML's ``<``, ``>`` and ``&`` become entities, backslashes, brackets
(links, images) and emphasis marks are backslash-escaped, a word joiner (U+2060) after ``@``, ``#``,
``GH-`` and ``://`` keeps GitHub from seeing a mention, a reference or a link, pipes cannot end
a cell, and line breaks and control characters are spelled out. :func:`code` puts an id in a
code span whose fence is longer than any backtick run in it, so it shows as upstream wrote it.
"""

from __future__ import annotations

import re

from catalog_watch.inert.terminal import one_line

WORD_JOINER = "\u2060"

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;"}
_PUNCTUATION = "\\[]*_~"
_SPECIAL = re.compile(r"[&<>|`\\\[\]*_~@#]|(?<![A-Za-z0-9])(?i:GH)-|://|(?i:www)\.")
_BACKTICKS = re.compile(r"`+")
_REFERENCE = re.compile(r"[@#]|(?<![A-Za-z0-9])(?i:GH)-|://|(?i:www)\.")


def text(value: str) -> str:
    """``value`` as inert plain text, on one line, safe in a table cell."""
    return _SPECIAL.sub(_defuse, one_line(value))


def without_references(value: str) -> str:
    """``value`` with a word joiner where GitHub would see a mention, a reference or a link.

    For text GitHub scans but does not render as markdown, such as commit messages (where
    ``fixes #1`` on the default branch closes issue 1).
    """
    return _REFERENCE.sub(_defuse, value)


def code(value: str, *, table: bool = True) -> str:
    """``value`` in a code span, on one line (``""`` for an empty value).

    In a table (the default) pipes are escaped as ``\\|``, which GFM undoes inside code spans of
    a cell; outside a table a backslash would show, so pass ``table=False`` there.
    """
    value = one_line(value)
    if not value:
        return ""
    if table:
        value = value.replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(value)), default=0))
    pad = " " if value[0] in "` " or value[-1] in "` " else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _defuse(match: re.Match[str]) -> str:
    found = match.group()
    if found in _ENTITIES:
        return _ENTITIES[found]
    if found in _PUNCTUATION:
        return f"\\{found}"
    if found == "://":
        return f":{WORD_JOINER}//"
    if found.endswith("."):
        return f"{found[:-1]}{WORD_JOINER}."
    return f"{found}{WORD_JOINER}"
