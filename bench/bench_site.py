"""Time ``catalog-watch site`` on the four real catalogs' history, built from scratch and rebuilt
after one new run, as whole processes (issue 14: <= 10 s and <= 2 s wall).

The history: the 2025-09-15 catalog as the baseline snapshot, committed to git on its date, then
a run to each of 2026-01-05, 2026-03-10 and 2026-06-28 (``compare`` + ``ledger_records``, each
snapshot committed), 17,082 ledger records. The new run is a small hand-made one on 2026-07-15
(two price changes and an added model, like an hourly run's), in a copy of that repository.

Timed, each as a child process with its wall time (a monotonic clock around it) and its user +
system CPU (``getrusage(RUSAGE_CHILDREN)``), ``--repeat`` times, median and spread printed:

1. **full**: the four runs' site into an empty folder;
2. **incremental**: a copy of that site (``shutil.copytree``, untimed) rebuilt with the new run;
3. **unchanged**: the same rebuilt again with nothing new.

After the timed runs it checks that the incremental site equals a build of the five runs from
scratch, file for file (``filecmp``), and counts the files the incremental rebuild wrote
(modification times) and removed.

    .venv/bin/python bench/bench_site.py [--repeat 5] [--work DIR] [--keep]

Figures (2026-12-02, this 2-core machine at a load of about 2, whole processes, medians of 5-9,
bytecode cached (``PYTHONPYCACHEPREFIX``); absolute times double when other work fills both
cores, the CPU figures hold better):

* full: 3.9-4.4 s CPU, 3.9-5.4 s wall (before issue 14's SVG charts: 24.9 s wall);
* incremental: 1.5-1.7 s CPU and wall; 15 of 594 files rendered and written (before the
  manifest and the paging from the oldest: the same as a full build, 591 files changed); about
  0.3 s more when ``PYTHONDONTWRITEBYTECODE`` makes every process compile the package;
* unchanged: 1.3-1.5 s, nothing rendered or written. Of the rebuild, starting Python and
  importing is about 0.5 s, ``read_ledger`` 0.25 s (most of it pydantic validating 17,082
  lines), loading the catalog 0.1 s.
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from catalog_watch.analysis.compare import compare
from catalog_watch.model.catalog import Catalog
from catalog_watch.settings.config import Config
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, append_ledger, ledger_records
from catalog_watch.store.snapshot import provider_files, write_snapshot

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "models-dev"
DAYS = ("2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28")
NEW_RUN = "2026-07-15T06:00:00Z"
CLI = [sys.executable, "-c", "from catalog_watch.cli.app import main; main()"]
FULL_TARGET, INCREMENTAL_TARGET = 10.0, 2.0


def _git(folder: Path, *args: str, when: str = "") -> str:
    dates = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
    environment = {
        **os.environ,
        **dates,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=folder, env=environment, check=True, text=True, capture_output=True
    )
    return done.stdout.strip()


def _commit(snapshots: Path, when: str) -> str:
    _git(snapshots, "add", "--all", ".")
    _git(snapshots, "commit", "--quiet", "--message", f"snapshot {when}", when=when)
    return _git(snapshots, "rev-parse", "HEAD")


def _run(snapshots: Path, catalog: Catalog, when: str, config: Config) -> int:
    """One run to ``catalog``: the ledger lines, the snapshot written; the snapshot measured
    from was committed at the previous run (or the baseline)."""
    commit = _git(snapshots, "rev-parse", "HEAD")
    report = compare(load_catalog(snapshots, config), catalog, config)
    records = ledger_records(report, time=when, commit=commit)
    append_ledger(snapshots / LEDGER_FILE, records)
    write_snapshot(snapshots, provider_files(catalog), {})
    return len(records)


def history(snapshots: Path) -> int:
    """The four real catalogs as a baseline and three runs; the number of ledger records."""
    config = Config()
    catalogs = [load_catalog(DATA / f"{day}.json", config) for day in DAYS]
    write_snapshot(snapshots, provider_files(catalogs[0]), {})
    _git(snapshots, "init", "--quiet")
    _commit(snapshots, f"{DAYS[0]}T00:00:00Z")
    total = 0
    for day, catalog in zip(DAYS[1:], catalogs[1:], strict=True):
        when = f"{day}T00:00:00Z"
        total += _run(snapshots, catalog, when, config)
        _commit(snapshots, when)
    return total


def one_more_run(snapshots: Path) -> int:
    """The small run on top of the history: two price changes and an added model."""
    config = Config()
    document = copy.deepcopy(load_catalog(snapshots, config).to_document())
    vercel = document["vercel"]["models"]
    preview = "google/gemini-3.1-flash-image-preview"
    vercel[preview]["cost"]["output"] = 2.5
    vercel["bench/new-model"] = {**copy.deepcopy(vercel[preview]), "id": "bench/new-model"}
    document["openai"]["models"]["gpt-4o"]["cost"]["input"] = 3.0
    count = _run(snapshots, parse_catalog(document), NEW_RUN, config)
    _commit(snapshots, NEW_RUN)
    return count


def timed(command: Sequence[str]) -> tuple[float, float]:
    """Wall and user + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def site(snapshots: Path, out: Path) -> list[str]:
    return [*CLI, "site", str(out), "--snapshots", str(snapshots)]


