"""The --from-git history cache in .git/catalog-watch/history-cache: a read at the cached commit,
one extended by new commits and one rebuilt after the history was rewritten all give what a walk
without any cache gives."""

from __future__ import annotations

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
from tests.test_history import JAN, JUN, MAR, SEP, SNAPSHOTS, snapshot_commit


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
