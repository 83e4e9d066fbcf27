"""A field that appears on many records at once is one schema note, not a change per record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.accept.schema_drift import APPEARED_MIN_RECORDS, fields_appeared
from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.policy import alerts_for
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.text import render_text
from catalog_watch.settings.config import Config
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git
from tests.runs import ledger, run_in

OPTIONS = [{"type": "effort", "values": ["low", "high"]}]


def appeared(n: int) -> list[Change]:
    return [
        Change(
            ChangeKind.CAPABILITY_CHANGED, "p", f"m{i}", "reasoning_options", None, [], Severity.LOW
        )
        for i in range(n)
    ]


def test_a_field_on_a_tenth_of_the_records_and_at_least_fifty_is_one_note() -> None:
    [note] = fields_appeared(appeared(50), offerings=500, providers=3)
    assert (note.level, note.field, note.kind, note.records) == (
        "model",
        "reasoning_options",
        ChangeKind.CAPABILITY_CHANGED,
        50,
    )
    assert fields_appeared(appeared(49), offerings=490, providers=3) == ()  # under the floor
    assert fields_appeared(appeared(50), offerings=501, providers=3) == ()  # under 10 %


def test_a_value_that_changed_or_vanished_is_not_an_appearance() -> None:
    changed = [
        Change(ChangeKind.CAPABILITY_CHANGED, "p", f"m{i}", "reasoning", False, True, Severity.LOW)
        for i in range(60)
    ]
    vanished = [
        Change(ChangeKind.PRICE_CHANGED, "p", f"m{i}", "cost.input", 1, None, Severity.MEDIUM)
        for i in range(60)
    ]
    assert fields_appeared(changed + vanished, offerings=60, providers=1) == ()


def many() -> dict[str, Any]:
    count = APPEARED_MIN_RECORDS + 10
    return document(provider("acme", *(model(f"m{i:03}") for i in range(count))))


def with_options(doc: dict[str, Any]) -> dict[str, Any]:
    """Upstream fills in a new field on every offering, and raises one price."""
    new = edited(doc)
    for record in new["acme"]["models"].values():
        record["reasoning_options"] = OPTIONS
    new["acme"]["models"]["m001"]["cost"]["input"] = 3
    return new


def folded() -> Report:
    return compare(parse_catalog(many()), parse_catalog(with_options(many())), Config())


def test_the_report_keeps_every_change_and_lists_the_note_instead() -> None:
    report = folded()
    assert len(report.changes) == APPEARED_MIN_RECORDS + 11  # the ledger's and the JSON's
    assert [c.field for c in report.listed] == ["cost.input"]
    assert report.count(ChangeKind.CAPABILITY_CHANGED) == 0
    text = render_text(report)
    assert "reasoning_options none →" not in text
    assert "  ~ reasoning_options appeared on 60 offerings at once: 60 capability changes" in text
    assert text.splitlines()[0] == "models.dev: 1 price change"
    body = render_markdown(report)
    assert "- field `reasoning_options` appeared on 60 offerings at once" in body
    assert "Capability and modality changes" not in body
    assert report.to_json()["schema_drift"]["appeared_on"] == [
        {
            "level": "model",
            "field": "reasoning_options",
            "kind": "capability_changed",
            "records": 60,
        }
    ]


def test_alerts_carry_one_schema_note_not_a_change_per_offering() -> None:
    found = alerts_for(folded(), Config(), from_snapshot="s", today=date(2026, 7, 1))
    assert sorted(a.kind for a in found) == ["price_changed", "schema_drift"]
    [note] = [a for a in found if a.kind == "schema_drift"]
    assert "reasoning_options appeared on 60 offerings at once" in note.detail


def test_a_run_folds_the_note_in_the_changelog_but_keeps_each_change_in_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    for number, doc in enumerate((many(), with_options(many()))):
        source = write_json(tmp_path / f"api-{number}.json", doc)
        assert (
            run_in(repo, monkeypatch, capsys, "--mode", "commit", "--source", str(source))[0] == 0
        )
    lines = ledger(repo)
    assert sum(1 for line in lines if line.get("field") == "reasoning_options") == 60
    changelog = git(repo, "show", "main:snapshots/models.dev/CHANGELOG.md")
    assert "appeared on 60 offerings at once" in changelog
    assert "m007" not in changelog


@pytest.mark.realdata
def test_the_june_run_shows_reasoning_options_as_one_note() -> None:
    def load(name: str) -> Any:
        return parse_catalog(json.loads((MODELS_DEV / name).read_text(encoding="utf-8")))

    report = compare(load("2026-03-10.json"), load("2026-06-28.json"), Config())
    [note] = report.drift.appeared_on
    assert (note.field, note.records) == ("reasoning_options", 1429)
    assert report.count(ChangeKind.CAPABILITY_CHANGED) == 1859 - 1429
    assert sum(1 for c in report.changes if c.field == "reasoning_options") == 1429
    text = render_text(report)
    assert "reasoning_options appeared on 1,429 offerings at once" in text
    assert "reasoning_options none →" not in text
