"""Health: the record in _meta.json, `catalog-watch health`, one failure and one recovery alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.model.health import Health, problems, record_failure, record_success
from tests.factories import document, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, git_verb, isolate_git, log_git_calls
from tests.runs import run_at_hour as run
from tests.slack_server import SlackServer

NOW = datetime(2026, 11, 25, 10, 17, tzinfo=UTC)
LIMITS: dict[str, Any] = {
    "max_age": timedelta(hours=48),
    "max_unchanged": timedelta(days=30),
    "max_failures": 3,
}


def test_a_success_ends_the_streak_and_records_its_time() -> None:
    failing = record_failure(
        record_failure(Health(), NOW, "boom"), NOW + timedelta(hours=1), "boom"
    )
    assert (failing.consecutive_failures, failing.failing_since) == (2, "2026-11-25T10:17:00Z")
    healthy = record_success(failing, NOW + timedelta(days=1), changed=False)
    assert healthy == Health(
        last_success="2026-11-26T10:17:00Z", last_change="2026-11-26T10:17:00Z"
    )
    later = record_success(healthy, NOW + timedelta(days=3), changed=False)
    assert (later.last_success, later.last_change) == (
        "2026-11-28T10:17:00Z",
        "2026-11-26T10:17:00Z",
    )


def test_an_unchanged_run_records_its_success_once_half_the_allowed_age_passed() -> None:
    """So a healthy watcher commits its health at most once a day (default 48 h), and more often
    only when [health] max_age_hours asks for it."""
    healthy = record_success(Health(), NOW, changed=True)
    assert record_success(healthy, NOW + timedelta(hours=23), changed=False) == healthy
    assert record_success(healthy, NOW + timedelta(hours=24), changed=False).last_success == (
        "2026-11-26T10:17:00Z"
    )
    six = timedelta(hours=6)
    assert record_success(healthy, NOW + timedelta(hours=2), changed=False, max_age=six) == healthy
    assert record_success(
        healthy, NOW + timedelta(hours=3), changed=False, max_age=six
    ).last_success == ("2026-11-25T13:17:00Z")
    changed = record_success(healthy, NOW + timedelta(hours=1), changed=True)
    assert changed.last_success == changed.last_change == "2026-11-25T11:17:00Z"


def test_a_max_age_under_a_day_triggers_within_the_day() -> None:
    """The success was stored as a day, read as its last second: a watcher dead since 02:17 was
    not stale at 10:17 for a 6-hour limit (nor until 06:00 the next day)."""
    limits = {**LIMITS, "max_age": timedelta(hours=6)}
    [stale] = problems(Health("2026-11-25T02:17:00Z", "2026-11-25T02:17:00Z"), NOW, **limits)
    assert "at 2026-11-25T02:17:00Z, more than 6 hours ago" in stale
    assert problems(Health("2026-11-25T05:17:00Z", "2026-11-25T05:17:00Z"), NOW, **limits) == []
    assert problems(Health("2026-11-25", "2026-11-25"), NOW, **limits) == []  # an old-style day


def test_problems_name_staleness_a_frozen_source_and_failures() -> None:
    assert problems(Health("2026-11-25", "2026-11-20"), NOW, **LIMITS) == []
    stale = problems(Health("2026-11-20", "2026-11-20"), NOW, **LIMITS)
    assert len(stale) == 1 and "2026-11-20" in stale[0] and "60 days" in stale[0]
    frozen = problems(Health("2026-11-25", "2026-09-01"), NOW, **LIMITS)
    assert len(frozen) == 1 and "not changed since 2026-09-01" in frozen[0]
    failing = Health("2026-11-25", "2026-11-25", 3, "2026-11-25T07:17:00Z", "HTTP 503")
    assert "last 3 runs failed" in problems(failing, NOW, **LIMITS)[0]
    assert problems(Health(), NOW, **LIMITS) == ["no successful fetch has been recorded yet"]


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
        assert failure["blocks"][0]["text"]["text"] == "models.dev: the last 3 runs failed"
        assert "Failing since 2026-11-25 02:17 UTC." in json.dumps(failure)
        assert run(repo, monkeypatch, capsys, broken, 5)[0] == 3
        assert len(slack.webhook_posts()) == baseline + 1  # one alert per streak
        code, said = health(monkeypatch, capsys, repo, 5)
        assert code == 10 and "last 4 runs failed" in said
        assert run(repo, monkeypatch, capsys, good, 6)[0] == 0
        [recovery] = slack.webhook_posts()[baseline + 1 :]
        assert recovery["blocks"][0]["text"]["text"] == (
            "models.dev: runs succeed again after 4 failures"
        )
        assert "Failing since 2026-11-25 02:17 UTC" in json.dumps(recovery)
        assert run(repo, monkeypatch, capsys, good, 7)[0] == 0
        assert len(slack.webhook_posts()) == baseline + 2
        assert health(monkeypatch, capsys, repo, 7)[0] == 0
    meta = json.loads(git(repo, "show", "origin/main:snapshots/models.dev/_meta.json"))
    assert (
        meta["health"]["consecutive_failures"] == 0
        and meta["health"]["last_success"] == "2026-11-25T06:17:00Z"  # the recovery's run
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def watched_folder(tmp_path: Path, last_success: str) -> Path:
    folder = tmp_path / "snapshots" / "models.dev"
    folder.mkdir(parents=True)
    write_json(folder / "acme.json", provider("acme", model("m1")))
    health = Health(last_success=last_success, last_change=last_success)
    write_json(folder / "_meta.json", {"source": "models.dev", "health": health.to_json()})
    return folder


def test_health_of_a_folder_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was exit 10 'no successful fetch has been recorded yet': a typo looked like an outage."""
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "health", "--snapshots", "snapshots/models.dve")
    assert (code, out) == (2, "")
    assert err == (
        "catalog-watch: error: snapshots/models.dve: no such snapshot folder; run health in the "
        "checkout that holds the snapshots, or name the folder with --snapshots\n"
    )


