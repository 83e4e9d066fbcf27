"""Failure and recovery alerts in Slack: the header and the first line carry the news."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog_watch.jobs.delivery import messages_for
from catalog_watch.model.alerts import (
    HEALTH_FAILURE,
    HEALTH_RECOVERY,
    Alert,
    Destination,
    Streak,
    health_alert,
)
from catalog_watch.model.severity import Severity
from catalog_watch.render.slack import Links, Message
from tests.factories import document, model, provider, write_json
from tests.git_repos import clone, fresh_origin, isolate_git
from tests.runs import run_at_hour as run
from tests.slack_server import SlackServer

RUN = "https://github.com/acme/llm-catalog/actions/runs/4242"
STREAK = Streak(3, "2026-11-25T02:17:00Z", "api.json is not valid JSON: line 1 column 1", RUN)


def header(payload: dict[str, Any]) -> str:
    [block] = [b for b in payload["blocks"] if b["type"] == "header"]
    return str(block["text"]["text"])


def first_line(payload: dict[str, Any]) -> str:
    section = next(b for b in payload["blocks"] if b["type"] == "section")
    return str(section["text"]["text"]).splitlines()[0]


def one_message(alert: Alert) -> Message:
    [message] = messages_for([alert], Links(run="https://github.com/acme/x/actions/runs/1"))
    return message


def test_a_failure_alert_says_how_many_runs_failed_in_its_header_and_the_error_first() -> None:
    alert = health_alert(HEALTH_FAILURE, STREAK, source="models.dev", destination=Destination())
    message = one_message(alert)
    payload = message.payload()
    assert header(payload) == "models.dev: the last 3 runs failed"
    assert first_line(payload) == ":red_circle: api.json is not valid JSON: line 1 column 1"
    assert f"<{RUN}|failed run>" in payload["blocks"][1]["text"]["text"]
    assert "Failing since 2026-11-25 02:17 UTC." in payload["blocks"][1]["text"]["text"]
    assert payload["text"].startswith("models.dev: the last 3 runs failed: api.json is not")
    assert message.alert_ids == (alert.id,) and alert.severity is Severity.HIGH


def test_a_recovery_alert_says_runs_succeed_again_after_how_many_failures() -> None:
    alert = health_alert(HEALTH_RECOVERY, STREAK, source="models.dev", destination=Destination())
    payload = one_message(alert).payload()
    assert header(payload) == "models.dev: runs succeed again after 3 failures"
    assert first_line(payload).startswith(":large_green_circle: Failing since 2026-11-25 02:17")
    assert "catalog" not in payload["text"] and alert.severity is Severity.LOW


def test_a_single_failed_run_reads_in_the_singular() -> None:
    one = Streak(1, "2026-11-25T02:17:00Z", "HTTP 503")
    failure = health_alert(HEALTH_FAILURE, one, source="models.dev", destination=Destination())
    recovery = health_alert(HEALTH_RECOVERY, one, source="models.dev", destination=Destination())
    assert header(one_message(failure).payload()) == "models.dev: the last run failed"
    assert (
        header(one_message(recovery).payload()) == "models.dev: runs succeed again after 1 failure"
    )


def test_the_error_is_escaped_for_slack() -> None:
    hostile = Streak(3, "2026-11-25T02:17:00Z", "provider <!channel> & <@U1> rejected")
    alert = health_alert(HEALTH_FAILURE, hostile, source="models.dev", destination=Destination())
    payload = one_message(alert).payload()
    assert "<!channel>" not in str(payload) and "&lt;!channel&gt; &amp; &lt;@U1&gt;" in str(payload)


def test_a_health_alert_queued_without_its_streak_still_leads_with_the_news() -> None:
    """Outboxes written before alerts carried their streak hold the words in ``detail``."""
    old = Alert(
        id="a1",
        destination=Destination(),
        rule="health",
        source="models.dev",
        kind=HEALTH_FAILURE,
        severity=Severity.HIGH,
        detail="models.dev: the last 3 runs failed, since 2026-11-25T02:17:00Z: HTTP 503",
    )
    payload = one_message(old).payload()
    assert header(payload) == "models.dev: runs are failing"
    assert first_line(payload).endswith("since 2026-11-25T02:17:00Z: HTTP 503")
    assert "other alert" not in str(payload) and "*catalog*" not in str(payload)


def test_health_alerts_come_before_the_changes_in_their_own_message() -> None:
    change = Alert(
        id="c1",
        destination=Destination(),
        rule="default",
        source="models.dev",
        kind="price_changed",
        severity=Severity.HIGH,
        provider="openai",
        model="gpt-4o",
        field="cost.input",
        old=2.5,
        new=3.0,
        change_pct=20.0,
    )
    failure = health_alert(HEALTH_FAILURE, STREAK, source="models.dev", destination=Destination())
    messages = messages_for([change, failure], Links())
    assert [m.alert_ids for m in messages] == [(failure.id,), ("c1",)]


def test_a_real_failure_streak_and_its_end_reach_slack_with_the_news_in_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    good = write_json(tmp_path / "good.json", document(provider("acme", model("m1"))))
    broken = tmp_path / "broken.json"
    broken.write_text("<html>502 Bad Gateway</html>")
    with SlackServer() as slack:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
        assert run(repo, monkeypatch, capsys, good, 1)[0] == 0
        for hour in (2, 3, 4):
            assert run(repo, monkeypatch, capsys, broken, hour)[0] == 3
        assert run(repo, monkeypatch, capsys, good, 5)[0] == 0
        failure, recovery = slack.webhook_posts()[1:]
    assert header(failure).startswith("models.dev: ") and "fail" in header(failure)
    assert "is not valid JSON" in first_line(failure)
    assert header(recovery).startswith("models.dev: runs succeed again")
    for post in (failure, recovery):
        assert "other alert" not in str(post) and "*catalog*" not in str(post)
