"""``catalog-watch run`` called in-process in a clone: the helpers the run tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.factories import document, edited, model, provider, write_json
from tests.git_repos import LEDGER, clone, fresh_origin, git, isolate_git

OUTBOX = "snapshots/models.dev/outbox.jsonl"


def run_in(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(repo)
    code = main(["run", "--now", "2026-11-25T10:17:00Z", *args])
    out, err = capsys.readouterr()
    return code, out, err


def ledger(repo: Path, ref: str = "main") -> list[dict[str, Any]]:
    text = git(repo, "show", f"{ref}:{LEDGER}")
    return [json.loads(line) for line in text.splitlines()]


def catalog() -> dict[str, Any]:
    return document(
        provider("acme", *(model(f"m{i}") for i in range(5))), provider("beta", model("x"))
    )


def repriced() -> dict[str, Any]:
    """The catalog with one model's prices raised: two price changes."""
    doc = edited(catalog())
    doc["acme"]["models"]["m1"]["cost"] = {"input": 9, "output": 9}
    return doc


def commit_run(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    doc: Any,
    *extra: str,
) -> tuple[int, str, str]:
    source = write_json(repo.parent / f"api-{len(list(repo.parent.glob('api-*')))}.json", doc)
    return run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", str(source), *extra)


def commit_run_at(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: Path,
    now: str,
) -> tuple[int, str]:
    """A commit-mode run of ``source`` at ``now``: (exit code, stderr)."""
    monkeypatch.chdir(repo)
    code = main(["run", "--mode", "commit", "--source", str(source), "--now", now])
    _, err = capsys.readouterr()
    return code, err


def run_at_hour(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: Path,
    hour: int,
) -> tuple[int, str]:
    """A commit-mode run of ``source`` at ``hour`` o'clock on 2026-11-25: (exit code, stderr)."""
    return commit_run_at(repo, monkeypatch, capsys, source, f"2026-11-25T{hour:02}:17:00Z")


@pytest.fixture(name="repo")
def repo_run_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """Baseline on 2026-11-01, then m1's input price 2.5 → 3 on 2026-11-10; gem-3.1-flash is
    offered by acme and by router (as vendor/gem-3.1-flash), its group key gem-3-1-flash."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    first = document(
        provider("acme", model("m1"), model("m2"), model("gem-3.1-flash")),
        provider("router", model("vendor/gem-3.1-flash", cost={"input": 1, "output": 4})),
    )
    second = edited(first)
    second["acme"]["models"]["m1"]["cost"]["input"] = 3
    for day, doc in (("01", first), ("10", second)):
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"2026-11-{day}T10:17:00Z")
        source = write_json(tmp_path / f"{day}.json", doc)
        code, _ = commit_run_at(repo, monkeypatch, capsys, source, f"2026-11-{day}T10:17:00Z")
        assert code == 0
    return repo


def hand_edit_outbox(repo: Path, text: str, message: str = "outbox edited by hand") -> None:
    """The outbox as someone committed and pushed it (it is a file in the repository)."""
    (repo / OUTBOX).write_text(text)
    git(repo, "add", OUTBOX)
    git(repo, "commit", "--quiet", "-m", message)
    git(repo, "push", "--quiet", "origin", "HEAD:main")