def test_max_age_hours_under_a_day_needs_the_watcher_to_record_that_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    watched_folder(tmp_path, "2026-11-25T02:17:00Z")
    at = ("--now", "2026-11-25T10:17:00Z")
    code, _, err = cli(capsys, "health", "--max-age-hours", "6", *at)
    assert code == 2
    assert "records its success every 24 hours (max_age_hours = 48)" in err
    assert "set [health] max_age_hours = 6" in err
    (tmp_path / "catalog-watch.toml").write_text("[health]\nmax_age_hours = 6\n")
    code, _, err = cli(capsys, "health", *at)
    assert code == 10
    assert "last successful fetch was at 2026-11-25T02:17:00Z, more than 6 hours ago" in err
    assert cli(capsys, "health", "--now", "2026-11-25T07:00:00Z")[0] == 0


# -- health commits: at most one a day, none on a run that changed the catalog -----------------


def run_at(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: Path,
    when: str,
) -> int:
    monkeypatch.chdir(repo)
    code = main(["run", "--mode", "commit", "--source", str(source), "--now", when])
    capsys.readouterr()
    return code


def origin_log(repo: Path) -> list[str]:
    """Subjects on origin's main, newest first."""
    git(repo, "fetch", "--quiet", "origin")
    return git(repo, "log", "--format=%s", "origin/main").splitlines()


def origin_health(repo: Path) -> dict[str, Any]:
    meta = json.loads(git(repo, "show", "origin/main:snapshots/models.dev/_meta.json"))
    return dict(meta["health"])


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A clone and the catalog it watches."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    return repo, write_json(tmp_path / "good.json", document(provider("acme", model("m1"))))


def test_unchanged_runs_commit_their_health_at_most_once_a_day(
    watched: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, good = watched
    hourly = ("25T01:17", "25T02:17", "25T12:17", "26T01:16", "26T01:17", "26T02:17")
    for when in hourly:
        assert run_at(repo, monkeypatch, capsys, good, f"2026-11-{when}:00Z") == 0
    assert origin_log(repo).count("catalog-watch: health") == 1
    assert origin_health(repo)["last_success"] == "2026-11-26T01:17:00Z"  # a day after the first
    monkeypatch.chdir(repo)
    assert main(["health", "--now", "2026-11-27T23:00:00Z"]) == 0  # within the 48 hours


def test_an_unchanged_run_with_no_success_due_asks_git_to_stage_nothing(
    watched: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """The hourly run with nothing to do: no ``git add``/``git diff --cached`` for a health
    record that is not due (it was, before: two git processes every hour for nothing)."""
    repo, good = watched
    assert run_at(repo, monkeypatch, capsys, good, "2026-11-25T01:17:00Z") == 0
    calls = log_git_calls(monkeypatch, tmp_path / "shim")
    assert run_at(repo, monkeypatch, capsys, good, "2026-11-25T02:17:00Z") == 0
    verbs = [git_verb(line) for line in calls.read_text().splitlines()]
    assert "fetch" in verbs  # the run did go to git
    assert {"add", "diff", "commit", "push"}.isdisjoint(verbs), verbs
    calls.write_text("")
    assert run_at(repo, monkeypatch, capsys, good, "2026-11-26T01:17:00Z") == 0  # a day later
    verbs = [git_verb(line) for line in calls.read_text().splitlines()]
    assert {"add", "commit", "push"} <= set(verbs)  # the success is due: recorded
    assert origin_log(repo).count("catalog-watch: health") == 1


def test_a_max_age_under_a_day_makes_unchanged_runs_record_their_success_that_often(
    watched: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, good = watched
    (repo / "catalog-watch.toml").write_text("[health]\nmax_age_hours = 6\n")
    for when in ("01:17", "02:17", "04:16", "04:17", "05:17"):
        assert run_at(repo, monkeypatch, capsys, good, f"2026-11-25T{when}:00Z") == 0
    assert origin_log(repo).count("catalog-watch: health") == 1
    assert origin_health(repo)["last_success"] == "2026-11-25T04:17:00Z"  # 3 hours: half of 6
    monkeypatch.chdir(repo)
    assert main(["health", "--now", "2026-11-25T10:00:00Z"]) == 0
    capsys.readouterr()


def test_a_run_that_changed_the_catalog_commits_no_health_even_with_a_recovery_alert(
    watched: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    repo, good = watched
    broken = tmp_path / "broken.json"
    broken.write_text("<html>502 Bad Gateway</html>")
    repriced = write_json(
        tmp_path / "repriced.json", document(provider("acme", model("m1", cost={"input": 9})))
    )
    with SlackServer() as slack:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
        assert run_at(repo, monkeypatch, capsys, good, "2026-11-25T01:17:00Z") == 0
        for hour in (2, 3, 4):  # the third failure alerts
            assert run_at(repo, monkeypatch, capsys, broken, f"2026-11-25T0{hour}:17:00Z") == 3
        before = len(origin_log(repo))
        assert run_at(repo, monkeypatch, capsys, repriced, "2026-11-25T05:17:00Z") == 0
        posted = json.dumps(slack.webhook_posts())
    made = origin_log(repo)[: len(origin_log(repo)) - before]
    assert "catalog-watch: health" not in made
    assert [s for s in made if not s.startswith("catalog-watch:")] == [
        "models.dev: 2 price changes"
    ]
    assert "models.dev: runs succeed again after 3 failures" in posted
    assert origin_health(repo)["consecutive_failures"] == 0
