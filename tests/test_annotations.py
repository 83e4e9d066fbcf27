"""action_outputs.annotate: what a maintainer is pointed to in the Actions run."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.watch_rules import active_mutes
from catalog_watch.jobs.action_outputs import annotate
from catalog_watch.model.report import Report
from catalog_watch.publish.actions import ActionsRuntime
from catalog_watch.settings.config import Config, Mute
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, isolate_git
from tests.runs import run_in


def disagreeing() -> Report:
    old = document(provider("a", model("m")), provider("b", model("m")))
    new = edited(old)
    new["b"]["models"]["m"]["limit"]["context"] = 32768
    return compare(parse_catalog(old), parse_catalog(new), Config())


def warnings(report: Report, mutes: list[Mute]) -> list[str]:
    runtime = ActionsRuntime(env={}, out=io.StringIO())
    annotate(runtime, report, mutes=mutes)
    return [a.title or "" for a in runtime.pending if a.level == "warning"]


def test_a_new_inconsistency_is_annotated() -> None:
    assert warnings(disagreeing(), []) == ["New inconsistency: m"]


def test_a_muted_inconsistency_is_not_annotated() -> None:
    report = disagreeing()
    [item] = report.appeared
    by_id = Config(mute=(Mute(inconsistency=item.id),))
    assert warnings(report, active_mutes(by_id, date(2026, 7, 1))) == []
    by_model = Config(mute=(Mute(model="m", until=date(2026, 6, 30)),))  # expired: annotated
    assert warnings(report, active_mutes(by_model, date(2026, 7, 1))) == ["New inconsistency: m"]


def test_a_run_does_not_annotate_an_inconsistency_its_config_mutes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole path: ``run`` reads the mutes of catalog-watch.toml and hands them to annotate."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    old = document(provider("a", model("m")), provider("b", model("m")))
    new = edited(old)
    new["b"]["models"]["m"]["limit"]["context"] = 32768
    write_json(tmp_path / "old.json", old)
    write_json(tmp_path / "new.json", new)
    assert (
        run_in(
            repo, monkeypatch, capsys, "--mode", "commit", "--source", str(tmp_path / "old.json")
        )[0]
        == 0
    )
    args = ("--mode", "dry-run", "--github-actions", "--source", str(tmp_path / "new.json"))
    _, out, _ = run_in(repo, monkeypatch, capsys, *args)
    assert "::warning title=New inconsistency%3A m::" in out
    (repo / "catalog-watch.toml").write_text('[[mute]]\nmodel = "m"\n', encoding="utf-8")
    _, out, _ = run_in(repo, monkeypatch, capsys, *args)
    assert "New inconsistency" not in out
