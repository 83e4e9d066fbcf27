"""Unit conversion shared by the source adapters: every price ends up USD per 1M tokens.

Decimal arithmetic, because ``8e-07 * 1e6`` is ``0.7999999999999999`` in floats, and a price
that reads as a change in every run would be noise. A number is read only in JSON's own spelling
(ASCII digits, no ``_``): ``Decimal`` alone would take ``"1_000"`` and ``"١٢٣"``, and build a
billion-digit integer out of ``"1e999999999"``.
"""

from __future__ import annotations

import re
from decimal import Decimal

MILLION = Decimal(1_000_000)
MAX_TOKENS = 2**64 - 1  # the catalog rule's largest integer (``json_values``): what orjson writes
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
# A price's USD per 1M must be a normal float (about 2.2e-308 to 1.8e308): outside it a float
# reads as 0 (a price made free) or infinity. Decimal's ``adjusted`` is the power of ten.
_PRICE_POWERS = range(-307, 308)
_WHOLE_PRICE = 2**63  # a larger whole price is written as a float (1e306, not 307 digits)


class NotAPrice(ValueError):
    """The value is not a finite, non-negative number (or a decimal string of one)."""


class NotANumber(ValueError):
    """The value is neither a JSON number nor a string that spells one in JSON's syntax."""


def decimal_of(value: object) -> Decimal:
    """A number or numeric string as an exact Decimal; bools, other types and other spellings
    (``"1_000"``, ``"0x10"``, ``"NaN"``, non-ASCII digits) raise :class:`NotANumber`."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise NotANumber(f"expected a number, got {type(value).__name__}")
    if isinstance(value, str):
        if _NUMBER.fullmatch(value.strip()) is None:
            raise NotANumber(f"{value!r} is not a number")
        return Decimal(value.strip())
    return Decimal(repr(value) if isinstance(value, float) else value)


def per_million(per_token: object, *, scale: Decimal = MILLION) -> int | float:
    """USD per token (a number or a decimal string) → USD per 1M tokens, exactly.

    Whole results come back as ``int`` (``3``), others as the shortest float (``0.075``), the way
    models.dev writes its prices, so that the same price from two sources compares equal.
    """
    try:
        value = decimal_of(per_token)
    except NotANumber as error:
        raise NotAPrice(str(error)) from None
    if not value.is_finite() or value < 0:
        raise NotAPrice(f"{per_token!r} is not a finite non-negative price")
    if value and (value.adjusted() + scale.adjusted()) not in _PRICE_POWERS:
        raise NotAPrice(f"{per_token!r} gives a price per 1M beyond a float's 1e-307 to 1e307")
    result = value * scale
    if result == result.to_integral_value() and result < _WHOLE_PRICE:
        return int(result)
    return float(result)
