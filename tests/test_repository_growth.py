"""The repository stays readable over a year of hourly runs (issue 11, item 14).

``changes.jsonl`` holds the current month, earlier months rolled once into month files, and each
run appends its changelog section to its month's file, ``CHANGELOG.md`` the latest runs, in the
run's one transaction (issue 14); commit subjects stay within 72 characters;
the ledger leaves added models' records to the snapshot. Small hand-made catalogs and real git
with a bare origin; the four real catalogs in the ``realdata`` test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.errors import SnapshotError
from catalog_watch.site.runs import group_runs
from catalog_watch.store.changelog import TITLE, changelog_section
from catalog_watch.store.ledger import LEDGER_FILE, read_ledger
from catalog_watch.store.transaction import FolderChange, apply_change
from tests.factories import MODELS_DEV, edited
from tests.git_repos import clone, fresh_origin, git, isolate_git, subjects
from tests.runs import catalog, commit_run, repriced, run_in

FOLDER = "snapshots/models.dev"
CHANGELOG = f"{FOLDER}/CHANGELOG.md"
OCTOBER = f"{FOLDER}/changelog/2026-10.md"
NOVEMBER = f"{FOLDER}/changelog/2026-11.md"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    return clone(fresh_origin(tmp_path), "ours")


def headings(text: str) -> list[str]:
    return re.findall(r"^## (\S+)", text, re.MULTILINE)


def with_an_earlier_layout(repo: Path) -> None:
    """The committed changelog as an earlier version wrote it: every section in CHANGELOG.md,
    newest first (the November baseline, then a large October run), no month file."""
    november = (repo / NOVEMBER).read_text().partition("\n## ")[2]
    lines = "\n".join(
        f"| ▲ | acme | `m{i}` | `cost.input` | $1.00 | $2.00 |" for i in range(20_000)
    )
    october = changelog_section("2026-10-31 23:17 UTC: 20,000 price changes", lines)
    head = f"{TITLE}\n\nWritten by catalog-watch, newest run first.\n\n"
    (repo / CHANGELOG).write_text(f"{head}## {november}\n{october}")
    git(repo, "rm", "--quiet", "-r", f"{FOLDER}/changelog")
    git(repo, "commit", "--quiet", "-am", "an earlier layout")
    git(repo, "push", "--quiet", "origin", "HEAD:main")


def test_a_run_appends_its_section_to_its_month_and_tops_the_changelog_in_its_one_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    month_before = (repo / NOVEMBER).read_bytes()
    code, _, _ = commit_run(repo, monkeypatch, capsys, repriced(), "--now", "2026-11-26T10:17Z")
    assert code == 0
    changed = git(repo, "show", "--name-only", "--format=", "origin/main").splitlines()
    assert set(changed) == {
        CHANGELOG,
        NOVEMBER,
        f"{FOLDER}/acme.json",
        f"{FOLDER}/changes.jsonl",
        f"{FOLDER}/_meta.json",
    }
    month = git(repo, "show", f"origin/main:{NOVEMBER}")
    assert month.encode().startswith(month_before)  # appended: what was there is untouched
    assert headings(month) == ["2026-11-25", "2026-11-26"]
    current = git(repo, "show", f"origin/main:{CHANGELOG}")
    assert headings(current) == ["2026-11-26", "2026-11-25"]
    assert "`changelog/2026-11.md`" in current
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_run_moves_an_earlier_layouts_changelog_into_month_files_in_its_one_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    with_an_earlier_layout(repo)
    code, _, _ = commit_run(repo, monkeypatch, capsys, repriced(), "--now", "2026-11-26T10:17Z")
    assert code == 0
    changed = git(repo, "show", "--name-only", "--format=", "origin/main").splitlines()
    assert {CHANGELOG, OCTOBER, NOVEMBER, f"{FOLDER}/changes.jsonl"} <= set(changed)
    current = git(repo, "show", f"origin/main:{CHANGELOG}")
    assert headings(current) == ["2026-11-26", "2026-11-25"]  # October's run is too large
    assert "`changelog/2026-11.md`, `changelog/2026-10.md`." in current
    october = git(repo, "show", f"origin/main:{OCTOBER}")
    assert headings(october) == ["2026-10-31"] and october.count("\n| ▲ | acme |") == 20_000
    assert headings(git(repo, "show", f"origin/main:{NOVEMBER}")) == ["2026-11-25", "2026-11-26"]
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_dry_run_lists_the_month_files_it_would_write_and_writes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    with_an_earlier_layout(repo)
    source = tmp_path / "repriced.json"
    source.write_text(json.dumps(repriced()))
    code, out, err = run_in(
        repo, monkeypatch, capsys, "--source", str(source), "--now", "2026-11-26"
    )
    out += err  # the preview goes to stdout or, after the report, to stderr
    assert code == 0
    assert f"/{OCTOBER}\n" in out and f"/{NOVEMBER}\n" in out and f"/{CHANGELOG}\n" in out
    assert not (repo / OCTOBER).exists()
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def refuse(_data: bytes, path: Path) -> None:
    raise SnapshotError(f"{path}: would not read back")


def test_a_failed_folder_change_creates_no_month_folder(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    change = FolderChange(
        folder,
        {"changelog/2026-10.md": b"# October\n", "CHANGELOG.md": b"# now\n", "acme.json": b"{}"},
        checks={"acme.json": refuse},
    )
    with pytest.raises(SnapshotError, match="would not read back"):
        apply_change(change)
    assert sorted(p.name for p in folder.iterdir()) == []


def test_a_folder_change_writes_into_a_new_subfolder(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    written = apply_change(FolderChange(folder, {"changelog/2026-10.md": b"# October\n"}))
    assert written.written == ("changelog/2026-10.md",)
    assert (folder / "changelog" / "2026-10.md").read_bytes() == b"# October\n"
    assert [p.name for p in folder.iterdir()] == ["changelog"]  # no staging folder left


@pytest.mark.realdata
def test_four_real_catalogs_leave_a_readable_repository(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    days = ("2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28")
    for day in days:
        source = str(MODELS_DEV / f"{day}.json")
        args = ("--mode", "commit", "--source", source, "--allow-shrink", "--now", f"{day}T10:17Z")
        assert run_in(repo, monkeypatch, capsys, *args)[0] == 0
    assert all(len(subject) <= 72 for subject in subjects(repo, "origin/main"))
    folder = repo / FOLDER
    current = (folder / "CHANGELOG.md").read_text()
    assert headings(current) == ["2026-06-28"]  # a large run: the earlier ones do not fit
    assert "`changelog/2026-06.md`, `changelog/2026-03.md`, `changelog/2026-01.md`," in current
    for day in days:
        assert headings((folder / "changelog" / f"{day[:7]}.md").read_text()) == [day]
    added = [line for line in read_ledger(folder / LEDGER_FILE) if line["kind"] == "model_added"]
    assert len(added) == 5807
    assert all(set(line["new"]) <= {"cost"} for line in added)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


# -- The ledger and the changelog segmented by month (issue 14) ---------------------------------

MONTHS = ("2026-09-10", "2026-10-05", "2026-11-02", "2026-12-01")


def priced(value: int) -> dict[str, Any]:
    """The catalog with ``m1``'s input price at ``value``: one price change per run."""
    doc = edited(catalog())
    doc["acme"]["models"]["m1"]["cost"]["input"] = value
    return doc


