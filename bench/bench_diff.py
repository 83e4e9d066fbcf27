"""Benchmark ``catalog-watch diff --format json`` on real and synthetic models.dev catalogs.

Three parts, printed as tables (``--json FILE`` saves every figure):

1. Real pairs: the CLI timed as a whole process (interpreter start, imports, load, validate,
   diff, inconsistencies, render) beside an in-process whole-document ``DeepDiff`` of the same
   files, and a check that both find the same changed (provider, model) offerings.
2. Synthetic catalogs 1x, 5x, 20x the newest real one, with 1 % of the fields changed: wall
   time, peak RSS and time per offering, to show how the diff grows.
3. Where the wall time of one diff process goes: ``-X importtime`` and per-stage timers.

Run: ``.venv/bin/python bench/bench_diff.py [--quick] [--sizes 1,5,20] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import math
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "models-dev"
PAIRS = (("2026-03-10", "2026-06-28"), ("2026-01-05", "2026-03-10"))
NEWEST = "2026-06-28"
SEED = 20260628
CHANGED_SHARE = 0.01

TARGET_SYNTH_S = 6.0
TARGET_SYNTH_MB = 1024.0
LINEAR_SLACK = 1.5
"""Growth counts as linear while the net time per offering grows by at most this factor."""

# Options that make DeepDiff compare what our diff compares: per-offering changes (no collapse
# of far-apart objects into one change at the root), last_updated ignored, 3 == 3.0, and lists
# unordered (our diff compares every list ignoring order: modalities sorted, others by DeepDiff).
MATCHED_DEEPDIFF: dict[str, Any] = {
    "threshold_to_diff_deeper": 0,
    "exclude_regex_paths": [r"^root\[[^\]]+\](\['models'\]\[[^\]]+\])?\['last_updated'\]$"],
    "ignore_numeric_type_changes": True,
    "ignore_order": True,
}

# Runs one command with stdout to a file and prints its wall time and peak RSS. A fresh wrapper
# per run, so that RUSAGE_CHILDREN holds this one child and nothing else.
_WRAPPER = """
import json, resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    start = time.perf_counter()
    code = subprocess.call(sys.argv[2:], stdout=out)
    wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "maxrss": peak, "code": code}))
