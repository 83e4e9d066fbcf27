"""Health: the record in _meta.json, `catalog-watch health`, one failure and one recovery alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli import main
from catalog_watch.health import Health, problems, record_failure, record_success
from tests.factories import document, model, provider, write_json
from tests.git_repos import fresh_origin, git, isolate_git
from tests.slack_server import SlackServer
from tests.test_run_commit_mode import clone

NOW = datetime(2026, 11, 25, 10, 17, tzinfo=UTC)
LIMITS: dict[str, Any] = {
    "max_age": timedelta(hours=48),
    "max_unchanged": timedelta(days=30),
    "max_failures": 3,
}


def test_a_success_ends_the_streak_and_moves_the_days() -> None:
    failing = record_failure(
        record_failure(Health(), NOW, "boom"), NOW + timedelta(hours=1), "boom"
    )
    assert (failing.consecutive_failures, failing.failing_since) == (2, "2026-11-25T10:17:00Z")
    healthy = record_success(failing, NOW + timedelta(days=1), changed=False)
    assert healthy == Health(last_success="2026-11-26", last_change="2026-11-26")
    later = record_success(healthy, NOW + timedelta(days=3), changed=False)
    assert (later.last_success, later.last_change) == ("2026-11-28", "2026-11-26")


def test_problems_name_staleness_a_frozen_source_and_failures() -> None:
    assert problems(Health("2026-11-25", "2026-11-20"), NOW, **LIMITS) == []
    stale = problems(Health("2026-11-20", "2026-11-20"), NOW, **LIMITS)
    assert len(stale) == 1 and "2026-11-20" in stale[0] and "60 days" in stale[0]
    frozen = problems(Health("2026-11-25", "2026-09-01"), NOW, **LIMITS)
    assert len(frozen) == 1 and "not changed since 2026-09-01" in frozen[0]
    failing = Health("2026-11-25", "2026-11-25", 3, "2026-11-25T07:17:00Z", "HTTP 503")
    assert "last 3 runs failed" in problems(failing, NOW, **LIMITS)[0]
    assert problems(Health(), NOW, **LIMITS) == ["no successful fetch has been recorded yet"]


def run(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: Path,
    hour: int,
) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    code = main(
        [
            "run",
            "--mode",
            "commit",
            "--source",
            str(source),
            "--now",
            f"2026-11-25T{hour:02}:17:00Z",
        ]
    )
    _, err = capsys.readouterr()
    return code, err


def health(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], repo: Path, hour: int
) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    code = main(["health", "--now", f"2026-11-25T{hour:02}:30:00Z"])
    out, err = capsys.readouterr()
    return code, out + err


def test_failure_and_recovery_alerts_go_out_exactly_once(
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
        assert health(monkeypatch, capsys, repo, 1)[0] == 0
        baseline = len(slack.webhook_posts())
        for hour in (2, 3):
            assert run(repo, monkeypatch, capsys, broken, hour)[0] == 3
        assert len(slack.webhook_posts()) == baseline  # under the threshold: quiet
        code, err = run(repo, monkeypatch, capsys, broken, 4)
        assert code == 3 and "not valid JSON" in err
        [failure] = slack.webhook_posts()[baseline:]
        assert "the last 3 runs failed, since 2026-11-25T02:17:00Z" in json.dumps(failure)
        assert run(repo, monkeypatch, capsys, broken, 5)[0] == 3
        assert len(slack.webhook_posts()) == baseline + 1  # one alert per streak
        code, said = health(monkeypatch, capsys, repo, 5)
        assert code == 10 and "last 4 runs failed" in said
        assert run(repo, monkeypatch, capsys, good, 6)[0] == 0
        [recovery] = slack.webhook_posts()[baseline + 1 :]
        assert "runs succeed again (failing since 2026-11-25T02:17:00Z)" in json.dumps(recovery)
        assert run(repo, monkeypatch, capsys, good, 7)[0] == 0
        assert len(slack.webhook_posts()) == baseline + 2
        assert health(monkeypatch, capsys, repo, 7)[0] == 0
    meta = json.loads(git(repo, "show", "origin/main:snapshots/models.dev/_meta.json"))
    assert (
        meta["health"]["consecutive_failures"] == 0
        and meta["health"]["last_success"] == "2026-11-25"
    )
