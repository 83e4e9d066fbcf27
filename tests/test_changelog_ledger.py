"""CHANGELOG.md sections (newest first), the append-only ledger, and what a reviewer reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.history import history_from_ledger, value_at
from catalog_watch.errors import StateFileError
from catalog_watch.model.json_text import json_line
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.report import Report
from catalog_watch.render.pull_request import commit_message, pull_labels, pull_title
from catalog_watch.settings.config import Config
from catalog_watch.site.rows import describe
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.changelog import (
    CHANGELOG_FILE,
    SPLIT_BYTES,
    TITLE,
    add_section,
    changelog_files,
    changelog_section,
)
from catalog_watch.store.ledger import (
    LEDGER_FILE,
    append_ledger,
    ledger_files,
    ledger_records,
    parse_ledger,
    read_ledger,
    segment_path,
)
from tests.factories import edited, model, small_catalog


def report_with_edits() -> Report:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 3  # up
    new["beta"]["models"]["fast-1"]["cost"]["output"] = 5  # down
    new["acme"]["models"]["big-1"]["status"] = "deprecated"
    del new["beta"]["models"]["fast-1"]["cost"]["input"]
    return compare(parse_catalog(old), parse_catalog(new), Config())


def test_commit_message_is_one_line_of_counts() -> None:
    message = commit_message(report_with_edits())
    assert message == "models.dev: 3 price changes, 1 status change, 1 deprecated"
    assert "\n" not in message


def test_title_and_labels_follow_the_change_classes() -> None:
    report = report_with_edits()
    assert pull_title(report).startswith("models.dev catalog: 3 price changes")
    # "status" is a field no record had before: schema drift as well
    assert pull_labels(report) == [
        "price-increase",
        "price-decrease",
        "deprecation",
        "schema-drift",
    ]


def test_changelog_puts_the_newest_section_first_and_keeps_the_rest() -> None:
    text = add_section(None, changelog_section("2026-11-01 10:17 UTC: first", "one"))
    text = add_section(text, changelog_section("2026-11-02 10:17 UTC: second", "two"))
    assert text.startswith(TITLE + "\n")
    assert text.index("## 2026-11-02") < text.index("## 2026-11-01")
    assert text.count("## 2026-11-01 10:17 UTC: first") == 1
    assert text.endswith("one\n")


def changelog_of(*days: str) -> str:
    """A CHANGELOG.md with one section per day, in the order given (newest first)."""
    text = None
    for day in reversed(days):
        text = add_section(text, changelog_section(f"{day} 10:17 UTC: run of {day}", "body"))
    assert text is not None
    return text


def new_run(day: str) -> str:
    return changelog_section(f"{day} 10:17 UTC: run of {day}", "body")


def nothing_archived(_path: str) -> str | None:
    return None


def test_changelog_under_the_size_limit_stays_one_file() -> None:
    existing = changelog_of("2026-06-15", "2026-05-30")
    files = changelog_files(existing, new_run("2026-07-01"), nothing_archived, limit=SPLIT_BYTES)
    assert list(files) == [CHANGELOG_FILE]
    assert files[CHANGELOG_FILE] == add_section(existing, new_run("2026-07-01"))


def test_past_the_limit_earlier_months_move_to_month_files_linked_from_the_head() -> None:
    existing = changelog_of("2026-06-15", "2026-06-02", "2026-05-30")
    files = changelog_files(existing, new_run("2026-07-01"), nothing_archived, limit=100)
    assert sorted(files) == [CHANGELOG_FILE, "changelog/2026-05.md", "changelog/2026-06.md"]
    current = files[CHANGELOG_FILE]
    assert current.startswith(f"{TITLE}\n\n")
    assert (
        "Earlier months: [2026-06](changelog/2026-06.md), [2026-05](changelog/2026-05.md).\n"
        in current
    )
    assert re.findall(r"^## (\S+)", current, re.MULTILINE) == ["2026-07-01"]
    june = files["changelog/2026-06.md"]
    assert june.startswith(f"{TITLE}: 2026-06\n") and "[CHANGELOG.md](../CHANGELOG.md)" in june
    assert re.findall(r"^## (\S+)", june, re.MULTILINE) == ["2026-06-15", "2026-06-02"]
    assert june.endswith("body\n") and "\n\n\n" not in june


def test_a_later_split_adds_to_the_month_file_and_keeps_the_links() -> None:
    first = changelog_files(
        changelog_of("2026-05-30"), new_run("2026-06-02"), nothing_archived, limit=100
    )
    archive = dict(first)
    current = add_section(first[CHANGELOG_FILE], new_run("2026-06-20"))
    second = changelog_files(current, new_run("2026-07-01"), archive.get, limit=100)
    assert sorted(second) == [CHANGELOG_FILE, "changelog/2026-06.md"]
    assert (
        "Earlier months: [2026-06](changelog/2026-06.md), [2026-05](changelog/2026-05.md)."
        in (second[CHANGELOG_FILE])
    )
    june = second["changelog/2026-06.md"]
    assert re.findall(r"^## (\S+)", june, re.MULTILINE) == ["2026-06-20", "2026-06-02"]


def test_the_newest_runs_month_stays_whole_however_large() -> None:
    existing = changelog_of("2026-07-01", "2026-07-02")
    files = changelog_files(existing, new_run("2026-07-03"), nothing_archived, limit=10)
    assert list(files) == [CHANGELOG_FILE]
    assert files[CHANGELOG_FILE].count("\n## 2026-07-") == 3


def test_a_section_without_a_date_is_never_moved() -> None:
    existing = add_section("# Something else\n\n## by hand\n\nnotes\n", new_run("2026-05-30"))
    files = changelog_files(existing, new_run("2026-07-01"), nothing_archived, limit=10)
    assert "## by hand\n\nnotes" in files[CHANGELOG_FILE]
    assert "## 2026-05-30" in files["changelog/2026-05.md"]


def test_changelog_keeps_a_foreign_file_below_the_new_section() -> None:
    merged = add_section("# Something else\n\nhand written\n", changelog_section("h", "body"))
    assert merged.startswith(TITLE) and merged.endswith("hand written\n")


def test_ledger_appends_one_line_per_change_with_time_and_commit(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    report = report_with_edits()
    records = ledger_records(report, time="2026-11-25T10:17:00Z", commit="abc123")
    assert append_ledger(path, records)
    assert append_ledger(path, records[:1])
    lines = path.read_text().splitlines()
    assert len(lines) == len(report.changes) + 1
    first = json.loads(lines[0])
    assert first["time"] == "2026-11-25T10:17:00Z" and first["commit"] == "abc123"
    assert {k: first[k] for k in ("kind", "provider", "model", "field", "new")} == {
        "kind": "status_changed",
        "provider": "acme",
        "model": "big-1",
        "field": "status",
        "new": "deprecated",
    }
    assert read_ledger(path)[0] == first


def test_ledger_with_nothing_to_record_writes_nothing(tmp_path: Path) -> None:
    assert append_ledger(tmp_path / "changes.jsonl", []) is False
    assert not (tmp_path / "changes.jsonl").exists()


def test_ledger_repairs_a_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    stamp = '"source":"models.dev","time":"2026-11-25T10:17:00Z","commit":null'
    path.write_text('{"kind":"x",' + stamp + "}")
    append_ledger(path, [{"kind": "y", "source": "models.dev", "time": "t", "commit": None}])
    assert [r["kind"] for r in read_ledger(path)] == ["x", "y"]


def test_damaged_ledger_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    good = '{"kind":"x","source":"models.dev","time":"2026-11-25T10:17:00Z","commit":null}'
    path.write_text(good + "\n{not json\n")
    with pytest.raises(StateFileError, match=r"changes.jsonl:2: not a change record"):
        read_ledger(path)


def added_and_removed() -> Report:
    old = small_catalog()
    new = edited(old)
    new["acme"]["models"]["new-1"] = model("new-1", cost={"input": 1, "output": 2})
    del new["beta"]["models"]["fast-1"]
    return compare(parse_catalog(old), parse_catalog(new), Config())


def test_an_added_models_ledger_line_keeps_its_prices_and_leaves_the_record_to_the_snapshot() -> (
    None
):
    report = added_and_removed()
    records = ledger_records(report, time="2026-11-25T10:17:00Z", commit="abc123")
    [added] = [r for r in records if r["kind"] == "model_added"]
    assert added["new"] == {"cost": {"input": 1, "output": 2}}
    assert {k: added[k] for k in ("provider", "model", "field", "old")} == {
        "provider": "acme",
        "model": "new-1",
        "field": None,
        "old": None,
    }
    [whole] = [c.to_json() for c in report.changes if c.kind.value == "model_added"]
    assert isinstance(whole["new"], dict) and whole["new"]["name"] == "NEW-1"  # --format json
    # what reads the line: the site's row, history and price-at from the ledger
    assert describe(added) == "added: input $1.00, output $2.00 per 1M"
    held = value_at(history_from_ledger([added]), "2026-11-26")
    assert {(p.field, p.value, p.start) for p in held} == {
        ("cost.input", 1, "2026-11-25T10:17:00Z"),
        ("cost.output", 2, "2026-11-25T10:17:00Z"),
    }


def test_a_removed_models_ledger_line_keeps_its_whole_last_record() -> None:
    records = ledger_records(added_and_removed(), time="2026-11-25T10:17:00Z", commit=None)
    [removed] = [r for r in records if r["kind"] == "model_removed"]
    assert (
        removed["old"]
        == parse_catalog(small_catalog()).providers["beta"].to_document()["models"]["fast-1"]
    )


def stamped(kind: str, time: str) -> LedgerLine:
    return {"kind": kind, "source": "models.dev", "time": time, "commit": None}


def never_read(name: str) -> str | None:
    raise AssertionError(f"{name} read: a run of the current month reads no older month")


SPANNING = [
    stamped(f"k{n}", f"2026-{month}-0{n % 9 + 1}T10:17:00Z")
    for n, month in enumerate(("09", "09", "10", "11", "11"))
]


def test_a_single_ledger_spanning_months_is_read_then_rolled_over_once(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    path.write_text("".join(json_line(line) for line in SPANNING))  # written before the split
    assert read_ledger(path) == SPANNING

    new = stamped("first-run", "2026-11-20T10:17:00Z")
    assert append_ledger(path, [new])
    assert sorted(p.name for p in (tmp_path / "ledger").iterdir()) == [
        "2026-09.jsonl",
        "2026-10.jsonl",
    ]
    assert [r["kind"] for r in read_ledger(path)] == ["k0", "k1", "k2", "k3", "k4", "first-run"]
    assert [r["kind"] for r in parse_ledger(path.read_text())] == ["k3", "k4", "first-run"]

    later = stamped("later", "2026-11-21T10:17:00Z")
    files = ledger_files(path.read_text(), [later], never_read)
    assert files == {LEDGER_FILE: path.read_text() + json_line(later)}  # appended, nothing moved


def test_rolling_a_month_appends_to_its_file_and_leaves_a_damaged_line_for_the_check() -> None:
    september = json_line(SPANNING[0])
    existing = json_line(SPANNING[1]) + "{not json\n" + json_line(SPANNING[2])
    new = stamped("new", "2026-10-20T10:17:00Z")
    files = ledger_files(existing, [new], {segment_path("2026-09"): september}.get)
    assert files == {
        segment_path("2026-09"): september + json_line(SPANNING[1]),
        LEDGER_FILE: "{not json\n" + json_line(SPANNING[2]) + json_line(new),
    }


def test_the_changelog_of_the_current_month_reads_and_writes_no_month_file() -> None:
    existing = changelog_files(changelog_of("2026-06-15"), new_run("2026-07-01"), nothing_archived)
    assert sorted(existing) == [CHANGELOG_FILE, "changelog/2026-06.md"]
    files = changelog_files(existing[CHANGELOG_FILE], new_run("2026-07-02"), never_read)
    assert list(files) == [CHANGELOG_FILE]
    assert headings(files[CHANGELOG_FILE]) == ["2026-07-02", "2026-07-01"]
    assert "Earlier months: [2026-06](changelog/2026-06.md)." in files[CHANGELOG_FILE]


def headings(text: str) -> list[str]:
    return re.findall(r"^## (\S+)", text, re.MULTILINE)
