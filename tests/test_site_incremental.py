"""A rebuild after one more run: it renders and writes only the pages that run changed, and
leaves the folder byte for byte as a build from scratch of the same inputs (``diff -r``), also
when its manifest is missing or damaged.

The history is small and visible: the small catalog as the baseline (committed to git), four
monthly runs, and a fifth of several kinds; ``limit`` 2 cuts every listing into pages, so the
paging from the oldest, the model pages that come and go with the front page and the charts are
all exercised.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.cli.app import main
from catalog_watch.settings.config import Config
from catalog_watch.site import SiteResult, build_site
from catalog_watch.site.incremental import MANIFEST
from catalog_watch.site.pager import Page, pager_links
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, append_ledger, ledger_records
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests.factories import edited, model, provider, small_catalog, tree_bytes
from tests.test_site import commit_snapshots

LIMIT = 2
BASELINE = "2025-12-01T00:00:00Z"
NEW_RUN = "2026-05-01T00:00:00Z"
Document = dict[str, Any]


def _history() -> list[tuple[str, Document]]:
    """Four runs: two price changes, a limit change, a model added."""
    d1 = edited(small_catalog())
    d1["acme"]["models"]["fast-1"]["cost"]["input"] = 3.0
    d2 = edited(d1)
    d2["beta"]["models"]["fast-1"]["cost"]["output"] = 12
    d3 = edited(d2)
    d3["acme"]["models"]["big-1"]["limit"]["context"] = 200000
    d4 = edited(d3)
    d4["acme"]["models"]["new-1"] = model("new-1")
    months = ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01")
    return [(f"{month}T00:00:00Z", d) for month, d in zip(months, (d1, d2, d3, d4), strict=True)]


def _price_cut(last: Document) -> Document:
    """The usual run: one price; model/new-1 leaves the front page, so its page goes."""
    after = edited(last)
    after["acme"]["models"]["big-1"]["cost"]["input"] = 2.0
    return after


def _new_provider(last: Document) -> Document:
    """A provider appears: every listing's filter bar gains a link."""
    after = edited(last)
    after["gamma"] = provider("gamma", model("fast-1", cost={"input": 1, "output": 4}))
    return after


def _model_removed(last: Document) -> Document:
    after = edited(last)
    del after["beta"]["models"]["fast-1"]
    after["beta"]["models"]["slow-1"] = model("slow-1")
    return after


NEXT_RUNS: dict[str, Callable[[Document], Document]] = {
    "a price cut": _price_cut,
    "a new provider": _new_provider,
    "a model removed": _model_removed,
}


def _repo(root: Path, runs: list[tuple[str, Document]]) -> Path:
    """The baseline and ``runs``, each measured from the commit of the snapshot before it."""
    snapshots = root / "snapshots"
    write_snapshot(snapshots, provider_files(parse_catalog(small_catalog())), {})
    when = BASELINE
    for time, document in runs:
        commit = commit_snapshots(snapshots, when)
        report = compare(load_catalog(snapshots, Config()), parse_catalog(document), Config())
        append_ledger(snapshots / LEDGER_FILE, ledger_records(report, time=time, commit=commit))
        write_snapshot(snapshots, provider_files(parse_catalog(document)), {})
        when = time
    return snapshots


def _repos(root: Path, next_run: str) -> tuple[Path, Path]:
    """The four runs' snapshot folder, and the same with the fifth run."""
    history = _history()
    five = [*history, (NEW_RUN, NEXT_RUNS[next_run](history[-1][1]))]
    return _repo(root / "four", history), _repo(root / "five", five)


def _build(out: Path, snapshots: Path) -> SiteResult:
    return build_site(out, snapshots=snapshots, limit=LIMIT, workers=1)


