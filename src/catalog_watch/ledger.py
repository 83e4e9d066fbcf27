"""The change ledger: ``changes.jsonl``, one change record per line, appended by every run.

Append-only and line-oriented so that git merges and reviews it as a list, and so that history
(when did this price change?) can be rebuilt from it without walking git. Each line is the change
as ``--format json`` prints it, plus when the run happened and which commit's snapshot it was
measured from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from catalog_watch.catalog import JSON
from catalog_watch.report import Report

LEDGER_FILE = "changes.jsonl"


def ledger_records(report: Report, *, time: str, commit: str | None) -> list[dict[str, JSON]]:
    """The run's changes, then the inconsistencies that appeared or were resolved."""
    stamp: dict[str, JSON] = {"source": report.source, "time": time, "commit": commit}
    records = [{**change.to_json(), **stamp} for change in report.changes]
    for kind, items in (
        ("inconsistency_appeared", report.appeared),
        ("inconsistency_resolved", report.resolved),
    ):
        for item in items:
            records.append(
                {**item.to_json(), "inconsistency_kind": item.kind, "kind": kind, **stamp}
            )
    return records


def append_ledger(path: Path, records: Sequence[dict[str, JSON]]) -> bool:
    """Append one compact JSON line per record; False (and no write) when there is none."""
    if not records:
        return False
    lines = "".join(
        json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        for record in records
    )
    existing = path.read_bytes() if path.exists() else b""
    if existing and not existing.endswith(b"\n"):
        lines = "\n" + lines
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(lines)
    return True


def read_ledger(path: Path) -> list[dict[str, JSON]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
