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
