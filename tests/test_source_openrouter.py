"""The OpenRouter adapter: real responses (counts and records checked by hand in the files),
exact decimal-string prices, bad models rejected by name, and the real May → August price move."""

from __future__ import annotations

import copy
import json
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.diff import diff_catalogs
from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import Catalog, Record
from catalog_watch.model.severity import Severity
from catalog_watch.sources.litellm import looks_like_litellm
from catalog_watch.sources.openrouter import (
    SOURCE_NAME,
    convert_openrouter,
    looks_like_openrouter,
    parse_openrouter,
)
from tests.factories import MODELS_DEV, REAL_DATA

OPENROUTER = REAL_DATA / "openrouter"
AUGUST = OPENROUTER / "2026-08-19.json"
MAY = OPENROUTER / "2026-05-01.data-only.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def model(model_id: str, **fields: Any) -> dict[str, Any]:
    """A small valid OpenRouter model; keyword arguments replace or add fields."""
    value: dict[str, Any] = {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": None,
        "name": model_id.upper(),
        "created": 1715558400,
        "description": "A model.",
        "context_length": 128000,
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image"],
            "output_modalities": ["text"],
            "tokenizer": "GPT",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0.0000025", "completion": "0.00001"},
        "top_provider": {"context_length": 128000, "max_completion_tokens": 16384},
        "supported_parameters": ["max_tokens", "tools", "temperature"],
        "knowledge_cutoff": None,
        "expiration_date": None,
    }
    value.update(fields)
    return value


def record(catalog: Catalog, model_id: str) -> Record:
    return catalog.providers["openrouter"].models[model_id]


# -- The real responses ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def august_doc() -> Any:
    return load(AUGUST)


@pytest.fixture(scope="module")
def august(august_doc: Any) -> Catalog:
    return parse_openrouter(august_doc)


@pytest.fixture(scope="module")
def may() -> Catalog:
    return parse_openrouter(load(MAY))


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("path", "offerings", "tiered", "dynamic"),
    [(AUGUST, 414, 59, 5), (MAY, 371, 0, 3)],
    ids=["2026-08-19", "2026-05-01"],
)
def test_real_response_counts(path: Path, offerings: int, tiered: int, dynamic: int) -> None:
    document = load(path)
    conversion = convert_openrouter(document)
    assert conversion.skipped_counts == {}
    catalog = parse_openrouter(document)
    assert catalog.source == SOURCE_NAME == "openrouter"
    assert list(catalog.providers) == ["openrouter"]
    assert catalog.providers["openrouter"].info == {"id": "openrouter", "name": "OpenRouter"}
    assert catalog.offering_count == offerings
    assert catalog.rejections == ()
    assert catalog.warnings == ()
    records = [r for _, _, r in catalog.offerings()]
    assert sum("tiers" in r.get("cost", {}) for r in records) == tiered
    assert sum(r.get("pricing_dynamic", False) for r in records) == dynamic
    assert sum("cost" not in r for r in records) == dynamic  # only the routers lack a price


@pytest.mark.realdata
def test_full_response_and_bare_data_array_give_the_same_catalog(august_doc: Any) -> None:
    assert parse_openrouter(august_doc["data"]) == parse_openrouter(august_doc)


@pytest.mark.realdata
def test_real_gpt_4o(august: Catalog) -> None:
    gpt_4o = record(august, "openai/gpt-4o")
    assert gpt_4o["name"] == "OpenAI: GPT-4o"
    # "0.0000025", "0.00001", "0.00000125" per token
    assert gpt_4o["cost"] == {"input": 2.5, "output": 10, "cache_read": 1.25}
    assert type(gpt_4o["cost"]["output"]) is int
    assert gpt_4o["limit"] == {"context": 128000, "output": 16384}
    assert gpt_4o["modalities"] == {"input": ["text", "image", "pdf"], "output": ["text"]}
    flags = ("attachment", "tool_call", "reasoning", "structured_output", "temperature")
    assert [gpt_4o[f] for f in flags] == [True, True, False, True, True]
    assert (gpt_4o["knowledge"], gpt_4o["release_date"]) == ("2023-10-31", "2024-05-13")
    assert "open_weights" not in gpt_4o  # hugging_face_id null: unknown
    extra = gpt_4o["openrouter"]
    assert extra["top_provider"] == {"context_length": 128000, "is_moderated": True}
    assert extra["architecture"] == {"tokenizer": "GPT", "instruct_type": None}
    assert extra["canonical_slug"] == "openai/gpt-4o"
    assert "tools" in extra["supported_parameters"]