def _diff(left: Path, right: Path) -> str:
    done = subprocess.run(["diff", "-r", str(left), str(right)], capture_output=True, text=True)
    return done.stdout + done.stderr


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize("next_run", list(NEXT_RUNS))
def test_a_rebuild_after_one_more_run_equals_a_build_from_scratch(
    tmp_path: Path, next_run: str
) -> None:
    four, five = _repos(tmp_path, next_run)
    first = _build(tmp_path / "site", four)
    assert first.rendered == len(first.files)  # nothing to keep: a full build
    rebuilt = _build(tmp_path / "site", five)
    scratch = _build(tmp_path / "scratch", five)
    assert _diff(tmp_path / "site", tmp_path / "scratch") == ""
    assert rebuilt.files == scratch.files
    assert (rebuilt.charts, rebuilt.total_bytes) == (scratch.charts, scratch.total_bytes)
    assert 0 < rebuilt.rendered < len(rebuilt.files) or next_run == "a new provider"
    assert rebuilt.written <= rebuilt.rendered


def test_a_rebuild_renders_and_writes_only_what_the_new_run_changed(tmp_path: Path) -> None:
    four, five = _repos(tmp_path, "a price cut")
    out = tmp_path / "site"
    _build(out, four)
    before = _stamps(out)
    result = _build(out, five)
    after = _stamps(out)
    touched = {name for name in after if before.get(name) != after[name]}
    assert "model/new-1.html" in before and "model/new-1.html" not in after  # off the front
    assert result.removed == 1
    # the older runs' pages, a listing the run did not reach and the page of a model it did
    # not touch (April's run page lost its link to model/new-1.html: rendered again)
    old_runs = {name for name in before if name.startswith("run/run-20260")}
    kept = {name for name in old_runs if "20260401" not in name}
    kept |= {"model/fast-1.html", "style.css", "kind/limit_changed.html"}
    assert len(kept) == 6 and kept <= set(after) - touched
    assert {name for name in old_runs if "20260401" in name} <= touched
    assert {"index.html", "runs.html", "model/big-1.html", MANIFEST} <= touched
    assert len(touched) == result.written + 1  # and the manifest
    assert result.rendered < len(result.files)


def test_a_rebuild_with_nothing_new_renders_nothing_in_a_new_process(tmp_path: Path) -> None:
    """The digests do not depend on the process (str hashing is salted per process), and a
    rebuild with nothing new touches no file, the manifest neither."""
    four, _ = _repos(tmp_path, "a price cut")
    command = [sys.executable, "-m", "catalog_watch.cli.app", "site", str(tmp_path / "site")]
    command += ["--snapshots", str(four), "--limit", str(LIMIT)]
    outputs, stamps = [], []
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
        stamps.append(_stamps(tmp_path / "site"))
    assert outputs[1].rstrip().endswith("; 0 files rendered, 0 written, 0 removed"), outputs
    assert stamps[0] == stamps[1]


