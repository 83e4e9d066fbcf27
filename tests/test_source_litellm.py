"""The LiteLLM adapter: real snapshots (counts and records checked by hand in the files), exact
unit conversion, bad entries rejected by name, and the real edits between January and July."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.accept.last_good import apply_last_good
from catalog_watch.analysis.diff import diff_catalogs
from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import Catalog, Record
from catalog_watch.sources.litellm import (
    KEPT_MODES,
    SOURCE_NAME,
    convert_litellm,
    looks_like_litellm,
    parse_litellm,
)
from catalog_watch.sources.openrouter import looks_like_openrouter
from catalog_watch.store.snapshot import provider_files
from tests.factories import MODELS_DEV, REAL_DATA

LITELLM = REAL_DATA / "litellm"
JANUARY = LITELLM / "2026-01-24.json"
JULY = LITELLM / "2026-07-24.json"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def entry(**fields: Any) -> dict[str, Any]:
    """A small valid LiteLLM chat entry; keyword arguments replace or add fields."""
    value: dict[str, Any] = {
        "litellm_provider": "acme",
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 8192,
        "max_tokens": 8192,
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "supports_function_calling": True,
    }
    value.update(fields)
    return value


def record(catalog: Catalog, provider: str, model: str) -> Record:
    return catalog.providers[provider].models[model]


# -- The real snapshots ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def july_doc() -> Any:
    return load(JULY)


@pytest.fixture(scope="module")
def july(july_doc: Any) -> Catalog:
    return parse_litellm(july_doc)


@pytest.fixture(scope="module")
def january() -> Catalog:
    return parse_litellm(load(JANUARY))


JULY_SKIPPED = {
    "mode audio_speech": 27,
    "mode audio_transcription": 62,
    "mode image_edit": 31,
    "mode image_generation": 209,
    "mode moderation": 5,
    "mode ocr": 13,
    "mode rerank": 25,
    "mode search": 18,
    "mode vector_store": 1,
    "mode video_generation": 25,
    "no mode": 8,
    "reserved key": 3,
}
JANUARY_SKIPPED = {
    "mode audio_speech": 19,
    "mode audio_transcription": 55,
    "mode image_edit": 27,
    "mode image_generation": 179,
    "mode moderation": 6,
    "mode ocr": 8,
    "mode rerank": 25,
    "mode search": 12,
    "mode vector_store": 1,
    "mode video_generation": 24,
    "no mode": 8,
    "reserved key": 2,
}


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("path", "providers", "offerings", "skipped"),
    [(JULY, 93, 2558, JULY_SKIPPED), (JANUARY, 85, 2091, JANUARY_SKIPPED)],
    ids=["2026-07-24", "2026-01-24"],
)
def test_real_snapshot_counts(
    path: Path, providers: int, offerings: int, skipped: dict[str, int]
) -> None:
    document = load(path)
    conversion = convert_litellm(document)
    assert conversion.skipped_counts == skipped
    catalog = parse_litellm(document)
    assert catalog.source == SOURCE_NAME == "litellm"
    assert (len(catalog.providers), catalog.offering_count) == (providers, offerings)
    assert catalog.rejections == ()
    assert catalog.warnings == ()
    # every top-level key is accounted for: kept, skipped or rejected
    assert offerings + sum(skipped.values()) == len(document)


@pytest.mark.realdata
def test_real_july_keeps_exactly_the_token_priced_modes(july: Catalog) -> None:
    modes = Counter(r["litellm"]["mode"] for _, _, r in july.offerings())
    assert modes == {
        "chat": 2285,
        "embedding": 124,
        "responses": 85,
        "completion": 36,
        "realtime": 28,
    }
    assert set(modes) == KEPT_MODES


@pytest.mark.realdata
def test_reserved_keys_are_skipped_not_rejected(july_doc: Any, july: Catalog) -> None:
    conversion = convert_litellm(july_doc)
    assert sorted(conversion.skipped["reserved key"]) == [
        "fallback_generalizations",
        "last_updated",
        "sample_spec",
    ]
    ids = {model for _, model, _ in july.offerings()}
    assert not {"sample_spec", "fallback_generalizations", "last_updated"} & ids
    assert "fireworks-ai-up-to-4b" in conversion.skipped["no mode"]
    assert "dall-e-3" in conversion.skipped["mode image_generation"]


@pytest.mark.realdata
def test_real_gpt_4o(july: Catalog) -> None:
    gpt_4o = record(july, "openai", "gpt-4o")
    assert gpt_4o["cost"] == {"input": 2.5, "output": 10, "cache_read": 1.25}
    assert type(gpt_4o["cost"]["output"]) is int  # 1e-05 per token is a whole $10 per 1M
    assert gpt_4o["limit"] == {"context": 128000, "output": 16384}
    assert gpt_4o["modalities"] == {"input": ["text", "image", "pdf"], "output": ["text"]}
    assert (gpt_4o["id"], gpt_4o["name"]) == ("gpt-4o", "gpt-4o")
    assert (gpt_4o["tool_call"], gpt_4o["reasoning"], gpt_4o["attachment"]) == (True, False, True)
    assert gpt_4o["structured_output"] is True
    # unmapped fields are kept as written, mapped ones are not repeated
    extra = gpt_4o["litellm"]
    assert extra["max_tokens"] == 16384
    assert extra["mode"] == "chat"
    assert extra["input_cost_per_token_priority"] == 4.25e-06
    assert extra["supports_tool_choice"] is True
    assert not {"input_cost_per_token", "max_input_tokens", "supports_vision"} & set(extra)


@pytest.mark.realdata
def test_real_expensive_and_wrong_prices_are_kept_as_written(july: Catalog) -> None:
    assert record(july, "openai", "o1-pro")["cost"] == {"input": 150, "output": 600}
    # a per-1M price stored per token upstream: a unit error for the inconsistency checks,
    # not something the adapter "fixes"
    wandb = record(july, "wandb", "wandb/deepseek-ai/DeepSeek-R1-0528")
    assert wandb["cost"] == {"input": 135000, "output": 540000}
    assert record(july, "azure_ai", "azure_ai/jais-30b-chat")["cost"]["input"] == 3200


@pytest.mark.realdata
def test_real_float_limits_are_accepted_as_ints_with_a_tier(july: Catalog) -> None:
    grok = record(july, "xai", "xai/grok-4-1-fast")
    assert grok["limit"] == {"context": 2000000, "output": 2000000}
    assert type(grok["limit"]["context"]) is int
    assert grok["cost"] == {
        "input": 0.2,
        "output": 0.5,
        "cache_read": 0.05,
        "tiers": [{"input": 0.4, "output": 1, "tier": {"type": "context", "size": 128000}}],
    }
    assert grok["modalities"]["input"] == ["text", "image", "audio"]


@pytest.mark.realdata
def test_real_long_context_tier_with_cache_prices(july: Catalog) -> None:
    pro = record(july, "vertex_ai-language-models", "gemini-2.5-pro")
    assert pro["cost"]["tiers"] == [
        {
            "input": 2.5,
            "output": 15,
            "cache_read": 0.25,
            "cache_write": 0.25,
            "tier": {"type": "context", "size": 200000},
        }
    ]
    assert pro["modalities"]["input"] == ["text", "image", "audio", "video", "pdf"]


@pytest.mark.realdata
def test_real_tiered_pricing_ranges_become_base_and_tiers(july: Catalog) -> None:
    coder = record(july, "dashscope", "dashscope/qwen3-coder-plus")
    assert coder["cost"] == {
        "input": 1,
        "output": 5,
        "cache_read": 0.1,
        "tiers": [
            {
                "input": 1.8,
                "output": 9,
                "cache_read": 0.18,
                "tier": {"type": "context", "size": 32000},
            },
            {
                "input": 3,
                "output": 15,
                "cache_read": 0.3,
                "tier": {"type": "context", "size": 128000},
            },
            {
                "input": 6,
                "output": 60,
                "cache_read": 0.6,
                "tier": {"type": "context", "size": 256000},
            },
        ],
    }
    assert "tiered_pricing" not in coder["litellm"]


@pytest.mark.realdata
def test_real_realtime_and_embedding_entries(july: Catalog) -> None:
    realtime = record(july, "openai", "gpt-realtime")
    assert realtime["cost"] == {
        "input": 4,
        "output": 16,
        "cache_read": 0.4,
        "input_audio": 32,
        "output_audio": 64,
    }
    assert realtime["modalities"] == {"input": ["text", "audio"], "output": ["text", "audio"]}
    # moved from chat to embedding upstream: still here, so the move reads as edits
    flash = record(july, "gemini", "gemini/gemini-1.5-flash")
    assert flash["litellm"]["mode"] == "embedding"
    assert flash["limit"] == {"context": 8192, "output": 0}  # no max_output_tokens: 0


@pytest.mark.realdata
def test_real_prices_convert_exactly(july_doc: Any, july: Catalog) -> None:
    # the naive float product is noisy, the adapter's value is not
    assert july_doc["amazon.nova-pro-v1:0"]["input_cost_per_token"] * 1e6 == 0.7999999999999999
    [nova] = [r for _, m, r in july.offerings() if m == "amazon.nova-pro-v1:0"]
    assert repr(nova["cost"]["input"]) == "0.8"
    noisy = 0
    for _, model, converted in july.offerings():
        raw = july_doc[model].get("input_cost_per_token")
        if raw is None:
            continue
        exact = float(Decimal(repr(raw)) * 1_000_000)
        assert converted["cost"]["input"] == exact, model
        noisy += raw * 1e6 != exact
    assert noisy == 583  # the check above would catch a float multiplication


@pytest.mark.realdata
def test_real_deprecation_status_depends_only_on_today(july_doc: Any, july: Catalog) -> None:
    flash = record(july, "gemini", "gemini/gemini-1.5-flash")
    assert flash["deprecation_date"] == "2025-09-29"
    assert "status" not in flash  # no today, no status
    before = parse_litellm(july_doc, today=date(2025, 9, 28))
    on_the_day = parse_litellm(july_doc, today=date(2025, 9, 29))
    assert "status" not in record(before, "gemini", "gemini/gemini-1.5-flash")
    assert record(on_the_day, "gemini", "gemini/gemini-1.5-flash")["status"] == "deprecated"
    as_of_snapshot = parse_litellm(july_doc, today=date(2026, 7, 24))
    statuses = Counter(r.get("status") for _, _, r in as_of_snapshot.offerings())
    assert statuses == {None: 2477, "deprecated": 81}


@pytest.mark.realdata
def test_real_provider_ids_are_file_names(july: Catalog) -> None:
    files = provider_files(july)
    assert len(files) == 93
    assert "vertex_ai-anthropic_models.json" in files


@pytest.mark.realdata
def test_real_parse_is_fast(july_doc: Any) -> None:
    start = time.perf_counter()
    parse_litellm(july_doc)
    assert time.perf_counter() - start < 1.0


# -- Source detection ------------------------------------------------------------------------


@pytest.mark.realdata
def test_looks_like_litellm_on_real_catalogs() -> None:
    assert looks_like_litellm(load(JULY))
    assert looks_like_litellm(load(JANUARY))
    assert not looks_like_openrouter(load(JULY))
    assert not looks_like_litellm(load(MODELS_DEV / "2026-06-28.json"))
    assert not looks_like_litellm(load(REAL_DATA / "openrouter" / "2026-08-19.json"))
    assert not looks_like_litellm(load(REAL_DATA / "openrouter" / "2026-05-01.data-only.json"))


def test_looks_like_litellm_needs_mostly_provider_tagged_objects() -> None:
    assert looks_like_litellm({"a": entry(), "b": entry(), "sample_spec": {}})
    assert not looks_like_litellm({"a": entry(), "b": {}, "c": {}})
    assert not looks_like_litellm({})
    assert not looks_like_litellm([entry()])


# -- Mapping rules on small documents --------------------------------------------------------


def test_absent_prices_mean_no_cost_and_zero_means_free() -> None:
    doc = {
        "unpriced": entry(input_cost_per_token=None, output_cost_per_token=None),
        "free": entry(input_cost_per_token=0, output_cost_per_token=0.0),
    }
    del doc["unpriced"]["input_cost_per_token"]
    catalog = parse_litellm(doc)
    assert "cost" not in record(catalog, "acme", "unpriced")
    assert record(catalog, "acme", "free")["cost"] == {"input": 0, "output": 0}


def test_max_tokens_is_never_taken_for_the_context() -> None:
    doc = {"m": entry(max_input_tokens=None, max_output_tokens=None, max_tokens=4096)}
    m = record(parse_litellm(doc), "acme", "m")
    assert m["limit"] == {"context": 0, "output": 0}
    assert m["litellm"]["max_tokens"] == 4096


def test_service_tier_prices_are_not_context_tiers() -> None:
    doc = {
        "m": entry(
            input_cost_per_token_above_200k_tokens=5e-06,
            input_cost_per_token_above_200k_tokens_priority=9e-06,
            cache_creation_input_token_cost_above_1hr=6e-06,
        )
    }
    m = record(parse_litellm(doc), "acme", "m")
    assert m["cost"]["tiers"] == [{"input": 5, "tier": {"type": "context", "size": 200000}}]
    assert m["litellm"]["input_cost_per_token_above_200k_tokens_priority"] == 9e-06
    assert m["litellm"]["cache_creation_input_token_cost_above_1hr"] == 6e-06


def test_flags_and_modalities() -> None:
    doc = {
        "plain": entry(),
        "rich": entry(
            supports_vision=True,
            supports_pdf_input=True,
            supports_audio_input=False,
            supports_reasoning=True,
            supports_response_schema=False,
            supported_output_modalities=["text", "image"],
        ),
    }
    catalog = parse_litellm(doc)
    plain, rich = record(catalog, "acme", "plain"), record(catalog, "acme", "rich")
    assert plain["modalities"] == {"input": ["text"], "output": ["text"]}
    assert (plain["attachment"], plain["reasoning"]) == (False, False)
    assert "structured_output" not in plain  # unknown, not false
    assert rich["modalities"] == {"input": ["text", "image", "pdf"], "output": ["text", "image"]}
    assert (rich["attachment"], rich["reasoning"], rich["structured_output"]) == (True, True, False)


def test_a_provider_that_is_not_a_file_name_rejects_its_entry_and_is_not_rewritten() -> None:
    # Rewriting it would merge it into another provider ("../acme" into "acme").
    doc = {"m": entry(litellm_provider="my provider/eu"), "n": entry(litellm_provider="../acme")}
    catalog = parse_litellm({**doc, "good": entry()}, max_rejected_share=1)
    assert list(catalog.providers) == ["acme"]
    assert list(catalog.providers["acme"].models) == ["good"]
    assert [(r.provider, r.model, r.field, r.value) for r in catalog.rejections] == [
        ("(unknown)", "m", "litellm_provider", "my provider/eu"),
        ("(unknown)", "n", "litellm_provider", "../acme"),
    ]
    assert "litellm_provider" not in record(catalog, "acme", "good")["litellm"]


def test_numeric_strings_are_accepted_with_a_warning() -> None:
    doc = {"m": entry(input_cost_per_token="0.000001", max_input_tokens="32000")}
    catalog = parse_litellm(doc)
    m = record(catalog, "acme", "m")
    assert (m["cost"]["input"], m["limit"]["context"]) == (1, 32000)
    assert catalog.rejections == ()
    assert {(w.model, w.field) for w in catalog.warnings} == {
        ("m", "input_cost_per_token"),
        ("m", "max_input_tokens"),
    }


# -- Bad entries -----------------------------------------------------------------------------


def test_bad_entries_are_rejected_by_provider_key_and_source_field() -> None:
    doc: dict[str, Any] = {
        "good": entry(),
        "abc-price": entry(input_cost_per_token="abc"),
        "negative": entry(output_cost_per_token=-1e-06),
        "no-provider": entry(litellm_provider=None),
        "not-an-object": "gpt-4o",
        "flag": entry(supports_function_calling="yes"),
        "fraction": entry(max_input_tokens=1000.5),
        "bad-tier": entry(input_cost_per_token_above_128k_tokens="lots"),
        "bad-date": entry(deprecation_date=20260101),
        "bad-range": entry(
            input_cost_per_token=None,
            output_cost_per_token=None,
            tiered_pricing=[{"range": ["x", 10], "input_cost_per_token": 1e-06}],
        ),
    }
    del doc["no-provider"]["litellm_provider"]
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    found = {(r.provider, r.model, r.field) for r in catalog.rejections}
    assert found == {
        ("acme", "abc-price", "input_cost_per_token"),
        ("acme", "negative", "output_cost_per_token"),
        ("(unknown)", "no-provider", "litellm_provider"),
        ("(unknown)", "not-an-object", "(record)"),
        ("acme", "flag", "supports_function_calling"),
        ("acme", "fraction", "max_input_tokens"),
        ("acme", "bad-tier", "input_cost_per_token_above_128k_tokens"),
        ("acme", "bad-date", "deprecation_date"),
        ("acme", "bad-range", "tiered_pricing[0].range"),
    }
    [abc] = [r for r in catalog.rejections if r.model == "abc-price"]
    assert abc.value == "abc"
    assert "provider 'acme' model 'abc-price' field 'input_cost_per_token'" in str(abc)


def test_a_rejected_entry_keeps_its_last_good_record() -> None:
    old = parse_litellm({"m": entry(), "n": entry()})
    new = parse_litellm(
        {"m": entry(input_cost_per_token="abc"), "n": entry()}, max_rejected_share=1
    )
    assert "m" not in new.providers["acme"].models
    restored = apply_last_good(new, old)
    assert restored.providers["acme"].models["m"] == old.providers["acme"].models["m"]
    assert diff_catalogs(old, restored) == []


def test_too_many_bad_entries_refuse_the_whole_document() -> None:
    good = {f"m{i}": entry() for i in range(19)}
    one_bad = {**good, "bad": entry(input_cost_per_token="abc")}
    assert parse_litellm(one_bad).offering_count == 19  # 1 of 20 = 5%: allowed
    two_bad = {**one_bad, "worse": "not an entry"}
    with pytest.raises(CatalogRejected, match=r"^litellm: 2 of 21 models"):
        parse_litellm(two_bad)
    # skipped entries do not dilute the share
    padded = {**two_bad, **{f"img{i}": entry(mode="image_generation") for i in range(100)}}
    with pytest.raises(CatalogRejected):
        parse_litellm(padded)


def test_documents_without_models_are_refused() -> None:
    with pytest.raises(CatalogRejected, match="expected a JSON object"):
        parse_litellm([entry()])
    with pytest.raises(CatalogRejected, match="no model at all"):
        parse_litellm({"sample_spec": {}, "img": entry(mode="image_generation")})
    with pytest.raises(CatalogRejected, match="1 of 1"):
        parse_litellm({"bad": entry(input_cost_per_token="abc")})


# -- Diffing the real snapshots --------------------------------------------------------------


@pytest.mark.realdata
def test_real_january_to_july_edits_are_found(january: Catalog, july: Catalog) -> None:
    changes = {
        (c.model, c.field): (c.kind.value, c.old, c.new) for c in diff_catalogs(january, july)
    }
    assert changes[("gemini/gemini-1.5-flash", "limit.context")] == ("limit_changed", 1048576, 8192)
    assert changes[("gemini/gemini-1.5-flash", "cost.output")] == ("price_changed", 0.3, 0)
    assert changes[("gemini/gemini-1.5-flash", "litellm.mode")] == (
        "metadata_changed",
        "chat",
        "embedding",
    )
    assert changes[("oci/xai.grok-3", "cost.output")] == ("price_changed", 0.15, 15)
    # input and output swapped
    assert changes[("command-r7b-12-2024", "cost.input")] == ("price_changed", 0.15, 0.0375)
    assert changes[("command-r7b-12-2024", "cost.output")] == ("price_changed", 0.0375, 0.15)
    assert changes[("mistral/mistral-large-latest", "cost.input")] == ("price_changed", 2, 0.5)
    assert changes[("mistral/mistral-large-latest", "cost.output")] == ("price_changed", 6, 1.5)
    assert changes[("gpt-5-pro", "limit.context")] == ("limit_changed", 128000, 400000)
    assert changes[("gpt-5-pro", "limit.output")] == ("limit_changed", 272000, 128000)


# -- Tiers that say two things ---------------------------------------------------------------


def test_two_tier_fields_for_one_price_at_one_size_reject_the_entry_naming_both() -> None:
    # int("0128") == int("128"): one of the two prices used to vanish without a word.
    doc = {
        "good": entry(),
        "t": entry(
            input_cost_per_token_above_128k_tokens=3e-06,
            input_cost_per_token_above_0128k_tokens=9e-06,
        ),
    }
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    [bad] = catalog.rejections
    assert (bad.model, bad.field) == ("t", "input_cost_per_token_above_0128k_tokens")
    assert "input_cost_per_token_above_128k_tokens" in bad.reason
    assert "128,000 tokens" in bad.reason


def test_tier_fields_for_other_prices_at_one_size_still_make_one_tier() -> None:
    doc = {
        "m": entry(
            input_cost_per_token_above_128k_tokens=3e-06,
            output_cost_per_token_above_0128k_tokens=9e-06,
        )
    }
    m = record(parse_litellm(doc), "acme", "m")
    assert m["cost"]["tiers"] == [
        {"input": 3, "output": 9, "tier": {"type": "context", "size": 128000}}
    ]


def test_a_tier_size_in_non_ascii_digits_is_an_unknown_field_not_a_tier() -> None:
    arabic_128 = "\u0661\u0662\u0668"  # int() reads it as 128
    field = f"input_cost_per_token_above_{arabic_128}k_tokens"
    doc = {"u": entry(input_cost_per_token_above_128k_tokens=3e-06, **{field: 9e-06})}
    catalog = parse_litellm(doc)
    u = record(catalog, "acme", "u")
    assert u["cost"]["tiers"] == [{"input": 3, "tier": {"type": "context", "size": 128000}}]
    assert u["litellm"][field] == 9e-06
    assert catalog.rejections == ()


def test_a_tier_field_with_a_trailing_line_break_is_not_a_tier() -> None:
    doc = {"m": entry(**{"input_cost_per_token_above_200k_tokens\n": 5e-06})}
    catalog = parse_litellm({**doc, **{f"g{i}": entry() for i in range(30)}})
    assert "m" not in catalog.providers["acme"].models
    [bad] = catalog.rejections  # kept under litellm, where a line break in a name is refused
    assert bad.field == "litellm.input_cost_per_token_above_200k_tokens\\x0a"


def test_a_tier_size_past_the_largest_token_count_rejects_the_entry() -> None:
    field = "input_cost_per_token_above_" + "9" * 5000 + "k_tokens"  # past int()'s digit limit
    doc = {"good": entry(), "huge": entry(**{field: 5e-06})}
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    [bad] = catalog.rejections
    assert bad.model == "huge"
    assert "past the largest token count" in bad.reason


def ranged(*ranges: tuple[list[Any], float]) -> dict[str, Any]:
    """An entry priced only by ``tiered_pricing``: one ``(range, input price)`` per range."""
    return entry(
        input_cost_per_token=None,
        output_cost_per_token=None,
        tiered_pricing=[{"range": bounds, "input_cost_per_token": p} for bounds, p in ranges],
    )


def test_tiered_pricing_ranges_that_start_at_one_size_reject_the_entry() -> None:
    doc = {
        "good": entry(),
        "base": ranged(([0, 32000], 1e-06), ([0, 128000], 5e-06)),
        "tier": ranged(([0, 32000], 1e-06), ([32000, 64000], 3e-06), ([32000, 128000], 4e-06)),
    }
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    found = {(r.model, r.field): r.reason for r in catalog.rejections}
    assert set(found) == {("base", "tiered_pricing[1].range"), ("tier", "tiered_pricing[2].range")}
    assert found["base", "tiered_pricing[1].range"].startswith(
        "starts at 0 tokens, as tiered_pricing[0] does"
    )


def test_overlapping_tiered_pricing_ranges_reject_the_entry() -> None:
    doc = {
        "good": entry(),
        "overlap": ranged(([0, 64000], 1e-06), ([32000, 128000], 3e-06)),
        "inside": ranged(([0, 256000], 1e-06), ([32000, 64000], 3e-06), ([64000, 128000], 4e-06)),
    }
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    assert {(r.model, r.field) for r in catalog.rejections} == {
        ("overlap", "tiered_pricing[1].range"),
        ("inside", "tiered_pricing[1].range"),
        ("inside", "tiered_pricing[2].range"),
    }
    [overlap] = [r for r in catalog.rejections if r.model == "overlap"]
    assert "inside tiered_pricing[0] (0 to 64,000)" in overlap.reason


def test_tiered_pricing_ranges_that_touch_or_leave_a_gap_are_kept_in_any_order() -> None:
    doc = {"m": ranged(([64000, 128000], 3e-06), ([0, 32000], 1e-06), ([32000, 64000], 2e-06))}
    m = record(parse_litellm(doc), "acme", "m")
    assert m["cost"]["input"] == 1
    assert [(t["tier"]["size"], t["input"]) for t in m["cost"]["tiers"]] == [
        (32000, 2),
        (64000, 3),
    ]


def test_a_tiered_pricing_range_that_ends_at_or_before_its_start_rejects_the_entry() -> None:
    doc = {"good": entry(), "m": ranged(([0, 32000], 1e-06), ([64000, 32000], 3e-06))}
    catalog = parse_litellm(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    assert [(r.model, r.field, r.reason) for r in catalog.rejections] == [
        ("m", "tiered_pricing[1].range", "ends at or before its start")
    ]
