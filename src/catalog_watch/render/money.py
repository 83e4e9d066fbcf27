"""Dollar amounts in words: scenario costs, a price change's impact, the team's monthly usage, and
the cheapest channel a ``cheapest_changed`` record moves between.

The amounts are :class:`~decimal.Decimal` from ``analysis.cost``; how one is rounded for display
is :func:`~catalog_watch.analysis.cost.shown_amount`, so that what the analysis counts as "did
not move" and what reads the same here cannot drift apart.
"""

from __future__ import annotations

from decimal import Decimal

from catalog_watch.analysis.cost import UNDER_SMALL, Impact, Offer, UsageImpact, shown_amount
from catalog_watch.render.percent import percent

__all__ = [
    "format_impact",
    "format_signed_usd",
    "format_usage_impact",
    "format_usd",
    "offer_words",
    "usage_words",
]


def format_usd(amount: Decimal) -> str:
    """``$1,240.00``, ``-$3.75``, ``$0.055``: cents, half-up; up to 4 decimals under $1."""
    sign = "-" if amount < 0 else ""
    magnitude = abs(shown_amount(amount))
    if magnitude >= 1:
        return f"{sign}${magnitude:,.2f}"
    if magnitude == UNDER_SMALL:
        return f"{sign}<$0.0001"
    text = f"{magnitude:f}".rstrip("0")
    if len(text.partition(".")[2]) < 2:
        text = f"{magnitude:.2f}"
    return f"{sign}${text}"


def format_signed_usd(amount: Decimal) -> str:
    """``+$1,240.00`` or ``-$310.50`` (zero reads ``$0.00``)."""
    text = format_usd(amount)
    return text if amount <= 0 else f"+{text}"


def format_impact(impact: Impact) -> str:
    """``RAG answer: $31.25 → $4.00 per 1,000 requests (-87.2 %)``.

    The percent reads like every price change in the reports (``render.values.percent``: sign,
    up to two decimals).
    """
    before = "no price" if impact.before is None else format_usd(impact.before)
    after = "no price" if impact.after is None else format_usd(impact.after)
    pct = impact.pct
    suffix = f" ({percent(pct)})" if pct is not None else ""
    return f"{impact.scenario.name}: {before} → {after} {impact.scenario.per}{suffix}"


def format_usage_impact(delta: Decimal | None) -> str:
    """``+$1,240.00 / month for your usage``; ``no change ...`` at zero; unknown without prices."""
    if delta is None:
        return "cost change for your usage unknown (no usable price before or after)"
    if delta == 0:
        return "no change / month for your usage"
    return f"{format_signed_usd(delta)} / month for your usage"


def usage_words(usage: UsageImpact) -> str:
    return format_usage_impact(usage.delta)


def offer_words(offer: Offer) -> str:
    """``vercel/deepseek/deepseek-v3.2-thinking $1.61``: where a scenario is cheapest, at what."""
    return f"{offer.provider}/{offer.model_id} {format_usd(offer.cost)}"