@pytest.mark.realdata
def test_real_free_variant_router_and_alias(august: Catalog) -> None:
    free = record(august, "dots-studio/dots-3-note-preview:free")
    assert free["cost"] == {"input": 0, "output": 0}
    router = record(august, "openrouter/auto")  # prompt and completion "-1"
    assert "cost" not in router
    assert router["pricing_dynamic"] is True
    assert router["limit"] == {"context": 2000000, "output": 0}  # max_completion_tokens null
    alias = record(august, "~anthropic/claude-sonnet-latest")
    assert alias["openrouter"]["alias_target"]["slug"] == "anthropic/claude-sonnet-5"
    assert alias["cost"] == {"input": 2, "output": 10, "cache_read": 0.2, "cache_write": 2.5}
    assert alias["openrouter"]["pricing"] == {
        "web_search": "0.01",
        "input_cache_write_1h": "0.000004",
    }
    assert "openai/gpt-5.5:batch" in august.providers["openrouter"].models


@pytest.mark.realdata
def test_real_context_tiers_from_overrides(august: Catalog) -> None:
    seed = record(august, "bytedance-seed/seed-2.0-code")
    assert seed["cost"] == {
        "input": 0.5,
        "output": 3,
        "tiers": [{"input": 1, "output": 6, "tier": {"type": "context", "size": 128000}}],
    }
    assert "pricing" not in seed["openrouter"]
    qwen = record(august, "qwen/qwen3.7-flash")
    assert [t["tier"]["size"] for t in qwen["cost"]["tiers"]] == [32000, 256000]
    # an override's audio prices have no tier field: kept raw, with their threshold
    gemini = record(august, "~google/gemini-pro-latest")
    assert gemini["cost"]["tiers"] == [
        {"input": 4, "output": 18, "cache_read": 0.4, "tier": {"type": "context", "size": 200000}}
    ]
    assert gemini["openrouter"]["pricing"]["overrides"] == [
        {"min_prompt_tokens": 200000, "audio": "0.000004", "input_audio_cache": "0.0000004"}
    ]


@pytest.mark.realdata
def test_real_time_of_day_overrides_are_not_tiers(august: Catalog) -> None:
    deepseek = record(august, "deepseek/deepseek-v4-pro")
    assert deepseek["cost"] == {"input": 0.66, "output": 1.98, "cache_read": 0.022}
    windows = deepseek["openrouter"]["pricing"]["overrides"]
    assert [(w["utc_start"], w["utc_end"]) for w in windows] == [
        (1000, 100),
        (100, 400),
        (400, 600),
        (600, 1000),
    ]
    assert deepseek["open_weights"] is True
    assert deepseek["openrouter"]["hugging_face_id"] == "deepseek-ai/DeepSeek-V4-Pro"


@pytest.mark.realdata
def test_real_long_decimal_strings_convert_exactly(august_doc: Any, august: Catalog) -> None:
    flash = record(august, "google/gemini-2.5-flash")  # "0.0000000833333333333333"
    assert repr(flash["cost"]["cache_write"]) == "0.0833333333333333"
    lite = record(august, "google/gemini-2.5-flash-lite")  # "0.0000001", "0.0000004"
    assert (lite["cost"]["input"], lite["cost"]["output"]) == (0.1, 0.4)
    assert float("0.0000001") * 1e6 == 0.09999999999999999  # what float parsing would give
    noisy = 0
    for item in august_doc["data"]:
        cost = record(august, item["id"]).get("cost", {})
        for source_field, target in (("prompt", "input"), ("completion", "output")):
            raw = item["pricing"][source_field]
            if raw == "-1":
                continue
            exact = float(Decimal(raw) * 1_000_000)
            assert cost[target] == exact, item["id"]
            noisy += float(raw) * 1e6 != exact
    assert noisy == 133  # the check above would catch parsing the strings as floats


