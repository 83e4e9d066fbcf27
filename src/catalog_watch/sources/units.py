"""Unit conversion shared by the source adapters: every price ends up USD per 1M tokens.

Decimal arithmetic, because ``8e-07 * 1e6`` is ``0.7999999999999999`` in floats, and a price
that reads as a change in every run would be noise.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MILLION = Decimal(1_000_000)


class NotAPrice(ValueError):
    """The value is not a finite, non-negative number (or a decimal string of one)."""


def per_million(per_token: object, *, scale: Decimal = MILLION) -> int | float:
    """USD per token (a number or a decimal string) → USD per 1M tokens, exactly.

    Whole results come back as ``int`` (``3``), others as the shortest float (``0.075``), the way
    models.dev writes its prices, so that the same price from two sources compares equal.
    """
    if isinstance(per_token, bool) or not isinstance(per_token, int | float | str):
        raise NotAPrice(f"expected a number, got {type(per_token).__name__}")
    try:
        value = Decimal(str(per_token).strip())
    except InvalidOperation:
        raise NotAPrice(f"{per_token!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise NotAPrice(f"{per_token!r} is not a finite non-negative price")
    result = value * scale
    return int(result) if result == result.to_integral_value() else float(result)
