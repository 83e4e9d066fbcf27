"""Time ``history`` and ``price-at`` (ledger and ``--from-git``) for one model on a repository
of many hourly snapshot commits, as whole processes.

The repository is built in one ``git fast-import`` stream from a real catalog (no CLI run per
commit): the first commit writes every provider file, each later one changes one to three
prices (now and then adds or removes a model), an hour apart, and the ledger beside the
snapshot gets the matching lines. Outputs are kept per command so two builds can be compared
with ``cmp`` (``--keep DIR``).

    .venv/bin/python bench/bench_history.py --commits 2000 --repeat 3 --keep /tmp/bh-after
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import canonical_json, provider_files

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "models-dev" / "2026-06-28.json"
FOLDER = "snapshots/models.dev"
START = datetime(2026, 1, 1, tzinfo=UTC)
MODEL = "claude-sonnet-4-5"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(repo: Path, commits: int, seed: int) -> str:
    """The bench repository with ``commits`` snapshot commits; returns a mid-history date."""
    rng = random.Random(seed)
    catalog = parse_catalog(json.loads(DATA.read_bytes()), max_rejected_share=1.0)
    docs = {name[:-5]: json.loads(data) for name, data in provider_files(catalog).items()}
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream: list[bytes] = []
    ledger: list[str] = []
    removed: dict[tuple[str, str], object] = {}

    def commit(index: int, files: dict[str, bytes]) -> None:
        seconds = int((START + timedelta(hours=index)).timestamp())
        message = f"snapshot {index}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer bench <bench@example.com> {seconds} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        for name, data in files.items():
            stream.append(f"M 100644 inline {FOLDER}/{name}\n".encode())
            stream.append(b"data %d\n%s\n" % (len(data), data))

    commit(0, {f"{pid}.json": canonical_json(doc) for pid, doc in docs.items()})
    for index in range(1, commits):
        at = _stamp(START + timedelta(hours=index))
        touched: set[str] = set()
        for _ in range(rng.randint(1, 3)):
            pid = rng.choice(sorted(docs))
            models = docs[pid]["models"]
            if not models:
                continue
            touched.add(pid)
            model = rng.choice(sorted(models))
            roll = rng.random()
            if roll < 0.03 and len(models) > 1:
                removed[(pid, model)] = models.pop(model)
                ledger.append(_line("model_removed", at, pid, model, None, None, None))
            elif roll < 0.06 and removed:
                (back_pid, back), record = removed.popitem()
                docs[back_pid]["models"][back] = record
                touched.add(back_pid)
                ledger.append(_line("model_added", at, back_pid, back, None, None, {}))
            else:
                cost = models[model].setdefault("cost", {})
                old = cost.get("input")
                new = round((old or 1.0) * rng.choice((0.9, 1.1)), 4)
                cost["input"] = new
                ledger.append(_line("price_changed", at, pid, model, "cost.input", old, new))
        commit(index, {f"{pid}.json": canonical_json(docs[pid]) for pid in sorted(touched)})
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True
    )
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    (repo / FOLDER / "changes.jsonl").write_text("".join(ledger), encoding="utf-8")
    return (START + timedelta(hours=commits // 2)).date().isoformat()


def _line(
    kind: str, at: str, pid: str, model: str, field: str | None, old: object, new: object
) -> str:
    record = {
        "kind": kind,
        "provider": pid,
        "model": model,
        "field": field,
        "old": old,
        "new": new,
        "severity": "info",
        "source": "models.dev",
        "time": at,
        "commit": None,
    }
    return json.dumps(record, sort_keys=True) + "\n"


def timed(command: list[str], out: Path) -> tuple[float, int]:
    """Wall seconds and the exit code of one whole process, stdout to ``out``."""
    began = time.perf_counter()
    with out.open("wb") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - began, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--cli", default=str(HERE.parent / ".venv" / "bin" / "catalog-watch"))
    parser.add_argument("--keep", type=Path, help="write each command's output here")
    parser.add_argument("--repo", type=Path, help="reuse (or build) the repository here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        repo = args.repo or work / "repo"
        began = time.perf_counter()
        if not (repo / ".git").exists():
            day = build(repo, args.commits, args.seed)
        else:
            day = (START + timedelta(hours=args.commits // 2)).date().isoformat()
        print(f"repository: {args.commits} commits, built in {time.perf_counter() - began:.1f} s")
        keep = args.keep or work / "out"
        keep.mkdir(parents=True, exist_ok=True)
        common = ["--repo", str(repo), "--snapshots", FOLDER]
        cases = {
            "history-git": ["history", args.model, "--from-git"],
            "price-at-git": ["price-at", args.model, day, "--from-git"],
            "history-ledger": ["history", args.model],
            "price-at-ledger": ["price-at", args.model, day],
        }
        print(f"{'command':<18}{'first s':>9}{'median s':>10}{'best s':>8}  rc")
        for name, words in cases.items():
            command = [args.cli, *words, *common]
            first, rc = timed(command, keep / f"{name}.out")
            runs = [timed(command, work / "scratch")[0] for _ in range(args.repeat)]
            median, best = statistics.median(runs), min(runs)
            print(f"{name:<18}{first:>9.2f}{median:>10.2f}{best:>8.2f}  {rc}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"outputs in {keep}; peak child RSS {peak:.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
