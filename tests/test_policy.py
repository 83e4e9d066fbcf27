"""Watch rules, thresholds, routing and mutes: each with a case that fails if it is ignored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.policy import alerts_for
from catalog_watch.errors import ConfigError
from catalog_watch.model.alerts import Alert
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.settings.config import Config, Mute, WatchRule, validate_config
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, edited, model, provider

TODAY = date(2026, 11, 25)


def base() -> dict[str, Any]:
    return document(
        provider("openai", model("gpt-x", cost={"input": 10, "output": 40})),
        provider("groq", model("llama-x", cost={"input": 1, "output": 2}), model("llama-y")),
    )


def report(new: dict[str, Any], old: dict[str, Any] | None = None) -> Report:
    before = parse_catalog(old or base())
    return compare(before, parse_catalog(new), Config())


def alerts(config: Config, new: dict[str, Any]) -> list[Alert]:
    return alerts_for(report(new), config, from_snapshot="abc", today=TODAY)


def priced(openai_input: float = 10, groq_input: float = 1) -> dict[str, Any]:
    doc = edited(base())
    doc["openai"]["models"]["gpt-x"]["cost"]["input"] = openai_input
    doc["groq"]["models"]["llama-x"]["cost"]["input"] = groq_input
    return doc


def test_default_rule_alerts_on_changes_but_not_metadata() -> None:
    doc = priced(openai_input=12)
    doc["groq"]["models"]["llama-x"]["name"] = "Llama X (renamed)"
    found = alerts(Config(), doc)
    assert [(a.provider, a.field, a.destination.key) for a in found] == [
        ("openai", "cost.input", "default")
    ]
    assert found[0].detail == (
        "cost.input $10.00 → $12.00 per 1M (+20 %) · "
        "RAG answer: $70.00 → $80.00 per 1,000 requests (+14.29 %)"
    )


def test_include_and_exclude_provider_globs() -> None:
    rule = WatchRule(name="ours", providers=("open*", "groq"), exclude_providers=("groq",))
    found = alerts(Config(watch=(rule,)), priced(openai_input=12, groq_input=2))
    assert [a.provider for a in found] == ["openai"]


def test_model_globs_select_models() -> None:
    rule = WatchRule(name="llamas", models=("llama-*",), exclude_models=("*-y",))
    doc = priced(openai_input=12, groq_input=2)
    doc["groq"]["models"]["llama-y"]["cost"]["input"] = 9
    found = alerts(Config(watch=(rule,)), doc)
    assert [(a.provider, a.model) for a in found] == [("groq", "llama-x")]


def test_kinds_restrict_what_a_rule_sees() -> None:
    rule = WatchRule(name="new", kinds=(ChangeKind.MODEL_ADDED,))
    doc = priced(openai_input=12)
    doc["openai"]["models"]["gpt-z"] = model("gpt-z")
    found = alerts(Config(watch=(rule,)), doc)
    assert [(a.kind, a.model) for a in found] == [("model_added", "gpt-z")]
    assert found[0].new == {"id": "gpt-z", "name": "GPT-Z"}


def test_price_thresholds_apply_per_direction() -> None:
    rule = WatchRule(name="costs", min_increase_pct=15, min_decrease_pct=40)
    small_rise, big_rise = priced(openai_input=11), priced(openai_input=12)
    small_cut, big_cut = priced(groq_input=0.7), priced(groq_input=0.5)
    config = Config(watch=(rule,))
    assert alerts(config, small_rise) == []
    assert [a.change_pct for a in alerts(config, big_rise)] == [20.0]
    assert alerts(config, small_cut) == []
    assert [a.change_pct for a in alerts(config, big_cut)] == [-50.0]


def test_minimum_context_change_in_tokens() -> None:
    rule = WatchRule(name="windows", min_context_change=10_000)
    small, large = edited(base()), edited(base())
    small["openai"]["models"]["gpt-x"]["limit"]["context"] = 131072 - 4096
    large["openai"]["models"]["gpt-x"]["limit"]["context"] = 65536
    assert alerts(Config(watch=(rule,)), small) == []
    assert [a.new for a in alerts(Config(watch=(rule,)), large)] == [65536]


def test_minimum_severity_drops_lower_ones() -> None:
    rule = WatchRule(name="urgent", min_severity=Severity.HIGH)
    found = alerts(Config(watch=(rule,)), priced(openai_input=12, groq_input=0.5))
    assert [(a.provider, a.severity.value) for a in found] == [("openai", "high")]


def test_each_rule_routes_to_its_own_destination() -> None:
    costs = WatchRule(
        name="costs",
        kinds=(ChangeKind.PRICE_CHANGED,),
        min_severity=Severity.HIGH,
        channel="#llm-costs",
    )
    news = WatchRule(name="news", kinds=(ChangeKind.MODEL_ADDED,), webhook_env="SLACK_WEBHOOK_NEWS")
    doc = priced(openai_input=12)
    doc["groq"]["models"]["llama-z"] = model("llama-z")
    found = alerts(Config(watch=(costs, news)), doc)
    assert sorted((a.destination.key, a.kind) for a in found) == [
        ("channel:#llm-costs", "price_changed"),
        ("webhook:SLACK_WEBHOOK_NEWS", "model_added"),
    ]


def test_two_rules_to_one_destination_make_one_alert() -> None:
    rules = (WatchRule(name="a"), WatchRule(name="b", providers=("openai",)))
    assert len(alerts(Config(watch=rules), priced(openai_input=12))) == 1


def test_mute_silences_a_change_until_its_date() -> None:
    mute = Mute(provider="openai", model="gpt-x", field="cost.*", until=date(2026, 12, 31))
    assert alerts(Config(mute=(mute,)), priced(openai_input=12)) == []
    expired = Mute(provider="openai", field="cost.*", until=date(2026, 11, 24))
    assert len(alerts(Config(mute=(expired,)), priced(openai_input=12))) == 1


def test_mute_by_inconsistency_id_silences_only_that_disagreement() -> None:
    old = document(provider("a", model("m")), provider("b", model("m")))
    new = edited(old)
    new["b"]["models"]["m"]["limit"]["context"] = 32768
    found = alerts_for(report(new, old), Config(), from_snapshot="abc", today=TODAY)
    appeared = [a for a in found if a.kind == "inconsistency_appeared"]
    assert appeared and appeared[0].extra["inconsistency"] == "limit_mismatch"
    mute = Mute(inconsistency=str(appeared[0].extra["inconsistency_id"]))
    muted = alerts_for(report(new, old), Config(mute=(mute,)), from_snapshot="abc", today=TODAY)
    assert [a.kind for a in muted] == ["limit_changed"]


def test_first_run_is_one_baseline_alert_per_destination() -> None:
    first = compare(None, parse_catalog(base()), Config())
    rules = (WatchRule(name="a"), WatchRule(name="b", channel="#x"))
    found = alerts_for(first, Config(watch=rules), from_snapshot="none", today=TODAY)
    assert [(a.kind, a.destination.key) for a in found] == [
        ("baseline", "default"),
        ("baseline", "channel:#x"),
    ]
    assert found[0].detail == "now watching models.dev: 2 providers, 3 offerings, 0 inconsistencies"


def test_alert_ids_are_stable_and_depend_on_the_starting_snapshot() -> None:
    doc = priced(openai_input=12)
    first = alerts_for(report(doc), Config(), from_snapshot="abc", today=TODAY)
    again = alerts_for(report(doc), Config(), from_snapshot="abc", today=TODAY)
    other = alerts_for(report(doc), Config(), from_snapshot="def", today=TODAY)
    assert [a.id for a in first] == [a.id for a in again]
    assert first[0].id != other[0].id


def test_bad_watch_rule_key_is_named(tmp_path: Any) -> None:
    from catalog_watch.settings.config import load_config

    path = tmp_path / "catalog-watch.toml"
    path.write_text('[[watch]]\nname = "x"\nprovider = ["openai"]\n')
    # the key is named with its rule (the wording is config_errors.py's)
    with pytest.raises(ConfigError, match=r"watch\S*\.provider: "):
        load_config(path)
    path.write_text('[[watch]]\nname = "x"\nkinds = ["price_change"]\n')
    with pytest.raises(ConfigError, match=r"watch\S*\.kinds\S*: "):
        load_config(path)
    path.write_text('[[watch]]\nchannel = "#a"\nwebhook_env = "B"\n')
    with pytest.raises(ConfigError, match="channel or webhook_env, not both"):
        load_config(path)


def disagreement() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two providers of one model, then a context window that makes them disagree."""
    old = document(provider("a", model("m")), provider("b", model("m")))
    new = edited(old)
    new["b"]["models"]["m"]["limit"]["context"] = 32768
    return old, new


def kinds_of(config: Config) -> dict[str, list[str]]:
    old, new = disagreement()
    found = alerts_for(report(new, old), config, from_snapshot="abc", today=TODAY)
    by_rule: dict[str, list[str]] = {}
    for alert in found:
        by_rule.setdefault(alert.rule, []).append(alert.kind)
    return by_rule


def test_a_rule_that_picks_its_kinds_gets_no_inconsistencies_unless_it_asks() -> None:
    config = validate_config(
        {
            "watch": [
                {"name": "limits", "kinds": ["limit_changed"], "channel": "#limits"},
                {"name": "asks", "kinds": ["limit_changed"], "inconsistencies": True},
                {"name": "all", "channel": "#all"},
            ]
        }
    )
    by_rule = kinds_of(config)
    assert by_rule["limits"] == ["limit_changed"]
    assert sorted(by_rule["asks"]) == ["inconsistency_appeared", "limit_changed"]
    assert "inconsistency_appeared" in by_rule["all"]


def test_the_default_rule_still_gets_inconsistencies() -> None:
    assert "inconsistency_appeared" in kinds_of(Config())["default"]