@pytest.mark.realdata
def test_real_volatile_fields_are_dropped(august_doc: Any, august: Catalog) -> None:
    assert sum("benchmarks" in m for m in august_doc["data"]) == 228
    for _, model_id, converted in august.offerings():
        extra = converted["openrouter"]
        assert "description" not in converted and "description" not in extra, model_id
        assert "benchmarks" not in extra, model_id
        assert "modality" not in extra.get("architecture", {}), model_id


@pytest.mark.realdata
def test_real_expiration_status_depends_only_on_today(august_doc: Any, august: Catalog) -> None:
    nano = "nvidia/nemotron-nano-12b-v2-vl:free"
    assert record(august, nano)["expiration_date"] == "2026-08-24"
    assert not any("status" in r for _, _, r in august.offerings())  # no today, no status

    def deprecated(today: date) -> list[str]:
        catalog = parse_openrouter(august_doc, today=today)
        return [m for _, m, r in catalog.offerings() if r.get("status") == "deprecated"]

    assert deprecated(date(2026, 8, 23)) == []
    assert deprecated(date(2026, 8, 24)) == [nano]
    assert deprecated(date(2026, 12, 31)) == [nano, "z-ai/glm-4.5"]


@pytest.mark.realdata
def test_real_parse_is_fast(august_doc: Any) -> None:
    start = time.perf_counter()
    parse_openrouter(august_doc)
    assert time.perf_counter() - start < 1.0


# -- Source detection ------------------------------------------------------------------------


@pytest.mark.realdata
def test_looks_like_openrouter_on_real_catalogs() -> None:
    assert looks_like_openrouter(load(AUGUST))
    assert looks_like_openrouter(load(MAY))
    assert not looks_like_litellm(load(AUGUST))
    assert not looks_like_openrouter(load(MODELS_DEV / "2026-06-28.json"))
    assert not looks_like_openrouter(load(REAL_DATA / "litellm" / "2026-07-24.json"))


def test_looks_like_openrouter_needs_models_with_id_and_pricing() -> None:
    assert looks_like_openrouter({"data": [model("a/b")]})
    assert looks_like_openrouter([model("a/b")])
    assert not looks_like_openrouter({"data": []})
    assert not looks_like_openrouter([{"id": "a/b"}, {"id": "c/d"}])
    assert not looks_like_openrouter({"data": {"a/b": model("a/b")}})


# -- Mapping rules on small documents --------------------------------------------------------


def test_capabilities_come_from_supported_parameters() -> None:
    doc = [
        model("a/none", supported_parameters=["max_tokens"]),
        model("a/all", supported_parameters=["include_reasoning", "response_format", "tools"]),
        model("a/unknown", supported_parameters=None),
    ]
    catalog = parse_openrouter(doc)
    none, rich, unknown = (record(catalog, m) for m in ("a/none", "a/all", "a/unknown"))
    flags = ("tool_call", "reasoning", "structured_output", "temperature")
    assert [none[f] for f in flags] == [False, False, False, False]
    assert [rich[f] for f in flags] == [True, True, True, False]
    assert not set(flags) & set(unknown)  # no list: unknown, not false


def test_one_dynamic_price_drops_only_that_price() -> None:
    doc = [model("a/b", pricing={"prompt": "-1", "completion": "0.000002"})]
    b = record(parse_openrouter(doc), "a/b")
    assert (b["cost"], b["pricing_dynamic"]) == ({"output": 2}, True)


def test_models_without_text_output_are_skipped_and_counted() -> None:
    embedder = model("a/embed")
    embedder["architecture"] = {"input_modalities": ["text"], "output_modalities": ["embeddings"]}
    doc = [model("a/chat"), embedder]
    assert convert_openrouter(doc).skipped == {"no text output": ("a/embed",)}
    assert list(parse_openrouter(doc).providers["openrouter"].models) == ["a/chat"]


def test_numbers_instead_of_strings_are_accepted_silently() -> None:
    doc = [model("a/b", pricing={"prompt": 2.5e-06, "completion": 0})]
    catalog = parse_openrouter(doc)
    assert record(catalog, "a/b")["cost"] == {"input": 2.5, "output": 0}
    assert catalog.warnings == ()


# -- Bad models ------------------------------------------------------------------------------


