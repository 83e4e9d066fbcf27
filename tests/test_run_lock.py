"""One run at a time per checkout: the run lock (``jobs/leftovers.run_lock``).

A run that finds the checkout's lock held by a live process stops with exit code 13 before it
touches anything; once that process is gone (however it ended), the marker it left is a dead
run's and the next run counts it. The live holder here is a real process holding the real
``flock``; the whole-run case (a second CLI run while the first waits on Slack) is the fault
matrix's "two overlapping runs in one clone"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog_watch.errors import CatalogWatchError, RunInProgress
from tests.factories import small_catalog, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, status, subjects
from tests.runs import run_in

HOLD = """
import fcntl, sys
lock = open(sys.argv[1], "ab")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """(origin, a clone of it, the clone's state folder ``.git/catalog-watch``)."""
    isolate_git(monkeypatch, tmp_path / "home")
    origin = fresh_origin(tmp_path)
    repo = clone(origin, "ours")
    return origin, repo, Path(git(repo, "rev-parse", "--absolute-git-dir")) / "catalog-watch"


def test_a_run_beside_a_live_one_stops_before_touching_anything_then_counts_it_once_dead(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    checkout: tuple[Path, Path, Path],
) -> None:
    origin, repo, state = checkout
    doc = small_catalog()
    catalog = write_json(tmp_path / "api.json", doc)
    code, _, err = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", str(catalog))
    assert code == 0, err
    before = subjects(origin)
    (state / "run").write_text("local-1-0123456789ab", encoding="utf-8")  # the live run's id
    doc["acme"]["models"]["big-1"]["cost"]["input"] = 4  # there would be work to do
    write_json(catalog, doc)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state / "lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        code, out, err = run_in(
            repo, monkeypatch, capsys, "--mode", "commit", "--source", str(catalog)
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert code == RunInProgress.exit_code == 13
    [error] = [line for line in err.splitlines() if line.startswith("catalog-watch: error:")]
    assert "another catalog-watch run (local-1-0123456789ab) is in progress in " in error
    assert "this run stopped before touching anything" in error
    assert out == ""
    assert subjects(origin) == before  # nothing committed, no failure recorded
    assert status(repo) == ""
    assert (state / "run").read_text(encoding="utf-8") == "local-1-0123456789ab"

    code, out, err = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", str(catalog))
    assert code == 0, err
    assert "big-1" in out
    assert "catalog-watch: previous run did not finish" in subjects(origin)
    assert not (state / "run").exists()


def test_a_state_folder_that_cannot_hold_the_lock_is_a_one_line_error_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    checkout: tuple[Path, Path, Path],
) -> None:
    origin, repo, state = checkout
    before = subjects(origin)
    state.write_text("not a folder\n", encoding="utf-8")  # damaged: a file where the folder goes
    catalog = write_json(tmp_path / "api.json", small_catalog())
    code, out, err = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", str(catalog))
    assert code == CatalogWatchError.exit_code == 11
    [error] = [line for line in err.splitlines() if line.startswith("catalog-watch: error:")]
    assert error.startswith(f"catalog-watch: error: {state / 'lock'}: cannot lock the checkout: ")
    assert out == ""
    assert subjects(origin) == before
