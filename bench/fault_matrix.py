"""Print issue 9's fault matrix: fault by Slack mode → ok / lost / duplicated, with counts.

Runs every scenario of ``tests/fault_harness.py`` (the same ones as ``tests/test_fault_matrix.py``:
the real CLI in commit mode, real git with a bare origin, the loopback catalog and Slack, a kill
or an outage at one step, then the next run from the same clone and from a fresh clone) and
prints a Markdown table, one row per fault and mode:

    | fault | mode | result |
    |---|---|---|
    | kill after commit, before push | bot | ok |

When the two recoveries disagree the cell says which is which. ``--details`` adds, under the
table, what went wrong in each failing scenario and how each run ended.

    .venv/bin/python bench/fault_matrix.py                       # all of it, 3 at a time
    .venv/bin/python bench/fault_matrix.py --jobs 1 --only overlap,slack-502 --details
    .venv/bin/python bench/fault_matrix.py --modes bot --recovery "fresh clone" --keep /tmp/fm
    FAULT_MATRIX_CLI="python -m catalog_watch.cli.app" .venv/bin/python bench/fault_matrix.py

Exit status: 0 when every scenario that ran is ok, 1 otherwise. Needs the project venv
(``inotify_simple``, ``slack_sdk``); the disk-full and read-only rows want root (a tmpfs, a
read-only bind mount) and are "skipped" with the reason elsewhere.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.* from the repository

from tests.fault_harness import (
    ALL_MODES,
    FAULTS,
    RECOVERIES,
    Matrix,
    ScenarioSkipped,
    Spec,
    Verdict,
    default_jobs,
    scenarios,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="scenarios at a time")
    parser.add_argument("--only", help="comma-separated fault keys (default: every fault)")
    parser.add_argument(
        "--modes", default=",".join(ALL_MODES), help=f"default: {','.join(ALL_MODES)}"
    )
    parser.add_argument(
        "--recovery", choices=[*RECOVERIES, "both"], default="both", help="default: both"
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--details", action="store_true", help="explain every failing scenario")
    parser.add_argument("--list", action="store_true", help="list the fault keys and exit")
    args = parser.parse_args(argv)

    if args.list:
        for key, fault in FAULTS.items():
            print(f"{key:26} {fault.title} ({', '.join(fault.modes)})")
        return 0
    keys = args.only.split(",") if args.only else list(FAULTS)
    unknown = [key for key in keys if key not in FAULTS]
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(unknown)} (see --list)")
    modes = args.modes.split(",")
    recoveries = RECOVERIES if args.recovery == "both" else (args.recovery,)
    specs = [
        spec
        for spec in scenarios()
        if spec[0] in keys and spec[1] in modes and spec[2] in recoveries
    ]

    started = time.monotonic()
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        outcomes = _run(Matrix(args.keep), specs, args.jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="fault-matrix-") as scratch:
            outcomes = _run(Matrix(Path(scratch)), specs, args.jobs)
    elapsed = time.monotonic() - started

    print(_table(specs, outcomes))
    print(f"\n{len(specs)} scenarios in {elapsed:.0f} s ({args.jobs} at a time).")
    if args.details:
        for spec in specs:
            outcome = outcomes[spec]
            if isinstance(outcome, Verdict) and not outcome.ok:
                print(f"\n{outcome.report()}")
            elif isinstance(outcome, BaseException) and not isinstance(outcome, ScenarioSkipped):
                print(f"\n{' | '.join(spec)}: the harness failed: {outcome!r}")
    failed = [
        spec
        for spec, outcome in outcomes.items()
        if not isinstance(outcome, ScenarioSkipped)
        and not (isinstance(outcome, Verdict) and outcome.ok)
    ]
    return 1 if failed else 0


def _run(matrix: Matrix, specs: list[Spec], jobs: int) -> dict[Spec, Verdict | BaseException]:
    matrix.prefetch(specs, jobs)
    outcomes: dict[Spec, Verdict | BaseException] = {}
    for spec in specs:
        try:
            outcomes[spec] = matrix.verdict(spec)
        except Exception as error:
            outcomes[spec] = error
    return outcomes


def _cell(outcome: Verdict | BaseException) -> str:
    if isinstance(outcome, Verdict):
        return outcome.label()
    if isinstance(outcome, ScenarioSkipped):
        return f"skipped: {outcome}"
    return f"harness error: {type(outcome).__name__}"


def _table(specs: list[Spec], outcomes: dict[Spec, Verdict | BaseException]) -> str:
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for spec in specs:
        key, mode, recovery = spec
        rows.setdefault((key, mode), {})[recovery] = _cell(outcomes[spec])
    lines = ["| fault | mode | result |", "|---|---|---|"]
    for (key, mode), cells in rows.items():
        values = set(cells.values())
        if len(values) == 1:
            result = values.pop()
        else:
            result = " · ".join(f"{recovery}: {cell}" for recovery, cell in cells.items())
        lines.append(f"| {FAULTS[key].title} | {mode} | {_escape(result)} |")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
