"""Catalog text in a CSV cell: a spreadsheet that opens the file never reads it as a formula.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some, a tab or CR before one): a model named ``=HYPERLINK("https://x","click")``
or ``@SUM(1+1)*cmd|' /C calc'!A0`` in a catalog would become a live formula in a finance team's
price history. Such a cell is written with a leading ``'``, which the spreadsheet shows as text
(OWASP's advice for CSV injection); a number (``-0.5``) is left as it is, a number.
"""

from __future__ import annotations

import re

__all__ = ["cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates."""
    if text.startswith(_FORMULA_START) and _NUMBER.fullmatch(text) is None:
        return "'" + text
    return text
