"""A simulated year of hourly change runs through the store's ledger and changelog writers.

Each run appends a few ledger lines and one changelog section the way ``jobs/steps._records``
does (``ledger_files`` on the ledger's two end lines, ``changelog_files`` on ``CHANGELOG.md``;
the files returned written, the appends appended), at ``--lines`` lines a run. It prints, for
January's last week and the year's, the bytes a run writes and its CPU, beside about what the
single-file layout (before issue 14) would write: the whole ``changes.jsonl`` and
``CHANGELOG.md`` each time. No git, no catalog: the files alone, which is what grew.
``bench_year.py`` runs the real CLI through real git.

    .venv/bin/python bench/bench_growth.py --runs 8760 --lines 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.store.changelog import CHANGELOG_FILE, changelog_files, changelog_section
from catalog_watch.store.ledger import LEDGER_FILE, ledger_edges, ledger_files

START = datetime(2026, 1, 1, 0, 17, tzinfo=UTC)
WEEK = 24 * 7


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def one_run(folder: Path, index: int, lines: int) -> tuple[int, int]:
    """Append run ``index``: (bytes written, bytes the single-file layout would write)."""
    moment = START + timedelta(hours=index)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    records: list[LedgerLine] = [
        {
            "kind": "price_changed",
            "source": "models.dev",
            "time": stamp,
            "commit": f"{index:040x}",
            "provider": f"provider-{n}",
            "model": f"model-{index % 500}",
            "field": "cost.input",
            "old": 1.25,
            "new": 1.5,
            "severity": "medium",
            "change_pct": 20.0,
        }
        for n in range(lines)
    ]
    body = "\n".join(
        f"| ▲ | provider-{n} | `model-{index % 500}` | $1.25 | $1.50 |" for n in range(lines)
    )
    section = changelog_section(f"{moment:%Y-%m-%d %H:%M} UTC: {lines} price changes", body)
    changelog = changelog_files(
        _text(folder / CHANGELOG_FILE), section, lambda n: _text(folder / n)
    )
    edges = ledger_edges(folder / LEDGER_FILE)
    ledger = ledger_files(edges, records, lambda n: _text(folder / n))
    written = 0
    for writes in (changelog, ledger):
        for name, data in writes.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            written += len(data)
        for name, data in writes.appends.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            with (folder / name).open("ab") as handle:
                handle.write(data)
            written += len(data)
    return written, len(section.encode()) + sum(len(str(r)) for r in records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8760)
    parser.add_argument("--lines", type=int, default=3, help="ledger lines per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows: list[tuple[int, float]] = []
        single = 0  # the whole-file layout's total so far: what it rewrote each run
        single_rows: list[int] = []
        for index in range(args.runs):
            began = time.process_time()
            written, added = one_run(folder, index, args.lines)
            rows.append((written, time.process_time() - began))
            single += added
            single_rows.append(single)
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"{args.runs} runs, {args.lines} ledger lines each; files at the end: {total:,} bytes")
    print(f"{'week':<8}{'bytes/run (median)':>20}{'max':>12}{'CPU ms/run':>12}{'~single file':>14}")
    january = 31 * 24  # compare month ends: a month's file is largest in its last week
    for name, part in (("Jan end", slice(january - WEEK, january)), ("last", slice(-WEEK, None))):
        written = [w for w, _ in rows[part]]
        cpu = statistics.median(c for _, c in rows[part]) * 1000
        whole = statistics.median(single_rows[part])
        print(
            f"{name:<8}{statistics.median(written):>20,.0f}{max(written):>12,}"
            f"{cpu:>12.2f}{whole:>14,.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
