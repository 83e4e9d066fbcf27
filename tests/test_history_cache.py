"""The --from-git history cache in .git/catalog-watch/history-cache: a read at the cached commit,
one extended by new commits and one rebuilt after the history was rewritten all give what a walk
without any cache gives."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.history import History
from catalog_watch.analysis.history_query import Query
from catalog_watch.cli.app import main
from catalog_watch.store.history_read import load_history
from tests.factories import document, edited, model, provider
from tests.git_repos import git, isolate_git
from tests.test_history import JAN, JUN, MAR, SEP, SNAPSHOTS, commit_at, snapshot_commit


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    path = tmp_path / "repo"
    git(tmp_path, "init", "--quiet", str(path))
    return path


def cache(repo: Path) -> Path:
    return repo / ".git" / "catalog-watch" / "history-cache"


def read(repo: Path, name: str | None = "m1") -> History:
    return load_history("git", repo, SNAPSHOTS, select=Query(name).select)


def uncached(repo: Path, name: str | None = "m1") -> History:
    shutil.rmtree(cache(repo), ignore_errors=True)
    return read(repo, name)


def priced(base: dict[str, Any], price: float) -> dict[str, Any]:
    changed = edited(base)
    changed["acme"]["models"]["m1"]["cost"]["input"] = price
    return changed


def test_a_cached_read_an_extended_one_and_a_rebuilt_one_match_a_walk(repo: Path) -> None:
    base = document(provider("acme", model("m1"), model("m2")), provider("zeta", model("m1")))
    snapshot_commit(repo, base, SEP)
    snapshot_commit(repo, priced(base, 1.5), JAN)
    first = read(repo)
    assert (cache(repo)).is_dir()
    assert read(repo) == first == uncached(repo)
    read(repo)
    later = priced(base, 0.5)
    del later["acme"]["models"]["m2"]
    snapshot_commit(repo, later, MAR)  # the cache was built at JAN's commit: extended
    extended = read(repo)
    assert extended == uncached(repo)
    assert read(repo, None) == uncached(repo, None)
    acme = [(p.value, p.start) for p in extended.periods if p.provider == "acme"]
    assert (0.5, MAR) in acme
    assert extended.lives[("acme", "m2")] == ((SEP, MAR),)
    read(repo)
    subprocess.run(["git", "reset", "--quiet", "--hard", "HEAD~1"], cwd=repo, check=True)
    snapshot_commit(repo, priced(base, 9.0), JUN)  # MAR's commit is gone: rebuilt
    assert read(repo) == uncached(repo)
    assert ("acme", "m2") in read(repo).lives and read(repo).lives[("acme", "m2")] == ((SEP, None),)


def test_a_damaged_cache_is_rebuilt(repo: Path) -> None:
    snapshot_commit(repo, document(provider("acme", model("m1"))), SEP)
    expected = read(repo)
    for name in ("head.json", "events.jsonl"):
        for damaged in next(cache(repo).iterdir()).glob(name):
            damaged.write_text("{not json")
        assert read(repo) == expected


@pytest.mark.parametrize(
    "bad",
    ["m2 \u001b[31m", "line\nbreak", "\ufdd0", "C1 \u009b"],
)
def test_a_committed_record_that_breaks_the_text_rule_is_rejected_by_the_walk(
    repo: Path, bad: str
) -> None:
    """Provider files read by orjson are checked at C speed; a record the check would reject
    (here a name with a control or noncharacter, written into the snapshot by hand) is still
    dropped as a run drops it, so its price change never enters the history."""
    base = document(provider("acme", model("m1"), model("m2")))
    snapshot_commit(repo, base, SEP)
    path = repo / SNAPSHOTS / "acme.json"
    planted = json.loads(path.read_text(encoding="utf-8"))
    planted["models"]["m1"]["cost"]["input"] = 1.5
    planted["models"]["m2"]["cost"]["input"] = 7.0
    planted["models"]["m2"]["name"] = bad
    path.write_text(json.dumps(planted, indent=2, sort_keys=True), encoding="utf-8")
    commit_at(repo, JAN, "by hand")
    history = uncached(repo, None)
    prices = {(p.model, p.value) for p in history.periods if p.field == "cost.input"}
    assert ("m1", 1.5) in prices
    assert ("m2", 7.0) not in prices
    assert history.lives[("acme", "m2")] == ((SEP, JAN),)


def cli(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """``price-at`` before the history and between its commits, and ``history``: exit 0 each."""
    monkeypatch.chdir(repo)
    answers = []
    for argv in (
        ["price-at", "m1", "2025-01-01", "--from-git", "--format", "json"],
        ["price-at", "m1", "2025-12-01", "--from-git", "--format", "json"],
        ["history", "m1", "--from-git", "--format", "json"],
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, err
        answers.append(out)
    return "".join(answers)


def head_file(repo: Path) -> Path:
    [head] = cache(repo).glob("*/head.json")
    return head


SHA = "0123456789abcdef" * 2 + "01234567"
DAMAGED_HEADS = {
    "tip not a string": {"tip": 5},
    "last not a string": {"last": 5},
    "last not a time": {"last": "yesterday"},
    "begins not a string": {"begins": 5},
    "begins not a time": {"begins": "2025-13-45T00:00:00Z"},
    "state not an object": {"state": 5},
    "a blob not a string": {"state": {"acme": 5}},
    "a blob not a blob id": {"state": {"acme": SHA[:-1] + "g"}},
}


@pytest.mark.parametrize("damage", DAMAGED_HEADS.values(), ids=DAMAGED_HEADS.keys())
def test_a_cache_head_with_a_value_of_the_wrong_type_or_form_is_rebuilt(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: dict[str, Any],
) -> None:
    """The cache is extended from its head (its tip an ancestor of HEAD): a damaged value
    there would reach the walk or the answer; the command answers as with no cache."""
    base = document(provider("acme", model("m1")), provider("zeta", model("m1")))
    snapshot_commit(repo, base, SEP)
    cli(repo, monkeypatch, capsys)  # the cache, built at SEP's commit
    snapshot_commit(repo, priced(base, 1.5), JAN)
    head = head_file(repo)
    head.write_text(json.dumps({**json.loads(head.read_text()), **damage}))
    answer = cli(repo, monkeypatch, capsys)
    rebuilt = head.read_text()
    shutil.rmtree(cache(repo))
    assert answer == cli(repo, monkeypatch, capsys)
    assert rebuilt == head_file(repo).read_text()


DAMAGED_EVENTS = {
    "a time not a string": '[5, "added", "acme", "m1", null, null, {}]',
    "a time not a time": '["soon", "added", "acme", "m1", null, null, {}]',
    "an unknown kind": '["2025-09-15T00:00:00Z", "renamed", "acme", "m1", null, null, {}]',
    "a provider not a string": '["2025-09-15T00:00:00Z", "added", 5, "m1", null, null, {}]',
    "a model not a string": '["2025-09-15T00:00:00Z", "added", "acme", 5, null, null, {}]',
    "a field not a string": '["2025-09-15T00:00:00Z", "changed", "acme", "m1", 5, 1, 2]',
}


@pytest.mark.parametrize("line", DAMAGED_EVENTS.values(), ids=DAMAGED_EVENTS.keys())
def test_a_cached_event_of_the_wrong_shape_is_rebuilt(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    snapshot_commit(repo, document(provider("acme", model("m1"))), SEP)
    expected = cli(repo, monkeypatch, capsys)
    head = head_file(repo)
    events = head.parent / "events.jsonl"
    written = events.read_bytes()
    events.write_bytes(f"{line}\n".encode() + written)
    head.write_text(
        json.dumps({**json.loads(head.read_text()), "size": len(line) + 1 + len(written)})
    )
    assert cli(repo, monkeypatch, capsys) == expected
    assert events.read_bytes() == written
