"""Effective-dated history: from ledger lines, from git history, and the two agreeing."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.history import (
    History,
    Period,
    history_from_ledger,
    ledger_history,
    value_at,
)
from catalog_watch.analysis.history_query import PriceRow, Query, filter_periods
from catalog_watch.cli.app import main
from catalog_watch.errors import GitError, SnapshotError
from catalog_watch.render.history import render_history, render_price_at
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.history_read import history_from_git, load_history
from catalog_watch.store.ledger import read_ledger
from catalog_watch.store.snapshot import provider_files, read_snapshot, write_snapshot
from tests.factories import MODELS_DEV, document, edited, model, provider, write_json
from tests.git_repos import fresh_origin, git, isolate_git

SNAPSHOTS = "snapshots/models.dev"
DAYS = ("2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28")
SEP, JAN, MAR, JUN = (f"{day}T00:00:00Z" for day in DAYS)
T1, T2, T3, T4 = (
    "2026-01-01T00:00:00Z",
    "2026-01-15T00:00:00Z",
    "2026-02-01T06:30:00Z",
    "2026-03-01T12:00:00Z",
)


def spans(periods: list[Period], provider: str, model: str, field: str) -> list[tuple[Any, ...]]:
    return [
        (p.value, p.start, p.end)
        for p in periods
        if (p.provider, p.model, p.field) == (provider, model, field)
    ]


# -- from the ledger ------------------------------------------------------------------------------

NEW_RECORD = {
    "id": "new-1",
    "name": "New 1",
    "last_updated": "2026-01-10",
    "modalities": {"input": ["text", "image"], "output": ["text"]},
    "limit": {"context": 1000, "output": 100},
    "cost": {"input": 1, "output": 4},
}
OLD_RECORD = {"id": "old-1", "name": "Old 1", "limit": {"context": 8000, "output": 800}}


def change(
    kind: str, prov: str, mod: str | None, field: str | None, old: Any, new: Any, at: str
) -> str:
    record = {"kind": kind, "provider": prov, "model": mod, "field": field, "old": old, "new": new}
    record |= {"severity": "low", "time": at, "commit": "0" * 40, "source": "models.dev"}
    return json.dumps(record)


LEDGER_LINES = [
    change("price_changed", "acme", "m1", "cost.input", 2, 3, T1),
    change("model_added", "acme", "new-1", None, None, NEW_RECORD, T2),
    change("cheapest_changed", "acme", "m1", "cheapest (chat, month)", "a $1", "b $2", T2),
    change("provider_changed", "acme", None, "api", "https://a", "https://b", T2),
    # written out of order on purpose: the history sorts by time, not by line
    change("model_removed", "acme", "new-1", None, NEW_RECORD, None, T4),
    change("price_changed", "acme", "m1", "cost.input", 3, 2.5, T3),
    change("model_removed", "beta", "old-1", None, OLD_RECORD, None, T3),
    change("price_changed", "acme", "m1", "cost.cache_read", None, 0.5, T3),
    change("price_changed", "acme", "m1", "cost.output", 10, None, T3),
    change("capability_changed", "acme", "m1", "interleaved", True, {"field": "rc"}, T3),
    change("price_changed", "beta", "x/M1", "cost.input", 7, 8, T3),
    change("inconsistency_appeared", "acme", "m1", "cost.input", None, None, T3),
]


def ledger_only() -> list[Period]:
    return history_from_ledger(json.loads(line) for line in LEDGER_LINES)


def prices_at(found: History, model: str, when: str, provider: str | None = None) -> list[PriceRow]:
    """``price-at MODEL WHEN [--provider P]`` on a history, as the command asks it."""
    query = Query(model, provider)
    query.select(list(found.lives))
    return query.price(found, when).rows


def test_a_price_that_changed_twice_has_three_periods() -> None:
    periods = ledger_only()
    assert spans(periods, "acme", "m1", "cost.input") == [
        (2, None, T1),
        (3, T1, T3),
        (2.5, T3, None),
    ]
    # a price that appears starts at its change; one that disappears ends there
    assert spans(periods, "acme", "m1", "cost.cache_read") == [(0.5, T3, None)]
    assert spans(periods, "acme", "m1", "cost.output") == [(10, None, T3)]
    # a scalar replaced by an object: the object's leaves take over
    assert spans(periods, "acme", "m1", "interleaved") == [(True, None, T3)]
    assert spans(periods, "acme", "m1", "interleaved.field") == [("rc", T3, None)]
    # provider-level, cheapest and inconsistency lines are not offering fields
    assert {p.field for p in periods if p.model == "m1"} == {
        "cost.input",
        "cost.cache_read",
        "cost.output",
        "interleaved",
        "interleaved.field",
    }


def test_a_model_added_then_removed_lives_between_the_two() -> None:
    periods = ledger_only()
    added = filter_periods(periods, provider="acme", model="new-1")
    assert [(p.field, p.value, p.start, p.end) for p in added] == [
        ("cost.input", 1, T2, T4),
        ("cost.output", 4, T2, T4),
        ("id", "new-1", T2, T4),
        ("limit.context", 1000, T2, T4),
        ("limit.output", 100, T2, T4),
        ("modalities.input", ["text", "image"], T2, T4),  # lists are whole values
        ("modalities.output", ["text"], T2, T4),
        ("name", "New 1", T2, T4),
    ]  # last_updated is ignored, as diffs ignore it
    # removed without ever changing: its values held since before the ledger began
    removed = filter_periods(periods, provider="beta", model="old-1")
    assert {(p.field, p.value, p.start, p.end) for p in removed} == {
        ("id", "old-1", None, T3),
        ("name", "Old 1", None, T3),
        ("limit.context", 8000, None, T3),
        ("limit.output", 800, None, T3),
    }
    assert value_at(removed, "2026-02-01") == []
    assert len(value_at(removed, "2026-01-31")) == 4


def test_filter_by_model_provider_and_field() -> None:
    periods = ledger_only()
    by_id = filter_periods(periods, model="m1", field="cost.input")
    # "m1" names the group of acme's m1 and beta's x/M1 (the part after "/", any case), and so
    # does any spelling of one of them: names mean what they mean to `show`
    assert {(p.provider, p.model) for p in by_id} == {("acme", "m1"), ("beta", "x/M1")}
    assert {p.model for p in filter_periods(periods, model="X/m1")} == {"m1", "x/M1"}
    assert {p.model for p in filter_periods(periods, model="beta/x/m1")} == {"m1", "x/M1"}
    assert filter_periods(periods, model="m") == []
    only_beta = filter_periods(periods, model="m1", provider="beta")
    assert [(p.value, p.start, p.end) for p in only_beta] == [(7, None, T3), (8, T3, None)]
    costs = filter_periods(periods, provider="acme", model="m1", field="cost")
    assert {p.field for p in costs} == {"cost.input", "cost.cache_read", "cost.output"}
    assert filter_periods(periods, field="cost.in") == []  # a prefix is a whole dotted part
    assert {p.field for p in filter_periods(periods, model="m1", field="interleaved")} == {
        "interleaved",
        "interleaved.field",
    }


def test_the_fields_option_keeps_only_the_chosen_fields() -> None:
    periods = history_from_ledger(
        (json.loads(line) for line in LEDGER_LINES), fields=lambda f: f.startswith("limit.")
    )
    assert {p.field for p in periods} == {"limit.context", "limit.output"}
    assert {(p.provider, p.model) for p in periods} == {("acme", "new-1"), ("beta", "old-1")}


def test_price_at_from_the_ledger() -> None:
    found = ledger_history((json.loads(line) for line in LEDGER_LINES), {})
    at = prices_at(found, "m1", "2025-12-31", provider="acme")
    assert at == [("acme", "m1", {"cost.input": 2, "cost.output": 10, "cost.cache_read": None})]
    # the change at 2026-01-01 00:00 UTC: on that day the new price wins
    assert prices_at(found, "m1", "2026-01-01", provider="acme")[0][2]["cost.input"] == 3
    assert prices_at(found, "m1", "2025-12-31T23:59:59Z", "acme")[0][2]["cost.input"] == 2
    # a change at 06:30: the bare date is the day as it closed, so it wins too
    assert prices_at(found, "m1", "2026-02-01", provider="acme")[0][2] == {
        "cost.input": 2.5,
        "cost.output": None,
        "cost.cache_read": 0.5,
    }
    assert prices_at(found, "m1", "2026-02-01T06:29:59Z", provider="acme")[0][2] == {
        "cost.input": 3,
        "cost.output": 10,
        "cost.cache_read": None,
    }
    assert prices_at(found, "m1", "2026-02-01T06:30:00Z", "acme")[0][2]["cost.input"] == 2.5
    after = prices_at(found, "m1", "2030-01-01")
    assert [(p, m, c["cost.input"]) for p, m, c in after] == [
        ("acme", "m1", 2.5),
        ("beta", "x/M1", 8),
    ]


def test_render_history_in_three_formats() -> None:
    periods = filter_periods(ledger_only(), provider="acme", model="m1", field="cost.input")
    assert render_history(periods, "text") == (
        "acme / m1\n"
        "  cost.input\n"
        "    …                → 2026-01-01        $2.00\n"
        "    2026-01-01       → 2026-02-01 06:30  $3.00\n"
        "    2026-02-01 06:30 → now               $2.50\n"
    )
    assert json.loads(render_history(list(reversed(periods)), "json")) == {
        "history": [
            {
                "provider": "acme",
                "model": "m1",
                "field": "cost.input",
                "value": 2,
                "from": None,
                "to": T1,
            },
            {
                "provider": "acme",
                "model": "m1",
                "field": "cost.input",
                "value": 3,
                "from": T1,
                "to": T3,
            },
            {
                "provider": "acme",
                "model": "m1",
                "field": "cost.input",
                "value": 2.5,
                "from": T3,
                "to": None,
            },
        ]
    }
    rows = list(csv.reader(io.StringIO(render_history(periods, "csv"))))
    assert rows == [
        ["provider", "model", "field", "value", "from", "to"],
        ["acme", "m1", "cost.input", "2", "", T1],
        ["acme", "m1", "cost.input", "3", T1, T3],
        ["acme", "m1", "cost.input", "2.5", T3, ""],
    ]
    assert render_history([], "text") == "no history matches\n"


def test_no_price_says_when_the_model_came_and_went() -> None:
    found = ledger_history((json.loads(line) for line in LEDGER_LINES), {})

    def why(model: str, when: str, provider: str | None = None) -> str | None:
        query = Query(model, provider)
        query.select(list(found.lives))
        answer = query.price(found, when)
        assert answer.rows == []
        return answer.why

    # new-1 was added on 2026-01-15 and removed on 2026-03-01 12:00
    assert why("new-1", "2026-01-14") == "new-1 was first offered on 2026-01-15"
    assert why("new-1", "2026-03-02", "acme") == (
        "new-1 at acme was no longer offered on 2026-03-02: removed on 2026-03-01 12:00 UTC"
    )
    assert len(prices_at(found, "new-1", "2026-01-16")) == 1


def test_a_field_the_model_has_no_history_of_is_named() -> None:
    found = ledger_history((json.loads(line) for line in LEDGER_LINES), {})
    query = Query("m1", "acme")
    query.select(list(found.lives))
    assert query.history(found, "cost.inptu").why == (
        "m1 at acme has no field 'cost.inptu' in the history: fields are dotted paths "
        "(cost.input, limit.context) and a prefix (cost) takes them all"
    )
    assert [p.value for p in query.history(found, "cost.input").periods] == [2, 3, 2.5]


DAY = "2026-02-01"


def test_render_price_at() -> None:
    rows = prices_at(ledger_history((json.loads(line) for line in LEDGER_LINES), {}), "m1", DAY)
    assert render_price_at(rows, "m1", "2026-02-01", "text") == (
        "m1 on 2026-02-01 (USD per 1M tokens)\n"
        "provider  model  input  output  cache_read\n"
        "acme      m1     $2.50  -       $0.50\n"
        "beta      x/M1   $8.00  -       -\n"
        "-: no such price\n"
    )
    data = json.loads(render_price_at(rows, "m1", "2026-02-01", "json"))
    assert data["at"] == "2026-02-01"
    assert data["prices"][0] == {
        "provider": "acme",
        "model": "m1",
        "cost": {"cost.input": 2.5, "cost.output": None, "cost.cache_read": 0.5},
    }
    assert render_price_at(rows, "m1", "2026-02-01", "csv").splitlines() == [
        "provider,model,cost.input,cost.output,cost.cache_read",
        "acme,m1,2.5,,0.5",
        "beta,x/M1,8,,",
    ]
    assert render_price_at([], "zz", "2026-02-01") == "no provider offered zz on 2026-02-01\n"


# -- from git: the four real catalogs as four commits -------------------------------------------


def commit_at(repo: Path, stamp: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    for args in (["add", "--all"], ["commit", "--quiet", "-m", message]):
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args],
            cwd=repo,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr


def snapshot_commit(repo: Path, doc: dict[str, Any], stamp: str) -> None:
    folder = repo / SNAPSHOTS
    write_snapshot(folder, provider_files(parse_catalog(doc)), {"format": 1, "day": stamp})
    for name in ("changes.jsonl", "CHANGELOG.md", "outbox.jsonl"):  # all ignored by the walk
        with (folder / name).open("a") as handle:
            handle.write(f'{{"at": "{stamp}"}}\n')
    commit_at(repo, stamp, stamp)


@pytest.fixture(scope="module")
def real_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("real")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, root / "home")
        repo = root / "repo"
        git(root, "init", "--quiet", str(repo))
        (repo / "README.md").write_text("not a snapshot\n")
        for day, stamp in zip(DAYS, (SEP, JAN, MAR, JUN), strict=True):
            doc = json.loads((MODELS_DEV / f"{day}.json").read_text(encoding="utf-8"))
            snapshot_commit(repo, doc, stamp)
        yield repo


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process started through ``subprocess.Popen`` (``subprocess.run`` included)."""
    commands: list[list[str]] = []
    real = subprocess.Popen

    def counting(args: Any, *rest: Any, **options: Any) -> Any:
        commands.append([str(arg) for arg in args])
        return real(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", counting)
    return commands


@pytest.fixture(scope="module")
def real_history(real_repo: Path) -> History:
    return load_history("git", real_repo)


@pytest.mark.realdata
def test_git_history_of_real_catalogs(real_history: History) -> None:
    periods = real_history.periods
    model = "gemini-3.1-flash-image-preview"
    assert spans(periods, "google", model, "cost.input") == [(0.25, MAR, JUN), (0.5, JUN, None)]
    assert spans(periods, "google", model, "cost.output") == [(60, MAR, None)]
    vercel = f"google/{model}"
    assert spans(periods, "vercel", vercel, "cost.output") == [(60, MAR, JUN), (3, JUN, None)]
    assert spans(periods, "vercel", vercel, "cost.cache_read") == [(0.05, JUN, None)]
    # deepseek-chat is in all four files; unchanged from January to March: one period
    assert spans(periods, "deepseek", "deepseek-chat", "cost.input") == [
        (0.57, SEP, JAN),
        (0.28, JAN, JUN),
        (0.14, JUN, None),
    ]
    assert spans(periods, "deepseek", "deepseek-chat", "cost.output") == [
        (1.68, SEP, JAN),
        (0.42, JAN, JUN),
        (0.28, JUN, None),
    ]
    assert spans(periods, "deepseek", "deepseek-chat", "cost.cache_read") == [
        (0.07, SEP, JAN),
        (0.028, JAN, JUN),
        (0.0028, JUN, None),
    ]
    assert spans(periods, "deepseek", "deepseek-chat", "limit.context") == [
        (128000, SEP, JUN),
        (1000000, JUN, None),
    ]
    assert spans(periods, "openai", "gpt-5", "cost.cache_read") == [
        (0.13, SEP, MAR),
        (0.125, MAR, None),
    ]
    assert spans(periods, "openai", "gpt-5", "cost.input") == [(1.25, SEP, None)]
    # no price in September, free from January, paid from June
    assert spans(periods, "github-copilot", "claude-sonnet-4", "cost.input") == [
        (0, JAN, JUN),
        (3, JUN, None),
    ]
    assert spans(periods, "github-copilot", "claude-sonnet-4", "cost.cache_write") == [
        (3.75, JUN, None)
    ]
    # removed between March and June: every field ends on the June commit
    o1_mini = filter_periods(periods, provider="openai", model="o1-mini")
    assert len(o1_mini) == 19
    assert {p.end for p in o1_mini if p.field != "family"} == {JUN}
    assert spans(periods, "openai", "o1-mini", "family") == [
        ("o1-mini", JAN, MAR),
        ("o-mini", MAR, JUN),
    ]
    assert spans(periods, "openai", "o1-mini", "cost.input") == [(1.1, SEP, JUN)]
    assert spans(periods, "openai", "o1-mini", "cost.cache_read") == [(0.55, SEP, JUN)]
    # last_updated is ignored by the diff, so it has no (stale) history either
    assert not [p for p in periods if p.field == "last_updated"]


@pytest.mark.realdata
def test_git_price_at_real_catalogs(real_history: History) -> None:
    periods = real_history

    def deepseek(when: str) -> dict[str, Any] | None:
        rows = prices_at(periods, "deepseek-chat", when, provider="deepseek")
        assert len(rows) <= 1
        return rows[0][2] if rows else None

    assert deepseek("2025-09-14") is None  # before the baseline commit nothing is known
    assert deepseek("2025-09-15") == {
        "cost.input": 0.57,
        "cost.output": 1.68,
        "cost.cache_read": 0.07,
    }
    assert deepseek("2026-02-01") == {
        "cost.input": 0.28,
        "cost.output": 0.42,
        "cost.cache_read": 0.028,
    }
    assert deepseek("2026-06-27T23:59:59Z") == {
        "cost.input": 0.28,
        "cost.output": 0.42,
        "cost.cache_read": 0.028,
    }
    assert deepseek("2026-06-28") == {
        "cost.input": 0.14,
        "cost.output": 0.28,
        "cost.cache_read": 0.0028,
    }
    assert deepseek("2027-01-01") == {
        "cost.input": 0.14,
        "cost.output": 0.28,
        "cost.cache_read": 0.0028,
    }
    march = prices_at(periods, "gemini-3.1-flash-image-preview", "2026-03-10")
    assert march == [
        (
            "google",
            "gemini-3.1-flash-image-preview",
            {"cost.input": 0.25, "cost.output": 60, "cost.cache_read": None},
        ),
        (
            "vercel",
            "google/gemini-3.1-flash-image-preview",
            {"cost.input": 0.25, "cost.output": 60, "cost.cache_read": None},
        ),
    ]
    june = prices_at(periods, "gemini-3.1-flash-image-preview", "2026-06-28")
    assert [(p, c["cost.input"], c["cost.output"]) for p, _, c in june] == [
        ("302ai", 0.5, 60),
        ("fastrouter", 0.5, 3),
        ("google", 0.5, 60),
        ("kilo", 0.5, 3),
        ("openrouter", 0.5, 3),
        ("vercel", 0.5, 3),
    ]
    # the group key the site and `inconsistencies` print names the same offerings
    assert prices_at(periods, "gemini-3-1-flash-image-preview", "2026-06-28") == june
    assert prices_at(periods, "gemini-3-1-flash-image-preview", "2026-03-10") == march
    assert prices_at(periods, "o1-mini", "2026-06-28", provider="openai") == []
    assert prices_at(periods, "o1-mini", "2026-06-27", provider="openai")[0][2]["cost.input"] == 1.1


@pytest.mark.realdata
def test_git_walk_starts_two_processes_for_any_number_of_commits(
    real_repo: Path, started: list[list[str]]
) -> None:
    periods = history_from_git(real_repo, fields=lambda field: field.startswith("cost."))
    assert {p.field.split(".")[0] for p in periods} == {"cost"}
    assert spans(periods, "openai", "o1-mini", "cost.input") == [(1.1, SEP, JUN)]
    assert len(started) == 2  # four commits, ~100 provider files each: one log, one cat-file
    log, batch = started  # the log first: it names the blobs to read
    assert log[0] == "git" and "log" in log and "--raw" in log and "--first-parent" in log
    assert batch[0] == "git" and batch[-2:] == ["cat-file", "--batch"]
    assert git(real_repo, "rev-list", "--count", "HEAD") == "4"


# -- from git: small hand-made histories -----------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    path = tmp_path / "repo"
    git(tmp_path, "init", "--quiet", str(path))
    return path


def test_git_follows_the_first_parent_through_a_merge(repo: Path, started: list[list[str]]) -> None:
    base = document(provider("acme", model("m1")))
    snapshot_commit(repo, base, SEP)
    git(repo, "checkout", "--quiet", "-b", "rolling")
    cheaper = edited(base)
    cheaper["acme"]["models"]["m1"]["cost"]["input"] = 1.5
    snapshot_commit(repo, cheaper, JAN)
    git(repo, "checkout", "--quiet", "main")
    (repo / "README.md").write_text("unrelated\n")
    commit_at(repo, MAR, "readme")
    env = {**os.environ, "GIT_AUTHOR_DATE": JUN, "GIT_COMMITTER_DATE": JUN}
    merge = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@e",
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        "merge",
        "rolling",
    ]
    subprocess.run(merge, cwd=repo, env=env, check=True, capture_output=True)
    started.clear()
    periods = history_from_git(repo)
    # the change reached main with the merge: that is when it took effect there
    assert spans(periods, "acme", "m1", "cost.input") == [(2.5, SEP, JUN), (1.5, JUN, None)]
    assert spans(periods, "acme", "m1", "cost.output") == [(10, SEP, None)]
    assert len(started) == 2
    # the branch's own history, read without a checkout
    branch = history_from_git(repo, ref="rolling", fields=lambda f: f == "cost.input")
    assert [(p.value, p.start, p.end) for p in branch] == [(2.5, SEP, JAN), (1.5, JAN, None)]


