"""The changelog (month files appended, CHANGELOG.md the latest runs first), the append-only
ledger, and what a reviewer reads."""

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
    LATEST,
    LATEST_BYTES,
    LATEST_RUNS,
    TITLE,
    changelog_files,
    changelog_section,
    month_head,
)
from catalog_watch.store.ledger import (
    LEDGER_FILE,
    Edges,
    append_ledger,
    ledger_edges,
    ledger_files,
    ledger_records,
    parse_ledger,
    read_ledger,
    segment_path,
)
from catalog_watch.store.transaction import Writes
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


def new_run(day: str, body: str = "body") -> str:
    return changelog_section(f"{day} 10:17 UTC: run of {day}", body)


def never_read(name: str) -> str | None:
    raise AssertionError(f"{name} read: a run in this layout reads no month file")


def nothing_archived(_path: str) -> str | None:
    return None


def headings(text: str) -> list[str]:
    return re.findall(r"^## (\S+)", text, re.MULTILINE)


def applied(files: dict[str, str], writes: Writes) -> dict[str, str]:
    """``files`` after ``writes``: replaced whole or appended to."""
    after = {**files, **{name: data.decode() for name, data in writes.files.items()}}
    for name, data in writes.appends.items():
        after[name] = after.get(name, "") + data.decode()
    return after


def runs(*days: str) -> dict[str, str]:
    """The changelog's files after one run on each day, in order, from nothing."""
    files: dict[str, str] = {}
    for day in days:
        writes = changelog_files(files.get(CHANGELOG_FILE), new_run(day), files.get)
        files = applied(files, writes)
    return files


def test_the_first_run_writes_its_month_file_and_a_changelog_linking_it() -> None:
    writes = changelog_files(None, new_run("2026-11-01"), nothing_archived)
    assert sorted(writes.files) == [CHANGELOG_FILE, "changelog/2026-11.md"] and not writes.appends
    current = writes.files[CHANGELOG_FILE].decode()
    assert current.startswith(f"{TITLE}\n\n") and current.endswith("body\n")
    assert "`changelog/2026-11.md`" in current and headings(current) == ["2026-11-01"]
    month = writes.files["changelog/2026-11.md"].decode()
    assert month == month_head("2026-11") + "\n" + new_run("2026-11-01")


def test_a_run_appends_only_its_section_to_its_month_and_puts_it_first_in_the_changelog() -> None:
    before = runs("2026-11-01", "2026-11-02")
    writes = changelog_files(before[CHANGELOG_FILE], new_run("2026-11-03"), never_read)
    assert writes.appends == {"changelog/2026-11.md": ("\n" + new_run("2026-11-03")).encode()}
    assert list(writes.files) == [CHANGELOG_FILE]
    assert headings(writes.files[CHANGELOG_FILE].decode()) == [
        "2026-11-03",
        "2026-11-02",
        "2026-11-01",
    ]
    month = applied(before, writes)["changelog/2026-11.md"]
    assert headings(month) == ["2026-11-01", "2026-11-02", "2026-11-03"]  # oldest first
    assert "\n\n\n" not in month and month.endswith("body\n")


def test_a_new_months_first_run_starts_its_file_with_the_head_and_links_it() -> None:
    before = runs("2026-10-30", "2026-10-31")
    writes = changelog_files(before[CHANGELOG_FILE], new_run("2026-11-01"), never_read)
    assert writes.appends == {
        "changelog/2026-11.md": (month_head("2026-11") + "\n" + new_run("2026-11-01")).encode()
    }
    current = writes.files[CHANGELOG_FILE].decode()
    assert "`changelog/2026-11.md`, `changelog/2026-10.md`." in current
    assert headings(current) == ["2026-11-01", "2026-10-31", "2026-10-30"]  # across the months


def test_the_changelog_keeps_only_the_latest_runs_and_the_month_files_keep_every_run() -> None:
    days = [f"2026-11-{day:02}" for day in range(1, LATEST_RUNS + 6)]
    files = runs(*days)
    assert headings(files[CHANGELOG_FILE]) == list(reversed(days))[:LATEST_RUNS]
    assert headings(files["changelog/2026-11.md"]) == days


