"""What a model costs for a realistic workload, and what a price change does to that cost.

Pure functions over the catalog's per-1M-token prices, computed in :class:`~decimal.Decimal` so
that $0.25 x 5,000 tokens x 1,000 requests is exactly $1.25 (no binary float noise in the totals;
the catalog's own noise, ``0.27999999999999997``, is carried exactly and rounded away on display).

Pricing rules, as models.dev records them (USD per 1M tokens):

* **Base prices**: ``cost.input`` and ``cost.output`` are required; a record without both as
  non-negative numbers has no usable price and every function here answers ``None`` for it.
* **Long-context tiers**: a request whose prompt (all its input tokens, cached ones included) is
  *above* a tier's ``size`` is priced entirely at that tier's prices; with several tiers, the
  largest size it crosses wins. That is how Gemini and Anthropic bill long prompts. When
  ``cost.tiers`` is present, ``cost.context_over_200k`` is ignored: it is a legacy mirror whose
  threshold is not 200k for most entries (models.dev PR #5277); only without ``tiers`` is it read
  as one tier of size 200,000. A tier without numeric ``input``/``output`` is skipped; a tier
  without ``cache_read`` uses the base ``cache_read``.
* **Cached input**: cached tokens are part of the input tokens. When the price has a
  ``cache_read``, they cost that instead of ``input``; without one they cost ``input``.
* Not modelled: ``cache_write`` (a prompt is written to the cache once, the workloads below are
  steady state), ``reasoning`` (no scenario counts reasoning tokens apart from output), audio
  prices and ``experimental`` modes.

Display (:func:`shown_amount`, worded by ``render.money.format_usd``): amounts are rounded half-up
to cents; an amount under $1 that is not a whole number of cents keeps up to 4 decimals
(``$0.055``), so a cheap model does not read as $0.00 or $0.06.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import is_number
from catalog_watch.render.percent import ROUNDING
from catalog_watch.settings.costs import DEFAULT_SCENARIOS, REFERENCE_SCENARIO, Scenario, Usage

__all__ = [
    "DEFAULT_SCENARIOS",
    "LEGACY_TIER_SIZE",
    "REFERENCE_SCENARIO",
    "UNDER_SMALL",
    "Impact",
    "Offer",
    "Pricer",
    "Prices",
    "Scenario",
    "Usage",
    "UsageImpact",
    "costing",
    "monthly_cost",
    "price_impact",
    "prices_for_prompt",
    "scenario_cost",
    "shown_amount",
    "usage_impact",
    "usd_json",
]

PER_MILLION = Decimal(1_000_000)
LEGACY_TIER_SIZE = 200_000
"""The size ``cost.context_over_200k`` stands for, used only when ``cost.tiers`` is absent."""

_CENT = Decimal("0.01")
_SMALL = Decimal("0.0001")
UNDER_SMALL = Decimal("0.00005")
"""What :func:`shown_amount` gives for an amount that rounds to nothing: ``<$0.0001``."""


@dataclass(frozen=True, slots=True)
class Prices:
    """The per-1M prices that apply to one request; ``tier_size`` is None for the base prices."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    tier_size: int | None = None


def prices_for_prompt(record: Mapping[str, JSON], prompt_tokens: int) -> Prices | None:
    """The prices a request with a prompt of ``prompt_tokens`` pays (tier rules in the module
    docstring), or None when the record has no usable input/output price."""
    cost = record.get("cost")
    if not isinstance(cost, Mapping):
        return None
    base_in, base_out = _price(cost.get("input")), _price(cost.get("output"))
    if base_in is None or base_out is None:
        return None
    base_cache = _price(cost.get("cache_read"))
    best: Prices = Prices(base_in, base_out, base_cache)
    for size, tier in _tiers(cost):
        if prompt_tokens > size and (best.tier_size is None or size > best.tier_size):
            tier_in, tier_out = _price(tier.get("input")), _price(tier.get("output"))
            if tier_in is None or tier_out is None:
                continue
            tier_cache = _price(tier.get("cache_read"))
            best = Prices(tier_in, tier_out, base_cache if tier_cache is None else tier_cache, size)
    return best


