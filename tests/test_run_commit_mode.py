"""``catalog-watch run`` in commit and dry-run mode, with real git and a bare ``origin``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.jobs import steps
from tests.factories import MODELS_DEV, document, edited, model, provider, small_catalog, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, subjects, tip
from tests.runs import ledger, run_in

MARCH = str(MODELS_DEV / "2026-03-10.json")
JUNE = str(MODELS_DEV / "2026-06-28.json")
CHANGELOG = "snapshots/models.dev/CHANGELOG.md"


@pytest.fixture
def origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bare origin whose ``main`` has one commit (a README), like a fresh user repository."""
    isolate_git(monkeypatch, tmp_path / "home")
    return fresh_origin(tmp_path)


@pytest.mark.realdata
def test_commit_mode_on_two_real_catalogs(
    origin: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = clone(origin, "ours")
    code, _, _ = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", MARCH)
    assert code == 0
    first = tip(origin)
    assert subjects(origin)[0].startswith(
        "models.dev: baseline recorded: 102 providers, 3,701 offerings"
    )
    assert "snapshots/models.dev/openai.json" in git(origin, "ls-tree", "-r", "--name-only", "main")

    code, out, _ = run_in(
        repo, monkeypatch, capsys, "--mode", "commit", "--source", JUNE, "--allow-shrink"
    )
    assert code == 0
    assert subjects(origin)[0] == "models.dev: 809 price changes, 407 limit changes, …"
    body = git(origin, "log", "-1", "--format=%b", "main").splitlines()[0]
    assert body.startswith("models.dev: 809 price changes, 407 limit changes, ")
    assert " capability changes, 123 modality changes, " in body
    assert body.endswith("64 deprecated")
    assert all(len(s) <= 72 for s in subjects(origin))
    changelog = git(origin, "show", f"main:{CHANGELOG}")
    assert "## 2026-11-25 10:17 UTC: 809 price changes" in changelog  # the latest run on top
    month = git(origin, "show", "main:snapshots/models.dev/changelog/2026-11.md")
    assert month.index("## 2026-11-25 10:17 UTC: baseline recorded") < month.index(
        "## 2026-11-25 10:17 UTC: 809 price changes"
    )  # every run of the month, oldest first
    assert (
        "| ▼ | vercel | `google/gemini-3.1-flash-image-preview` | `cost.output` | $60.00 | $3.00"
        in changelog
    )
    lines = ledger(origin)
    changes = [line for line in lines if not line["kind"].startswith("inconsistency_")]
    assert len([c for c in changes if c["kind"] != "cheapest_changed"]) == 7331
    assert len([c for c in changes if c["kind"] == "cheapest_changed"]) == 103
    assert {line["commit"] for line in lines} == {first}
    assert {line["time"] for line in lines} == {"2026-11-25T10:17:00Z"}
    cut = [
        line
        for line in changes
        if (line["provider"], line["model"], line["field"])
        == ("vercel", "google/gemini-3.1-flash-image-preview", "cost.output")
    ]
    assert [(c["old"], c["new"], c["change_pct"]) for c in cut] == [(60, 3, -95.0)]
    assert "809 price changes" in out

    second = tip(origin)
    code, _, _ = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", JUNE)
    assert code == 0
    assert tip(origin) == second
    assert git(repo, "status", "--porcelain") == ""


def catalog_versions() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    base = document(
        provider("acme", *(model(f"m{i}") for i in range(5))), provider("beta", model("x"))
    )
    theirs = edited(base)
    theirs["acme"]["models"]["m1"]["cost"]["input"] = 3
    ours = edited(theirs)
    ours["beta"]["models"]["x"]["limit"]["context"] = 65536
    return base, theirs, ours


def test_push_race_is_recovered_and_both_runs_land_once(
    origin: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    base, theirs_catalog, our_catalog = catalog_versions()
    ours, theirs = clone(origin, "ours"), clone(origin, "theirs")
    run_in(
        ours,
        monkeypatch,
        capsys,
        "--mode",
        "commit",
        "--source",
        str(write_json(tmp_path / "0.json", base)),
    )
    git(theirs, "pull", "--quiet", "origin", "main")
    # the other runner sees a newer catalog and pushes first; our checkout is now stale
    run_in(
        theirs,
        monkeypatch,
        capsys,
        "--mode",
        "commit",
        "--source",
        str(write_json(tmp_path / "1.json", theirs_catalog)),
    )
    code, _, _ = run_in(
        ours,
        monkeypatch,
        capsys,
        "--mode",
        "commit",
        "--source",
        str(write_json(tmp_path / "2.json", our_catalog)),
    )
    assert code == 0
    assert subjects(origin)[:2] == ["models.dev: 1 limit change", "models.dev: 1 price change"]
    records = [(r["provider"], r["model"], r["field"]) for r in ledger(origin)]
    assert records == [("acme", "m1", "cost.input"), ("beta", "x", "limit.context")]
    snapshot = json.loads(git(origin, "show", "main:snapshots/models.dev/acme.json"))
    assert snapshot["models"]["m1"]["cost"]["input"] == 3
    assert git(ours, "status", "--porcelain") == ""


def test_protected_branch_fails_clearly(
    origin: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    repo = clone(origin, "ours")
    before = tip(origin)
    source = str(write_json(tmp_path / "api.json", small_catalog()))
    code, _, err = run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", source)
    assert code == 7
    assert "protected" in err.lower() and "--mode pull-request" in err
    assert tip(origin) == before


def test_dry_run_prints_what_it_would_commit_and_changes_nothing(
    origin: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    repo = clone(origin, "ours")
    source = str(write_json(tmp_path / "api.json", small_catalog()))
    code, out, _ = run_in(repo, monkeypatch, capsys, "--source", source)
    assert code == 0
    assert "dry run: nothing was written, committed, pushed or sent." in out
    assert "snapshots/models.dev/acme.json" in out
    assert "message: models.dev: baseline recorded: 2 providers, 3 offerings" in out
    assert "pull request title:" in out and "pull request body:" in out
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (repo / "snapshots").exists()


class _TickingClock(datetime):
    """The system clock as the run sees it, each reading a second after the last: as if every
    step of the run took a second."""

    readings = 0

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _TickingClock:
        cls.readings += 1
        return cls(2026, 12, 4, 1, 0, 0, tzinfo=tz) + timedelta(seconds=cls.readings)


def test_a_change_run_on_the_clock_records_its_health_in_its_own_commit_only(
    origin: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its clock read once: a second passing between the run's steps (a slow catalog server,
    played here by a clock that ticks a second at every reading) once made the health step
    disagree with the change commit and commit again."""
    repo = clone(origin, "ours")
    doc = small_catalog()
    monkeypatch.chdir(repo)
    monkeypatch.setattr(steps, "datetime", _TickingClock)
    for price in (3, 4):  # the baseline, then one price change
        doc["acme"]["models"]["big-1"]["cost"]["input"] = price
        source = write_json(repo.parent / "api.json", doc)
        code = main(["run", "--mode", "commit", "--source", str(source)])
        assert code == 0, capsys.readouterr().err
    assert _TickingClock.readings >= 2  # the run did read this clock
    assert subjects(origin)[0] == "models.dev: 1 price change"
    assert "catalog-watch: health" not in subjects(origin)