def test_a_large_run_stands_alone_and_pushes_older_runs_out_of_the_changelog() -> None:
    before = runs("2026-11-01", "2026-11-02")
    large = new_run("2026-11-03", "x" * (LATEST_BYTES + 1))
    current = changelog_files(before[CHANGELOG_FILE], large, never_read).files[CHANGELOG_FILE]
    assert headings(current.decode()) == ["2026-11-03"]
    after = changelog_files(current.decode(), new_run("2026-11-04"), never_read)
    assert headings(after.files[CHANGELOG_FILE].decode()) == ["2026-11-04"]


def earlier_layout(*days: str, head: str = f"{TITLE}\n\nWritten by catalog-watch.\n\n") -> str:
    """A CHANGELOG.md as written before: every section in it, newest first."""
    return head + "\n".join(new_run(day) for day in days)


def test_an_earlier_layout_moves_into_month_files_oldest_first_once() -> None:
    old_may = f"{TITLE}: 2026-05\n\nnewest first\n\n" + "\n".join(
        new_run(d) for d in ("2026-05-30", "2026-05-02")
    )
    links = "Earlier months: [2026-05](changelog/2026-05.md)."
    head = f"{TITLE}\n\nWritten by catalog-watch.\n\n{links}\n\n"
    existing = earlier_layout("2026-06-15", "2026-06-02", head=head)
    archive = {"changelog/2026-05.md": old_may}
    writes = changelog_files(existing, new_run("2026-07-01"), archive.get)
    assert not writes.appends
    files = {name: data.decode() for name, data in writes.files.items()}
    assert sorted(files) == [
        CHANGELOG_FILE,
        "changelog/2026-05.md",
        "changelog/2026-06.md",
        "changelog/2026-07.md",
    ]
    assert headings(files["changelog/2026-05.md"]) == ["2026-05-02", "2026-05-30"]
    assert files["changelog/2026-06.md"] == (
        month_head("2026-06") + "\n" + new_run("2026-06-02") + "\n" + new_run("2026-06-15")
    )
    assert headings(files[CHANGELOG_FILE]) == ["2026-07-01", "2026-06-15", "2026-06-02"]
    assert (
        "`changelog/2026-07.md`, `changelog/2026-06.md`, `changelog/2026-05.md`."
        in (files[CHANGELOG_FILE])
    )
    later = changelog_files(files[CHANGELOG_FILE], new_run("2026-07-02"), never_read)
    assert list(later.appends) == ["changelog/2026-07.md"]  # migrated once: an append now


def test_a_hand_edited_intro_repeats_no_run_and_keeps_their_order() -> None:
    """With its intro edited, CHANGELOG.md reads as an earlier layout: its sections, already in
    their month file, were added to it again, and runs of the same minute swapped places."""
    files = runs("2026-12-01", "2026-12-02")
    second = changelog_section("2026-12-02 10:17 UTC: a second run that minute", "other")
    files = applied(files, changelog_files(files[CHANGELOG_FILE], second, files.get))
    before = files["changelog/2026-12.md"]
    edited = files[CHANGELOG_FILE].replace(LATEST, "our recent model catalog runs")
    assert LATEST not in edited and "changelog/2026-12.md" in edited
    after = applied(files, changelog_files(edited, new_run("2026-12-03"), files.get))
    assert after["changelog/2026-12.md"] == before + "\n" + new_run("2026-12-03")
    assert headings(after[CHANGELOG_FILE]) == [
        "2026-12-03",
        "2026-12-02",
        "2026-12-02",
        "2026-12-01",
    ]


