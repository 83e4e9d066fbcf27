"""Cost scenarios, price impact and usage impact: every figure below was worked out by hand.

Prices are USD per 1M tokens, so a scenario costs
``count x (input_tokens x input + output_tokens x output) / 1,000,000``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from catalog_watch.analysis.cost import (
    DEFAULT_SCENARIOS,
    REFERENCE_SCENARIO,
    Impact,
    Scenario,
    Usage,
    monthly_cost,
    price_impact,
    prices_for_prompt,
    scenario_cost,
    usage_impact,
)
from catalog_watch.render.money import format_impact, format_usage_impact, format_usd
from tests.factories import MODELS_DEV

CHECK_RECORD = {"cost": {"input": 0.25, "output": 60}}
"""$0.25 in / $60.00 out: google's gemini-3.1-flash-image-preview on 2026-03-10."""


def priced(**cost: Any) -> dict[str, Any]:
    return {"cost": cost}


def one_request(input_tokens: int, output_tokens: int, cached: int = 0) -> Scenario:
    return Scenario("one", 1, "request", input_tokens, output_tokens, cached)


# -- The standard scenarios ------------------------------------------------------------------


def test_default_scenarios_are_the_five_standard_workloads() -> None:
    assert [(s.name, s.per, s.input_tokens, s.output_tokens) for s in DEFAULT_SCENARIOS] == [
        ("RAG answer", "per 1,000 requests", 5_000, 500),
        ("Support ticket triage", "per 10,000 requests", 1_000, 100),
        ("Data extraction", "per 1,000 documents", 2_000, 500),
        ("Code review", "per 1,000 PRs", 8_000, 1_000),
        ("Agent step", "per 1,000 steps", 12_000, 600),
    ]
    assert all(s.cached_input_tokens == 0 for s in DEFAULT_SCENARIOS)
    assert REFERENCE_SCENARIO.name == "RAG answer"


@pytest.mark.parametrize(
    ("name", "expected", "shown"),
    [
        # 1,000 x (5,000 x 0.25 + 500 x 60) / 1M = 1.25 + 30
        ("RAG answer", "31.25", "$31.25"),
        # 10,000 x (1,000 x 0.25 + 100 x 60) / 1M = 2.5 + 60
        ("Support ticket triage", "62.50", "$62.50"),
        # 1,000 x (2,000 x 0.25 + 500 x 60) / 1M = 0.5 + 30
        ("Data extraction", "30.50", "$30.50"),
        # 1,000 x (8,000 x 0.25 + 1,000 x 60) / 1M = 2 + 60
        ("Code review", "62.00", "$62.00"),
        # 1,000 x (12,000 x 0.25 + 600 x 60) / 1M = 3 + 36
        ("Agent step", "39.00", "$39.00"),
    ],
)
def test_check_figures_at_25_cents_in_and_60_dollars_out(
    name: str, expected: str, shown: str
) -> None:
    [scenario] = [s for s in DEFAULT_SCENARIOS if s.name == name]
    cost = scenario_cost(CHECK_RECORD, scenario)
    assert cost == Decimal(expected)
    assert isinstance(cost, Decimal)
    assert format_usd(cost) == shown


def test_scenario_totals_are_exact_decimals_not_floats() -> None:
    # In floats 0.1 x 3 is 0.30000000000000004; here a dime of input per 1M stays a dime.
    cost = scenario_cost(priced(input=0.1, output=0.2), Scenario("s", 3, "r", 1_000_000, 0))
    assert cost == Decimal("0.3")
    assert str(scenario_cost(CHECK_RECORD, REFERENCE_SCENARIO)) == "31.25"


def test_catalog_float_noise_is_kept_exactly_and_rounded_on_display() -> None:
    record = priced(input=0.27999999999999997, output=1.1)
    cost = scenario_cost(record, REFERENCE_SCENARIO)
    # 5 x 0.27999999999999997 + 0.5 x 1.1
    assert cost == Decimal("1.39999999999999985") + Decimal("0.55")
    assert cost is not None and format_usd(cost) == "$1.95"


# -- Long-context tiers ----------------------------------------------------------------------

TIERED = priced(
    input=1.25,
    output=10,
    tiers=[{"input": 2.5, "output": 15, "tier": {"type": "context", "size": 200_000}}],
)


def test_prompt_above_the_tier_is_priced_entirely_at_the_tier() -> None:
    # 250,000 x 2.5 / 1M + 1,000 x 15 / 1M = 0.625 + 0.015, every token at the tier's prices.
    assert scenario_cost(TIERED, one_request(250_000, 1_000)) == Decimal("0.64")


