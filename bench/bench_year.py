"""A year of hourly ``catalog-watch run --mode commit`` on a real catalog, through real git.

The upstream catalog starts as ``models-dev/2026-06-28.json`` and changes the way a catalog
does: in about ``--change-rate`` of the hours a few prices move (1 to 5 price changes), now and
then a model is added or one of those is removed; the other hours serve the same bytes. Every
hour runs the real CLI (``catalog_watch.cli.app.main``, in this one process, so that a run's figures
are not mostly Python's start-up) in commit mode in a clone, pushing to a bare ``origin``,
with the git clock at the simulated hour. Printed:

- per month: change runs, the median CPU of a change run and of a quiet run (this process and
  its git children), the median bytes a change run's process wrote (``wchar``: the staged
  files and the appends, most of it the touched provider files), the bytes it put into the
  ledger and changelog files (median, and the most: the month's roll-over), the git objects
  it added (loose, in the clone), and origin's packed size after ``git gc``;
- at the year's end: origin's packed size, the first twelfth of the change runs' CPU against
  the last twelfth's; then ``--pairs`` change runs taken in turns on the year's clone (its
  last day, December's files full) and on a fresh one, each pair with the same price
  changes, so that the machine's load weighs on both alike (CPU, and git's part of it); then
  ``history`` / ``price-at`` for the model the ledger shows repriced most, as whole processes
  of the installed CLI (ledger and ``--from-git``: the cache rebuilt, then read; median of
  ``--repeat``).

    .venv/bin/python bench/bench_year.py                 # 8,760 runs: about an hour here
    .venv/bin/python bench/bench_year.py --runs 744      # January alone
    .venv/bin/python bench/bench_year.py --keep DIR; ... --resume DIR  # checks, queries again
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from catalog_watch.cli.app import main as cli_main

START = datetime(2026, 1, 1, 0, 17, tzinfo=UTC)
CATALOG = Path("/work/shared/data/models-dev/2026-06-28.json")
FOLDER = "snapshots/models.dev"
CLI = Path(sys.executable).with_name("catalog-watch")
FACTORS = (0.5, 0.75, 0.8, 0.9, 1.1, 1.2, 1.25, 1.5, 2.0)


@dataclass(frozen=True, slots=True)
class Run:
    hour: int
    changes: int  # mutations of the upstream catalog this hour (0: the same bytes)
    cpu: float  # seconds, this process and its children
    git_cpu: float  # of which the children's (git)
    wall: float
    wrote: int  # bytes this process wrote (wchar)
    records: int  # bytes put into the ledger and changelog files (appended or written whole)
    loose: int  # KiB of loose git objects the run added to the clone
    code: int


def priced(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The offerings with an input and an output price, in a fixed order."""
    return [
        (pid, mid)
        for pid, provider in sorted(document.items())
        for mid, record in sorted(provider.get("models", {}).items())
        if isinstance(record.get("cost"), dict)
        and isinstance(record["cost"].get("input"), int | float)
        and isinstance(record["cost"].get("output"), int | float)
    ]


def reprice(rng: random.Random, *documents: dict[str, Any]) -> None:
    """The same 1 to 5 price changes in every document (offerings they all hold)."""
    common = sorted(set.intersection(*(set(priced(d)) for d in documents)))
    for pid, mid in rng.sample(common, rng.choice((1, 2, 3, 4, 5))):
        field, factor = rng.choice(("input", "output")), rng.choice(FACTORS)
        for document in documents:
            cost = document[pid]["models"][mid]["cost"]
            cost[field] = round(cost[field] * factor, 6) or 0.01