def test_git_commit_touching_a_few_of_a_providers_models_reads_as_a_whole_diff(
    repo: Path,
) -> None:
    many = document(
        provider("acme", *(model(f"m{i}") for i in range(30))), provider("beta", model("x"))
    )
    snapshot_commit(repo, many, SEP)
    later = edited(many)
    later["acme"]["name"] = "Acme Renamed"  # a provider field: no offering's event
    later["acme"]["models"]["m3"]["cost"]["output"] = 12
    later["acme"]["models"]["m7"]["limit"]["context"] = 64_000
    del later["acme"]["models"]["m9"]
    later["acme"]["models"]["n1"] = model("n1", cost={"input": 4, "output": 8})
    snapshot_commit(repo, later, JAN)
    periods = history_from_git(repo)
    assert spans(periods, "acme", "m3", "cost.output") == [(10, SEP, JAN), (12, JAN, None)]
    assert spans(periods, "acme", "m7", "limit.context")[-1] == (64_000, JAN, None)
    assert spans(periods, "acme", "m9", "cost.input") == [(2.5, SEP, JAN)]
    assert spans(periods, "acme", "n1", "cost.input") == [(4, JAN, None)]
    assert spans(periods, "acme", "m4", "cost.input") == [(2.5, SEP, None)]
    assert spans(periods, "beta", "x", "cost.output") == [(10, SEP, None)]