def test_a_hand_written_note_stays_in_the_changelog_below_the_runs() -> None:
    foreign = "# Something else\n\nhand written\n\n## notes\n\nby hand\n"
    first = changelog_files(foreign, new_run("2026-11-01"), nothing_archived).files
    current = first[CHANGELOG_FILE].decode()
    assert current.startswith(TITLE) and headings(current) == ["2026-11-01", "Kept", "notes"]
    assert current.index("## 2026-11-01") < current.index("hand written")
    days = [f"2026-11-{day:02}" for day in range(2, LATEST_RUNS + 4)]
    files = {name: data.decode() for name, data in first.items()}
    for day in days:
        files = applied(files, changelog_files(files[CHANGELOG_FILE], new_run(day), never_read))
    assert (
        "hand written" in files[CHANGELOG_FILE] and "## notes\n\nby hand" in files[CHANGELOG_FILE]
    )
    assert "hand written" not in files["changelog/2026-11.md"]


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
    append_ledger(
        path,
        [{"kind": "y", "source": "models.dev", "time": "2026-11-25T11:17:00Z", "commit": None}],
    )
    assert [r["kind"] for r in read_ledger(path)] == ["x", "y"]


def test_damaged_ledger_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    good = '{"kind":"x","source":"models.dev","time":"2026-11-25T10:17:00Z","commit":null}'
    path.write_text(good + "\n{not json\n")
    with pytest.raises(StateFileError, match=r"changes.jsonl:2: not a change record"):
        read_ledger(path)


def test_a_ledger_line_with_an_unreadable_time_is_an_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    """History reads every line's time; it once failed on a bad one naming no line."""
    path = tmp_path / "changes.jsonl"
    good = '{"kind":"x","source":"models.dev","time":"2026-11-25T10:17:00Z","commit":null}'
    path.write_text(good + "\n" + good.replace("2026-11-25T10:17:00Z", "yesterday") + "\n")
    with pytest.raises(
        StateFileError,
        match=r"changes.jsonl:2: not a change record: time: not a time .*'yesterday'",
    ):
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
    writes = ledger_files(ledger_edges(path), [later], never_read)
    assert writes == Writes(appends={LEDGER_FILE: json_line(later).encode()})  # nothing read


def test_rolling_a_month_appends_to_its_file_and_leaves_a_damaged_line_for_the_check() -> None:
    september = json_line(SPANNING[0])
    existing = json_line(SPANNING[1]) + "{not json\n" + json_line(SPANNING[2])
    new = stamped("new", "2026-10-20T10:17:00Z")
    files = {segment_path("2026-09"): september, LEDGER_FILE: existing}
    edges = Edges(first=json_line(SPANNING[1]), last=json_line(SPANNING[2]))
    writes = ledger_files(edges, [new], files.get)
    assert writes.files == {
        segment_path("2026-09"): (september + json_line(SPANNING[1])).encode(),
        LEDGER_FILE: ("{not json\n" + json_line(SPANNING[2]) + json_line(new)).encode(),
    }
    assert not writes.appends


def test_a_run_of_the_month_reads_the_ledgers_two_ends_and_appends_its_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "changes.jsonl"
    long_line = stamped("long", "2026-11-02T10:17:00Z") | {"id": "x" * 20_000}
    lines = [stamped("a", "2026-11-01T10:17:00Z"), *SPANNING[3:], long_line]
    path.write_text("".join(json_line(line) for line in lines))
    edges = ledger_edges(path)
    assert edges == Edges(first=json_line(lines[0]), last=json_line(long_line))
    before = path.read_bytes()
    new = stamped("new", "2026-11-25T10:17:00Z")
    assert append_ledger(path, [new])
    assert path.read_bytes() == before + json_line(new).encode()
    assert [p.name for p in tmp_path.iterdir()] == ["changes.jsonl"]  # no staging folder left


def test_a_damaged_last_line_stops_the_append_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    path.write_text(json_line(SPANNING[3]) + '{"kind": "price_changed", "prov')  # cut short
    before = path.read_bytes()
    with pytest.raises(StateFileError, match=r"changes.jsonl: its last line is not a change"):
        append_ledger(path, [stamped("new", "2026-11-25T10:17:00Z")])
    assert path.read_bytes() == before