def _stamps(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file()
    }


def _same_tree(left: Path, right: Path) -> bool:
    names = set(_stamps(left)) | set(_stamps(right))
    return all(
        (left / name).is_file()
        and (right / name).is_file()
        and filecmp.cmp(left / name, right / name, shallow=False)
        for name in names
    )


def _row(name: str, figures: Sequence[tuple[float, float]], target: float | None) -> str:
    walls, cpus = [w for w, _ in figures], [c for _, c in figures]
    verdict = (
        "" if target is None else ("  met" if statistics.median(walls) <= target else "  NOT met")
    )
    return (
        f"{name:<12} wall {statistics.median(walls):6.2f} s (min {min(walls):.2f}, max "
        f"{max(walls):.2f})  cpu {statistics.median(cpus):6.2f} s"
        + (f"  target <= {target:.0f} s wall:{verdict}" if target is not None else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, help="folder to build in (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-site-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(work, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: {work}")


def _bench(work: Path, repeat: int) -> int:
    four, five = work / "four" / "models.dev", work / "five" / "models.dev"
    for folder in (four, five):
        shutil.rmtree(folder.parent, ignore_errors=True)
    records = history(four)
    shutil.copytree(four.parent, five.parent, symlinks=True)
    added = one_more_run(five)
    print(f"history: {records:,} records in 3 runs; the new run: {added:,} records")
    built, scratch, rebuilt = work / "site-four", work / "site-five", work / "site-rebuilt"
    full, incremental, unchanged = [], [], []
    for _ in range(repeat + 1):  # the first round warms the caches and is not counted
        shutil.rmtree(built, ignore_errors=True)
        full.append(timed(site(four, built)))
        shutil.rmtree(rebuilt, ignore_errors=True)
        shutil.copytree(built, rebuilt)
        before = _stamps(rebuilt)
        incremental.append(timed(site(five, rebuilt)))
        after = _stamps(rebuilt)
        unchanged.append(timed(site(five, rebuilt)))
    shutil.rmtree(scratch, ignore_errors=True)
    timed(site(five, scratch))
    written = sum(1 for name, stamp in after.items() if before.get(name) != stamp)
    removed = len(before.keys() - after.keys())
    print(_row("full", full[1:], FULL_TARGET))
    print(_row("incremental", incremental[1:], INCREMENTAL_TARGET))
    print(_row("unchanged", unchanged[1:], None))
    print(
        f"incremental rebuild: {written:,} of {len(after):,} files written, {removed:,} removed; "
        f"equal to a build from scratch: {'yes' if _same_tree(rebuilt, scratch) else 'NO'}"
    )
    return 0 if _same_tree(rebuilt, scratch) else 1


if __name__ == "__main__":
    sys.exit(main())