def test_git_provider_removed_and_damaged_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    both = document(provider("acme", model("m1")), provider("beta", model("x")))
    snapshot_commit(repo, both, SEP)
    snapshot_commit(repo, document(provider("acme", model("m1"))), JAN)
    periods = history_from_git(repo)
    assert spans(periods, "beta", "x", "cost.input") == [(2.5, SEP, JAN)]
    assert spans(periods, "acme", "m1", "cost.input") == [(2.5, SEP, None)]
    assert load_history("git", repo).periods == periods
    (repo / SNAPSHOTS / "acme.json").write_text("{not json")
    commit_at(repo, MAR, "broken")
    with pytest.raises(SnapshotError, match=r"acme\.json: not valid JSON"):
        history_from_git(repo)
    (repo / SNAPSHOTS / "changes.jsonl").write_text('{"kind": "price_changed"\n')
    with pytest.raises(SnapshotError, match=r"changes\.jsonl:1: not a change record"):
        load_history("ledger", repo)
    outside = repo.parent / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))
    with pytest.raises(GitError, match="git log"):
        history_from_git(outside)  # not in a repository


# -- the ledger that `run --mode commit` writes agrees with the git rebuild ----------------------


def first_catalog() -> dict[str, Any]:
    return document(
        provider(
            "acme",
            model("m1"),
            model("m2", cost={"input": 1, "output": 2, "cache_read": 0.1}),
            model("gone", cost={"input": 5, "output": 6}),
            model(
                "tiered",
                cost={
                    "input": 1,
                    "output": 2,
                    "tiers": [{"tier": {"type": "context", "size": 200000}, "input": 2}],
                },
            ),
        ),
        provider("beta", model("m1", cost={"input": 2.5, "output": 10})),
    )


