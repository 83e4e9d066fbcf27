"""`catalog-watch history` and `price-at` on a repository the action ran in twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_watch.cli import main
from tests.factories import document, edited, model, provider, write_json
from tests.git_repos import fresh_origin, isolate_git
from tests.test_run_commit_mode import clone


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """Baseline on 2026-11-01, then m1's input price 2.5 → 3 on 2026-11-10."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    first = document(provider("acme", model("m1"), model("m2")))
    second = edited(first)
    second["acme"]["models"]["m1"]["cost"]["input"] = 3
    monkeypatch.chdir(repo)
    for day, doc in (("01", first), ("10", second)):
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"2026-11-{day}T10:17:00Z")
        source = write_json(tmp_path / f"{day}.json", doc)
        assert (
            main(
                [
                    "run",
                    "--mode",
                    "commit",
                    "--source",
                    str(source),
                    "--now",
                    f"2026-11-{day}T10:17:00Z",
                ]
            )
            == 0
        )
    capsys.readouterr()
    return repo


def test_history_from_the_ledger_gives_from_and_to(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "m1", "--field", "cost.input", "--format", "json"]) == 0
    periods = json.loads(capsys.readouterr().out)["history"]
    assert [(p["value"], p["from"], p["to"]) for p in periods] == [
        (2.5, None, "2026-11-10T10:17:00Z"),
        (3, "2026-11-10T10:17:00Z", None),
    ]


def test_history_from_git_starts_at_the_baseline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "m1", "--field", "cost.input", "--from-git", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "provider,model,field,value,from,to",
        "acme,m1,cost.input,2.5,2026-11-01T10:17:00Z,2026-11-10T10:17:00Z",
        "acme,m1,cost.input,3,2026-11-10T10:17:00Z,",
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-10-31", None), ("2026-11-05", 2.5), ("2026-11-10", 3), ("2026-12-01", 3)],
)
def test_price_at_before_between_on_and_after_the_change(
    repo: Path, capsys: pytest.CaptureFixture[str], day: str, expected: float | None
) -> None:
    assert main(["price-at", "m1", day, "--from-git", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    prices = [row["cost"]["cost.input"] for row in result["prices"]]
    assert prices == ([] if expected is None else [expected])
