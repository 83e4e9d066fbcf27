"""Retirement reminders end to end: a repository whose code calls a model that LiteLLM says
retires on 2026-05-14 (the real entry of ``../shared/data/litellm/2026-07-24.json``), ``run``
in commit mode at 31, 30, 29, 8, 7, 1 and 0 days before (its ``--now``), Slack on the loopback
server: exactly one reminder at each lead time, never twice across runs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.factories import REAL_DATA, document, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, write
from tests.github_server import GitHubServer
from tests.slack_server import SlackServer

RETIRES = date(2026, 5, 14)
MODEL = "claude-opus-4-20250514"
LITELLM = "snapshots/litellm"
AGENT = f"""import anthropic

client = anthropic.Anthropic()


def answer(question):
    return client.messages.create(model="{MODEL}", max_tokens=256, messages=question)
"""


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone with the code, and a LiteLLM snapshot folder (the real entry of the model and
    of a second one) committed beside where models.dev's will be."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    write(repo, "src/agent.py", AGENT)
    real = json.loads((REAL_DATA / "litellm" / "2026-07-24.json").read_text("utf-8"))
    assert real[MODEL]["deprecation_date"] == RETIRES.isoformat()
    litellm = write_json(
        tmp_path / "litellm.json", {name: real[name] for name in (MODEL, "gpt-4-0613")}
    )
    monkeypatch.chdir(repo)
    assert main(["check", "--source", str(litellm), "--snapshots", LITELLM, "--write"]) == 0
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "code and the LiteLLM snapshot")
    git(repo, "push", "--quiet", "origin", "HEAD:main")
    return repo


def catalog(price: int) -> dict[str, Any]:
    """models.dev with the used model, and another whose price moves each run (a run that
    changes nothing writes no outbox)."""
    return document(
        provider("anthropic", model(MODEL, cost={"input": 15, "output": 75})),
        provider("acme", model("m1", cost={"input": price, "output": price})),
    )


def run_at(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    days_before: int,
    *,
    quiet: bool = False,
    mode: str = "commit",
) -> None:
    """One run; ``quiet``: the catalog is the same every run (nothing changes but the day)."""
    price = 100 if quiet else 100 - days_before
    name = "api.json" if quiet else f"api-{days_before}.json"  # quiet: upstream's one URL
    source = write_json(repo.parent / name, catalog(price))
    day = RETIRES - timedelta(days=days_before)
    monkeypatch.chdir(repo)
    args = ["run", "--mode", mode, "--source", str(source), "--compare-with", LITELLM]
    code = main([*args, "--now", f"{day.isoformat()}T10:17:00Z"])
    _, err = capsys.readouterr()
    assert code == 0, err


def reminders(slack: SlackServer) -> list[str]:
    """Every reminder line Slack received, in order."""
    return [
        line
        for post in slack.webhook_posts()
        for block in post.get("blocks", [])
        for line in str((block.get("text") or {}).get("text", "")).splitlines()
        if "retires on" in line
    ]


@pytest.fixture(name="repo")
def fixture_repo(tmp_path: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project, its runs' alerts going to the loopback Slack's webhook."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    return project(tmp_path, monkeypatch)


@pytest.mark.realdata
def test_one_reminder_at_each_lead_time_and_never_twice(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[list[str]] = []
    for days_before in (31, 30, 29, 8, 7, 1, 0):
        before = len(reminders(slack))
        run_at(repo, monkeypatch, capsys, days_before)
        seen.append(reminders(slack)[before:])
    assert [len(new) for new in seen] == [0, 1, 0, 0, 1, 1, 0]
    thirty, seven, one = seen[1][0], seen[4][0], seen[5][0]
    assert "retires on 2026-05-14, in 30 days (LiteLLM's date; 30-day notice)" in thirty
    assert "in 7 days (LiteLLM's date; 7-day notice)" in seven
    assert "in 1 day (LiteLLM's date; 1-day notice)" in one
    for line in (thirty, seven, one):
        assert f"anthropic / {MODEL}" in line and "used in src/agent.py:7" in line
    assert ":red_circle:" in seven and ":large_orange_circle:" in thirty  # urgency by lead
    outbox = (repo / "snapshots/models.dev/outbox.jsonl").read_text("utf-8").splitlines()
    kinds = [json.loads(line)["alert"]["kind"] for line in outbox]
    assert kinds.count("retirement_due") == 3


@pytest.mark.realdata
def test_a_first_run_between_lead_times_sends_only_the_nearest_once(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for days_before in (5, 4, 2):
        run_at(repo, monkeypatch, capsys, days_before)
    [line] = reminders(slack)
    assert "in 5 days (LiteLLM's date; 7-day notice)" in line


@pytest.mark.realdata
def test_reminders_go_out_on_runs_whose_catalog_does_not_change(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A reminder is due for days; the hourly run that finds nothing new still queues it."""
    seen: list[int] = []
    for days_before in (40, 30, 29, 7, 7, 1, 0):
        before = len(reminders(slack))
        run_at(repo, monkeypatch, capsys, days_before, quiet=True)
        seen.append(len(reminders(slack)) - before)
    assert seen == [0, 1, 0, 1, 0, 1, 0]
    subjects = git(repo, "log", "--format=%s").splitlines()
    assert subjects.count("catalog-watch: retirement reminders") == 3


@pytest.mark.realdata
def test_pull_request_mode_sends_reminders_on_runs_whose_catalog_does_not_change(
    repo: Path,
    slack: SlackServer,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same days in pull-request mode: the branch's outbox keeps the reminders."""
    seen: list[int] = []
    for days_before in (40, 30, 29, 7, 7, 1, 0):
        before = len(reminders(slack))
        run_at(repo, monkeypatch, capsys, days_before, quiet=True, mode="pull-request")
        seen.append(len(reminders(slack)) - before)
    assert seen == [0, 1, 0, 1, 0, 1, 0]
    origin = Path(git(repo, "remote", "get-url", "origin"))
    subjects = git(origin, "log", "--format=%s", "catalog-watch/models.dev").splitlines()
    assert subjects.count("catalog-watch: retirement reminders") == 3


# A hook that SIGKILLs the CLI (the hook's parent is git, git's parent the CLI) when the step
# at hand is the reminders commit: commit-msg is just before it, pre-push just after it.
_KILL_AT = {
    "commit-msg": 'grep -q "^catalog-watch: retirement reminders" "$1" || exit 0\n',
    "pre-push": (
        "read -r _ sha _ _ || exit 0\n"
        'git log -1 --format=%s "$sha" | grep -q "^catalog-watch: retirement reminders" '
        "|| exit 0\n"
    ),
}


@pytest.fixture(name="github")
def fixture_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubServer]:
    """The loopback GitHub API that pull-request mode talks to."""
    with GitHubServer() as server:
        monkeypatch.setenv("GITHUB_API_URL", server.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", server.repository)
        monkeypatch.setenv("GITHUB_TOKEN", server.token)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield server


@pytest.mark.realdata
@pytest.mark.parametrize("mode", ["commit", "pull-request"])
@pytest.mark.parametrize("hook", sorted(_KILL_AT))
def test_a_run_killed_at_the_reminders_commit_loses_nothing_and_sends_nothing_twice(
    repo: Path,
    slack: SlackServer,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    hook: str,
    mode: str,
) -> None:
    """Pull-request mode commits the reminders on the rolling branch, in a worktree that shares
    the clone's hooks: the same kills, before and after that commit."""
    run_at(repo, monkeypatch, capsys, 40, quiet=True, mode=mode)  # the snapshot; nothing due
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    path = hooks / hook
    path.write_text(
        "#!/bin/sh\n"
        + _KILL_AT[hook]
        + "kill -9 \"$(awk '{print $4}' /proc/$PPID/stat)\"\nexit 1\n"
    )
    path.chmod(0o755)
    source = write_json(repo.parent / "api.json", catalog(100))  # the quiet runs' one source
    day = (RETIRES - timedelta(days=30)).isoformat()
    args = ["run", "--mode", mode, "--source", str(source), "--compare-with", LITELLM]
    killed = subprocess.run(
        [sys.executable, "-m", "catalog_watch.cli.app", *args, "--now", f"{day}T10:17:00Z"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert reminders(slack) == []
    path.unlink()
    run_at(repo, monkeypatch, capsys, 30, quiet=True, mode=mode)  # the next run, same clone
    assert len(reminders(slack)) == 1
    run_at(repo, monkeypatch, capsys, 29, quiet=True, mode=mode)
    assert len(reminders(slack)) == 1