def scenario_cost(record: Mapping[str, JSON], scenario: Scenario) -> Decimal | None:
    """The exact USD cost of ``scenario`` on this offering, or None without a usable price.

    >>> scenario_cost({"cost": {"input": 0.25, "output": 60}}, DEFAULT_SCENARIOS[0])
    Decimal('31.25')
    """
    return costing(scenario)(record)


Pricer = Callable[[Mapping[str, JSON]], Decimal | None]
"""A record's cost under one scenario: what :func:`costing` gives."""


@functools.lru_cache(maxsize=64)
def costing(scenario: Scenario) -> Pricer:
    """:func:`scenario_cost` for one scenario: a loop over many offerings takes it once.

    Most offerings have flat prices, and thousands share the same few: each (input, output,
    cache read) is priced once. A key of types and values keeps 3 and 3.0 apart.
    """
    flat: dict[tuple[object, ...], Decimal | None] = {}

    def cost_of(record: Mapping[str, JSON]) -> Decimal | None:
        cost: Any = record.get("cost")
        if cost is None or not (type(cost) is dict or isinstance(cost, Mapping)):
            return None
        if "tiers" in cost or "context_over_200k" in cost:
            return _scenario_cost(record, scenario)
        i, o, c = cost.get("input"), cost.get("output"), cost.get("cache_read")
        key = (type(i), i, type(o), o, type(c), c)
        if key in flat:
            return flat[key]
        if len(flat) >= _FLAT_PRICES:
            flat.clear()
        found = flat[key] = _scenario_cost(
            {"cost": {"input": i, "output": o, "cache_read": c}}, scenario
        )
        return found

    return cost_of


_FLAT_PRICES = 8192  # distinct flat prices remembered per scenario (a real catalog has ~1,000)


def _scenario_cost(record: Mapping[str, JSON], scenario: Scenario) -> Decimal | None:
    prices = prices_for_prompt(record, scenario.input_tokens)
    if prices is None:
        return None
    per_request = _tokens_cost(
        prices, scenario.input_tokens, scenario.cached_input_tokens, scenario.output_tokens
    )
    return _tidy(per_request * scenario.count)


@dataclass(frozen=True, slots=True)
class Impact:
    """One scenario's cost before and after a price change (None: no usable price that side)."""

    scenario: Scenario
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def pct(self) -> Decimal | None:
        """The change in percent of ``before``; None when there is nothing to divide by."""
        delta = self.delta
        if delta is None or self.before is None or self.before == 0:
            return None
        return _tidy(delta * 100 / self.before)

    def to_json(self) -> dict[str, JSON]:
        pct = self.pct
        return {
            "scenario": self.scenario.name,
            "per": self.scenario.per,
            "before": usd_json(self.before),
            "after": usd_json(self.after),
            "delta": usd_json(self.delta),
            "pct": None if pct is None else float(pct.quantize(_CENT, ROUND_HALF_EVEN, ROUNDING)),
        }


def price_impact(
    old_record: Mapping[str, JSON] | None,
    new_record: Mapping[str, JSON] | None,
    scenarios: Iterable[Scenario] = DEFAULT_SCENARIOS,
) -> list[Impact]:
    """Each scenario's cost on the old and the new record (either may be None: added/removed)."""
    return [
        Impact(
            scenario,
            None if old_record is None else costing(scenario)(old_record),
            None if new_record is None else costing(scenario)(new_record),
        )
        for scenario in scenarios
    ]


def monthly_cost(record: Mapping[str, JSON], usage: Usage) -> Decimal | None:
    """The exact USD a month of ``usage`` costs at this record's base prices."""
    prices = prices_for_prompt(record, 0)
    if prices is None:
        return None
    return _tidy(
        _tokens_cost(prices, usage.input_tokens, usage.cache_read_tokens, usage.output_tokens)
    )


