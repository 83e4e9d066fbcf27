"""How a relative change reads everywhere: ``+20 %``, ``-95 %``, ``+4.17 %``.

A module of its own, importing nothing of the package, so that ``cost`` (under the report) and
``render.values`` (over it) share the one rule without an import cycle.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

_CENT = Decimal("0.01")

ROUNDING = Context(prec=1000)
"""The context amounts and percentages are rounded in (``quantize(..., context=ROUNDING)``):
``quantize`` refuses (InvalidOperation) a result with more digits than its context holds, and
the default context's 28 are fewer than a catalog's price can give (1e25 per 1M tokens is a
valid number there); a float has at most 309 digits before the point."""


def percent(change_pct: float | Decimal | None) -> str:
    """Two decimals at most, trailing zeros dropped, the sign always shown; empty for None.

    A Decimal is rounded half up (the cost maths); a float as Python formats it.
    """
    if change_pct is None:
        return ""
    if isinstance(change_pct, Decimal):
        change_pct = change_pct.quantize(_CENT, rounding=ROUND_HALF_UP, context=ROUNDING)
    text = f"{change_pct:+.2f}".rstrip("0").rstrip(".")
    return f"{text} %"