def _truncated(text: str) -> str:
    return text[: len(text) * 2 // 3]


DAMAGE: dict[str, Callable[[str], str] | None] = {
    "missing": None,
    "empty": lambda text: "",
    "of another version of the code": lambda text: text.replace(text.split()[4], "0" * 32, 1),
    "truncated": _truncated,
    "garbled lines": lambda text: text.replace("\t", " ", 5).replace("\n", "\n\x00junk\t1\n", 3),
    "not text": lambda text: "\udcff\x00" * 40,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_missing_manifest_makes_a_full_build_of_the_same_bytes(
    tmp_path: Path, damage: str
) -> None:
    four, five = _repos(tmp_path, "a price cut")
    out = tmp_path / "site"
    _build(out, four)
    manifest = out / MANIFEST
    text = manifest.read_text()
    change = DAMAGE[damage]
    if change is None:
        manifest.unlink()
    else:
        manifest.write_bytes(change(text).encode("utf-8", "surrogateescape"))
    rebuilt = _build(out, five)
    _build(tmp_path / "scratch", five)
    ours, theirs = tree_bytes(out), tree_bytes(tmp_path / "scratch")
    assert {name: ours.get(name) for name in theirs} == theirs  # the manifest too
    # a page the earlier build made and this one does not is removed when a line still names
    # it; with no line for it, it is left (the folder may hold files that are not ours)
    named = change is not None and "model/new-1.html\t" in change(text)
    assert set(ours) - set(theirs) == (set() if named else {"model/new-1.html"})
    trusted = damage in ("garbled lines", "truncated")  # the lines left intact still count
    assert rebuilt.rendered == len(rebuilt.files) or trusted
    assert rebuilt.written < len(rebuilt.files)  # the bytes on disk were right: kept


def _every_count(text: str, column: int, count: str) -> str:
    """The manifest with ``column`` (2: the size, 3: the charts) of every file's line ``count``."""
    header, *lines = text.splitlines()
    rows = [line.split("\t") for line in lines]
    return "\n".join([header, *("\t".join([*r[:column], count, *r[column + 1 :]]) for r in rows)])


COUNTS = {  # what ``isdigit`` passes and ``int`` refuses
    "a superscript size": (2, "²"),
    "superscript charts": (3, "³"),
    "a size of 5,000 digits": (2, "9" * 5000),
}


@pytest.mark.parametrize("damage", list(COUNTS))
def test_a_manifest_count_int_refuses_makes_the_site_command_do_a_full_build(
    tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    four = _repo(tmp_path / "four", _history())
    out = tmp_path / "site"
    files = len(_build(out, four).files)
    manifest = out / MANIFEST
    manifest.write_text(_every_count(manifest.read_text(), *COUNTS[damage]), encoding="utf-8")
    capsys.readouterr()
    assert main(["site", str(out), "--snapshots", str(four), "--limit", str(LIMIT)]) == 0
    summary = capsys.readouterr().out.rstrip()
    assert summary.endswith(f"; {files} files rendered, 0 written, 0 removed"), summary
    _build(tmp_path / "scratch", four)
    assert tree_bytes(out) == tree_bytes(tmp_path / "scratch")  # the manifest mended too


def test_a_page_changed_or_deleted_by_hand_is_rendered_again(tmp_path: Path) -> None:
    four, _ = _repos(tmp_path, "a price cut")
    out = tmp_path / "site"
    _build(out, four)
    (out / "index" / "page-1.html").write_text("edited")
    (out / "model" / "fast-1.html").unlink()
    result = _build(out, four)
    assert (result.rendered, result.written) == (2, 2)
    assert _diff(out, _build(tmp_path / "scratch", four).out_dir) == ""


def test_an_old_page_keeps_its_pager_as_the_listing_grows() -> None:
    """Cut from the oldest, a page's bar names neither the page count nor the newest number, so
    a page more than four from the front has the same links with 9 pages as with 30; those
    near the front gain a number, and the front's bar changes."""
    for number in (1, 2, 4, 5):
        bars = [pager_links(Page("index.html", number, n, 0, stable=True)) for n in (9, 30)]
        assert (bars[0] == bars[1]) is (number < 5), number
    fronts = [pager_links(Page("index.html", count, count, 0, stable=True)) for count in (9, 30)]
    assert [link.text for link in fronts[0]] == ["newest", "8", "7", "6", "…", "1", "older →"]
    assert fronts[0] != fronts[1]


def test_a_rebuild_replaces_files_so_a_hard_linked_copy_keeps_its_bytes(tmp_path: Path) -> None:
    """``cp -al`` of a site, rebuilt with the next run: the copy changes, the original not;
    pages are readable by others (the umask's mode, as a web server needs)."""
    four, five = _repos(tmp_path, "a price cut")
    original, copy = tmp_path / "site", tmp_path / "copy"
    _build(original, four)
    before = tree_bytes(original)
    subprocess.run(["cp", "-al", str(original), str(copy)], check=True)
    _build(copy, five)
    assert tree_bytes(original) == before
    assert _diff(copy, _build(tmp_path / "scratch", five).out_dir) == ""
    umask = os.umask(0o022)
    os.umask(umask)
    assert (copy / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask
