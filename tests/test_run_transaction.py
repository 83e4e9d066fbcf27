"""``catalog-watch run`` as one transaction: failures counted, leftovers kept out, claims pushed."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.store.outbox import Claim, outbox_text, parse_outbox
from tests.factories import UNREADABLE, damaged_line, document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, subjects
from tests.runs import OUTBOX, catalog, commit_run, hand_edit_outbox, ledger, repriced
from tests.slack_server import SlackServer

META = "snapshots/models.dev/_meta.json"
FOLDER = "snapshots/models.dev"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    return clone(fresh_origin(tmp_path), "ours")


def origin_health(repo: Path) -> dict[str, Any]:
    git(repo, "fetch", "--quiet", "origin")
    meta: dict[str, Any] = json.loads(git(repo, "show", f"origin/main:{META}"))
    return dict(meta["health"])


def test_a_shrink_refusal_counts_in_the_failure_streak(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    code, _, _ = commit_run(repo, monkeypatch, capsys, document(provider("beta", model("x"))))
    assert code == 5
    health = origin_health(repo)
    assert health["consecutive_failures"] == 1
    assert "offerings" in health["last_error"]
    assert subjects(repo, "origin/main")[0].startswith("catalog-watch: run failed:")


def test_a_damaged_outbox_stops_the_run_before_the_snapshot_is_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    hand_edit_outbox(repo, '{"alert": {"id": "x"}, "created": "2026"}\n', "a hand edit gone wrong")
    before = (repo / FOLDER / "acme.json").read_bytes()
    changed = repriced()
    code, _, err = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 6
    assert f"{OUTBOX}:1: not an outbox entry" in err
    assert (repo / FOLDER / "acme.json").read_bytes() == before
    assert origin_health(repo)["consecutive_failures"] == 1


@pytest.mark.parametrize(("field", "value", "problem"), UNREADABLE[:4])
def test_an_outbox_line_the_run_cannot_interpret_stops_it_naming_the_line(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: object,
    problem: str,
) -> None:
    """The right JSON types, but a kind, destination or time the run reads later: it was a
    ValueError traceback (exit 1) from deep in the run, naming no file or line."""
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    hand_edit_outbox(repo, damaged_line(field, value) + "\n", "a hand edit gone wrong")
    before = (repo / FOLDER / "acme.json").read_bytes()
    code, _, err = commit_run(repo, monkeypatch, capsys, repriced())
    assert code == 6
    assert f"{OUTBOX}:1: not an outbox entry: {problem}" in err
    assert (repo / FOLDER / "acme.json").read_bytes() == before


def test_untracked_files_in_the_snapshot_folder_are_never_committed(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    (repo / FOLDER / "notes.env").write_text("OPENAI_API_KEY=sk-live-do-not-commit\n")
    changed = repriced()
    code, _, err = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    assert "set aside 1 uncommitted file(s)" in err
    assert "sk-live-do-not-commit" not in git(repo, "log", "-p", "origin/main")
    assert not (repo / FOLDER / "notes.env").exists()


def test_a_commit_a_killed_run_left_unpushed_is_pushed_by_the_next_run(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    hook = Path(git(repo, "rev-parse", "--absolute-git-dir")) / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    changed = repriced()
    assert commit_run(repo, monkeypatch, capsys, changed)[0] == 7  # the push failed
    local = git(repo, "rev-parse", "HEAD")
    assert git(repo, "rev-parse", "origin/main") != local
    hook.unlink()
    code, _, err = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    assert "pushed" in err
    log = git(repo, "log", "--format=%s", "origin/main").splitlines()
    assert len([s for s in log if "price change" in s]) == 1


def test_a_run_that_was_killed_is_counted_by_the_next(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    marker = Path(git(repo, "rev-parse", "--absolute-git-dir")) / "catalog-watch" / "run"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("run-that-was-killed")
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    log = git(repo, "log", "--format=%s", "origin/main")
    assert "catalog-watch: previous run did not finish" in log
    assert origin_health(repo)["consecutive_failures"] == 0
    assert not marker.exists()


def test_a_run_marker_that_is_not_utf8_is_a_killed_run_whose_git_locks_are_cleared(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir"))
    marker = git_dir / "catalog-watch" / "run"
    marker.write_bytes(b"run-\xff\xfe-killed")  # not UTF-8: its id cannot be read
    (git_dir / "index.lock").write_text("")  # the killed run was in a git add
    code, _, err = commit_run(repo, monkeypatch, capsys, repriced())
    assert code == 0, err
    assert "removed git's lock file(s) index.lock left by the run that was killed (unknown)" in err
    log = git(repo, "log", "--format=%s", "origin/main")
    assert "catalog-watch: previous run did not finish" in log
    assert "price change" in log
    assert not marker.exists()


def test_alerts_claimed_by_a_run_in_progress_are_left_to_it(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: SlackServer,
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    slack.outage()
    changed = repriced()
    assert commit_run(repo, monkeypatch, capsys, changed)[0] == 9
    slack.recover()
    outbox = parse_outbox((repo / OUTBOX).read_text())
    other = Claim("another-run", "2026-11-25T10:17:00Z")
    claimed = outbox.claim([a.id for a in outbox.pending], other)
    hand_edit_outbox(repo, outbox_text(claimed), "catalog-watch: claim (another run)")
    posts = len(slack.webhook_posts())
    code, _, err = commit_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    assert "claimed by another run still in progress" in err
    assert len(slack.webhook_posts()) == posts


def test_a_slack_outage_counts_in_the_failure_streak_and_loses_nothing(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: SlackServer,
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    slack.outage()
    assert commit_run(repo, monkeypatch, capsys, repriced())[0] == 9
    assert origin_health(repo)["consecutive_failures"] == 1
    slack.recover()
    assert commit_run(repo, monkeypatch, capsys, repriced())[0] == 0
    assert origin_health(repo)["consecutive_failures"] == 0
    outbox = parse_outbox(git(repo, "show", f"origin/main:{OUTBOX}"))
    assert outbox.pending == []
    assert len(slack.webhook_posts()) == 2  # the baseline, then the price changes once


# A commit-msg hook that SIGKILLs the CLI (the hook's parent is git, git's parent the CLI) when
# the commit at hand is the run's change: after the ledger and changelog appends, before the
# commit.
_KILL_AT_THE_CHANGE_COMMIT = (
    "#!/bin/sh\n"
    'grep -q "price change" "$1" || exit 0\n'
    "kill -9 \"$(awk '{print $4}' /proc/$PPID/stat)\"\n"
    "exit 1\n"
)


def test_a_run_killed_between_its_appends_and_its_commit_leaves_each_line_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    first = edited(catalog())
    first["acme"]["models"]["m2"]["cost"]["input"] = 7
    assert commit_run(repo, monkeypatch, capsys, first, "--now", "2026-11-25T10:47Z")[0] == 0
    committed = ledger(repo, "origin/main")  # the month's ledger and changelog exist
    assert committed
    hook = Path(git(repo, "rev-parse", "--absolute-git-dir")) / "hooks" / "commit-msg"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(_KILL_AT_THE_CHANGE_COMMIT)
    hook.chmod(0o755)
    second = edited(first)
    second["acme"]["models"]["m1"]["cost"] = {"input": 9, "output": 9}  # two price changes
    source = write_json(repo.parent / "api-second.json", second)
    args = ["run", "--mode", "commit", "--source", str(source), "--now", "2026-11-25T11:17:00Z"]
    killed = subprocess.run(
        [sys.executable, "-m", "catalog_watch.cli.app", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    dirty = git(repo, "status", "--porcelain", "--", FOLDER)
    assert f"{FOLDER}/changes.jsonl" in dirty and f"{FOLDER}/changelog/2026-11.md" in dirty
    hook.unlink()

    code, _, err = commit_run(repo, monkeypatch, capsys, second, "--now", "2026-11-25T12:17Z")
    assert code == 0, err
    assert "set aside" in err
    lines = ledger(repo, "origin/main")
    assert lines[: len(committed)] == committed
    added = lines[len(committed) :]
    assert [(line["kind"], line["time"]) for line in added] == [
        ("price_changed", "2026-11-25T12:17:00Z")
    ] * 2  # the run's two price changes, once; the killed run's lines are gone
    month = git(repo, "show", f"origin/main:{FOLDER}/changelog/2026-11.md")
    assert re.findall(r"^## (\S+ \S+)", month, re.MULTILINE) == [
        "2026-11-25 10:17",
        "2026-11-25 10:47",
        "2026-11-25 12:17",
    ]
    assert "11:17 UTC" not in git(repo, "log", "-p", "origin/main", "--", FOLDER)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
