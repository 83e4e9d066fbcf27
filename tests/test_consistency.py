"""Cross-provider inconsistencies: grouping rules, every check, stable ids, and the real catalog.

Unit tests build small catalogs inline; the ``realdata`` tests read ../shared/data and assert facts
looked up by hand in 2026-06-28.json.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog_watch.analysis.consistency import (
    ConsistencySettings,
    Inconsistency,
    ModelIndex,
    compare_inconsistencies,
    find_inconsistencies,
    group_offerings,
    load_model_index,
    normalize_model_id,
)
from catalog_watch.model.catalog import Catalog, Provider
from catalog_watch.model.severity import Severity
from catalog_watch.render.inconsistency_line import describe
from tests.factories import MODELS_DEV as REAL_DATA

# -- Fixtures --------------------------------------------------------------------------------


def rec(**fields: Any) -> dict[str, Any]:
    """A plain model record; keyword arguments replace whole top-level fields."""
    record: dict[str, Any] = {
        "attachment": False,
        "reasoning": False,
        "tool_call": True,
        "modalities": {"input": ["text"], "output": ["text"]},
        "limit": {"context": 131072, "output": 8192},
        "cost": {"input": 1, "output": 2},
    }
    record.update(fields)
    return record


def catalog(offerings: dict[str, dict[str, dict[str, Any]]]) -> Catalog:
    """``{provider: {model id: record}}`` -> Catalog (record ``id`` filled in)."""
    return Catalog(
        providers={
            pid: Provider(
                id=pid,
                info={"id": pid, "name": pid},
                models={mid: {"id": mid, **record} for mid, record in models.items()},
            )
            for pid, models in offerings.items()
        }
    )


def found_of(cat: Catalog, kind: str, **settings: Any) -> list[Inconsistency]:
    return [i for i in find_inconsistencies(cat, ConsistencySettings(**settings)) if i.kind == kind]


def one(cat: Catalog, kind: str, field: str, **settings: Any) -> Inconsistency:
    matches = [i for i in found_of(cat, kind, **settings) if i.field == field]
    assert len(matches) == 1, matches
    return matches[0]


def groups_of(cat: Catalog, **kwargs: Any) -> dict[str, list[tuple[str, str]]]:
    return group_offerings(cat, ConsistencySettings(**kwargs.pop("settings", {})), **kwargs)


def two_windows(first: int, second: int, field: str = "context") -> Catalog:
    other = {"context": 131072, "output": 8192}
    return catalog(
        {
            "a": {"m": rec(limit={**other, field: first})},
            "b": {"vendor/m": rec(limit={**other, field: second})},
        }
    )


def priced(*prices: float) -> Catalog:
    """One model ``m`` at provider ``p0``, ``p1``... with these input prices (output = 2x)."""
    return catalog(
        {f"p{i}": {"m": rec(cost={"input": p, "output": 2 * p})} for i, p in enumerate(prices)}
    )


MODELS_JSON = {
    "openai/gpt-5": {"id": "openai/gpt-5"},
    "anthropic/claude-sonnet-4-5": {"id": "anthropic/claude-sonnet-4-5"},
    "moonshotai/kimi-k2.6": {"id": "moonshotai/kimi-k2.6"},
    "zhipuai/glm-5": {"id": "zhipuai/glm-5"},
}


# -- The id rule: what merges ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "key"),
    [
        ("openai/gpt-4o", "gpt-4o"),
        ("TEE/glm-5", "glm-5"),
        ("workers-ai/@cf/meta/llama-3.1-8b-instruct", "llama-3-1-8b-instruct"),
        ("~anthropic/claude-opus-latest", "claude-opus-latest"),
    ],
)
def test_namespace_before_the_last_slash_is_dropped(model_id: str, key: str) -> None:
    assert normalize_model_id(model_id) == key


def test_ids_that_differ_only_by_case_merge() -> None:
    assert (
        normalize_model_id("Qwen/Qwen3-32B") == normalize_model_id("qwen/qwen3-32b") == "qwen3-32b"
    )


@pytest.mark.parametrize("region", ["", "us.", "eu.", "global.", "apac.", "au.", "jp."])
def test_bedrock_region_vendor_and_api_version_are_dropped(region: str) -> None:
    model_id = f"{region}anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert normalize_model_id(model_id) == "claude-sonnet-4-5-20250929"


@pytest.mark.parametrize(
    ("model_id", "key"),
    [
        ("openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
        ("us.anthropic.claude-opus-4-6-v1", "claude-opus-4-6"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
        ("meta.llama3-3-70b-instruct-v1:0", "llama3-3-70b-instruct"),
    ],
)
def test_bedrock_version_suffixes_are_dropped(model_id: str, key: str) -> None:
    assert normalize_model_id(model_id) == key


@pytest.mark.parametrize(
    ("model_id", "key"),
    [
        ("anthropic.claude-v2", "claude-v2"),  # Claude 2 ...
        ("anthropic.claude-v2:1", "claude-v2:1"),  # ... is not Claude 2.1
        ("anthropic.claude-instant-v1", "claude-instant-v1"),
        ("nvidia.nemotron-nano-9b-v2", "nemotron-nano-9b-v2"),
        ("mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0:2"),
    ],
)
def test_bedrock_model_versions_that_are_part_of_the_name_are_kept(model_id: str, key: str) -> None:
    assert normalize_model_id(model_id) == key


def test_version_suffix_outside_bedrock_form_is_part_of_the_name() -> None:
    assert normalize_model_id("nvidia/llama-3.3-nemotron-super-49b-v1") == (
        "llama-3-3-nemotron-super-49b-v1"
    )
    assert normalize_model_id("poolside/laguna-m.1") == "laguna-m.1"  # not a Bedrock vendor


def test_free_variant_suffix_is_dropped() -> None:
    assert normalize_model_id("openai/gpt-oss-120b:free") == "gpt-oss-120b"


def test_vertex_date_suffix_becomes_the_anthropic_snapshot_id() -> None:
    assert normalize_model_id("claude-sonnet-4-5@20250929") == "claude-sonnet-4-5-20250929"
    assert normalize_model_id("claude-opus-4@20250514") == "claude-opus-4-20250514"


def test_vertex_default_suffix_is_dropped() -> None:
    assert normalize_model_id("claude-opus-4-6@default") == "claude-opus-4-6"


def test_fp8_suffix_is_dropped_but_fp8_fast_is_another_variant() -> None:
    assert normalize_model_id("zai-org/GLM-5.1-FP8") == normalize_model_id("glm-5.1") == "glm-5-1"
    assert normalize_model_id("@cf/meta/llama-3.3-70b-instruct-fp8-fast") == (
        "llama-3-3-70b-instruct-fp8-fast"
    )


def test_ollama_size_tag_becomes_a_dash() -> None:
    assert normalize_model_id("gpt-oss:120b") == "gpt-oss-120b"


def test_dots_between_digits_become_dashes() -> None:
    assert normalize_model_id("anthropic/claude-sonnet-4.5") == "claude-sonnet-4-5"
    assert normalize_model_id("claude-sonnet-4-5") == "claude-sonnet-4-5"


def test_generic_router_ids_keep_their_namespace() -> None:
    assert normalize_model_id("openrouter/auto") == "openrouter/auto"
    assert normalize_model_id("auto", "morph") == "morph/auto"
    assert normalize_model_id("switchpoint/router") == "switchpoint/router"


def test_normalizing_a_key_again_changes_nothing() -> None:
    for model_id in ("us.anthropic.claude-opus-4-6-v1", "x/Foo-1.5:free", "openrouter/auto"):
        key = normalize_model_id(model_id)
        assert normalize_model_id(key) == key


# -- The id rule: what must NOT merge ----------------------------------------------------------


def test_latest_alias_is_not_merged_with_its_snapshot() -> None:
    assert normalize_model_id("mistral-large-latest") != normalize_model_id("mistral-large-2512")


def test_dated_snapshot_is_not_merged_with_the_undated_id() -> None:
    assert normalize_model_id("claude-sonnet-4-5-20250929") != normalize_model_id(
        "claude-sonnet-4-5"
    )
    assert normalize_model_id("gpt-4o-2024-08-06") != normalize_model_id("gpt-4o")


def test_thinking_variants_are_not_merged_with_the_base_model() -> None:
    assert normalize_model_id("moonshotai/kimi-k2.6:thinking") != "kimi-k2-6"
    assert normalize_model_id("claude-opus-4-1-thinking:1024") != "claude-opus-4-1-thinking"


def test_instruct_suffix_and_fused_lab_prefix_are_kept() -> None:
    assert normalize_model_id("llama-3.3-70b-instruct") != normalize_model_id("llama-3.3-70b")
    assert normalize_model_id("meta-llama-3.1-8b-instruct") != "llama-3-1-8b-instruct"


def test_different_routers_named_auto_are_separate_groups() -> None:
    cat = catalog({"llmgateway": {"auto": rec()}, "openrouter": {"openrouter/auto": rec()}})
    assert set(groups_of(cat)) == {"llmgateway/auto", "openrouter/auto"}


# -- Grouping, aliases and models.json ---------------------------------------------------------


def test_every_offering_lands_in_exactly_one_group_singletons_included() -> None:
    cat = catalog(
        {
            "anthropic": {"claude-sonnet-4-5": rec(), "claude-haiku-4-5": rec()},
            "openrouter": {"anthropic/claude-sonnet-4.5": rec()},
        }
    )
    assert groups_of(cat) == {
        "claude-haiku-4-5": [("anthropic", "claude-haiku-4-5")],
        "claude-sonnet-4-5": [
            ("anthropic", "claude-sonnet-4-5"),
            ("openrouter", "anthropic/claude-sonnet-4.5"),
        ],
    }


def test_alias_for_one_offering_moves_only_that_offering() -> None:
    cat = catalog(
        {
            "bedrock": {"meta.llama3-3-70b-instruct-v1:0": rec()},
            "x": {"llama-3.3-70b-instruct": rec()},
        }
    )
    aliases = {"bedrock/meta.llama3-3-70b-instruct-v1:0": "llama-3.3-70b-instruct"}
    assert groups_of(cat, settings={"aliases": aliases}) == {
        "llama-3-3-70b-instruct": [
            ("bedrock", "meta.llama3-3-70b-instruct-v1:0"),
            ("x", "llama-3.3-70b-instruct"),
        ]
    }


def test_alias_for_a_normalized_id_moves_every_spelling_of_it() -> None:
    cat = catalog(
        {
            "a": {"Llama3.3-70B-Instruct": rec()},
            "b": {"llama3-3-70b-instruct": rec()},
            "c": {"llama-3.3-70b-instruct": rec()},
        }
    )
    groups = groups_of(
        cat, settings={"aliases": {"llama3.3-70b-instruct": "llama-3-3-70b-instruct"}}
    )
    assert list(groups) == ["llama-3-3-70b-instruct"]
    assert len(groups["llama-3-3-70b-instruct"]) == 3


def test_models_json_confirms_lab_provider_maas_and_fireworks_spellings() -> None:
    index = load_model_index(MODELS_JSON)
    cat = catalog(
        {
            "openai": {"gpt-5": rec()},
            "digitalocean": {"openai-gpt-5": rec()},
            "databricks": {"databricks-gpt-5": rec()},
            "moonshotai": {"kimi-k2.6": rec()},
            "fireworks-ai": {"accounts/fireworks/models/kimi-k2p6": rec()},
            "google-vertex": {"zai-org/glm-5-maas": rec()},
            "zai": {"glm-5": rec()},
        }
    )
    with_index = groups_of(cat, index=index)
    assert set(with_index) == {"gpt-5", "kimi-k2-6", "glm-5"}
    assert len(with_index["gpt-5"]) == 3
    assert index.canonical_id("kimi-k2-6") == "moonshotai/kimi-k2.6"
    # Without models.json, these stay apart: the id rule does not guess prefixes.
    assert {"openai-gpt-5", "databricks-gpt-5", "kimi-k2p6", "glm-5-maas"} <= set(groups_of(cat))


def test_models_json_lab_prefix_must_be_the_models_own_lab() -> None:
    index = load_model_index(MODELS_JSON)
    cat = catalog({"openai": {"gpt-5": rec()}, "venice": {"google-gpt-5": rec()}})
    assert set(groups_of(cat, index=index)) == {"gpt-5", "google-gpt-5"}


def test_models_json_keeps_group_keys_of_plain_ids_unchanged() -> None:
    cat = catalog(
        {
            "anthropic": {"claude-sonnet-4-5": rec()},
            "openrouter": {"anthropic/claude-sonnet-4.5": rec()},
        }
    )
    assert groups_of(cat, index=load_model_index(MODELS_JSON)) == groups_of(cat)


def test_models_json_ids_that_collide_after_normalization_are_left_out() -> None:
    index = load_model_index({"a-lab/foo-1.5": {}, "b-lab/foo-1-5": {}, "c-lab/bar": {}})
    assert index.ambiguous == frozenset({"foo-1-5"})
    assert index.canonical_id("foo-1-5") is None
    assert index.canonical_id("bar") == "c-lab/bar"


def test_an_empty_index_changes_nothing() -> None:
    cat = catalog({"digitalocean": {"openai-gpt-5": rec()}})
    assert groups_of(cat, index=ModelIndex()) == groups_of(cat)


# -- Windows ---------------------------------------------------------------------------------


def test_context_within_tolerance_is_not_reported() -> None:
    assert found_of(two_windows(128000, 131072), "limit_mismatch") == []


def test_context_twice_as_large_is_a_high_limit_mismatch() -> None:
    item = one(two_windows(65536, 131072), "limit_mismatch", "limit.context")
    assert item.severity is Severity.HIGH
    assert item.model == "m"
    assert item.values == {"a/m": 65536, "b/vendor/m": 131072}


def test_context_gap_beyond_tolerance_but_under_double_is_medium() -> None:
    item = one(two_windows(100000, 131072), "limit_mismatch", "limit.context")
    assert item.severity is Severity.MEDIUM


def test_context_tolerance_setting_is_used() -> None:
    cat = two_windows(128000, 131072)
    assert one(cat, "limit_mismatch", "limit.context", context_tolerance=0.0)


def test_context_of_zero_means_no_window_published_not_a_disagreement() -> None:
    assert found_of(two_windows(0, 131072), "limit_mismatch") == []


def test_output_limit_disagreement_is_reported() -> None:
    item = one(two_windows(4096, 65536, field="output"), "limit_mismatch", "limit.output")
    assert item.severity is Severity.HIGH


# -- Modalities, capabilities, knowledge -------------------------------------------------------


def test_modalities_compare_as_sets() -> None:
    cat = catalog(
        {
            "a": {"m": rec(modalities={"input": ["text", "image"], "output": ["text"]})},
            "b": {"m": rec(modalities={"input": ["image", "text"], "output": ["text"]})},
        }
    )
    assert found_of(cat, "modality_mismatch") == []


def test_input_modality_mismatch_is_low_and_output_is_medium() -> None:
    cat = catalog(
        {
            "a": {"m": rec(modalities={"input": ["text", "image"], "output": ["text", "image"]})},
            "b": {"m": rec(modalities={"input": ["text"], "output": ["text"]})},
        }
    )
    found = {i.field: i for i in found_of(cat, "modality_mismatch")}
    assert found["modalities.input"].severity is Severity.LOW
    assert found["modalities.output"].severity is Severity.MEDIUM
    assert found["modalities.input"].values == {"a/m": ["image", "text"], "b/m": ["text"]}


def test_tool_call_mismatch_is_medium_and_reasoning_mismatch_is_low() -> None:
    cat = catalog({"a": {"m": rec(tool_call=False, reasoning=True)}, "b": {"m": rec()}})
    found = {i.field: i.severity for i in found_of(cat, "capability_mismatch")}
    assert found == {"tool_call": Severity.MEDIUM, "reasoning": Severity.LOW}


def test_attachment_and_structured_output_mismatches_are_reported() -> None:
    cat = catalog(
        {
            "a": {"m": rec(attachment=True, structured_output=True)},
            "b": {"m": rec(structured_output=False)},
        }
    )
    assert {i.field for i in found_of(cat, "capability_mismatch")} == {
        "attachment",
        "structured_output",
    }


def test_missing_structured_output_is_unknown_not_false() -> None:
    cat = catalog({"a": {"m": rec(structured_output=True)}, "b": {"m": rec()}})
    assert found_of(cat, "capability_mismatch") == []


def test_knowledge_compares_by_month() -> None:
    cat = catalog({"a": {"m": rec(knowledge="2024-04")}, "b": {"m": rec(knowledge="2024-04-30")}})
    assert found_of(cat, "knowledge_mismatch") == []


def test_knowledge_months_apart_is_info_and_over_a_year_apart_is_low() -> None:
    close = catalog({"a": {"m": rec(knowledge="2024-04")}, "b": {"m": rec(knowledge="2024-10")}})
    far = catalog({"a": {"m": rec(knowledge="2023-01")}, "b": {"m": rec(knowledge="2024-10")}})
    assert one(close, "knowledge_mismatch", "knowledge").severity is Severity.INFO
    assert one(far, "knowledge_mismatch", "knowledge").severity is Severity.LOW


# -- Prices ----------------------------------------------------------------------------------


def test_price_spread_at_the_ratio_is_medium() -> None:
    item = one(priced(1, 1, 3.5), "price_spread", "cost.input")
    assert item.severity is Severity.MEDIUM
    assert item.values == {"p0/m": 1, "p1/m": 1, "p2/m": 3.5}


def test_price_spread_under_the_ratio_is_not_reported() -> None:
    assert found_of(priced(1, 1, 2.5), "price_spread") == []


def test_price_ratio_setting_is_used() -> None:
    assert one(priced(1, 1, 2.5), "price_spread", "cost.input", price_ratio=2.0)


def test_cheaper_outlier_counts_like_a_dearer_one() -> None:
    assert one(priced(1, 1, 0.2), "price_spread", "cost.input").severity is Severity.MEDIUM


def test_very_large_spread_below_unit_error_is_high() -> None:
    assert one(priced(1, 1, 15), "price_spread", "cost.input").severity is Severity.HIGH


def test_thousandfold_price_is_a_unit_error_not_a_spread() -> None:
    found = find_inconsistencies(priced(0.02, 0.02, 20))
    assert {(i.kind, i.field) for i in found} == {
        ("price_unit_error", "cost.input"),
        ("price_unit_error", "cost.output"),
    }
    assert all(i.severity is Severity.HIGH for i in found)


def test_unit_error_ratio_setting_is_used() -> None:
    cat = priced(1, 1, 15)
    assert one(cat, "price_unit_error", "cost.input", unit_error_ratio=10.0)


def test_offerings_without_cost_are_unknown_price_not_free() -> None:
    unpriced = rec()
    del unpriced["cost"]
    cat = catalog({"a": {"m": rec()}, "b": {"m": rec()}, "c": {"m": unpriced}})
    assert find_inconsistencies(cat) == []


def test_zero_price_in_a_paid_group_is_medium() -> None:
    free = rec(cost={"input": 0, "output": 0})
    cat = catalog(
        {
            "p0": {"m": rec(cost={"input": 1, "output": 2})},
            "p1": {"m": rec(cost={"input": 1.2, "output": 2.4})},
            "p2": {"m": free, "other": rec()},  # p2 charges for its other model
        }
    )
    item = one(cat, "zero_price_in_paid_group", "cost")
    assert item.severity is Severity.MEDIUM
    assert item.id == "zero_price_in_paid_group:p2/m:cost"
    assert item.values["p2/m"] == {"input": 0, "output": 0}
    assert found_of(cat, "price_spread") == []  # a zero is not a spread


def test_zero_price_is_not_reported_when_the_group_is_mostly_free() -> None:
    assert found_of(priced(0, 0, 1), "zero_price_in_paid_group") == []


def test_free_variant_is_grouped_but_left_out_of_price_checks() -> None:
    cat = catalog(
        {
            "openrouter": {
                "vendor/m": rec(cost={"input": 1, "output": 2}),
                "vendor/m:free": rec(cost={"input": 0, "output": 0}),
            },
            "other": {"m": rec(cost={"input": 1.1, "output": 2.2})},
        }
    )
    assert len(groups_of(cat)["m"]) == 3
    assert find_inconsistencies(cat) == []


def test_providers_that_list_most_models_free_are_left_out_of_price_checks() -> None:
    plan = {"m": rec(cost={"input": 0, "output": 0}), "n": rec(cost={"input": 0, "output": 0})}
    cat = catalog({"coding-plan": plan, "a": {"m": rec()}, "b": {"m": rec()}})
    assert find_inconsistencies(cat) == []


# -- Single-offering checks ------------------------------------------------------------------


def test_output_above_context_is_medium() -> None:
    cat = catalog({"a": {"m": rec(limit={"context": 128000, "output": 262144})}})
    item = one(cat, "output_exceeds_context", "limit.output")
    assert item.severity is Severity.MEDIUM
    assert item.values == {"a/m": {"context": 128000, "output": 262144}}


def test_output_with_no_published_context_is_not_flagged() -> None:
    cat = catalog({"a": {"whisper": rec(limit={"context": 0, "output": 4096})}})
    assert find_inconsistencies(cat) == []


def test_cache_read_above_input_is_medium() -> None:
    cat = catalog({"a": {"m": rec(cost={"input": 0.5, "output": 1.5, "cache_read": 1.25})}})
    item = one(cat, "cache_read_above_input", "cost.cache_read")
    assert item.severity is Severity.MEDIUM
    assert describe(item) == "cost.cache_read 1.25 is above cost.input 0.5 on a/m"


def test_tier_below_base_is_low_for_tiers_and_context_over_200k() -> None:
    cost = {
        "input": 2,
        "output": 6,
        "tiers": [{"input": 2.5, "output": 5, "tier": {"type": "context", "size": 200000}}],
        "context_over_200k": {"input": 2.5, "output": 5},
    }
    found = found_of(catalog({"a": {"m": rec(cost=cost)}}), "tier_below_base")
    assert {(i.field, i.severity) for i in found} == {
        ("cost.tiers", Severity.LOW),
        ("cost.context_over_200k", Severity.LOW),
    }


def test_tier_priced_above_base_is_fine() -> None:
    cost = {
        "input": 2,
        "output": 6,
        "tiers": [{"input": 4, "output": 9, "tier": {"type": "context", "size": 200000}}],
    }
    assert find_inconsistencies(catalog({"a": {"m": rec(cost=cost)}})) == []


# -- Ids, ordering, output -------------------------------------------------------------------


def test_id_does_not_depend_on_the_values() -> None:
    before = one(two_windows(65536, 131072), "limit_mismatch", "limit.context")
    after = one(two_windows(32768, 200000), "limit_mismatch", "limit.context")
    assert before.id == after.id == "limit_mismatch:m:limit.context"
    assert before.values != after.values


def test_compare_yields_appeared_and_resolved_by_id() -> None:
    old = find_inconsistencies(two_windows(65536, 131072))
    new = find_inconsistencies(two_windows(32768, 131072, field="output"))
    appeared, resolved = compare_inconsistencies(old, new)
    assert [i.id for i in appeared] == ["limit_mismatch:m:limit.output"]
    assert [i.id for i in resolved] == ["limit_mismatch:m:limit.context"]


def test_a_disagreement_whose_numbers_move_is_neither_appeared_nor_resolved() -> None:
    old = find_inconsistencies(two_windows(65536, 131072))
    new = find_inconsistencies(two_windows(32768, 131072))
    assert compare_inconsistencies(old, new) == ([], [])


def test_single_offering_id_survives_a_regrouping() -> None:
    cat = catalog({"a": {"m": rec(limit={"context": 1000, "output": 2000})}})
    plain = one(cat, "output_exceeds_context", "limit.output")
    aliased = one(cat, "output_exceeds_context", "limit.output", aliases={"a/m": "other"})
    assert plain.id == aliased.id == "output_exceeds_context:a/m:limit.output"
    assert aliased.model == "other"


def test_findings_are_sorted_by_severity_then_id() -> None:
    cat = catalog(
        {
            "a": {"m": rec(knowledge="2024-01", tool_call=False)},
            "b": {"m": rec(knowledge="2024-02", limit={"context": 32768, "output": 8192})},
        }
    )
    found = find_inconsistencies(cat)
    assert [(i.severity, i.kind) for i in found] == [
        (Severity.HIGH, "limit_mismatch"),
        (Severity.MEDIUM, "capability_mismatch"),
        (Severity.INFO, "knowledge_mismatch"),
    ]
    assert found == sorted(found, key=lambda i: (i.severity.rank, i.id))


def test_to_json_has_exactly_the_documented_keys() -> None:
    item = one(two_windows(65536, 131072), "limit_mismatch", "limit.context")
    assert item.to_json() == {
        "id": "limit_mismatch:m:limit.context",
        "kind": "limit_mismatch",
        "model": "m",
        "field": "limit.context",
        "values": {"a/m": 65536, "b/vendor/m": 131072},
        "severity": "high",
    }
    json.dumps(item.to_json())


def test_describe_groups_offerings_by_value_most_common_first() -> None:
    cat = catalog(
        {
            "a": {"x": rec()},
            "b": {"x": rec()},
            "c": {"x": rec(limit={"context": 65536, "output": 8192})},
        }
    )
    item = one(cat, "limit_mismatch", "limit.context")
    assert describe(item) == "limit.context varies: 131072 (a/x, b/x), 65536 (c/x)"


def test_describe_of_a_unit_error_names_the_outlier() -> None:
    item = one(priced(0.02, 0.02, 20), "price_unit_error", "cost.input")
    assert describe(item).endswith("; median 0.02, p2/m is 1000x off (unit error suspected)")


def test_settings_reject_ratios_that_would_flag_everything() -> None:
    with pytest.raises(ValueError, match="price_ratio"):
        ConsistencySettings(price_ratio=1.0)
    with pytest.raises(ValueError, match="context_tolerance"):
        ConsistencySettings(context_tolerance=1.5)


# -- The real catalog (2026-06-28) -------------------------------------------------------------


def _load(name: str) -> Catalog:
    document = json.loads((REAL_DATA / name).read_text(encoding="utf-8"))
    return Catalog(
        providers={
            pid: Provider(
                id=pid,
                info={k: v for k, v in body.items() if k != "models"},
                models=body["models"],
            )
            for pid, body in document.items()
        }
    )


@pytest.fixture(scope="module")
def june() -> Catalog:
    return _load("2026-06-28.json")


@pytest.fixture(scope="module")
def june_index() -> ModelIndex:
    return load_model_index(json.loads((REAL_DATA / "2026-06-28.models.json").read_text("utf-8")))


@pytest.fixture(scope="module")
def june_found(june: Catalog, june_index: ModelIndex) -> dict[str, Inconsistency]:
    return {i.id: i for i in find_inconsistencies(june, index=june_index)}


@pytest.mark.realdata
def test_real_multi_provider_group_count_is_plausible(
    june: Catalog, june_index: ModelIndex
) -> None:
    for index in (None, june_index):
        groups = group_offerings(june, ConsistencySettings(), index)
        assert sum(len(members) for members in groups.values()) == june.offering_count == 5247
        multi = [g for g in groups.values() if len({provider for provider, _ in g}) > 1]
        assert 550 <= len(multi) <= 700


@pytest.mark.realdata
def test_real_context_disagreement_deepseek_chat_v3_1(june_found: dict[str, Inconsistency]) -> None:
    item = june_found["limit_mismatch:deepseek-chat-v3-1:limit.context"]
    assert item.values == {
        "kilo/deepseek/deepseek-chat-v3.1": 32768,
        "openrouter/deepseek/deepseek-chat-v3.1": 163840,
    }
    assert item.severity is Severity.HIGH


@pytest.mark.realdata
def test_real_128000_vs_131072_is_one_window(june_found: dict[str, Inconsistency]) -> None:
    # devstral-small-2507: llmgateway 131072, mistral and merge-gateway 128000.
    assert "limit_mismatch:devstral-small-2507:limit.context" not in june_found


@pytest.mark.realdata
def test_real_mistral_nemo_priced_per_thousand_is_a_unit_error(
    june_found: dict[str, Inconsistency],
) -> None:
    for field, wrong, usual in (("input", 20, 0.15), ("output", 40, 0.15)):
        item = june_found[f"price_unit_error:mistral-nemo:cost.{field}"]
        assert item.severity is Severity.HIGH
        assert item.values["helicone/mistral-nemo"] == wrong
        assert item.values["mistral/mistral-nemo"] == usual
        assert "github-models/mistral-ai/mistral-nemo" not in item.values  # a free provider


@pytest.mark.realdata
def test_real_output_above_context_302ai_mistral_large(
    june_found: dict[str, Inconsistency],
) -> None:
    item = june_found["output_exceeds_context:302ai/mistral-large-2512:limit.output"]
    assert item.values == {"302ai/mistral-large-2512": {"context": 128000, "output": 262144}}


@pytest.mark.realdata
def test_real_bedrock_vertex_and_anthropic_spellings_share_a_group(june: Catalog) -> None:
    members = group_offerings(june)["claude-sonnet-4-5-20250929"]
    for member in (
        ("anthropic", "claude-sonnet-4-5-20250929"),
        ("amazon-bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("amazon-bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("google-vertex", "claude-sonnet-4-5@20250929"),
    ):
        assert member in members
    assert ("anthropic", "claude-sonnet-4-5") not in members


@pytest.mark.realdata
def test_real_free_variant_is_grouped_but_never_priced(
    june: Catalog, june_found: dict[str, Inconsistency]
) -> None:
    assert ("openrouter", "openai/gpt-oss-120b:free") in group_offerings(june)["gpt-oss-120b"]
    for item in june_found.values():
        if item.field.startswith("cost"):
            assert "openrouter/openai/gpt-oss-120b:free" not in item.values


@pytest.mark.realdata
def test_real_models_json_joins_databricks_and_fireworks_spellings(
    june: Catalog, june_index: ModelIndex
) -> None:
    plain = group_offerings(june)
    indexed = group_offerings(june, ConsistencySettings(), june_index)
    assert ("databricks", "databricks-gpt-5-1") in indexed["gpt-5-1"]
    assert ("fireworks-ai", "accounts/fireworks/models/kimi-k2p6") in indexed["kimi-k2-6"]
    assert ("databricks", "databricks-gpt-5-1") not in plain["gpt-5-1"]


@pytest.mark.realdata
def test_real_every_kind_occurs_and_high_findings_lead(
    june_found: dict[str, Inconsistency],
) -> None:
    kinds = {item.kind for item in june_found.values()}
    assert kinds == {
        "limit_mismatch",
        "modality_mismatch",
        "capability_mismatch",
        "knowledge_mismatch",
        "price_spread",
        "price_unit_error",
        "output_exceeds_context",
        "cache_read_above_input",
        "zero_price_in_paid_group",
        "tier_below_base",
    }
    ranks = [item.severity.rank for item in june_found.values()]
    assert ranks == sorted(ranks)


@pytest.mark.realdata
def test_real_march_to_june_compare_keeps_lasting_findings(june_index: ModelIndex) -> None:
    old = find_inconsistencies(_load("2026-03-10.json"), index=june_index)
    new = find_inconsistencies(_load("2026-06-28.json"), index=june_index)
    appeared, resolved = compare_inconsistencies(old, new)
    appeared_ids = {i.id for i in appeared}
    resolved_ids = {i.id for i in resolved}
    # Still wrong in June, so neither appeared nor resolved.
    for lasting in (
        "price_unit_error:mistral-nemo:cost.input",
        "limit_mismatch:deepseek-chat-v3-1:limit.context",
    ):
        assert lasting not in appeared_ids | resolved_ids
    # deepseek-chat-v3-0324's windows were fixed by June.
    assert "limit_mismatch:deepseek-chat-v3-0324:limit.context" in resolved_ids
    assert len(old) - len(resolved) + len(appeared) == len(new)