class Upstream:
    """The simulated upstream: a real catalog, changed at random (seeded) each hour."""

    def __init__(self, document: dict[str, Any], seed: int, rate: float) -> None:
        self.document, self.rng, self.rate = document, random.Random(seed), rate
        self.priced = priced(document)
        self.added: list[tuple[str, str]] = []

    def step(self, hour: int) -> int:
        """Change the catalog for ``hour``: the number of changes (0 most hours)."""
        rng = self.rng
        if rng.random() >= self.rate:
            return 0
        changes = 0
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 5))):
            pid, mid = rng.choice(self.priced)
            cost = self.document[pid]["models"][mid]["cost"]
            field = rng.choice(("input", "output"))
            cost[field] = round(cost[field] * rng.choice(FACTORS), 6) or 0.01
            changes += 1
        if rng.random() < 0.1:  # about one run in ten adds a model
            pid, mid = rng.choice(self.priced)
            new = f"{mid}-sim-{hour}"
            record = copy.deepcopy(self.document[pid]["models"][mid])
            record["id"] = new
            self.document[pid]["models"][new] = record
            self.added.append((pid, new))
            changes += 1
        if self.added and rng.random() < 0.04:  # and now and then takes one away again
            pid, mid = self.added.pop(rng.randrange(len(self.added)))
            del self.document[pid]["models"][mid]
            changes += 1
        return changes


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def count_objects(repo: Path) -> dict[str, int]:
    out = git(repo, "count-objects", "-v")
    return {k: int(v) for k, v in (line.split(": ") for line in out.splitlines())}


def packed_kib(origin: Path) -> int:
    git(origin, "gc", "--quiet")
    counts = count_objects(origin)
    return counts["size-pack"] + counts["size"]


def cpu_now() -> tuple[float, float]:
    """CPU seconds so far: this process's, its children's (git)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def wchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def setup(root: Path) -> tuple[Path, Path]:
    origin, clone = root / "origin.git", root / "clone"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "--quiet", str(origin), str(clone)], check=True)
    for key, value in (("user.name", "bench"), ("user.email", "bench@example.invalid")):
        git(clone, "config", key, value)
    git(clone, "config", "gc.auto", "0")  # the loose objects a run adds stay countable
    git(clone, "commit", "--quiet", "--allow-empty", "-m", "start")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    return origin, clone


def record_sizes(folder: Path) -> dict[str, int]:
    paths = [folder / "changes.jsonl", folder / "CHANGELOG.md"]
    paths += [*folder.glob("ledger/*.jsonl"), *folder.glob("changelog/*.md")]
    return {str(p.relative_to(folder)): p.stat().st_size for p in paths if p.exists()}


def record_bytes(before: dict[str, int], after: dict[str, int]) -> int:
    """Appended files count their growth; CHANGELOG.md, a new file or one rolled over (shorter
    than before) their size. A change run rewrites CHANGELOG.md: it counts whole."""
    total = 0
    for name, size in after.items():
        old = before.get(name)
        whole = name == "CHANGELOG.md" or old is None or size < old
        total += size if whole else size - (old or 0)
    return total


def one_run(
    clone: Path, source: Path, hour: int, changes: int, moment: datetime | None = None
) -> Run:
    """The CLI's commit-mode run in ``clone`` at ``hour`` (or at ``moment``)."""
    moment = moment or START + timedelta(hours=hour)
    os.chdir(clone)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp
    before_loose = count_objects(clone)["size"] if changes else 0
    sizes = record_sizes(clone / FOLDER)
    argv = ["run", "--mode", "commit", "--source", str(source), "--now", stamp]
    sink = io.StringIO()
    began, wall, wrote = cpu_now(), time.perf_counter(), wchar()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = cli_main(argv)
    own, kids = (now - then for now, then in zip(cpu_now(), began, strict=True))
    cpu, wall, wrote = own + kids, time.perf_counter() - wall, wchar() - wrote
    if code != 0:
        print(f"hour {hour}: exit {code}: {sink.getvalue()[-400:]}", file=sys.stderr)
    loose = count_objects(clone)["size"] - before_loose if changes else 0
    records = record_bytes(sizes, record_sizes(clone / FOLDER))
    return Run(hour, changes, cpu, kids, wall, wrote, records, loose, code)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def month_row(month: str, runs: list[Run], packed: int) -> str:
    changed = [r for r in runs if r.changes]
    quiet = [r for r in runs if not r.changes]
    return (
        f"{month:<9}{len(runs):>6}{len(changed):>8}"
        f"{median([r.cpu for r in changed]) * 1000:>12.0f}"
        f"{median([r.cpu for r in quiet]) * 1000:>10.0f}"
        f"{median([float(r.wrote) for r in changed]):>13,.0f}"
        f"{median([float(r.records) for r in changed]):>11,.0f}"
        f"{max((r.records for r in changed), default=0):>11,}"
        f"{median([float(r.loose) for r in changed]):>11.0f}"
        f"{packed / 1024:>11.2f}"
    )