def second_catalog() -> dict[str, Any]:
    doc = edited(first_catalog())
    acme = doc["acme"]["models"]
    acme["m1"]["cost"]["input"] = 3  # a price rises
    acme["m1"]["cost"]["cache_read"] = 0.3  # a price appears
    del acme["m2"]["cost"]["cache_read"]  # a price vanishes
    acme["m2"]["limit"]["context"] = 65536
    acme["tiered"]["cost"]["tiers"][0]["input"] = 1.5  # a list changes as a whole
    del acme["gone"]  # a model goes
    acme["fresh"] = model("fresh", cost={"input": 0.1, "output": 0.2})  # one arrives
    doc["gamma"] = provider("gamma", model("m1", cost={"input": 9, "output": 9}))  # a provider
    return doc


def run_commit(repo: Path, source: Path, now: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_AUTHOR_DATE", now)
    monkeypatch.setenv("GIT_COMMITTER_DATE", now)
    code = main(["run", "--mode", "commit", "--source", str(source), "--now", now])
    assert code == 0


def undated(period: Period, baseline: str) -> Period:
    """``period`` as the ledger knows it: a value held since the baseline run starts "before"."""
    start = None if period.start == baseline else period.start
    return Period(period.provider, period.model, period.field, period.value, start, period.end)


@pytest.fixture
def two_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    """(origin, clone) after a baseline run and a second run, both in commit mode."""
    isolate_git(monkeypatch, tmp_path / "home")
    origin = fresh_origin(tmp_path)
    clone = tmp_path / "ours"
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    run_commit(clone, write_json(tmp_path / "1.json", first_catalog()), FIRST, monkeypatch)
    run_commit(clone, write_json(tmp_path / "2.json", second_catalog()), SECOND, monkeypatch)
    capsys.readouterr()
    return origin, clone


FIRST, SECOND = "2026-11-25T10:17:00Z", "2026-12-02T08:00:00Z"


def test_the_ledger_and_the_snapshot_agree_with_git_but_for_the_baseline_date(
    two_runs: tuple[Path, Path],
) -> None:
    origin, clone = two_runs
    ledger = read_ledger(clone / SNAPSHOTS / "changes.jsonl")
    assert {line["time"] for line in ledger} == {SECOND}  # the baseline run writes no line
    from_git = load_history("git", clone)
    assert from_git.periods == history_from_git(origin, ref="main")  # the bare origin works too
    found = load_history("ledger", clone)
    # the same periods, every field of every offering; only the baseline's date is unknown
    assert found.periods == [undated(p, FIRST) for p in from_git.periods]
    assert found.lives == {
        offering: tuple((None if start == FIRST else start, end) for start, end in lives)
        for offering, lives in from_git.lives.items()
    }
    # never changed: known from the snapshot (the ledger has no line about beta at all)
    assert spans(found.periods, "beta", "m1", "cost.input") == [(2.5, None, None)]
    assert spans(found.periods, "acme", "m1", "cost.output") == [(10, None, None)]
    assert spans(found.periods, "acme", "m1", "cost.input") == [
        (2.5, None, SECOND),
        (3, SECOND, None),
    ]
    assert spans(found.periods, "acme", "m2", "cost.cache_read") == [(0.1, None, SECOND)]
    assert spans(found.periods, "acme", "gone", "cost.output") == [(6, None, SECOND)]
    # added in the second run: every field from the snapshot, since that run
    assert spans(found.periods, "acme", "fresh", "name") == [("FRESH", SECOND, None)]
    assert spans(found.periods, "gamma", "m1", "limit.context") == [(131072, SECOND, None)]
    tiers = spans(found.periods, "acme", "tiered", "cost.tiers")
    assert [(value[0]["input"], start, end) for value, start, end in tiers] == [
        (2, None, SECOND),
        (1.5, SECOND, None),
    ]
    prices = load_history("ledger", clone, fields=lambda field: field.startswith("cost."))
    assert prices.periods == [p for p in found.periods if p.field.startswith("cost.")]
    assert prices.lives == found.lives  # an offering is known whatever fields are asked for


def test_the_ledger_needs_no_record_of_an_added_model(two_runs: tuple[Path, Path]) -> None:
    _, clone = two_runs
    path = clone / SNAPSHOTS / "changes.jsonl"
    before = load_history("ledger", clone)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    added = [line for line in lines if line["kind"] == "model_added"]
    assert {line["model"] for line in added} == {"fresh", "m1"}  # acme's fresh, gamma's m1
    for line in added:
        line["new"] = None  # no record at all: the snapshot has it
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert load_history("ledger", clone) == before


def test_without_the_snapshot_the_ledger_knows_only_what_changed(
    two_runs: tuple[Path, Path],
) -> None:
    """``history_from_ledger`` without ``current`` (the site's call): changed fields only."""
    _, clone = two_runs
    ledger = read_ledger(clone / SNAPSHOTS / "changes.jsonl")
    changes_only = history_from_ledger(ledger, fields=lambda field: field == "cost.input")
    assert spans(changes_only, "acme", "m1", "cost.input") == [
        (2.5, None, SECOND),
        (3, SECOND, None),
    ]
    assert spans(changes_only, "beta", "m1", "cost.input") == []
    snapshot = read_snapshot(clone / SNAPSHOTS)
    assert snapshot is not None
    filled = history_from_ledger(
        ledger, fields=lambda field: field == "cost.input", current=snapshot.document
    )
    assert spans(filled, "beta", "m1", "cost.input") == [(2.5, None, None)]
