"""Catalog text in XML and HTML: characters XML 1.0 forbids are replaced, markup is escaped."""

from __future__ import annotations

import html
import re

REPLACEMENT = "\ufffd"

# XML 1.0 allows tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and U+10000 up; lone surrogates are
# not characters at all. C1 controls are allowed but "discouraged": replaced too, they are never
# meant as text in a catalog.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD (still to be escaped)."""
    return _FORBIDDEN.sub(REPLACEMENT, text)


def html_text(text: str) -> str:
    """``text`` ready for HTML content or a quoted attribute."""
    return html.escape(xml_text(text), quote=True)