HEADER = (
    f"{'month':<9}{'runs':>6}{'changed':>8}{'CPU ms/chg':>12}{'ms/quiet':>10}"
    f"{'wrote B/chg':>13}{'ledger+log':>11}{'max':>11}{'loose KiB':>11}{'packed MiB':>11}"
)


def timed(argv: list[str], cwd: Path, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of ``repeat`` whole processes; the last exit code."""
    walls, cpus, code = [], [], 0
    for _ in range(repeat):
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - kids.ru_utime - kids.ru_stime)
        code = done.returncode
    return statistics.median(walls), statistics.median(cpus), code


def queries(clone: Path, repeat: int) -> None:
    provider, model, times = most_repriced(clone)
    day = (read_meta_time(clone) - timedelta(days=180)).strftime("%Y-%m-%d")
    print(f"\nqueries for {provider}/{model} ({times} price changes), price-at {day}:")
    cache = clone / ".git" / "catalog-watch" / "history-cache"
    shutil.rmtree(cache, ignore_errors=True)
    history = ["history", model, "--provider", provider]
    cold, cold_cpu, code = timed([str(CLI), *history, "--from-git"], clone, 1)
    label = "history --from-git, no cache"
    print(f"{label:<30}{cold:>7.2f} s wall {cold_cpu:>6.2f} s CPU (exit {code})")
    cases = (
        ("history (ledger)", history),
        ("history --from-git", [*history, "--from-git"]),
        ("price-at (ledger)", ["price-at", model, day, "--provider", provider]),
        ("price-at --from-git", ["price-at", model, day, "--provider", provider, "--from-git"]),
    )
    for label, argv in cases:
        wall, cpu, code = timed([str(CLI), *argv], clone, repeat)
        print(f"{label:<30}{wall:>7.2f} s wall {cpu:>6.2f} s CPU (median of {repeat}, exit {code})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8760, help="hourly runs (8,760: a year)")
    parser.add_argument("--change-rate", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=3, help="processes per query timing")
    parser.add_argument("--pairs", type=int, default=30, help="change runs in the paired check")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    parser.add_argument("--resume", type=Path, help="a --keep folder: the checks and queries only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-year-") as tmp:
        root = args.resume or args.keep or Path(tmp)
        if args.resume is None:
            root.mkdir(parents=True, exist_ok=True)
            year(root, args)
        clone = root / "clone"
        paired(root, clone, args)
        queries(clone, args.repeat)
    return 0


def year(root: Path, args: Any) -> None:
    upstream = Upstream(orjson.loads(CATALOG.read_bytes()), args.seed, args.change_rate)
    origin, clone = setup(root)
    source = root / "api.json"
    print(f"{args.runs} hourly runs from {START:%Y-%m-%d %H:%M} UTC on {CATALOG.name}")
    print(HEADER, flush=True)
    runs: list[Run] = []
    month = START.strftime("%Y-%m")
    began = time.perf_counter()
    for hour in range(args.runs):
        moment = START + timedelta(hours=hour)
        if moment.strftime("%Y-%m") != month:
            print(month_row(month, _of(runs, month), packed_kib(origin)), flush=True)
            month = moment.strftime("%Y-%m")
        changes = upstream.step(hour) if hour else 1  # the first run: the baseline
        if changes or not source.exists():
            source.write_bytes(orjson.dumps(upstream.document))
        runs.append(one_run(clone, source, hour, changes))
    print(month_row(month, _of(runs, month), packed_kib(origin)))
    summary(runs, origin, clone, time.perf_counter() - began)


def _of(runs: list[Run], month: str) -> list[Run]:
    return [r for r in runs if (START + timedelta(hours=r.hour)).strftime("%Y-%m") == month]


def summary(runs: list[Run], origin: Path, clone: Path, elapsed: float) -> None:
    failed = sum(1 for r in runs if r.code != 0)
    packed = packed_kib(origin)
    commits = int(git(origin, "rev-list", "--count", "main"))
    print(f"\n{len(runs)} runs in {elapsed / 60:.1f} min ({failed} failed), {commits} commits")
    print(f"origin packed after git gc: {packed / 1024:.2f} MiB")
    changed = [r for r in runs[1:] if r.changes]  # the baseline run is not a change run
    first, last = changed[: max(1, len(changed) // 12)], changed[-max(1, len(changed) // 12) :]
    cpu_first, cpu_last = (median([r.cpu for r in part]) * 1000 for part in (first, last))
    wrote_first, wrote_last = (median([float(r.wrote) for r in part]) for part in (first, last))
    print(
        f"change-run CPU, first {len(first)} vs last {len(last)} change runs (median): "
        f"{cpu_first:.0f} ms vs {cpu_last:.0f} ms; bytes written {wrote_first:,.0f} vs "
        f"{wrote_last:,.0f}"
    )
    folder = clone / FOLDER
    sizes = {p.name: p.stat().st_size for p in (folder / "ledger").glob("*.jsonl")}
    print(
        f"ledger month files: {len(sizes)}, largest {max(sizes.values(), default=0):,} bytes; "
        f"CHANGELOG.md {(folder / 'CHANGELOG.md').stat().st_size:,} bytes"
    )


def paired(root: Path, clone: Path, args: Any) -> None:
    """Change runs taken in turns on the year's clone (seconds after its last run: December's
    files full) and on a fresh one (January's second hour on), each pair with the same price
    changes: the same load and work on both, so what differs is what a year left behind."""
    if args.pairs <= 0:
        return
    source, fresh_root = root / "api.json", root / "fresh"
    old = orjson.loads(source.read_bytes())
    last = read_meta_time(clone)
    shutil.rmtree(fresh_root, ignore_errors=True)
    fresh_root.mkdir()
    _, fresh = setup(fresh_root)
    new = orjson.loads(CATALOG.read_bytes())
    fresh_source = fresh_root / "api.json"
    fresh_source.write_bytes(orjson.dumps(new))
    one_run(fresh, fresh_source, 0, 1)  # its baseline
    rng = random.Random(args.seed + 1)
    years: list[Run] = []
    fresh_runs: list[Run] = []
    for n in range(1, args.pairs + 1):
        reprice(rng, old, new)
        source.write_bytes(orjson.dumps(old))
        fresh_source.write_bytes(orjson.dumps(new))
        years.append(one_run(clone, source, 0, 1, last + timedelta(seconds=n)))
        fresh_runs.append(one_run(fresh, fresh_source, n, 1))
    print(
        f"\npaired change runs ({args.pairs} each, taken in turns, the same changes), median "
        f"CPU: year's end {median([r.cpu for r in years]) * 1000:.0f} ms, "
        f"fresh repository {median([r.cpu for r in fresh_runs]) * 1000:.0f} ms (git's part "
        f"{median([r.git_cpu for r in years]) * 1000:.0f} vs "
        f"{median([r.git_cpu for r in fresh_runs]) * 1000:.0f} ms); "
        f"bytes written {median([float(r.wrote) for r in years]):,.0f} vs "
        f"{median([float(r.wrote) for r in fresh_runs]):,.0f}; ledger and changelog "
        f"{median([float(r.records) for r in years]):,.0f} vs "
        f"{median([float(r.records) for r in fresh_runs]):,.0f}"
    )


def read_meta_time(clone: Path) -> datetime:
    """The time of the clone's last commit (the last simulated run's hour)."""
    stamp = git(clone, "log", "-1", "--format=%cI").strip()
    return datetime.fromisoformat(stamp).astimezone(UTC)


def most_repriced(clone: Path) -> tuple[str, str, int]:
    """The offering with the most ``price_changed`` lines in the ledger: (provider, model, n)."""
    folder = clone / FOLDER
    counts: Counter[tuple[str, str]] = Counter()
    for path in [*sorted(folder.glob("ledger/*.jsonl")), folder / "changes.jsonl"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = orjson.loads(line)
            if record["kind"] == "price_changed":
                counts[(record["provider"], record["model"])] += 1
    (provider, model), times = counts.most_common(1)[0]
    return provider, model, times


if __name__ == "__main__":
    raise SystemExit(main())
