"""Catalog text in XML and HTML: characters XML 1.0 forbids are replaced, markup is escaped.

The bidirectional overrides and isolates (and the invisible marks and separators the terminal
shows too) are allowed in XML but reorder what a reader sees ("Trojan source"): they are
spelled out as the terminal spells them (``\\u202e``), so a page shows the id upstream wrote.
"""

from __future__ import annotations

import html
import re

from catalog_watch.inert.terminal import escape

REPLACEMENT = "\ufffd"

# XML 1.0 allows tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and U+10000 up; lone surrogates are
# not characters at all. C1 controls are allowed but "discouraged": replaced too, they are never
# meant as text in a catalog.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_REORDERING = re.compile("[\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD and the reordering
    controls spelled out (still to be escaped)."""
    text = _FORBIDDEN.sub(REPLACEMENT, text)
    return _REORDERING.sub(lambda match: escape(match.group()), text)


def html_text(text: str) -> str:
    """``text`` ready for HTML content or a quoted attribute."""
    return html.escape(xml_text(text), quote=True)
