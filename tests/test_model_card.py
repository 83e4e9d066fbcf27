"""``catalog-watch show MODEL``: the model card and its three renderings.

Small catalogs built inline test the rules (query forms, cheapest channel, maker); the
``realdata`` tests read 2026-06-28.json and assert figures checked by hand in that file.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from catalog_watch.analysis.consistency import ConsistencySettings, ModelIndex, load_model_index
from catalog_watch.analysis.cost import Scenario
from catalog_watch.analysis.model_card import (
    ModelCard,
    cheapest_channel,
    cheapest_offer,
    close_matches,
    maker_provider,
    model_card,
    no_match_message,
)
from catalog_watch.model.catalog import Catalog
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.render.model_card import (
    render_card,
    render_card_json,
    render_card_markdown,
    render_card_text,
)
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, document, model, provider


def catalog(*providers: dict[str, Any]) -> Catalog:
    return parse_catalog(document(*providers))


def card_of(cat: Catalog, query: str, **kwargs: Any) -> ModelCard:
    card = model_card(cat, query, **kwargs)
    assert card is not None, query
    return card


def cost(input_price: float, output_price: float, **more: float) -> dict[str, float]:
    return {"input": input_price, "output": output_price, **more}


# A model sold by its maker (google) and two resellers, one of them under its namespaced id.
SMALL = catalog(
    provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
    provider("router", model("google/gemini-9.5-flash", cost=cost(1, 2))),
    provider("zeta", model("gemini-9.5-flash", cost=cost(1, 2))),
    provider("cheapo", model("gemini-9.5-flash:free", cost=cost(0, 0))),
    provider("other", model("llama-9", cost=cost(0.1, 0.1))),
)


# -- Finding the model -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "gemini-9-5-flash",  # group key
        "GEMINI-9.5-Flash",  # any case
        "router/google/gemini-9.5-flash",  # <provider>/<model id>
        "google/gemini-9-5-flash",  # <provider>/<model id>, google's own
        "google/gemini-9.5-flash",  # router's model id
        "gemini-9.5-flash",  # zeta's model id
        "vertex/gemini-9.5-flash",  # anything that normalizes to the key
    ],
)
def test_every_query_form_finds_the_same_group(query: str) -> None:
    card = card_of(SMALL, query)
    assert card.model == "gemini-9-5-flash"
    assert card.query == query
    assert [o.label for o in card.offerings] == [
        "cheapo/gemini-9.5-flash:free",
        "google/gemini-9-5-flash",
        "router/google/gemini-9.5-flash",
        "zeta/gemini-9.5-flash",
    ]
    assert card.provider_count == 4


def test_a_query_that_matches_nothing_gives_none_and_close_matches() -> None:
    assert model_card(SMALL, "gemini-9-5-flahs") is None
    assert model_card(SMALL, "") is None
    suggestions = close_matches(SMALL, "gemini-9-5-flahs")
    assert suggestions == ["gemini-9-5-flash"]
    assert no_match_message("gemini-9-5-flahs", suggestions) == (
        "no model matches 'gemini-9-5-flahs'; did you mean: gemini-9-5-flash?"
    )
    assert close_matches(SMALL, "qqqqqqqqqqqq") == []
    assert no_match_message("qqqqqqqqqqqq", []).startswith("no model matches 'qqqqqqqqqqqq'; try")


def test_a_provider_model_query_follows_the_aliases_like_the_inconsistencies() -> None:
    settings = ConsistencySettings(aliases={"zeta/gemini-9.5-flash": "gemini-9-pro"})
    card = card_of(SMALL, "zeta/gemini-9.5-flash", settings=settings)
    assert card.model == "gemini-9-pro"
    assert [o.label for o in card.offerings] == ["zeta/gemini-9.5-flash"]


def test_a_group_key_wins_over_offerings_aliased_away_under_that_id() -> None:
    aliases = {"acme/gemini-9-5-flash": "other-model", "beta/gemini-9-5-flash": "other-model"}
    cat = catalog(
        provider("acme", model("gemini-9-5-flash")),
        provider("beta", model("gemini-9-5-flash")),
        provider("google", model("gemini-9-5-flash")),
    )
    settings = ConsistencySettings(aliases=aliases)
    assert card_of(cat, "gemini-9-5-flash", settings=settings).model == "gemini-9-5-flash"
    assert card_of(cat, "acme/gemini-9-5-flash", settings=settings).model == "other-model"


def test_a_raw_id_finds_an_offering_that_models_json_moved_into_a_group() -> None:
    index = load_model_index({"google/gemini-9.5-flash": {}})
    cat = catalog(
        provider("google", model("gemini-9-5-flash")),
        provider("databricks", model("databricks-gemini-9-5-flash")),
    )
    card = card_of(cat, "databricks-gemini-9-5-flash", index=index)
    assert (card.model, card.canonical_id) == ("gemini-9-5-flash", "google/gemini-9.5-flash")
    assert card.provider_count == 2
    assert card_of(cat, "google/gemini-9.5-flash", index=index).model == "gemini-9-5-flash"


# -- Cheapest channel and the maker ----------------------------------------------------------


def test_cheapest_channel_skips_free_variants_and_breaks_ties_by_provider() -> None:
    card = card_of(SMALL, "gemini-9-5-flash")
    # RAG answer: 1,000 x (5,000 x 1 + 500 x 2) / 1M = 5 + 1 on router and zeta (tie), 5 + 2
    # on google; the :free variant at 0/0 is not a channel.
    assert card.cheapest is not None
    assert (card.cheapest.label, card.cheapest.cost) == (
        "router/google/gemini-9.5-flash",
        Decimal(6),
    )
    assert card.cheapest.scenario.name == "RAG answer"
    members = [("zeta", "gemini-9.5-flash"), ("router", "google/gemini-9.5-flash")]
    assert cheapest_channel(SMALL, members) == ("router", "google/gemini-9.5-flash")


def test_a_free_variant_is_never_the_cheapest_channel_even_with_a_price() -> None:
    cat = catalog(
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
        provider("router", model("google/gemini-9.5-flash:free", cost=cost(0.01, 0.01))),
    )
    members = [("google", "gemini-9-5-flash"), ("router", "google/gemini-9.5-flash:free")]
    assert cheapest_channel(cat, members) == ("google", "gemini-9-5-flash")


def test_offerings_are_sorted_by_provider_id_then_model_id() -> None:
    # Group members are sorted by label, where "google-vertex/..." comes before "google/...".
    cat = catalog(
        provider("google-vertex", model("gemini-9.5-flash", cost=cost(1, 4))),
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
    )
    card = card_of(cat, "gemini-9-5-flash")
    assert [o.provider for o in card.offerings] == ["google", "google-vertex"]


def test_cheapest_channel_between_two_catalogs_tells_a_change() -> None:
    members = [("google", "gemini-9-5-flash"), ("router", "google/gemini-9.5-flash")]
    before = catalog(
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
        provider("router", model("google/gemini-9.5-flash", cost=cost(1, 8))),
    )
    after = catalog(
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
        provider("router", model("google/gemini-9.5-flash", cost=cost(1, 2))),
    )
    assert cheapest_channel(before, members) == ("google", "gemini-9-5-flash")
    assert cheapest_channel(after, members) == ("router", "google/gemini-9.5-flash")
    gone = catalog(provider("google", model("gemini-9-5-flash", cost={"input": 1})))
    assert cheapest_channel(gone, members) is None  # router missing, google without a price


def test_cheapest_on_another_scenario() -> None:
    # Input-heavy: google 1/4 vs router 2/1 per 1M; 1 request of 1M in, 0 out: google 1, router 2
    cat = catalog(
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
        provider("router", model("google/gemini-9.5-flash", cost=cost(2, 1))),
    )
    members = [("google", "gemini-9-5-flash"), ("router", "google/gemini-9.5-flash")]
    reading = Scenario("reading", 1, "request", 1_000_000, 0)
    writing = Scenario("writing", 1, "request", 0, 1_000_000)
    channel = cheapest_offer(cat, members, reading)
    assert channel is not None and (channel.provider, channel.cost) == ("google", Decimal(1))
    assert cheapest_channel(cat, members, writing) == ("router", "google/gemini-9.5-flash")
    card = card_of(cat, "gemini-9-5-flash", scenarios=[reading, writing])
    assert card.reference is reading
    assert card.cheapest is not None and card.cheapest.provider == "google"
    card = card_of(cat, "gemini-9-5-flash", scenarios=[reading, writing], reference=writing)
    assert card.cheapest is not None and card.cheapest.provider == "router"


def test_scenario_costs_are_at_the_maker_when_it_sells_the_model() -> None:
    card = card_of(SMALL, "gemini-9-5-flash")
    assert (card.scenario_provider, card.scenario_basis) == (
        ("google", "gemini-9-5-flash"),
        "maker",
    )
    # google 1 / 4: RAG 5 + 2; triage 10 + 4; extraction 2 + 2; review 8 + 4; agent 12 + 2.4
    assert [(s.scenario.name, s.cost) for s in card.scenarios] == [
        ("RAG answer", Decimal(7)),
        ("Support ticket triage", Decimal(14)),
        ("Data extraction", Decimal(4)),
        ("Code review", Decimal(12)),
        ("Agent step", Decimal("14.4")),
    ]


def test_scenario_costs_fall_back_to_the_cheapest_when_the_maker_does_not_sell_it() -> None:
    without_maker = catalog(
        provider("router", model("google/gemini-9.5-flash", cost=cost(1, 2))),
        provider("zeta", model("gemini-9.5-flash", cost=cost(3, 2))),
    )
    card = card_of(without_maker, "gemini-9-5-flash")
    assert card.scenario_provider == ("router", "google/gemini-9.5-flash")
    assert card.scenario_basis == "cheapest"
    assert card.scenarios[0].cost == 6
    # The maker lists it without a price: its scenario costs would say nothing.
    unpriced = catalog(
        provider("google", model("gemini-9-5-flash", cost={"input": 1})),
        provider("router", model("google/gemini-9.5-flash", cost=cost(1, 2))),
    )
    card = card_of(unpriced, "gemini-9-5-flash")
    assert card.offerings[0].label == "google/gemini-9-5-flash"
    assert card.offerings[0].reference_cost is None
    assert (card.scenario_provider, card.scenario_basis) == (
        ("router", "google/gemini-9.5-flash"),
        "cheapest",
    )


def test_nobody_charges_no_cheapest_and_no_scenarios() -> None:
    free = catalog(
        provider("x", model("thing-1", cost=cost(0, 0))),
        provider("y", {k: v for k, v in model("thing-1").items() if k != "cost"}),
    )
    card = card_of(free, "thing-1")
    assert (card.cheapest, card.scenario_provider, card.scenarios) == (None, None, ())
    text = render_card_text(card)
    assert "cheapest channel: none (no paid offering has a usable price for RAG answer)" in text
    assert "scenario costs" not in text
    row = next(line for line in text.splitlines() if line.startswith("y "))
    assert row.split() == [
        "y",
        "thing-1",
        "-",
        "-",
        "-",
        "131,072",
        "8,192",
        "2025-01-01",
        "no",
        "price",
    ]


@pytest.mark.parametrize(
    ("key", "maker"),
    [
        ("gemini-2-5-flash", "google"),
        ("claude-sonnet-4-5", "anthropic"),
        ("gpt-5", "openai"),
        ("o3-mini", "openai"),
        ("o3", "openai"),
        ("o3xyz", None),
        ("mistral-large-2512", "mistral"),
        ("deepseek-v3-2", "deepseek"),
        ("grok-4", "xai"),
        ("llama-3-3-70b", None),
    ],
)
def test_maker_from_the_group_key(key: str, maker: str | None) -> None:
    assert maker_provider(key) == maker


def test_maker_from_the_models_json_lab() -> None:
    index = load_model_index({"meta/llama-4-scout": {}, "google/gemini-9.5-flash": {}})
    assert maker_provider("llama-4-scout", index) == "llama"  # Meta sells Llama as "llama"
    assert maker_provider("gemini-9-5-flash", index) == "google"
    assert maker_provider("claude-x", index) == "anthropic"  # not in the index: the prefixes


# -- Rendering -------------------------------------------------------------------------------


def test_small_card_in_json_is_complete_and_sorted() -> None:
    body = json.loads(render_card_json(card_of(SMALL, "gemini-9-5-flash")))
    assert list(body) == sorted(body)
    assert body["model"] == "gemini-9-5-flash"
    assert body["provider_count"] == 4
    assert body["cheapest"] == {
        "provider": "router",
        "model_id": "google/gemini-9.5-flash",
        "scenario": "RAG answer",
        "per": "per 1,000 requests",
        "cost": 6.0,
    }
    assert body["scenario_provider"] == {
        "provider": "google",
        "model_id": "gemini-9-5-flash",
        "basis": "maker",
    }
    assert [o["reference_cost"] for o in body["offerings"]] == [0.0, 7.0, 6.0, 6.0]
    assert body["inconsistencies"] == []


def test_render_card_dispatches_on_format() -> None:
    card = card_of(SMALL, "gemini-9-5-flash")
    assert render_card(card, "text") == render_card_text(card)
    assert render_card(card, "markdown") == render_card_markdown(card)
    assert render_card(card, "json") == render_card_json(card)


def test_markdown_escapes_pipes_in_model_ids() -> None:
    cat = catalog(provider("acme", model("odd|name", cost=cost(1, 1))))
    markdown = render_card_markdown(card_of(cat, "acme/odd|name"))
    assert "| acme | `odd\\|name` |" in markdown


def test_the_same_catalog_in_another_order_renders_the_same_bytes() -> None:
    shuffled = catalog(
        provider("other", model("llama-9", cost=cost(0.1, 0.1))),
        provider("zeta", model("gemini-9.5-flash", cost=cost(1, 2))),
        provider("router", model("google/gemini-9.5-flash", cost=cost(1, 2))),
        provider("cheapo", model("gemini-9.5-flash:free", cost=cost(0, 0))),
        provider("google", model("gemini-9-5-flash", cost=cost(1, 4))),
    )
    for render in (render_card_text, render_card_markdown, render_card_json):
        assert render(card_of(shuffled, "gemini-9-5-flash")) == render(
            card_of(SMALL, "gemini-9-5-flash")
        )


# -- The real catalog: gemini-3.1-flash-image-preview on 2026-06-28 ---------------------------

PREVIEW = "gemini-3-1-flash-image-preview"
PREVIEW_ID = "google/gemini-3.1-flash-image-preview"


@pytest.fixture(scope="module")
def june() -> Catalog:
    return parse_catalog(json.loads((MODELS_DEV / "2026-06-28.json").read_text("utf-8")))


@pytest.fixture(scope="module")
def june_index() -> ModelIndex:
    return load_model_index(json.loads((MODELS_DEV / "2026-06-28.models.json").read_text("utf-8")))


@pytest.fixture(scope="module")
def preview(june: Catalog) -> ModelCard:
    return card_of(june, "gemini-3.1-flash-image-preview")


@pytest.mark.realdata
def test_real_offerings_with_their_prices_and_windows(preview: ModelCard) -> None:
    assert preview.model == PREVIEW
    assert preview.provider_count == 6
    rows = [
        (o.provider, o.model_id, o.input, o.output, o.cache_read, o.context, o.max_output)
        for o in preview.offerings
    ]
    assert rows == [
        ("302ai", "gemini-3.1-flash-image-preview", 0.5, 60, None, 131072, 32768),
        ("fastrouter", PREVIEW_ID, 0.5, 3, None, 65536, 65536),
        ("google", "gemini-3.1-flash-image-preview", 0.5, 60, None, 65536, 65536),
        ("kilo", PREVIEW_ID, 0.5, 3, None, 65536, 65536),
        ("openrouter", PREVIEW_ID, 0.5, 3, None, 131072, 32768),
        ("vercel", PREVIEW_ID, 0.5, 3, 0.05, 131072, 32768),
    ]
    assert [o.release_date for o in preview.offerings] == ["2026-02-27", *["2026-02-26"] * 5]
    # RAG answer: 5 x 0.5 + 0.5 x 60 = 32.50 at $60 output, 2.5 + 1.5 = 4.00 at $3.
    assert [o.reference_cost for o in preview.offerings] == [
        Decimal("32.5"),
        Decimal(4),
        Decimal("32.5"),
        Decimal(4),
        Decimal(4),
        Decimal(4),
    ]


@pytest.mark.realdata
def test_real_cheapest_is_fastrouter_among_four_at_4_dollars(preview: ModelCard) -> None:
    # fastrouter, kilo, openrouter and vercel all come to $4.00: the provider id decides.
    assert preview.cheapest is not None
    assert (preview.cheapest.provider, preview.cheapest.model_id) == ("fastrouter", PREVIEW_ID)
    assert preview.cheapest.cost == Decimal("4.00")


@pytest.mark.realdata
def test_real_scenarios_at_google_the_maker(preview: ModelCard) -> None:
    assert preview.scenario_provider == ("google", "gemini-3.1-flash-image-preview")
    assert preview.scenario_basis == "maker"
    # google 0.5 / 60: RAG 2.5 + 30; triage 5 + 60; extraction 1 + 30; review 4 + 60; agent 6 + 36
    assert [s.cost for s in preview.scenarios] == [
        Decimal("32.50"),
        Decimal("65.00"),
        Decimal("31.00"),
        Decimal("64.00"),
        Decimal("42.00"),
    ]


@pytest.mark.realdata
def test_real_inconsistencies_in_words(preview: ModelCard) -> None:
    assert [i.id for i in preview.inconsistencies] == [
        f"limit_mismatch:{PREVIEW}:limit.context",
        f"limit_mismatch:{PREVIEW}:limit.output",
        f"price_spread:{PREVIEW}:cost.output",
        f"capability_mismatch:{PREVIEW}:reasoning",
        f"modality_mismatch:{PREVIEW}:modalities.input",
    ]
    assert describe(preview.inconsistencies[0]) == (
        "limit.context varies: 131072 (302ai/gemini-3.1-flash-image-preview, "
        f"openrouter/{PREVIEW_ID}, vercel/{PREVIEW_ID}), 65536 (fastrouter/{PREVIEW_ID}, "
        f"google/gemini-3.1-flash-image-preview, kilo/{PREVIEW_ID})"
    )


@pytest.mark.realdata
def test_real_card_as_text(preview: ModelCard) -> None:
    lines = render_card_text(preview).splitlines()
    assert lines[:2] == [PREVIEW, "offered by 6 providers"]
    assert lines[3].split() == [
        "provider", "model", "id", "input/1M", "output/1M", "cache", "read/1M", "context",
        "max", "output", "released", "RAG", "answer", "per", "1,000", "requests",
    ]  # fmt: skip
    google = next(line for line in lines if line.startswith("google "))
    assert google.split() == [
        "google", "gemini-3.1-flash-image-preview", "$0.50", "$60.00", "-", "65,536", "65,536",
        "2026-02-26", "$32.50",
    ]  # fmt: skip
    vercel = next(line for line in lines if line.startswith("vercel "))
    assert vercel.split() == [
        "vercel", PREVIEW_ID, "$0.50", "$3.00", "$0.05", "131,072", "32,768", "2026-02-26",
        "$4.00",
    ]  # fmt: skip
    assert (
        f"cheapest channel: fastrouter/{PREVIEW_ID} at $4.00 per 1,000 requests "
        "(RAG answer: 5,000 in / 500 out tokens each)"
    ) in lines
    assert (
        "scenario costs at google/gemini-3.1-flash-image-preview (the maker's own offering):"
    ) in lines
    assert "  Agent step             $42.00 per 1,000 steps  (12,000 in / 600 out)" in lines
    assert "inconsistencies (5):" in lines
    assert f"  [high] {describe(preview.inconsistencies[0])}" in lines


@pytest.mark.realdata
def test_real_card_as_markdown(preview: ModelCard) -> None:
    lines = render_card_markdown(preview).splitlines()
    assert lines[0] == f"### {PREVIEW}"
    assert (
        f"| vercel | `{PREVIEW_ID}` | $0.50 | $3.00 | $0.05 | 131,072 | 32,768 | 2026-02-26 "
        "| $4.00 |"
    ) in lines
    assert (
        "| 302ai | `gemini-3.1-flash-image-preview` | $0.50 | $60.00 | - | 131,072 | 32,768 "
        "| 2026-02-27 | $32.50 |"
    ) in lines
    assert "| Support ticket triage | 1,000 in / 100 out | $65.00 per 10,000 requests |" in lines
    assert (
        f"**Cheapest channel**: fastrouter/{PREVIEW_ID} at $4.00 per 1,000 requests "
        "(RAG answer: 5,000 in / 500 out tokens each)"
    ) in lines
    assert "**Inconsistencies** (5)" in lines
    assert "- **low** modalities.input varies: image+pdf+text (302ai/" in "\n".join(lines)


@pytest.mark.realdata
def test_real_card_as_json(preview: ModelCard) -> None:
    body = json.loads(render_card_json(preview))
    assert body["model"] == PREVIEW
    assert body["provider_count"] == 6
    assert body["offerings"][5] == {
        "provider": "vercel",
        "model_id": PREVIEW_ID,
        "name": "Gemini 3.1 Flash Image Preview (Nano Banana 2)",
        "input": 0.5,
        "output": 3,
        "cache_read": 0.05,
        "context": 131072,
        "max_output": 32768,
        "release_date": "2026-02-26",
        "reference_cost": 4.0,
    }
    assert body["cheapest"]["provider"] == "fastrouter"
    assert body["cheapest"]["cost"] == 4.0
    assert body["scenario_provider"]["provider"] == "google"
    assert [(s["name"], s["cost"]) for s in body["scenarios"]] == [
        ("RAG answer", 32.5),
        ("Support ticket triage", 65.0),
        ("Data extraction", 31.0),
        ("Code review", 64.0),
        ("Agent step", 42.0),
    ]
    context = body["inconsistencies"][0]
    assert context["field"] == "limit.context"
    assert context["values"]["google/gemini-3.1-flash-image-preview"] == 65536
    assert context["values"]["302ai/gemini-3.1-flash-image-preview"] == 131072
    assert context["description"].startswith("limit.context varies: 131072 (")


@pytest.mark.realdata
def test_real_queries_by_group_key_and_provider_model(june: Catalog, preview: ModelCard) -> None:
    for query in (
        PREVIEW,
        f"kilo/{PREVIEW_ID}",
        PREVIEW_ID,
        "google/gemini-3.1-flash-image-preview",
    ):
        card = card_of(june, query)
        assert card.model == PREVIEW
        assert card.offerings == preview.offerings
    # The non-preview model is its own group (openrouter and vercel only).
    other = card_of(june, "openrouter/google/gemini-3.1-flash-image")
    assert other.model == "gemini-3-1-flash-image"
    assert [o.provider for o in other.offerings] == ["openrouter", "vercel"]


@pytest.mark.realdata
def test_real_miss_suggests_close_group_keys(june: Catalog) -> None:
    assert model_card(june, "gemini-3.1-flsh-image-preview") is None
    suggestions = close_matches(june, "gemini-3.1-flsh-image-preview")
    assert 1 <= len(suggestions) <= 5
    assert suggestions[0] == PREVIEW


@pytest.mark.realdata
def test_real_canonical_id_and_maker_with_models_json(
    june: Catalog, june_index: ModelIndex
) -> None:
    card = card_of(june, "google/gemini-2.5-flash", index=june_index)
    assert (card.model, card.canonical_id) == ("gemini-2-5-flash", "google/gemini-2.5-flash")
    assert card.scenario_provider == ("google", "gemini-2.5-flash")
    # google 0.3 / 2.5: RAG 1.5 + 1.25
    assert card.scenarios[0].cost == Decimal("2.75")
    # qihang-ai 0.09 / 0.71: 0.45 + 0.355, the cheapest of 28 providers.
    assert card.cheapest is not None
    assert (card.cheapest.provider, card.cheapest.cost) == ("qihang-ai", Decimal("0.805"))
    assert card.provider_count == 28
    assert render_card_text(card).splitlines()[0] == "gemini-2-5-flash (google/gemini-2.5-flash)"


@pytest.mark.realdata
def test_real_rendering_is_deterministic(june: Catalog) -> None:
    first = card_of(june, PREVIEW)
    second = card_of(june, PREVIEW)
    for render in (render_card_text, render_card_markdown, render_card_json):
        assert render(first) == render(second)