def test_prompt_under_the_tier_pays_the_base_prices() -> None:
    # 150,000 x 1.25 / 1M + 1,000 x 10 / 1M = 0.1875 + 0.01
    assert scenario_cost(TIERED, one_request(150_000, 1_000)) == Decimal("0.1975")


def test_prompt_exactly_at_the_tier_size_does_not_cross_it() -> None:
    # 200,000 x 1.25 / 1M + 0.01
    assert scenario_cost(TIERED, one_request(200_000, 1_000)) == Decimal("0.26")


def test_the_largest_crossed_tier_wins_in_any_order() -> None:
    # aihubmix doubao-seed-2-0-code-preview's two tiers, listed here largest first.
    record = priced(
        input=0.48,
        output=2.41,
        tiers=[
            {"input": 1.45, "output": 7.23, "tier": {"type": "context", "size": 128_000}},
            {"input": 0.72, "output": 3.62, "tier": {"type": "context", "size": 32_000}},
        ],
    )
    # 1,000 x (100,000 x 0.72 + 1,000 x 3.62) / 1M = 72 + 3.62
    assert scenario_cost(record, Scenario("s", 1000, "r", 100_000, 1_000)) == Decimal("75.62")
    # 1,000 x (130,000 x 1.45 + 1,000 x 7.23) / 1M = 188.5 + 7.23
    assert scenario_cost(record, Scenario("s", 1000, "r", 130_000, 1_000)) == Decimal("195.73")
    # 1,000 x (20,000 x 0.48 + 1,000 x 2.41) / 1M = 9.6 + 2.41
    assert scenario_cost(record, Scenario("s", 1000, "r", 20_000, 1_000)) == Decimal("12.01")


def test_tiers_win_over_context_over_200k() -> None:
    # As openai gpt-5.4 is listed: the tier starts at 272k, context_over_200k mirrors its prices.
    record = priced(
        input=2.5,
        output=15,
        tiers=[{"input": 5, "output": 22.5, "tier": {"type": "context", "size": 272_000}}],
        context_over_200k={"input": 5, "output": 22.5},
    )
    # 250k is over 200k but under 272k: base prices, 0.625 + 0.015 (not 1.25 + 0.0225).
    assert scenario_cost(record, one_request(250_000, 1_000)) == Decimal("0.64")
    # 300k crosses 272k: 300,000 x 5 / 1M + 1,000 x 22.5 / 1M = 1.5 + 0.0225
    assert scenario_cost(record, one_request(300_000, 1_000)) == Decimal("1.5225")


def test_context_over_200k_alone_is_a_tier_at_200k() -> None:
    record = priced(input=1.25, output=10, context_over_200k={"input": 2.5, "output": 15})
    assert scenario_cost(record, one_request(250_000, 1_000)) == Decimal("0.64")
    assert scenario_cost(record, one_request(150_000, 1_000)) == Decimal("0.1975")
    prices = prices_for_prompt(record, 250_000)
    assert prices is not None and prices.tier_size == 200_000


def test_a_tier_without_prices_is_skipped() -> None:
    record = priced(
        input=1, output=2, tiers=[{"input": "n/a", "tier": {"type": "context", "size": 10}}]
    )
    # 1,000 x 1 / 1M + 100 x 2 / 1M
    assert scenario_cost(record, one_request(1_000, 100)) == Decimal("0.0012")


# -- Cached input ----------------------------------------------------------------------------


def test_cached_input_tokens_cost_cache_read_instead_of_input() -> None:
    # vercel's gemini-3.1-flash-image-preview on 2026-06-28: 0.5 in, 3 out, 0.05 cache read.
    record = priced(input=0.5, output=3, cache_read=0.05)
    scenario = Scenario("cached RAG", 1000, "requests", 5_000, 500, cached_input_tokens=4_000)
    # 1,000 x (1,000 x 0.5 + 4,000 x 0.05 + 500 x 3) / 1M = 0.5 + 0.2 + 1.5
    assert scenario_cost(record, scenario) == Decimal("2.2")
    # Without a cache_read price the cached tokens pay the input price: 2.5 + 1.5
    assert scenario_cost(priced(input=0.5, output=3), scenario) == Decimal("4")