def month_files(folder: Path) -> dict[str, bytes]:
    """The older months' files: ``ledger/*.jsonl`` and ``changelog/*.md``."""
    paths = [*folder.glob("ledger/*.jsonl"), *folder.glob("changelog/*.md")]
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(paths)}


def test_a_run_writes_only_its_months_files_and_every_reader_sees_every_month(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commit_run(repo, monkeypatch, capsys, catalog(), "--now", "2026-09-01T10:17Z")[0] == 0
    folder = repo / FOLDER
    for value, day in enumerate(MONTHS, start=3):
        before = month_files(folder)
        args = ("--now", f"{day}T10:17Z")
        assert commit_run(repo, monkeypatch, capsys, priced(value), *args)[0] == 0
        after = month_files(folder)
        own = f"changelog/{day[:7]}.md"  # the run's month: its section appended
        assert after[own].startswith(before.get(own, b""))
        older = {name: data for name, data in before.items() if name != own}
        assert {name: after[name] for name in older} == older  # older months byte-identical
        changed = git(repo, "show", "--name-only", "--format=", "origin/main").splitlines()
        rolled = {f"{FOLDER}/{name}" for name in set(after) - set(before)}
        current = {CHANGELOG, f"{FOLDER}/{own}", f"{FOLDER}/changes.jsonl", f"{FOLDER}/acme.json"}
        assert set(changed) - {f"{FOLDER}/_meta.json"} == current | rolled
    assert sorted(month_files(folder)) == [
        "changelog/2026-09.md",
        "changelog/2026-10.md",
        "changelog/2026-11.md",
        "changelog/2026-12.md",
        "ledger/2026-09.jsonl",
        "ledger/2026-10.jsonl",
        "ledger/2026-11.jsonl",
    ]
    assert headings((folder / "CHANGELOG.md").read_text()) == [*reversed(MONTHS), "2026-09-01"]
    assert headings((folder / "changelog" / "2026-09.md").read_text()) == [
        "2026-09-01",
        "2026-09-10",
    ]

    lines = read_ledger(folder / LEDGER_FILE)
    times = [line["time"] for line in lines]
    assert times == sorted(times)
    assert [t[:10] for t in dict.fromkeys(times)] == list(MONTHS)
    assert [run.time.date().isoformat() for run in group_runs(lines)] == list(reversed(MONTHS))

    monkeypatch.chdir(repo)
    assert main(["history", "m1", "--field", "cost.input", "--format", "json"]) == 0
    periods = json.loads(capsys.readouterr().out)["history"]
    assert [(p["value"], p["from"]) for p in periods][1:] == [
        (value, f"{day}T10:17:00Z") for value, day in enumerate(MONTHS, start=3)
    ]
    assert main(["price-at", "m1", "2026-09-20", "--provider", "acme", "--format", "json"]) == 0
    [held] = json.loads(capsys.readouterr().out)["prices"]
    assert held["cost"]["cost.input"] == 3  # September's price, from September's month file
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
