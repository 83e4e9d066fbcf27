"""The keyed diff: one test per change kind, plus the rules on equality and ignored fields."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_watch.analysis.compare import DEFAULTS, compare
from catalog_watch.analysis.diff import _IgnoreRule, diff_catalogs
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.settings.config import load_config
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, edited, model, provider, small_catalog


def changes_between(old: dict[str, Any], new: dict[str, Any], **kwargs: Any) -> list[Change]:
    return diff_catalogs(parse_catalog(old), parse_catalog(new), **kwargs)


def only(changes: list[Change]) -> Change:
    assert len(changes) == 1, changes
    return changes[0]


def test_identical_catalogs_have_no_changes() -> None:
    assert changes_between(small_catalog(), small_catalog()) == []


def test_price_increase_has_change_pct_and_high_severity() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 3
    change = only(changes_between(old, new))
    assert (change.kind, change.provider, change.model, change.field) == (
        ChangeKind.PRICE_CHANGED,
        "acme",
        "fast-1",
        "cost.input",
    )
    assert (change.old, change.new, change.change_pct) == (2.5, 3, 20.0)
    assert change.severity is Severity.HIGH


def test_price_decrease_is_low_severity_with_negative_pct() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["output"] = 0.5
    change = only(changes_between(old, new))
    assert (change.change_pct, change.severity) == (-95.0, Severity.LOW)


def test_int_and_float_of_equal_value_are_not_a_change() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["output"] = 10.0
    assert changes_between(old, new) == []


@pytest.mark.parametrize(
    "path",
    [
        ("cost", "context_over_200k", "output"),
        ("experimental", "modes", "fast", "cost", "input"),
    ],
)
def test_nested_prices_are_price_changes_with_dotted_fields(path: tuple[str, ...]) -> None:
    old = small_catalog()
    old["acme"]["models"]["fast-1"]["cost"]["context_over_200k"] = {"input": 5, "output": 20}
    old["acme"]["models"]["fast-1"]["experimental"] = {
        "modes": {"fast": {"cost": {"input": 6, "output": 30}}}
    }
    new = edited(old)
    target = new["acme"]["models"]["fast-1"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] *= 2
    change = only(changes_between(old, new))
    assert change.kind is ChangeKind.PRICE_CHANGED
    assert change.field == ".".join(path)
    assert change.change_pct == 100.0


def test_tiers_list_is_compared_whole() -> None:
    tier = {"input": 5, "output": 20, "tier": {"type": "context", "size": 200000}}
    old = small_catalog()
    old["acme"]["models"]["fast-1"]["cost"]["tiers"] = [tier]
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["tiers"][0]["output"] = 25
    change = only(changes_between(old, new))
    assert (change.kind, change.field, change.change_pct) == (
        ChangeKind.PRICE_CHANGED,
        "cost.tiers",
        None,
    )
    assert change.new[0]["output"] == 25


def test_price_appearing_is_reported_from_none() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["cache_read"] = 0.25
    change = only(changes_between(old, new))
    assert (change.field, change.old, change.new, change.severity) == (
        "cost.cache_read",
        None,
        0.25,
        Severity.MEDIUM,
    )


def test_context_decrease_is_a_high_severity_limit_change() -> None:
    old = small_catalog()
    new = edited(old)
    new["beta"]["models"]["fast-1"]["limit"]["context"] = 65536
    change = only(changes_between(old, new))
    assert (change.kind, change.field, change.old, change.new, change.severity) == (
        ChangeKind.LIMIT_CHANGED,
        "limit.context",
        131072,
        65536,
        Severity.HIGH,
    )


@pytest.mark.parametrize(
    ("old", "new", "severity"),
    [
        (65536, 65000, Severity.LOW),  # -0.8 %: the same window written another way
        (131072, 129800, Severity.LOW),  # -0.97 %: just under 1 %
        (100000, 99000, Severity.HIGH),  # exactly 1 %
        (131072, 128000, Severity.HIGH),  # -2.3 %
        (131072, 0, Severity.HIGH),
    ],
)
def test_a_limit_drop_is_high_from_one_percent(old: int, new: int, severity: Severity) -> None:
    before = document(provider("acme", model("m", limit={"context": old, "output": 0})))
    after = edited(before)
    after["acme"]["models"]["m"]["limit"]["context"] = new
    assert only(changes_between(before, after)).severity is severity


def test_capability_lost_is_high_and_gained_is_low() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["tool_call"] = False
    new["acme"]["models"]["big-1"]["reasoning"] = True
    lost, gained = changes_between(old, new)
    assert (lost.model, lost.kind, lost.field, lost.severity) == (
        "big-1",
        ChangeKind.CAPABILITY_CHANGED,
        "reasoning",
        Severity.LOW,
    )
    assert (gained.model, gained.field, gained.severity) == ("fast-1", "tool_call", Severity.HIGH)


def test_reasoning_options_and_interleaved_are_capabilities() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["reasoning_options"] = [{"type": "toggle"}]
    new["acme"]["models"]["fast-1"]["interleaved"] = {"field": "reasoning_content"}
    kinds = {(c.field, c.kind) for c in changes_between(old, new)}
    assert kinds == {
        ("interleaved.field", ChangeKind.CAPABILITY_CHANGED),
        ("reasoning_options", ChangeKind.CAPABILITY_CHANGED),
    }


def test_modalities_are_compared_as_sets_and_report_added_and_removed() -> None:
    old = small_catalog()
    old["acme"]["models"]["fast-1"]["modalities"]["input"] = ["text", "image"]
    reordered = edited(old)
    reordered["acme"]["models"]["fast-1"]["modalities"]["input"] = ["image", "text"]
    assert changes_between(old, reordered) == []
    new = edited(old)
    new["acme"]["models"]["fast-1"]["modalities"]["input"] = ["text", "audio"]
    change = only(changes_between(old, new))
    assert change.kind is ChangeKind.MODALITY_CHANGED
    assert (change.added, change.removed, change.severity) == (
        ("audio",),
        ("image",),
        Severity.HIGH,
    )


def test_deprecation_is_a_high_severity_status_change() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["big-1"]["status"] = "deprecated"
    change = only(changes_between(old, new))
    assert (change.kind, change.old, change.new, change.severity) == (
        ChangeKind.STATUS_CHANGED,
        None,
        "deprecated",
        Severity.HIGH,
    )


def test_other_fields_are_metadata_changes() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["big-1"]["knowledge"] = "2025-06"
    new["acme"]["models"]["big-1"]["name"] = "Big One"
    fields = [(c.kind, c.field) for c in changes_between(old, new)]
    assert fields == [
        (ChangeKind.METADATA_CHANGED, "knowledge"),
        (ChangeKind.METADATA_CHANGED, "name"),
    ]


def test_last_updated_is_ignored_by_default_and_can_be_restored() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["big-1"]["last_updated"] = "2026-01-01"
    assert changes_between(old, new) == []
    change = only(changes_between(old, new, ignore_fields=()))
    assert change.field == "last_updated"


def test_ignore_field_accepts_prefixes_and_globs() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["big-1"]["cost"]["cache_read"] = 1
    new["acme"]["models"]["big-1"]["limit"]["input"] = 100000
    assert changes_between(old, new, ignore_fields=("cost", "limit.*")) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["cost", "cost.*", "limit.c?ntext", "[lp]*", "a]b", "x.y"]), max_size=3
    ),
    st.sampled_from(["cost", "cost.input", "costs", "limit.context", "limit", "a]b", "x.y.z", "p"]),
)
def test_an_ignored_field_is_a_pattern_an_object_under_one_or_a_glob_match(
    patterns: list[str], field: str
) -> None:
    expected = any(
        field == p or field.startswith(p + ".") or fnmatch.fnmatchcase(field, p) for p in patterns
    )
    assert _IgnoreRule(patterns)(field) is expected


def test_ignore_field_provider_glob_hides_the_providers_own_fields() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["npm"] = "@ai-sdk/acme"
    new["acme"]["doc"] = "https://acme.example/v2"
    new["acme"]["models"]["big-1"]["provider"] = {"npm": "@ai-sdk/other"}
    assert changes_between(old, new, ignore_fields=("provider.*",)) == []
    kept = changes_between(old, new, ignore_fields=("provider.doc",))
    assert [(c.kind, c.model, c.field) for c in kept] == [
        (ChangeKind.PROVIDER_CHANGED, None, "npm"),
        (ChangeKind.METADATA_CHANGED, "big-1", "provider.npm"),
    ]
    assert len(changes_between(old, new)) == 3  # nothing ignored: all three


def test_model_added_and_removed_carry_the_whole_record() -> None:
    old = small_catalog()
    new = edited(old)
    removed = new["acme"]["models"].pop("big-1")
    new["acme"]["models"]["new-1"] = model("new-1")
    gone, came = changes_between(old, new)
    assert (gone.kind, gone.model, gone.old, gone.new, gone.severity) == (
        ChangeKind.MODEL_REMOVED,
        "big-1",
        removed,
        None,
        Severity.HIGH,
    )
    assert (came.kind, came.model, came.old, came.new["id"]) == (
        ChangeKind.MODEL_ADDED,
        "new-1",
        None,
        "new-1",
    )


def test_provider_added_lists_its_models_too() -> None:
    old = small_catalog()
    new = edited(old)
    new["gamma"] = provider("gamma", model("g-1"), model("g-2"))
    kinds = [(c.kind, c.provider, c.model) for c in changes_between(old, new)]
    assert kinds == [
        (ChangeKind.PROVIDER_ADDED, "gamma", None),
        (ChangeKind.MODEL_ADDED, "gamma", "g-1"),
        (ChangeKind.MODEL_ADDED, "gamma", "g-2"),
    ]


def test_provider_removed_is_high_and_lists_its_models() -> None:
    old = small_catalog()
    new = edited(old)
    del new["beta"]
    changes = changes_between(old, new)
    assert [(c.kind, c.model) for c in changes] == [
        (ChangeKind.PROVIDER_REMOVED, None),
        (ChangeKind.MODEL_REMOVED, "fast-1"),
    ]
    assert changes[0].old["name"] == "Beta" and "models" not in changes[0].old
    assert changes[0].severity is Severity.HIGH


def test_provider_metadata_change_is_provider_changed() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["api"] = "https://api.acme.example/v2"
    new["acme"]["doc"] = "https://acme.example/new-docs"
    api, doc = changes_between(old, new)
    assert (api.kind, api.model, api.field, api.severity) == (
        ChangeKind.PROVIDER_CHANGED,
        None,
        "api",
        Severity.MEDIUM,
    )
    assert (doc.field, doc.severity) == ("doc", Severity.INFO)


def test_json_form_follows_the_cli_contract() -> None:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 5
    new["acme"]["models"]["fast-1"]["limit"]["output"] = 4096
    price, limit = (c.to_json() for c in changes_between(old, new))
    assert price == {
        "kind": "price_changed",
        "provider": "acme",
        "model": "fast-1",
        "field": "cost.input",
        "old": 2.5,
        "new": 5,
        "severity": "high",
        "change_pct": 100.0,
    }
    assert "change_pct" not in limit


def test_records_with_ids_holding_slashes_colons_and_at_signs_are_keyed_exactly() -> None:
    ids = ["openai/gpt-4o", "anthropic.claude-3-v1:0", "gemini-2.5-flash@001", "Mixed-Case"]
    old = document(provider("acme", *(model(i) for i in ids)))
    new = edited(old)
    for i in ids:
        new["acme"]["models"][i]["cost"]["input"] = 1
    assert [c.model for c in changes_between(old, new)] == sorted(ids)


def test_reordered_lists_are_not_changes_but_different_lists_are() -> None:
    tiers = [
        {"input": 5, "output": 20, "tier": {"type": "context", "size": 200000}},
        {"input": 6, "output": 24, "tier": {"type": "context", "size": 500000}},
    ]
    old = small_catalog()
    old["acme"]["env"] = ["ACME_KEY", "ACME_API_KEY"]
    old["acme"]["models"]["fast-1"]["cost"]["tiers"] = tiers
    new = edited(old)
    new["acme"]["env"].reverse()
    new["acme"]["models"]["fast-1"]["cost"]["tiers"].reverse()
    assert changes_between(old, new) == []
    new["acme"]["env"] = ["ACME_KEY"]
    new["acme"]["models"]["fast-1"]["cost"]["tiers"][0]["input"] = 7
    assert [c.field for c in changes_between(old, new)] == ["env", "cost.tiers"]


def test_float_noise_fix_is_an_info_change_of_zero_percent() -> None:
    old = small_catalog()
    old["acme"]["models"]["fast-1"]["cost"]["cache_read"] = 0.5000000000000001
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["cache_read"] = 0.5
    change = only(changes_between(old, new))
    assert (change.change_pct, change.severity) == (0.0, Severity.INFO)
    assert str(change.change_pct) == "0.0"


def test_list_of_true_differs_from_list_of_one() -> None:
    old = small_catalog()
    old["acme"]["tags"] = [True, "x"]
    new = edited(old)
    new["acme"]["tags"] = ["x", 1]
    assert [c.field for c in changes_between(old, new)] == ["tags"]


def test_compare_defaults_are_the_settings_without_a_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no catalog-watch.toml here: load_config gives its defaults
    config = load_config(None)
    assert tuple(DEFAULTS.diff.ignore_fields) == tuple(config.diff.ignore_fields)
    assert DEFAULTS.inconsistencies == config.inconsistencies
    assert DEFAULTS.costs == config.costs
    doc = small_catalog()
    new = edited(doc)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 9
    new["beta"]["models"]["slow-1"] = model("slow-1")
    old_catalog, new_catalog = parse_catalog(doc), parse_catalog(new)
    report = compare(old_catalog, new_catalog, DEFAULTS)
    assert report == compare(old_catalog, new_catalog, config)
    assert {c.kind for c in report.changes} >= {ChangeKind.PRICE_CHANGED, ChangeKind.MODEL_ADDED}