def test_cached_input_inside_a_tier_uses_the_tier_cache_price_or_the_base_one() -> None:
    # google gemini-2.5-pro: base 1.25/10/0.125, over 200k 2.5/15/0.25.
    tier = {"input": 2.5, "output": 15, "cache_read": 0.25, "tier": {"size": 200_000}}
    record = priced(input=1.25, output=10, cache_read=0.125, tiers=[tier])
    scenario = one_request(250_000, 1_000, cached=200_000)
    # 50,000 x 2.5 + 200,000 x 0.25 + 1,000 x 15 = 125,000 + 50,000 + 15,000 → / 1M
    assert scenario_cost(record, scenario) == Decimal("0.19")
    without = {k: v for k, v in tier.items() if k != "cache_read"}
    record = priced(input=1.25, output=10, cache_read=0.125, tiers=[without])
    # 125,000 + 200,000 x 0.125 (base cache read) + 15,000 = 165,000 → / 1M
    assert scenario_cost(record, scenario) == Decimal("0.165")


def test_cached_tokens_cannot_exceed_the_input() -> None:
    with pytest.raises(ValueError, match="cached_input_tokens"):
        Scenario("bad", 1, "r", 100, 10, cached_input_tokens=101)
    with pytest.raises(ValueError, match="count"):
        Scenario("bad", 0, "r", 100, 10)
    with pytest.raises(ValueError, match="cache_read_tokens"):
        Usage("p", "m", input_tokens=10, output_tokens=0, cache_read_tokens=11)


# -- No usable price -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"cost": None},
        priced(input=1),
        priced(output=1),
        priced(input="1", output=2),
        priced(input=True, output=2),
        priced(input=-1, output=2),
        priced(input=float("nan"), output=2),
    ],
    ids=["no-cost", "null-cost", "no-output", "no-input", "string", "bool", "negative", "nan"],
)
def test_records_without_a_usable_price_give_none(record: dict[str, Any]) -> None:
    assert scenario_cost(record, REFERENCE_SCENARIO) is None
    assert monthly_cost(record, Usage("p", "m", 1_000, 1_000)) is None
    [impact, *_] = price_impact(record, CHECK_RECORD)
    assert impact.before is None and impact.after == Decimal("31.25")
    assert impact.delta is None and impact.pct is None
    assert format_impact(impact) == "RAG answer: no price → $31.25 per 1,000 requests"


def test_a_free_price_is_zero_not_none() -> None:
    assert scenario_cost(priced(input=0, output=0), REFERENCE_SCENARIO) == 0
    impact = Impact(REFERENCE_SCENARIO, Decimal(0), Decimal(5))
    assert impact.delta == 5 and impact.pct is None


# -- Price impact on the real catalogs --------------------------------------------------------