"""

# The floors, each run as a whole process beside the CLI. The minimal keyed walk does the least a
# keyed diff can: load both files, flatten them to (provider, model) -> record, compare the
# records, dump the changed ones. The DeepDiff process loads both files and diffs the documents.
KEYED_WALK = """
import json, sys
def flat(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    return {(p, m): r for p, v in doc.items() for m, r in v.get("models", {}).items()}
old, new = flat(sys.argv[1]), flat(sys.argv[2])
changed = [
    {"provider": k[0], "model": k[1], "old": old.get(k), "new": new.get(k)}
    for k in sorted(old.keys() | new.keys())
    if old.get(k) != new.get(k)
]
sys.stdout.write(json.dumps(changed, sort_keys=True))
"""
DEEPDIFF_PROCESS = """
import json, sys
from deepdiff import DeepDiff
with open(sys.argv[1], "rb") as a, open(sys.argv[2], "rb") as b:
    old, new = json.load(a), json.load(b)
sys.stdout.write(DeepDiff(old, new).to_json())
"""
TARGET_DEEPDIFF_PROCESS = 20.0
"""The diff process at least this many times faster than a whole-document DeepDiff process."""
TARGET_KEYED_RATIO = 2.0
"""... and at most this many times the minimal keyed walk process."""

JSONDoc = dict[str, Any]
Pair = tuple[str, str]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Runs:
    """Repeated timings of one thing (seconds) and the largest peak RSS seen (MB, 0 if n/a)."""

    times: tuple[float, ...]
    peak_mb: float = 0.0

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def to_json(self) -> JSONDoc:
        return {
            "times_s": [round(t, 4) for t in self.times],
            "median_s": round(self.median, 4),
            "best_s": round(self.best, 4),
            "peak_rss_mb": round(self.peak_mb, 1),
        }


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    measured: str
    limit: str
    passed: bool


# --------------------------------------------------------------------------- processes


def cli_command(override: str | None) -> list[str]:
    if override:
        return shlex.split(override)
    script = REPO / ".venv" / "bin" / "catalog-watch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "catalog_watch.cli.app"]


def run_once(
    command: Sequence[str], stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of ``command`` run as a child of a fresh wrapper process."""
    target = str(stdout) if stdout is not None else "/dev/null"
    wrapper = [sys.executable, "-c", _WRAPPER, target, *command]
    done = subprocess.run(wrapper, capture_output=True, text=True, check=True, env=env)
    figures = json.loads(done.stdout)
    if figures["code"] != 0:
        raise RuntimeError(f"{shlex.join(command)} exited with {figures['code']}")
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return figures["wall"], figures["maxrss"] / scale


def time_process(command: Sequence[str], repeat: int, env: dict[str, str] | None = None) -> Runs:
    """``repeat`` timed runs of ``command`` (the caller does a warm-up run first)."""
    runs = [run_once(command, env=env) for _ in range(repeat)]
    return Runs(tuple(wall for wall, _ in runs), max(peak for _, peak in runs))


def time_in_turn(first: Sequence[str], second: Sequence[str], repeat: int) -> tuple[Runs, Runs]:
    """Both commands ``repeat`` times, in turn (A B A B ...): both see the same machine load."""
    runs = [(run_once(first), run_once(second)) for _ in range(repeat)]
    return (
        Runs(tuple(a[0] for a, _ in runs), max(a[1] for a, _ in runs)),
        Runs(tuple(b[0] for _, b in runs), max(b[1] for _, b in runs)),
    )


def time_call(call: Callable[[], T], repeat: int) -> tuple[Runs, T]:
    """In-process timings of ``call`` (cyclic GC off, as in the CLI); returns the last result."""
    times: list[float] = []
    result = call()  # warm-up: lazy imports, caches
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
        gc.enable()
    return Runs(tuple(times)), result


def bytecode_cached_env(work: Path) -> dict[str, str] | None:
    """With PYTHONDONTWRITEBYTECODE set, an editable install compiles its sources in every
    process. This environment caches bytecode under ``work`` instead (the source tree is left
    alone), to show what an installed CLI costs. None when bytecode is cached anyway."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return None
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def diff_command(cli: Sequence[str], old: Path, new: Path) -> list[str]:
    return [*cli, "diff", str(old), str(new), "--format", "json"]


def load_json(path: Path) -> JSONDoc:
    document: JSONDoc = json.loads(path.read_bytes())
    return document


# --------------------------------------------------------------------------- changed offerings

Offering = tuple[str, str]
Entry = tuple[str, str, Any, Any]
"""One reported change of an offering: (kind or DeepDiff report type, field, old, new)."""


def ours_changed(report: JSONDoc, old: JSONDoc, new: JSONDoc) -> dict[Offering, list[Entry]]:
    """Offerings our ``changes[]`` touch, plus every model of an added or removed provider.

    ``cheapest_changed`` records are derived (a model group's cheapest channel moved because some
    offering's price did): they name a group, not an offering, and are left out.
    """
    found: dict[Offering, list[Entry]] = defaultdict(list)
    for change in report["changes"]:
        provider, model, kind = change["provider"], change["model"], change["kind"]
        if kind == "cheapest_changed":
            continue
        entry = (kind, change["field"] or "(whole)", change["old"], change["new"])
        if model is not None:
            found[(provider, model)].append(entry)
        elif kind in ("provider_added", "provider_removed"):
            document = new if kind == "provider_added" else old
            for model_id in document[provider]["models"]:
                found[(provider, model_id)].append(entry)
    return found


def deepdiff_changed(
    diff: Mapping[str, Any], old: JSONDoc, new: JSONDoc
) -> dict[Offering, list[Entry]]:
    """Offerings under DeepDiff's paths: ``root['p']['models']['m'][...]`` → ('p', 'm')."""
    from deepdiff.path import parse_path

    parse: Callable[[str], list[Any]] = parse_path
    found: dict[Offering, list[Entry]] = defaultdict(list)
    for report_type, items in diff.items():
        for path in items:
            detail = items[path] if isinstance(items, dict) else None
            before, after = _detail_values(detail)
            for offering, field in _offerings_at(parse(path), report_type, old, new):
                found[offering].append((report_type, field, before, after))
    return found


def _detail_values(detail: object) -> tuple[Any, Any]:
    if isinstance(detail, dict):
        return detail.get("old_value"), detail.get("new_value")
    return None, detail


def _offerings_at(
    parts: Sequence[Any], report_type: str, old: JSONDoc, new: JSONDoc
) -> Iterable[tuple[Offering, str]]:
    provider = str(parts[0])
    if len(parts) == 1 or (len(parts) == 2 and parts[1] == "models"):
        documents = [new] if "added" in report_type else [old]
        if "added" not in report_type and "removed" not in report_type:
            documents = [old, new]
        models = {m for d in documents for m in d.get(provider, {}).get("models", {})}
        return [((provider, model), "(whole)") for model in sorted(models)]
    if parts[1] == "models":
        field = ".".join(str(part) for part in parts[3:]) or "(whole)"
        return [((provider, str(parts[2])), field)]
    return []  # a provider-level field: no offering


# --------------------------------------------------------------------------- residuals

EXPLANATIONS = {
    "float noise": "our diff compares numbers exactly, so 0.5000000000000001 -> 0.5 is a "
    "price change of -0.0 % (severity info); DeepDiff with ignore_numeric_type_changes "
    "compares numbers rounded to 12 significant digits and sees nothing",
    "null/empty vs absent": "our diff reads a missing key as null and a missing object as "
    "{}, so adding `x: null` or `cost: {}` is no change; DeepDiff reports the key",
    "int vs float": "same number, another type: should not happen with the options above",
    "unexplained": "no known class: see the example",
}


@dataclass(frozen=True, slots=True)
class Residual:
    """Offerings only one side reports, grouped by why."""

    only_in: str
    reason: str
    count: int
    examples: tuple[str, ...]

    def to_json(self) -> JSONDoc:
        return {
            "only_in": self.only_in,
            "reason": self.reason,
            "count": self.count,
            "explanation": EXPLANATIONS[self.reason],
            "examples": list(self.examples),
        }


def residuals(
    ours: dict[Offering, list[Entry]],
    theirs: dict[Offering, list[Entry]],
    old: JSONDoc,
    new: JSONDoc,
) -> list[Residual]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for side, mine, other in (("catalog-watch", ours, theirs), ("DeepDiff", theirs, ours)):
        for offering in sorted(mine.keys() - other.keys()):
            entries = mine[offering]
            reason = _reason(entries, _record(old, offering), _record(new, offering))
            shown = "; ".join(f"{kind} {field}: {a!r} -> {b!r}" for kind, field, a, b in entries)
            groups[(side, reason)].append(f"{offering[0]}/{offering[1]}: {shown}")
    return [
        Residual(side, reason, len(examples), tuple(examples[:3]))
        for (side, reason), examples in sorted(groups.items())
    ]


def _record(document: JSONDoc, offering: Offering) -> Any:
    return document.get(offering[0], {}).get("models", {}).get(offering[1])


def _reason(entries: list[Entry], old: Any, new: Any) -> str:
    if all(
        _is_number(a) and _is_number(b) and a != b and math.isclose(a, b) for *_, a, b in entries
    ):
        return "float noise"
    if all(_is_number(a) and _is_number(b) and a == b for *_, a, b in entries):
        return "int vs float"
    if old is not None and new is not None and _pruned(old) == _pruned(new):
        return "null/empty vs absent"
    return "unexplained"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pruned(value: Any) -> Any:
    """Without last_updated, null values and empty objects: what our diff cannot tell apart."""
    if not isinstance(value, dict):
        return value
    kept = {k: _pruned(v) for k, v in value.items() if k != "last_updated" and v is not None}
    return {k: v for k, v in kept.items() if v != {}}


# --------------------------------------------------------------------------- real pairs


@dataclass(frozen=True, slots=True)
class PairResult:
    pair: Pair
    process: Runs
    process_cached: Runs | None
    """The same with a bytecode cache, when the environment forbids one (else None)."""
    load: Runs
    deepdiff_plain: Runs
    deepdiff_matched: Runs
    keyed: Runs
    walk_process: Runs
    """The minimal keyed walk (``KEYED_WALK``) as a whole process, run in turn with the CLI."""
    deepdiff_process: Runs
    """A whole-document DeepDiff (``DEEPDIFF_PROCESS``) as a whole process."""
    changes: int
    ours: int
    theirs: int
    common: int
    residuals: tuple[Residual, ...]

    @property
    def name(self) -> str:
        return f"{self.pair[0]} -> {self.pair[1]}"

    @property
    def fastest_deepdiff(self) -> Runs:
        return min(self.deepdiff_plain, self.deepdiff_matched, key=lambda runs: runs.best)

    @property
    def speedup(self) -> float:
        """Fastest DeepDiff, JSON load excluded, over the whole CLI process (median)."""
        return self.fastest_deepdiff.best / self.process.median

    @property
    def speedup_with_load(self) -> float:
        return (self.fastest_deepdiff.best + self.load.best) / self.process.median

    @property
    def over_deepdiff_process(self) -> float:
        """The DeepDiff process (median) over the CLI process (median): the speed-up."""
        return self.deepdiff_process.median / self.process.median

    @property
    def over_keyed_walk(self) -> float:
        """The CLI process over the minimal keyed walk process (medians): distance to the floor."""
        return self.process.median / self.walk_process.median

    @property
    def speedup_in_process(self) -> float:
        """Fastest DeepDiff over our ``diff_catalogs`` alone, both in this process."""
        return self.fastest_deepdiff.best / self.keyed.best

    def to_json(self) -> JSONDoc:
        return {
            "pair": list(self.pair),
            "cli_process": self.process.to_json(),
            "cli_process_bytecode_cached": self.process_cached.to_json()
            if self.process_cached
            else None,
            "json_load_both_files": self.load.to_json(),
            "deepdiff_plain": self.deepdiff_plain.to_json(),
            "deepdiff_matched": self.deepdiff_matched.to_json(),
            "diff_catalogs_in_process": self.keyed.to_json(),
            "keyed_walk_process": self.walk_process.to_json(),
            "deepdiff_process": self.deepdiff_process.to_json(),
            "cli_over_keyed_walk_process": round(self.over_keyed_walk, 2),
            "deepdiff_process_over_cli": round(self.over_deepdiff_process, 2),
            "speedup_vs_deepdiff_excl_load": round(self.speedup, 2),
            "speedup_vs_deepdiff_incl_load": round(self.speedup_with_load, 2),
            "speedup_in_process_diff_only": round(self.speedup_in_process, 2),
            "our_changes": self.changes,
            "changed_offerings": {"ours": self.ours, "deepdiff": self.theirs, "both": self.common},
            "residuals": [residual.to_json() for residual in self.residuals],
        }


def bench_pair(cli: Sequence[str], data: Path, pair: Pair, repeat: int, work: Path) -> PairResult:
    from deepdiff import DeepDiff

    old_path, new_path = (data / f"{name}.json" for name in pair)
    command = diff_command(cli, old_path, new_path)
    output = work / "report.json"
    run_once(command, output)  # also the warm-up run
    report = load_json(output)
    walk = [venv_python(), "-c", KEYED_WALK, str(old_path), str(new_path)]
    run_once(walk)  # warm-up
    process, walk_process = time_in_turn(command, walk, repeat)
    deepdiff = [venv_python(), "-c", DEEPDIFF_PROCESS, str(old_path), str(new_path)]
    deepdiff_process = time_process(deepdiff, max(1, min(repeat, 3)))  # seconds a run
    cached_env = bytecode_cached_env(work)
    process_cached = None
    if cached_env is not None:
        run_once(command, env=cached_env)  # fills the cache
        process_cached = time_process(command, repeat, cached_env)
    in_process = max(1, min(repeat, 3))  # a DeepDiff takes seconds: three runs are plenty
    load, _ = time_call(lambda: (load_json(old_path), load_json(new_path)), in_process)
    old, new = load_json(old_path), load_json(new_path)
    plain, _ = time_call(lambda: DeepDiff(old, new), in_process)
    matched, diff = time_call(lambda: DeepDiff(old, new, **MATCHED_DEEPDIFF), in_process)
    ours = ours_changed(report, old, new)
    theirs = deepdiff_changed(diff, old, new)
    return PairResult(
        keyed=time_keyed_diff(old, new, in_process),
        walk_process=walk_process,
        deepdiff_process=deepdiff_process,
        pair=pair,
        process=process,
        process_cached=process_cached,
        load=load,
        deepdiff_plain=plain,
        deepdiff_matched=matched,
        changes=len(report["changes"]),
        ours=len(ours),
        theirs=len(theirs),
        common=len(ours.keys() & theirs.keys()),
        residuals=tuple(residuals(ours, theirs, old, new)),
    )


def time_keyed_diff(old: JSONDoc, new: JSONDoc, repeat: int) -> Runs:
    """Our own ``diff_catalogs`` in this process, on validated catalogs (no load, no start)."""
    from catalog_watch.analysis.diff import diff_catalogs
    from catalog_watch.sources.models_dev import parse_catalog

    before, after = parse_catalog(old), parse_catalog(new)
    runs, _ = time_call(lambda: diff_catalogs(before, after), repeat)
    return runs


# --------------------------------------------------------------------------- synthetic catalogs

FLAGS = ("attachment", "reasoning", "tool_call", "open_weights", "temperature", "structured_output")
MUTATIONS = ("price", "limit", "flag", "model_added", "model_removed")
MUTATION_WEIGHTS = (40, 25, 20, 8, 7)


def replicate(base: JSONDoc, factor: int) -> JSONDoc:
    """``factor`` copies of every provider; copy k > 0 of ``openai`` is ``openai~k``."""
    document: JSONDoc = {}
    for copy_no in range(factor):
        for provider_id in sorted(base):
            new_id = provider_id if copy_no == 0 else f"{provider_id}~{copy_no}"
            document[new_id] = {**base[provider_id], "id": new_id}
    return document


def count_fields(value: Any) -> int:
    """Leaf fields of a record; a list counts as one field, as our diff compares lists whole."""
    if isinstance(value, dict):
        return sum(count_fields(item) for item in value.values())
    return 1


def mutated(old: JSONDoc, rng: random.Random, share: float) -> tuple[JSONDoc, Counter[str]]:
    """A "new" catalog with ``share`` of the old one's fields changed (records copied on write)."""
    new = {pid: {**provider, "models": dict(provider["models"])} for pid, provider in old.items()}
    slots = [(pid, mid) for pid in sorted(new) for mid in sorted(new[pid]["models"])]
    fields = sum(
        count_fields(record) for provider in old.values() for record in provider["models"].values()
    )
    budget = round(fields * share)
    done: Counter[str] = Counter()
    touched: set[Offering] = set()
    while sum(done.values()) < budget:
        kind = rng.choices(MUTATIONS, MUTATION_WEIGHTS)[0]
        slot = rng.choice(slots)
        if slot not in touched and _mutate(new, slot, kind, rng):
            touched.add(slot)
            done[kind] += 1
    return new, done


def _mutate(document: JSONDoc, slot: Offering, kind: str, rng: random.Random) -> bool:
    models = document[slot[0]]["models"]
    if kind == "model_removed":
        del models[slot[1]]
        return True
    record = copy.deepcopy(models[slot[1]])
    if kind == "model_added":
        record["id"] = f"{slot[1]}-next"
        if record["id"] in models:
            return False
        models[record["id"]] = record
        return True
    if not _change_field(record, kind, rng):
        return False
    models[slot[1]] = record
    return True


def _change_field(record: JSONDoc, kind: str, rng: random.Random) -> bool:
    if kind == "price":
        cost = record.get("cost", {})
        keys = sorted(k for k, v in cost.items() if _is_number(v) and v > 0)
        if not keys:
            return False
        key = rng.choice(keys)
        cost[key] = round(cost[key] * rng.choice((0.5, 0.8, 1.25, 2.0)), 6)
    elif kind == "limit":
        key = rng.choice(("context", "output"))
        record["limit"][key] = int(record["limit"][key] * rng.choice((0.5, 2))) + 1
    else:
        keys = sorted(k for k in FLAGS if isinstance(record.get(k), bool))
        if not keys:
            return False
        key = rng.choice(keys)
        record[key] = not record[key]
    return True


def write_json(document: JSONDoc, path: Path) -> int:
    """Compact JSON, as models.dev serves it; returns the size in bytes."""
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(data)
    return len(data)


@dataclass(frozen=True, slots=True)
class SizeResult:
    label: str
    offerings: int
    providers: int
    file_mb: float
    mutations: dict[str, int]
    changes: int
    process: Runs

    def net_us_per_offering(self, fixed: float) -> float:
        """Median wall time minus the fixed cost of a process, per offering, in µs."""
        return (self.process.median - fixed) / self.offerings * 1e6

    def to_json(self, fixed: float) -> JSONDoc:
        return {
            "label": self.label,
            "providers": self.providers,
            "offerings": self.offerings,
            "old_file_mb": round(self.file_mb, 2),
            "mutations": self.mutations,
            "changes_reported": self.changes,
            "process": self.process.to_json(),
            "us_per_offering": round(self.process.median / self.offerings * 1e6, 2),
            "net_us_per_offering": round(self.net_us_per_offering(fixed), 2),
        }


def bench_size(
    cli: Sequence[str], label: str, old: JSONDoc, repeat: int, work: Path, seed: int
) -> SizeResult:
    new, done = mutated(old, random.Random(seed), CHANGED_SHARE)
    old_path, new_path = work / f"{label}-old.json", work / f"{label}-new.json"
    size = write_json(old, old_path)
    write_json(new, new_path)
    command = diff_command(cli, old_path, new_path)
    output = work / f"{label}-report.json"
    run_once(command, output)  # also the warm-up run
    changes = len(load_json(output)["changes"])
    process = time_process(command, repeat)
    for path in (old_path, new_path, output):
        path.unlink()
    return SizeResult(
        label=label,
        offerings=sum(len(provider["models"]) for provider in old.values()),
        providers=len(old),
        file_mb=size / 1e6,
        mutations=dict(sorted(done.items())),
        changes=changes,
        process=process,
    )


def tiny_catalog(base: JSONDoc) -> JSONDoc:
    """One provider with one model: the fixed cost of a diff process (start, imports, render)."""
    provider_id = sorted(base)[0]
    provider = base[provider_id]
    model_id = sorted(provider["models"])[0]
    return {provider_id: {**provider, "models": {model_id: provider["models"][model_id]}}}


def bench_sizes(
    cli: Sequence[str], base: JSONDoc, factors: Sequence[int], repeat: int, work: Path
) -> tuple[SizeResult, list[SizeResult]]:
    fixed = bench_size(cli, "tiny", tiny_catalog(base), repeat, work, SEED)
    sizes = [
        bench_size(cli, f"{factor}x", replicate(base, factor), repeat, work, SEED + factor)
        for factor in factors
    ]
    return fixed, sizes


def linear_ratio(sizes: Sequence[SizeResult], fixed: float) -> float | None:
    """Net time per offering at the largest size over that at the smallest (1.0: linear)."""
    if len(sizes) < 2:
        return None
    ordered = sorted(sizes, key=lambda size: size.offerings)
    first, last = ordered[0].net_us_per_offering(fixed), ordered[-1].net_us_per_offering(fixed)
    return last / first if first > 0 else None


# --------------------------------------------------------------------------- time breakdown

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def venv_python() -> str:
    python = REPO / ".venv" / "bin" / "python"
    return str(python) if python.exists() else sys.executable


@dataclass(frozen=True, slots=True)
class ImportTimes:
    """``-X importtime`` of one diff process (seconds; the tracing itself inflates them)."""

    total: float
    by_package: list[tuple[str, float]]
    """Self time summed per top-level package (``pydantic`` holds pydantic.* only)."""
    statements: list[tuple[str, float]]
    """Cumulative time of each outermost import, eager or lazy (what one statement costs)."""


def import_times(old: Path, new: Path) -> ImportTimes:
    command = [venv_python(), "-X", "importtime", "-m", "catalog_watch.cli.app"]
    command += ["diff", str(old), str(new), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    per_package: dict[str, float] = defaultdict(float)
    outermost: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            own, cumulative, indent, name = match.groups()
            per_package[name.split(".")[0]] += int(own) / 1e6
            if len(indent) <= 1:
                outermost.append((name, int(cumulative) / 1e6))
    return ImportTimes(
        total=sum(per_package.values()),
        by_package=_top(per_package.items(), 10),
        statements=_top(outermost, 10),
    )


def _top(items: Iterable[tuple[str, float]], count: int) -> list[tuple[str, float]]:
    return sorted(items, key=lambda item: item[1], reverse=True)[:count]


@dataclass(frozen=True, slots=True)
class Breakdown:
    pair: Pair
    startup: Runs
    imports: ImportTimes
    stages: list[tuple[str, float]]
    process: Runs
    """The whole CLI process, timed between the stage runs."""
    floor: Runs
    """The minimal keyed walk process (``KEYED_WALK``), timed between the stage runs too."""

    def to_json(self) -> JSONDoc:
        return {
            "pair": list(self.pair),
            "interpreter_start": self.startup.to_json(),
            "importtime_total_s": round(self.imports.total, 4),
            "importtime_self_by_package_s": _rounded(self.imports.by_package),
            "importtime_outermost_imports_s": _rounded(self.imports.statements),
            "stages_s": _rounded(self.stages),
            "cli_process": self.process.to_json(),
            "keyed_walk_process": self.floor.to_json(),
        }


def _rounded(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    return {name: round(seconds, 4) for name, seconds in pairs}


def breakdown(cli: Sequence[str], data: Path, pair: Pair, repeat: int, profile: bool) -> Breakdown:
    old, new = (data / f"{name}.json" for name in pair)
    python = venv_python()
    startup = time_process([python, "-c", "pass"], repeat)
    imports = import_times(old, new)
    stages_command = [
        python,
        str(Path(__file__).resolve().parent / "stages.py"),
        str(old),
        str(new),
    ]
    if profile:  # an extra run: profiling slows it down
        done = subprocess.run([*stages_command, "--profile"], capture_output=True, text=True)
        sys.stderr.write(done.stderr)
    walk = [python, "-c", KEYED_WALK, str(old), str(new)]
    runs, walls, floors = [], [], []
    for _ in range(repeat):  # stages, the whole CLI and the floor in turn: the same load
        done = subprocess.run(stages_command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
        walls.append(run_once(diff_command(cli, old, new))[0])
        floors.append(run_once(walk)[0])
    stages = [
        (name, statistics.median(run[i][1] for run in runs)) for i, (name, _) in enumerate(runs[0])
    ]
    return Breakdown(pair, startup, imports, stages, Runs(tuple(walls)), Runs(tuple(floors)))


# --------------------------------------------------------------------------- targets and output


def targets(
    pairs: Sequence[PairResult], sizes: Sequence[SizeResult], fixed: SizeResult | None
) -> list[Target]:
    found: list[Target] = []
    for pair in pairs:
        found.append(
            Target(
                f"{pair.name}: speed-up over a whole-document DeepDiff process",
                f"{pair.over_deepdiff_process:.1f}x",
                f">= {TARGET_DEEPDIFF_PROCESS:.0f}x",
                pair.over_deepdiff_process >= TARGET_DEEPDIFF_PROCESS,
            )
        )
        found.append(
            Target(
                f"{pair.name}: diff process / minimal keyed walk process",
                f"{pair.over_keyed_walk:.2f}x",
                f"<= {TARGET_KEYED_RATIO:.0f}x",
                pair.over_keyed_walk <= TARGET_KEYED_RATIO,
            )
        )
    found.extend(_size_targets(sizes, fixed))
    return found


def _size_targets(sizes: Sequence[SizeResult], fixed: SizeResult | None) -> list[Target]:
    found: list[Target] = []
    for size in (s for s in sizes if s.label == "20x"):
        median, peak = size.process.median, size.process.peak_mb
        found.append(
            Target(
                "20x synthetic: wall (median)",
                f"{median:.2f} s",
                f"<= {TARGET_SYNTH_S} s",
                median <= TARGET_SYNTH_S,
            )
        )
        found.append(
            Target(
                "20x synthetic: peak RSS",
                f"{peak:.0f} MB",
                f"<= {TARGET_SYNTH_MB:.0f} MB",
                peak <= TARGET_SYNTH_MB,
            )
        )
    ratio = linear_ratio(sizes, fixed.process.median) if fixed is not None else None
    if ratio is not None:
        found.append(
            Target(
                "growth is linear: net time/offering, largest over smallest size",
                f"{ratio:.2f}",
                f"<= {LINEAR_SLACK}",
                ratio <= LINEAR_SLACK,
            )
        )
    return found


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], left: int = 1) -> str:
    """Plain text table: the first ``left`` columns left-aligned, the others right-aligned."""
    cells = [list(headers), *([_cell(value) for value in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def print_pairs(pairs: Sequence[PairResult]) -> None:
    print("\n## Real catalogs: the CLI as a whole process, beside its floors\n")
    headers = ["pair", "median s", "best s", "peak RSS MB", "changes", "keyed walk s"]
    headers += ["/ walk", "DeepDiff process s", "speed-up"]
    rows: list[list[object]] = []
    for p in pairs:
        rows.append(
            [
                p.name,
                p.process.median,
                p.process.best,
                p.process.peak_mb,
                p.changes,
                p.walk_process.median,
                f"{p.over_keyed_walk:.2f}x",
                p.deepdiff_process.median,
                f"{p.over_deepdiff_process:.1f}x",
            ]
        )
        if p.process_cached is not None:
            cached = p.process_cached
            rows.append(
                ["  same, bytecode cached", cached.median, cached.best, cached.peak_mb] + [""] * 5
            )
    print(table(headers, rows))
    print(
        "\nkeyed walk: load both files, flatten to (provider, model) -> record, compare, dump the"
    )
    print("changed records (the least a keyed diff does), run in turn with the CLI; DeepDiff")
    print("process: load both files, DeepDiff(old, new), dump. Medians of wall seconds.")
    if any(p.process_cached for p in pairs):
        print("\nPYTHONDONTWRITEBYTECODE is set: the editable install compiles catalog_watch in")
        print("every process. 'bytecode cached' reruns with PYTHONPYCACHEPREFIX in a temp dir.")
    print("\n## Real catalogs: whole-document DeepDiff, in-process (best of runs)\n")
    headers = ["pair", "JSON load s", "DeepDiff plain s", "DeepDiff matched s", "speed-up"]
    headers += ["incl. load", "our diff_catalogs s", "in-process speed-up"]
    print(table(headers, [_deepdiff_row(pair) for pair in pairs]))
    print(f"\nplain = DeepDiff(old, new); matched = DeepDiff(old, new, **{MATCHED_DEEPDIFF})")
    print("speed-up = fastest DeepDiff (JSON load excluded) / CLI process median (all included);")
    print("incl. load: DeepDiff + json.loads of both files; in-process: DeepDiff / diff_catalogs")
    print("\n## Changed (provider, model) offerings: catalog-watch vs matched DeepDiff\n")
    headers = ["pair", "ours", "DeepDiff", "both", "only ours", "only DeepDiff"]
    rows = [
        [p.name, p.ours, p.theirs, p.common, p.ours - p.common, p.theirs - p.common] for p in pairs
    ]
    print(table(headers, rows))
    for pair in pairs:
        for residual in pair.residuals:
            print(f"\n{pair.name}: {residual.count} only in {residual.only_in} ({residual.reason})")
            print(f"  why: {EXPLANATIONS[residual.reason]}")
            for example in residual.examples:
                print(f"  e.g. {example[:200]}")


def _deepdiff_row(p: PairResult) -> list[object]:
    deepdiff = (p.load.best, p.deepdiff_plain.best, p.deepdiff_matched.best)
    speedups = (f"{p.speedup:.1f}x", f"{p.speedup_with_load:.1f}x")
    return [p.name, *deepdiff, *speedups, p.keyed.best, f"{p.speedup_in_process:.0f}x"]


def _size_row(s: SizeResult, fixed: float, is_fixed: bool) -> list[object]:
    per_offering = s.process.median / s.offerings * 1e6
    net = "-" if is_fixed else f"{s.net_us_per_offering(fixed):.2f}"
    figures = [s.process.median, s.process.best, s.process.peak_mb, f"{per_offering:.2f}", net]
    return [s.label, s.providers, s.offerings, s.file_mb, s.changes, *figures]


def print_sizes(fixed: SizeResult, sizes: Sequence[SizeResult]) -> None:
    print(f"\n## Synthetic catalogs ({CHANGED_SHARE:.0%} of fields changed, seed {SEED})\n")
    headers = ["size", "providers", "offerings", "file MB", "changes", "median s", "best s"]
    headers += ["peak MB", "us/offering", "net us/offering"]
    base = fixed.process.median
    rows = [_size_row(size, base, size is fixed) for size in (fixed, *sizes)]
    print(table(headers, rows))
    print(f"\nnet = (median - {base:.3f} s, the 'tiny' 1-offering diff) / offerings")
    for size in sizes:
        print(f"{size.label} mutations: {size.mutations}")
    ratio = linear_ratio(sizes, base)
    if ratio is not None:
        print(f"net time per offering, largest / smallest size: {ratio:.2f} (1.00 = linear)")


def print_breakdown(found: Breakdown) -> None:
    print(f"\n## Where one diff process's time goes ({found.pair[0]} -> {found.pair[1]})\n")
    imports = found.imports
    print(f"-X importtime, all imports (tracing inflates them): {imports.total * 1e3:.0f} ms\n")
    print(table(["package (self time)", "ms"], _ms_rows(imports.by_package)))
    print()
    print(table(["outermost import (cumulative)", "ms"], _ms_rows(imports.statements)))
    print("\nstages, in-process timers, median of the runs (imports inside a stage count there):\n")
    rows = [("interpreter start (python -c pass)", found.startup.median), *found.stages]
    rest = found.process.median - sum(seconds for _, seconds in rows)
    rows.append(("rest: stdout write, interpreter exit, noise", rest))
    total = sum(seconds for _, seconds in rows)
    shares = [[name, f"{s * 1e3:.1f}", f"{s / total:.0%}"] for name, s in rows]
    print(table(["stage", "ms", "share"], [*shares, ["total", f"{total * 1e3:.1f}", "100%"]]))
    print("(total = the whole CLI process, median of runs made in turn with the stage runs)")
    floor = found.floor.median
    print(
        f"floor: the minimal keyed walk process {floor * 1e3:.1f} ms; the CLI is "
        f"{found.process.median / floor:.2f}x it (target <= {TARGET_KEYED_RATIO:.0f}x)"
    )
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("(PYTHONDONTWRITEBYTECODE is set: the imports include compiling catalog_watch)")


def _ms_rows(pairs: Iterable[tuple[str, float]]) -> list[list[object]]:
    return [[name, f"{seconds * 1e3:.1f}"] for name, seconds in pairs]


def print_targets(found: Sequence[Target]) -> None:
    print("\n## Targets\n")
    rows = [["PASS" if t.passed else "FAIL", t.name, t.measured, t.limit] for t in found]
    print(table(["result", "target", "measured", "limit"], rows, left=2))


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of <date>.json")
    parser.add_argument("--sizes", help="synthetic size factors (default 1,5,20; quick: 1,5)")
    parser.add_argument("--repeat", type=int, help="timed runs per process (default 5; quick: 2)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save the figures as JSON")
    parser.add_argument("--parts", default="real,synthetic,breakdown", help="which parts to run")
    parser.add_argument("--profile", action="store_true", help="cProfile the stages (stderr)")
    parser.add_argument("--cli", help="command to run instead of .venv/bin/catalog-watch")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (2 if args.quick else 5)
    args.sizes = [int(f) for f in (args.sizes or ("1,5" if args.quick else "1,5,20")).split(",")]
    args.parts = set(args.parts.split(","))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    needed = {NEWEST} | {name for pair in PAIRS for name in pair}
    missing = [f"{n}.json" for n in sorted(needed) if not (args.data / f"{n}.json").exists()]
    if missing:
        print(
            f"bench_diff: {args.data}: missing {', '.join(missing)} (use --data DIR)",
            file=sys.stderr,
        )
        return 2
    cli = cli_command(args.cli)
    figures: JSONDoc = {"cli": cli, "repeat": args.repeat, "python": sys.version.split()[0]}
    print(f"catalog-watch: {shlex.join(cli)}; {args.repeat} timed runs per process")
    pairs: list[PairResult] = []
    fixed: SizeResult | None = None
    sizes: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        if "real" in args.parts:
            pairs = [bench_pair(cli, args.data, pair, args.repeat, Path(tmp)) for pair in PAIRS]
            print_pairs(pairs)
            figures["real_pairs"] = [pair.to_json() for pair in pairs]
        if "synthetic" in args.parts:
            base = load_json(args.data / f"{NEWEST}.json")
            fixed, sizes = bench_sizes(cli, base, args.sizes, args.repeat, Path(tmp))
            print_sizes(fixed, sizes)
            figures["tiny"] = fixed.to_json(fixed.process.median)
            figures["synthetic"] = [s.to_json(fixed.process.median) for s in sizes]
    if "breakdown" in args.parts:
        found = breakdown(cli, args.data, PAIRS[0], args.repeat, args.profile)
        print_breakdown(found)
        figures["breakdown"] = found.to_json()
    checked = targets(pairs, sizes, fixed)
    print_targets(checked)
    figures["targets"] = [
        {"name": t.name, "measured": t.measured, "limit": t.limit, "pass": t.passed}
        for t in checked
    ]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