def usage_impact(
    old_record: Mapping[str, JSON] | None,
    new_record: Mapping[str, JSON] | None,
    usage: Usage,
) -> Decimal | None:
    """How much more (positive) or less a month of ``usage`` costs after the change."""
    if old_record is None or new_record is None:
        return None
    before, after = monthly_cost(old_record, usage), monthly_cost(new_record, usage)
    if before is None or after is None:
        return None
    return after - before


def shown_amount(amount: Decimal) -> Decimal:
    """``amount`` as it is shown: cents, half-up; up to 4 decimals under $1 (``$0.055``).

    Two amounts read the same (``render.money.format_usd``) when these are equal; an amount
    that rounds to nothing under $0.0001 reads ``<$0.0001``, kept apart from zero here.
    """
    magnitude = abs(amount)
    cents = magnitude.quantize(_CENT, rounding=ROUND_HALF_UP, context=ROUNDING)
    if magnitude >= 1 or cents == magnitude:
        shown = cents
    else:
        shown = magnitude.quantize(_SMALL, rounding=ROUND_HALF_UP, context=ROUNDING) or UNDER_SMALL
    return -shown if amount < 0 else shown


@dataclass(frozen=True, slots=True)
class Offer:
    """Where a scenario is cheapest: the offering and what the scenario costs there."""

    provider: str
    model_id: str
    cost: Decimal


@dataclass(frozen=True, slots=True)
class UsageImpact:
    """What a price change does to a month of the team's usage of the offering: ``delta`` in
    USD (positive: it costs more), None when a side has no usable price."""

    usage: Usage
    delta: Decimal | None


def usd_json(amount: Decimal | None) -> float | None:
    """An amount for JSON output: a number rounded to a millionth of a dollar."""
    if amount is None:
        return None
    return float(amount.quantize(_MILLIONTH, rounding=ROUND_HALF_UP, context=ROUNDING))


_MILLIONTH = Decimal("0.000001")


# -- Internals -------------------------------------------------------------------------------


def _price(value: JSON) -> Decimal | None:
    """A per-1M price as an exact Decimal of the number as written; None if not a price."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    return _exact(isinstance(value, int), value)


@functools.lru_cache(maxsize=4096)
def _exact(whole: bool, value: int | float) -> Decimal:
    """Catalogs repeat a few hundred distinct prices thousands of times: convert each once.

    ``whole`` keeps ``3`` and ``3.0`` apart in the cache (they hash alike).
    """
    return Decimal(value) if whole else Decimal(repr(value))


def _tiers(cost: Mapping[str, JSON]) -> list[tuple[int, Mapping[str, JSON]]]:
    """``(size, tier)`` pairs: ``tiers`` when present, else ``context_over_200k`` at 200k."""
    tiers: Any = cost.get("tiers")
    if isinstance(tiers, list) and tiers:
        found: list[tuple[int, Mapping[str, JSON]]] = []
        for tier in tiers:
            if not isinstance(tier, Mapping):
                continue
            spec = tier.get("tier")
            if not isinstance(spec, Mapping) or spec.get("type", "context") != "context":
                continue
            size = spec.get("size")
            if is_number(size) and size >= 0:
                found.append((int(size), tier))
        return found
    legacy = cost.get("context_over_200k")
    if isinstance(legacy, Mapping):
        return [(LEGACY_TIER_SIZE, legacy)]
    return []


def _tokens_cost(prices: Prices, input_tokens: int, cached: int, output_tokens: int) -> Decimal:
    cache_price = prices.input if prices.cache_read is None else prices.cache_read
    total = (
        (input_tokens - cached) * prices.input
        + cached * cache_price
        + output_tokens * prices.output
    )
    return total / PER_MILLION


def _tidy(amount: Decimal) -> Decimal:
    """Drop trailing zeros from the exponent only (``Decimal('31.250000')`` → ``31.25``)."""
    if amount == 0:
        return Decimal(0)
    normal = amount.normalize()
    # normalize() writes 1240 as 1.24E+3; keep integers in plain notation.
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1), context=ROUNDING)
    return normal
