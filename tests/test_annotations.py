"""action_outputs.annotate: what a maintainer is pointed to in the Actions run."""

from __future__ import annotations

import io
from datetime import date

from catalog_watch.action_outputs import annotate
from catalog_watch.actions import ActionsRuntime
from catalog_watch.compare import compare
from catalog_watch.config import Config, Mute
from catalog_watch.policy import active_mutes
from catalog_watch.report import Report
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, edited, model, provider


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
