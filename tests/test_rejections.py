"""Rejections are visible and temporary (issue 9): alerted once, counted in ``_meta.json``, and a
window upstream keeps at 0 for long enough is accepted as upstream's decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.policy import alerts_for
from catalog_watch.cli.app import main
from catalog_watch.errors import ConfigError
from catalog_watch.jobs.check import CheckOptions, CheckResult, check
from catalog_watch.model.alerts import RECORD_REJECTED, Alert
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.slack import render_messages
from catalog_watch.render.text import render_text
from catalog_watch.settings.config import Config, GuardSettings, Mute, WatchRule, load_config
from catalog_watch.sources.fetch import FetchOptions
from tests.factories import MODELS_DEV, edited, small_catalog, write_json

FAST = FetchOptions(max_attempts=2, backoff_initial=0.001, backoff_max=0.001)
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
STAMP0 = "2026-09-01T08:00:00Z"
TODAY = T0.date()


TOLERANT = Config(guard=GuardSettings(max_rejected_share=0.5))
"""One bad record in three is a third of the small catalog: let the catalog through."""


def run(tmp_path: Path, doc: Any, when: datetime, config: Config = TOLERANT) -> CheckResult:
    source = write_json(tmp_path / "api.json", doc)
    options = CheckOptions(
        source=str(source),
        snapshots=tmp_path / "snap",
        write=True,
        fetch=FAST,
        now=when,
        config=config,
    )
    return check(options)


def meta(tmp_path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((tmp_path / "snap" / "_meta.json").read_text())
    return result


def snapshot_record(tmp_path: Path, provider: str, model: str) -> dict[str, Any]:
    document = json.loads((tmp_path / "snap" / f"{provider}.json").read_text())
    record: dict[str, Any] = document["models"][model]
    return record


def window_gone() -> dict[str, Any]:
    """beta/fast-1 as upstream changed it: no token window any more, and no price."""
    doc = edited(small_catalog())
    record = doc["beta"]["models"]["fast-1"]
    record["limit"]["context"] = 0
    del record["cost"]
    return doc


def priced_as(text: str) -> dict[str, Any]:
    doc = edited(small_catalog())
    doc["acme"]["models"]["fast-1"]["cost"]["input"] = text
    return doc


def report_of(result: CheckResult) -> Report:
    assert result.report is not None
    return result.report


def rejection_alerts(report: Report, config: Config | None = None) -> list[Alert]:
    found = alerts_for(report, config or Config(), from_snapshot="any", today=TODAY)
    return [a for a in found if a.kind == RECORD_REJECTED]


def test_a_rejection_is_stored_with_the_time_it_was_first_seen_and_one_run(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    run(tmp_path, window_gone(), T0)
    [entry] = meta(tmp_path)["rejected"]
    assert entry == {
        "provider": "beta",
        "model": "fast-1",
        "field": "limit.context",
        "reason": "dropped from 131072 to 0; kept the last good record",
        "value": 0,
        "first_seen": STAMP0,
        "runs": 1,
    }
    assert snapshot_record(tmp_path, "beta", "fast-1")["limit"]["context"] == 131072


def test_each_run_that_serves_the_same_rejected_value_counts_and_writes_only_the_meta(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    run(tmp_path, window_gone(), T0)
    second = run(tmp_path, window_gone(), T0 + timedelta(hours=1))
    assert report_of(second).changes == ()
    assert second.written is not None and set(second.written.written) == {"_meta.json"}
    [entry] = meta(tmp_path)["rejected"]
    assert (entry["first_seen"], entry["runs"]) == (STAMP0, 2)
    [rejection] = report_of(second).rejections
    assert "rejected on 2 runs since 2026-09-01T08:00:00Z" in str(rejection)
    assert "rejected on 2 runs since 2026-09-01T08:00:00Z" in render_markdown(report_of(second))


def test_a_rejected_value_that_changes_starts_the_count_again(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    run(tmp_path, priced_as("call us"), T0)
    run(tmp_path, priced_as("call us"), T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=2)
    result = run(tmp_path, priced_as("ask sales"), later)
    [entry] = meta(tmp_path)["rejected"]
    assert (entry["value"], entry["first_seen"], entry["runs"]) == (
        "ask sales",
        "2026-09-01T10:00:00Z",
        1,
    )
    assert len(rejection_alerts(report_of(result))) == 1  # a new value is a new rejection


def test_a_rejection_upstream_fixed_is_dropped_from_the_meta(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    run(tmp_path, window_gone(), T0)
    fixed = run(tmp_path, small_catalog(), T0 + timedelta(hours=1))
    assert report_of(fixed).rejections == () and report_of(fixed).changes == ()
    assert meta(tmp_path)["rejected"] == []
    assert meta(tmp_path)["counts"]["rejected"] == 0


def test_a_window_kept_at_zero_for_three_runs_over_a_day_is_accepted_as_an_ordinary_change(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    first = run(tmp_path, window_gone(), T0)
    second = run(tmp_path, window_gone(), T0 + timedelta(hours=12))
    assert report_of(first).changes == () and report_of(second).changes == ()
    third = report_of(run(tmp_path, window_gone(), T0 + timedelta(hours=24)))
    assert third.rejections == ()
    assert [(c.kind, c.field, c.old, c.new) for c in third.changes] == [
        (ChangeKind.PRICE_CHANGED, "cost.input", 2.5, None),
        (ChangeKind.PRICE_CHANGED, "cost.output", 10, None),
        (ChangeKind.LIMIT_CHANGED, "limit.context", 131072, 0),
    ]
    line = (
        "accepted after 3 runs: beta/fast-1 limit.context 131072 → 0 "
        "(rejected since 2026-09-01T08:00:00Z)"
    )
    assert [str(a) for a in third.accepted] == [line]
    assert line in render_markdown(third) and line in render_text(third)
    assert third.to_json()["accepted"] == [
        {
            "provider": "beta",
            "model": "fast-1",
            "field": "limit.context",
            "old": 131072,
            "new": 0,
            "reason": "dropped from 131072 to 0; kept the last good record",
            "first_seen": STAMP0,
            "runs": 3,
        }
    ]
    record = snapshot_record(tmp_path, "beta", "fast-1")
    assert record["limit"]["context"] == 0 and "cost" not in record
    assert meta(tmp_path)["rejected"] == [] and meta(tmp_path)["counts"]["rejected"] == 0
    after = run(tmp_path, window_gone(), T0 + timedelta(hours=25))
    assert report_of(after).changes == () and after.written is None  # settled: nothing to write


@pytest.mark.parametrize(
    ("runs", "step"),
    [(6, timedelta(hours=1)), (2, timedelta(hours=48))],
    ids=["many-runs-within-a-day", "a-day-in-two-runs"],
)
def test_runs_alone_or_time_alone_do_not_accept_a_rejection(
    tmp_path: Path, runs: int, step: timedelta
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    for n in range(runs):
        result = run(tmp_path, window_gone(), T0 + n * step)
    assert report_of(result).accepted == () and report_of(result).changes == ()
    assert meta(tmp_path)["rejected"][0]["runs"] == runs
    assert snapshot_record(tmp_path, "beta", "fast-1")["limit"]["context"] == 131072


def test_the_thresholds_come_from_the_guard_settings(tmp_path: Path) -> None:
    config = Config(
        guard=GuardSettings(accept_rejected_after_runs=2, accept_rejected_after_hours=1)
    )
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1), config=config)
    run(tmp_path, window_gone(), T0, config=config)
    result = run(tmp_path, window_gone(), T0 + timedelta(hours=1), config=config)
    assert [str(a).split(":")[0] for a in report_of(result).accepted] == ["accepted after 2 runs"]


def test_a_value_that_failed_validation_is_never_accepted(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    for day in range(4):
        result = run(tmp_path, priced_as("call us"), T0 + timedelta(days=day))
    assert report_of(result).accepted == () and report_of(result).changes == ()
    assert meta(tmp_path)["rejected"][0]["runs"] == 4
    assert snapshot_record(tmp_path, "acme", "fast-1")["cost"]["input"] == 2.5


def test_a_stored_rejection_without_bookkeeping_starts_counting_now(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=2))
    run(tmp_path, window_gone(), T0 - timedelta(hours=1))
    stored = meta(tmp_path)
    for entry in stored["rejected"]:  # as a release before issue 9 wrote it
        del entry["first_seen"], entry["runs"]
    (tmp_path / "snap" / "_meta.json").write_text(json.dumps(stored))
    result = run(tmp_path, window_gone(), T0)
    assert (meta(tmp_path)["rejected"][0]["first_seen"], meta(tmp_path)["rejected"][0]["runs"]) == (
        STAMP0,
        1,
    )
    assert len(rejection_alerts(report_of(result))) == 1  # never told before: told now


def test_the_first_rejection_alerts_once_across_runs(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    reports = [report_of(run(tmp_path, window_gone(), T0 + timedelta(hours=h))) for h in (0, 1, 2)]
    [alert] = rejection_alerts(reports[0])
    assert [rejection_alerts(r) for r in reports[1:]] == [[], []]
    assert (alert.severity, alert.provider, alert.model, alert.field, alert.new) == (
        Severity.MEDIUM,
        "beta",
        "fast-1",
        "limit.context",
        0,
    )
    assert alert.detail == (
        "limit.context 0 rejected: dropped from 131072 to 0; kept the last good record"
    )
    elsewhere = alerts_for(reports[0], Config(), from_snapshot="another", today=TODAY)
    assert alert.id in {a.id for a in elsewhere}  # same place and value: the outbox holds it once


def test_the_first_rejection_alerts_on_a_first_run_beside_the_baseline(tmp_path: Path) -> None:
    result = run(tmp_path, priced_as("call us"), T0)
    found = alerts_for(report_of(result), Config(), from_snapshot="none", today=TODAY)
    assert [(a.kind, a.field) for a in found] == [
        ("baseline", None),
        (RECORD_REJECTED, "cost.input"),
    ]
    assert found[1].detail == 'cost.input "call us" rejected: Input should be a valid number'


def test_a_rejection_goes_to_the_rules_that_watch_the_change_it_would_make(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    report = report_of(run(tmp_path, window_gone(), T0))
    rules = (
        WatchRule(name="costs", kinds=(ChangeKind.PRICE_CHANGED,), channel="#costs"),
        WatchRule(name="windows", kinds=(ChangeKind.LIMIT_CHANGED,), channel="#windows"),
        WatchRule(name="acme-only", providers=("acme",), channel="#acme"),
        WatchRule(name="high-only", min_severity=Severity.HIGH, channel="#pager"),
    )
    found = rejection_alerts(report, Config(watch=rules))
    assert [a.destination.key for a in found] == ["channel:#windows"]
    muted = Config(watch=rules, mute=(Mute(kind=RECORD_REJECTED, provider="beta"),))
    assert rejection_alerts(report, muted) == []


def test_slack_shows_a_rejection_as_one_line_naming_provider_model_field_value_and_reason(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    [alert] = rejection_alerts(report_of(run(tmp_path, window_gone(), T0)))
    [message] = render_messages([alert], source="models.dev")
    texts = [b["text"]["text"] for b in message.blocks if b.get("type") == "section"]
    assert texts[0].startswith("• 1 record rejected\n")
    assert texts[-1] == (
        "*Rejected records (last good value kept)*\n"
        ":large_orange_circle: beta / fast-1: limit.context 0 rejected: "
        "dropped from 131072 to 0; kept the last good record"
    )
    assert message.alert_ids == (alert.id,)


def test_check_dates_rejections_with_the_now_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = str(tmp_path / "snap")
    good = str(write_json(tmp_path / "good.json", small_catalog()))
    bad = str(write_json(tmp_path / "bad.json", window_gone()))
    assert main(["check", "--source", good, "--snapshots", snap, "--write"]) == 0
    args = ["check", "--source", bad, "--snapshots", snap, "--write", "--format", "json"]
    assert main([*args, "--now", "2026-09-01T08:00:00Z"]) == 0
    capsys.readouterr()
    assert main([*args, "--now", "2026-09-01T09:30:00Z"]) == 0
    [rejected] = json.loads(capsys.readouterr().out)["rejected"]
    assert (rejected["first_seen"], rejected["runs"]) == (STAMP0, 2)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("accept_rejected_after_runs = 0", "guard.accept_rejected_after_runs"),
        ("accept_rejected_after_runs = true", "guard.accept_rejected_after_runs"),
        ("accept_rejected_after_hours = -1", "guard.accept_rejected_after_hours"),
        ("accept_rejected_afterhours = 24", "guard.accept_rejected_afterhours"),
    ],
)
def test_accept_settings_are_validated(tmp_path: Path, line: str, words: str) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text(f"[guard]\n{line}\n")
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_accept_settings_default_to_three_runs_and_a_day(tmp_path: Path) -> None:
    path = tmp_path / "catalog-watch.toml"
    path.write_text("[guard]\naccept_rejected_after_hours = inf\n")
    assert load_config(path).guard.accept_rejected_after_hours == float("inf")  # never
    guard = Config().guard
    assert (guard.accept_rejected_after_runs, guard.accept_rejected_after_hours) == (3, 24)


@pytest.mark.realdata
def test_real_windows_served_as_zero_for_a_day_are_accepted_after_three_runs(
    tmp_path: Path,
) -> None:
    """The two real offerings with a 128,000 window and prices in 2026-06-28, and a 0 window
    and no price in 2026-03-10.

    The four real catalogs, read forwards, hold no window that drops to 0 (these two went
    0 → 128,000); served backwards, from the June snapshot to the March catalog, exactly these two
    drop, prices gone too. The March catalog is served three times over 24 hours.
    """
    june, march = MODELS_DEV / "2026-06-28.json", MODELS_DEV / "2026-03-10.json"
    snap = tmp_path / "snap"

    def serve(path: Path, when: datetime) -> Report:
        options = CheckOptions(
            source=str(path), snapshots=snap, write=True, allow_shrink=True, now=when
        )
        return report_of(check(options))

    serve(june, T0 - timedelta(days=1))
    reports = [serve(march, T0 + timedelta(hours=h)) for h in (0, 12, 24)]
    pair = [("poe", "cerebras/gpt-oss-120b-cs"), ("poe", "cerebras/llama-3.1-8b-cs")]
    assert [(r.provider, r.model, r.runs) for r in reports[0].rejections] == [(*p, 1) for p in pair]
    assert [(r.model, r.runs) for r in reports[1].rejections] == [(m, 2) for _, m in pair]
    assert [(a.provider, a.model) for a in rejection_alerts(reports[0])] == pair
    assert rejection_alerts(reports[1]) == [] and rejection_alerts(reports[2]) == []
    last = reports[2]
    assert last.rejections == ()
    assert [str(a) for a in last.accepted] == [
        f"accepted after 3 runs: poe/{model} limit.context 128000 → 0 (rejected since {STAMP0})"
        for _, model in pair
    ]
    recorded = {(c.model, c.field): (c.old, c.new) for c in last.changes}
    assert {
        key: recorded[key]
        for key in recorded
        if key[1] in ("limit.context", "cost.input", "cost.output")
    } == {
        ("cerebras/gpt-oss-120b-cs", "cost.input"): (0.35, None),
        ("cerebras/gpt-oss-120b-cs", "cost.output"): (0.75, None),
        ("cerebras/gpt-oss-120b-cs", "limit.context"): (128000, 0),
        ("cerebras/llama-3.1-8b-cs", "cost.input"): (0.1, None),
        ("cerebras/llama-3.1-8b-cs", "cost.output"): (0.1, None),
        ("cerebras/llama-3.1-8b-cs", "limit.context"): (128000, 0),
    }
    assert {c.provider for c in last.changes} == {"poe"}  # the rest was settled on run one
    stored = json.loads((snap / "poe.json").read_text())["models"]
    assert [stored[m]["limit"]["context"] for _, m in pair] == [0, 0]
    assert json.loads((snap / "_meta.json").read_text())["rejected"] == []


# -- Values bad in themselves (issue 10) --------------------------------------------------------


def named_as(text: str) -> dict[str, Any]:
    doc = edited(small_catalog())
    doc["acme"]["models"]["fast-1"]["name"] = text
    return doc


def test_a_control_character_is_a_rejection_like_any_other_and_is_never_accepted(
    tmp_path: Path,
) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    good = snapshot_record(tmp_path, "acme", "fast-1")
    reports = [
        report_of(run(tmp_path, named_as("Fast\x1b]0;owned\x07"), T0 + timedelta(hours=h)))
        for h in (0, 12, 24, 36)
    ]
    [entry] = meta(tmp_path)["rejected"]
    assert (entry["model"], entry["field"], entry["value"]) == (
        "fast-1",
        "name",
        "Fast\\x1b]0;owned\\x07",
    )
    assert entry["reason"] == "holds control character U+001B"
    assert (entry["first_seen"], entry["runs"]) == (STAMP0, 4)
    assert all(r.accepted == () and r.changes == () for r in reports)  # no good value to take
    assert len(rejection_alerts(reports[0])) == 1 and rejection_alerts(reports[1]) == []
    assert snapshot_record(tmp_path, "acme", "fast-1") == good


def test_a_bad_provider_id_is_tracked_and_dropped_once_upstream_fixes_it(tmp_path: Path) -> None:
    run(tmp_path, small_catalog(), T0 - timedelta(hours=1))
    doc = edited(small_catalog())
    doc["Gamma"] = {**doc["beta"], "id": "Gamma"}
    first = report_of(run(tmp_path, doc, T0))
    assert [(r.provider, r.field) for r in first.rejections] == [("Gamma", "id")]
    assert [a.provider for a in rejection_alerts(first)] == ["Gamma"]
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == [
        "_meta.json",
        "acme.json",
        "beta.json",
    ]
    doc["gamma"] = {**doc.pop("Gamma"), "id": "gamma"}
    fixed = report_of(run(tmp_path, doc, T0 + timedelta(hours=1)))
    assert fixed.rejections == () and meta(tmp_path)["rejected"] == []
    assert [c.kind for c in fixed.changes if c.model is None] == [ChangeKind.PROVIDER_ADDED]