def test_bad_models_are_rejected_by_model_and_source_field() -> None:
    no_id = model("x/no-id")
    del no_id["id"]
    doc: list[Any] = [
        model("a/good"),
        no_id,
        "not a model",
        model("a/pricing-list", pricing=["0.000001"]),
        model("a/abc", pricing={"prompt": "abc", "completion": "0.00001"}),
        model("a/negative", pricing={"prompt": "0.000001", "completion": "-0.5"}),
        model("a/good"),
        model("a/created", created="yesterday"),
        model("a/output", top_provider={"max_completion_tokens": "many"}),
        model("a/modalities", architecture={"input_modalities": "text"}),
        model(
            "a/tier",
            pricing={"prompt": "0", "completion": "0", "overrides": [{"min_prompt_tokens": -5}]},
        ),
    ]
    catalog = parse_openrouter(doc, max_rejected_share=1)
    assert list(catalog.providers["openrouter"].models) == ["a/good"]
    found = {(r.provider, r.model, r.field) for r in catalog.rejections}
    assert found == {
        ("openrouter", "data[1]", "id"),
        ("openrouter", "data[2]", "(record)"),
        ("openrouter", "a/pricing-list", "pricing"),
        ("openrouter", "a/abc", "pricing.prompt"),
        ("openrouter", "a/negative", "pricing.completion"),
        ("openrouter", "data[6]", "id"),  # the repeat; the first "a/good" is kept
        ("openrouter", "a/created", "created"),
        ("openrouter", "a/output", "top_provider.max_completion_tokens"),
        ("openrouter", "a/modalities", "architecture.input_modalities"),
        ("openrouter", "a/modalities", "architecture.output_modalities"),
        ("openrouter", "a/tier", "pricing.overrides[0].min_prompt_tokens"),
    }
    [abc] = [r for r in catalog.rejections if r.model == "a/abc"]
    assert abc.value == "abc"
    assert "provider 'openrouter' model 'a/abc' field 'pricing.prompt'" in str(abc)


def test_too_many_bad_models_refuse_the_whole_document() -> None:
    good = [model(f"a/m{i}") for i in range(19)]
    bad = model("a/bad", pricing={"prompt": "abc", "completion": "0"})
    assert parse_openrouter([*good, bad]).offering_count == 19  # 1 of 20 = 5%: allowed
    with pytest.raises(CatalogRejected, match=r"^openrouter: 2 of 21 models"):
        parse_openrouter([*good, bad, {"name": "no id"}])


def test_broken_shapes_are_refused() -> None:
    with pytest.raises(CatalogRejected, match="'data' is dict"):
        parse_openrouter({"data": {"a/b": model("a/b")}})
    with pytest.raises(CatalogRejected, match="'data' is missing"):
        parse_openrouter({"models": []})
    with pytest.raises(CatalogRejected, match="got str"):
        parse_openrouter("[]")
    with pytest.raises(CatalogRejected, match="no model at all"):
        parse_openrouter({"data": [], "total_count": 0})


# -- Diffing the real responses --------------------------------------------------------------


@pytest.mark.realdata
def test_real_may_to_august_price_move_is_found(may: Catalog, august: Catalog) -> None:
    changes = {
        c.field: c for c in diff_catalogs(may, august) if c.model == "deepseek/deepseek-v4-pro"
    }
    move = changes["cost.input"]
    assert (move.kind.value, move.old, move.new) == ("price_changed", 0.435, 0.66)
    assert move.severity is Severity.HIGH
    assert (changes["cost.output"].old, changes["cost.output"].new) == (0.87, 1.98)


@pytest.mark.realdata
def test_real_description_rewrites_are_not_changes(may: Catalog, august: Catalog) -> None:
    old = {m["id"]: m["description"] for m in load(MAY)}
    new = {m["id"]: m["description"] for m in load(AUGUST)["data"]}
    assert sum(old[k] != new[k] for k in old.keys() & new.keys()) == 6
    fields = {c.field or "" for c in diff_catalogs(may, august)}
    assert not any("description" in field for field in fields)


@pytest.mark.realdata
def test_unchanged_response_diffs_to_nothing(august_doc: Any, august: Catalog) -> None:
    shuffled = copy.deepcopy(august_doc)
    shuffled["data"].reverse()
    for item in shuffled["data"]:
        item["description"] += " (edited)"
        item["supported_parameters"].reverse()
        item.pop("benchmarks", None)
    assert diff_catalogs(august, parse_openrouter(shuffled)) == []