@cache
def _real(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((MODELS_DEV / name).read_text(encoding="utf-8"))
    return document


def _record(name: str, provider: str, model_id: str) -> dict[str, Any]:
    record: dict[str, Any] = _real(name)[provider]["models"][model_id]
    return record


@pytest.mark.realdata
def test_real_google_flash_image_preview_input_doubles() -> None:
    old = _record("2026-03-10.json", "google", "gemini-3.1-flash-image-preview")
    new = _record("2026-06-28.json", "google", "gemini-3.1-flash-image-preview")
    assert (old["cost"], new["cost"]) == (
        {"input": 0.25, "output": 60},
        {"input": 0.5, "output": 60},
    )
    impacts = price_impact(old, new)
    # New at 0.5 / 60: RAG 2.5 + 30; triage 5 + 60; extraction 1 + 30; review 4 + 60; agent 6 + 36
    assert [(i.before, i.after) for i in impacts] == [
        (Decimal("31.25"), Decimal("32.50")),
        (Decimal("62.50"), Decimal("65.00")),
        (Decimal("30.50"), Decimal("31.00")),
        (Decimal("62.00"), Decimal("64.00")),
        (Decimal("39.00"), Decimal("42.00")),
    ]
    assert impacts[0].delta == Decimal("1.25")
    assert impacts[0].pct == Decimal("4")  # 1.25 / 31.25
    assert format_impact(impacts[0]) == "RAG answer: $31.25 → $32.50 per 1,000 requests (+4 %)"


@pytest.mark.realdata
def test_real_vercel_flash_image_preview_output_cut_from_60_to_3() -> None:
    model_id = "google/gemini-3.1-flash-image-preview"
    old = _record("2026-03-10.json", "vercel", model_id)
    new = _record("2026-06-28.json", "vercel", model_id)
    assert new["cost"] == {"input": 0.5, "output": 3, "cache_read": 0.05}
    impacts = price_impact(old, new)
    # New at 0.5 / 3: RAG 2.5 + 1.5; triage 5 + 3; extraction 1 + 1.5; review 4 + 3; agent 6 + 1.8
    assert [i.after for i in impacts] == [
        Decimal("4.00"),
        Decimal("8.00"),
        Decimal("2.50"),
        Decimal("7.00"),
        Decimal("7.80"),
    ]
    rag = impacts[0]
    assert rag.delta == Decimal("-27.25")
    assert rag.pct == Decimal("-87.2")  # -27.25 / 31.25
    assert format_impact(rag) == "RAG answer: $31.25 → $4.00 per 1,000 requests (-87.2 %)"
    assert format_impact(impacts[1]) == (
        "Support ticket triage: $62.50 → $8.00 per 10,000 requests (-87.2 %)"
    )


@pytest.mark.realdata
def test_real_tiers_google_gemini_2_5_pro_and_openai_gpt_5_4() -> None:
    pro = _record("2026-06-28.json", "google", "gemini-2.5-pro")
    assert scenario_cost(pro, one_request(250_000, 1_000)) == Decimal("0.64")  # 2.5 / 15
    assert scenario_cost(pro, one_request(150_000, 1_000)) == Decimal("0.1975")  # 1.25 / 10
    gpt = _record("2026-06-28.json", "openai", "gpt-5.4")
    assert "context_over_200k" in gpt["cost"]
    assert scenario_cost(gpt, one_request(250_000, 1_000)) == Decimal("0.64")  # 2.5 / 15
    assert scenario_cost(gpt, one_request(300_000, 1_000)) == Decimal("1.5225")  # 5 / 22.5


def test_price_impact_of_an_added_or_removed_model() -> None:
    added = price_impact(None, CHECK_RECORD, [REFERENCE_SCENARIO])
    removed = price_impact(CHECK_RECORD, None, [REFERENCE_SCENARIO])
    assert (added[0].before, added[0].after) == (None, Decimal("31.25"))
    assert (removed[0].before, removed[0].after) == (Decimal("31.25"), None)
    assert format_impact(removed[0]) == "RAG answer: $31.25 → no price per 1,000 requests"


def test_impact_json() -> None:
    [impact] = price_impact(CHECK_RECORD, priced(input=0.5, output=3), [REFERENCE_SCENARIO])
    assert impact.to_json() == {
        "scenario": "RAG answer",
        "per": "per 1,000 requests",
        "before": 31.25,
        "after": 4.0,
        "delta": -27.25,
        "pct": -87.2,
    }


# -- Usage -----------------------------------------------------------------------------------

USAGE = Usage(
    "openai",
    "gpt-x",
    input_tokens=1_000_000_000,
    output_tokens=80_000_000,
    cache_read_tokens=200_000_000,
)
OLD = priced(input=3, output=15, cache_read=0.3)
NEW = priced(input=4, output=20, cache_read=0.5)


def test_monthly_cost_prices_uncached_cached_and_output_tokens() -> None:
    # 800M x 3 + 200M x 0.3 + 80M x 15 = 2,400 + 60 + 1,200
    assert monthly_cost(OLD, USAGE) == Decimal("3660")
    # 800M x 4 + 200M x 0.5 + 80M x 20 = 3,200 + 100 + 1,600
    assert monthly_cost(NEW, USAGE) == Decimal("4900")


def test_usage_impact_in_words() -> None:
    delta = usage_impact(OLD, NEW, USAGE)
    assert delta == Decimal("1240")
    assert format_usage_impact(delta) == "+$1,240.00 / month for your usage"
    assert format_usage_impact(usage_impact(NEW, OLD, USAGE)) == (
        "-$1,240.00 / month for your usage"
    )
    assert format_usage_impact(usage_impact(OLD, OLD, USAGE)) == (
        "no change / month for your usage"
    )
    assert usage_impact(OLD, {}, USAGE) is None
    assert usage_impact(None, NEW, USAGE) is None
    assert "unknown" in format_usage_impact(None)


def test_monthly_usage_ignores_long_context_tiers() -> None:
    tiered = priced(
        input=3, output=15, cache_read=0.3, tiers=[{"input": 6, "output": 30, "tier": {"size": 1}}]
    )
    assert monthly_cost(tiered, USAGE) == Decimal("3660")


# -- Display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("1240", "$1,240.00"),
        ("1234567.891", "$1,234,567.89"),
        ("2.345", "$2.35"),  # half-up, not banker's rounding (2.34)
        ("2.355", "$2.36"),
        ("0.1", "$0.10"),
        ("0.125", "$0.125"),
        ("0.055", "$0.055"),
        ("0.00123456", "$0.0012"),
        ("0.00004", "<$0.0001"),
        ("0", "$0.00"),
        ("-3.75", "-$3.75"),
        ("-0.055", "-$0.055"),
    ],
)
def test_format_usd(amount: str, shown: str) -> None:
    assert format_usd(Decimal(amount)) == shown
