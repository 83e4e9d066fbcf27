"""Cross-source matching rules (each one tested) and the disagreements they find."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalog_watch.analysis.cross_source import disagreements, match, model_key
from catalog_watch.model.catalog import Catalog
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, model, provider


def catalog(source: str, *providers: dict[str, Any]) -> Catalog:
    return replace(parse_catalog(document(*providers)), source=source)


def priced(model_id: str, inp: float, out: float, context: int = 128000) -> dict[str, Any]:
    return model(
        model_id, cost={"input": inp, "output": out}, limit={"context": context, "output": 4096}
    )


def test_maker_comes_from_provider_or_author_through_the_alias_table() -> None:
    assert model_key("openai", "gpt-4o") == ("openai", "gpt-4o")
    assert model_key("", "x-ai/grok-4") == ("xai", "grok-4")
    assert model_key("gemini", "gemini/gemini-1.5-flash") == ("google", "gemini-1-5-flash")
    assert model_key("", "mistralai/mistral-large") == ("mistral", "mistral-large")
    assert model_key("vercel", "gpt-4o") is None  # a reseller is not a maker


def test_version_dots_match_dashes() -> None:
    assert model_key("", "anthropic/claude-sonnet-4.5") == ("anthropic", "claude-sonnet-4-5")


def test_variants_and_aliases_are_never_matched() -> None:
    for model_id in ("openai/gpt-4o:free", "openai/gpt-4o:batch", "~anthropic/claude-latest"):
        assert model_key("", model_id) is None


def test_latest_aliases_stay_distinct() -> None:
    dev = catalog("models.dev", provider("anthropic", priced("claude-3-5-sonnet-latest", 3, 15)))
    router = catalog(
        "openrouter", provider("openrouter", priced("anthropic/claude-3-5-sonnet", 6, 30))
    )
    assert match([dev, router]) == {}


def test_dated_id_matches_undated_only_without_a_dated_variant() -> None:
    dev = catalog("models.dev", provider("anthropic", priced("claude-sonnet-4-20250514", 3, 15)))
    router = catalog(
        "openrouter", provider("openrouter", priced("anthropic/claude-sonnet-4", 3, 15))
    )
    [(_, entries)] = match([dev, router]).items()
    assert {e.label for e in entries} == {
        "models.dev:anthropic/claude-sonnet-4-20250514",
        "openrouter:openrouter/anthropic/claude-sonnet-4",
    }
    dated_too = catalog(
        "openrouter",
        provider(
            "openrouter",
            priced("anthropic/claude-sonnet-4", 3, 15),
            priced("anthropic/claude-sonnet-4-20250522", 3, 15),
        ),
    )
    keys = match([dev, dated_too])
    assert all(len({e.source for e in entries}) >= 2 for entries in keys.values())
    assert ("anthropic", "claude-sonnet-4") not in keys


def test_price_and_context_disagreements_are_found_with_tolerances() -> None:
    dev = catalog("models.dev", provider("openai", priced("gpt-4o", 2.5, 10, 128000)))
    lite = catalog("litellm", provider("openai", priced("gpt-4o", 2.5, 10.05, 131072)))
    router = catalog("openrouter", provider("openrouter", priced("openai/gpt-4o", 5, 10, 64000)))
    found = {(i.field, i.severity.value): i for i in disagreements([dev, lite, router])}
    assert set(found) == {("cost.input", "high"), ("limit.context", "high")}
    assert found[("cost.input", "high")].values == {
        "litellm:openai/gpt-4o": 2.5,
        "models.dev:openai/gpt-4o": 2.5,
        "openrouter:openrouter/openai/gpt-4o": 5,
    }
    assert found[("cost.input", "high")].id == "source_disagreement:openai/gpt-4o:cost.input"


def test_within_tolerance_is_not_a_disagreement() -> None:
    dev = catalog("models.dev", provider("openai", priced("gpt-4o", 2.5, 10, 128000)))
    lite = catalog("litellm", provider("openai", priced("gpt-4o", 2.501, 10, 131072)))
    assert disagreements([dev, lite]) == []


def test_a_model_in_one_source_only_is_not_compared() -> None:
    dev = catalog("models.dev", provider("openai", priced("gpt-4o", 2.5, 10)))
    lite = catalog("litellm", provider("openai", priced("gpt-5", 1, 8)))
    assert disagreements([dev, lite]) == []
