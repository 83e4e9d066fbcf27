"""The change ledger: ``changes.jsonl``, one change record per line, appended by every run.

Append-only and line-oriented so that git merges and reviews it as a list, and so that history
(when did this price change?) can be rebuilt from it without walking git. Each line is the change
as ``--format json`` prints it, plus when the run happened and which commit's snapshot it was
measured from; one exception keeps the file small: a ``model_added`` line's ``new`` holds only
the record's ``cost`` (``KEPT_OF_ADDED``), because the whole record is in the provider's snapshot
file the same run wrote. Every value that changed stays in full:
the ``old`` and ``new`` of every other kind, and the whole last record of a removed model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from pydantic import BaseModel, ConfigDict, ValidationError

from catalog_watch.errors import StateFileError
from catalog_watch.model.catalog import JSON, JSONObject
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.json_text import json_line
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.report import Report
from catalog_watch.store.files import write_atomic

LEDGER_FILE = "changes.jsonl"


KEPT_OF_ADDED = ("cost",)
"""The fields of an added model's record its ledger line keeps: the prices, which ``price-at``
and the site's rows read; the snapshot has the rest."""


def ledger_records(report: Report, *, time: str, commit: str | None) -> list[LedgerLine]:
    """The run's changes, then the inconsistencies that appeared or were resolved."""
    stamp: JSONObject = {"source": report.source, "time": time, "commit": commit}
    records = [_line({**_abridged(change.to_json()), **stamp}) for change in report.changes]
    for kind, items in (
        ("inconsistency_appeared", report.appeared),
        ("inconsistency_resolved", report.resolved),
    ):
        for item in items:
            fields = {**item.to_json(), "inconsistency_kind": item.kind, "kind": kind, **stamp}
            records.append(_line(fields))
    return records


def _abridged(record: dict[str, JSON]) -> dict[str, JSON]:
    """An added model's line without the record the snapshot holds (``KEPT_OF_ADDED`` stays)."""
    added = record.get("new")
    if record.get("kind") != ChangeKind.MODEL_ADDED.value or not isinstance(added, dict):
        return record
    kept: JSONObject = {name: added[name] for name in KEPT_OF_ADDED if name in added}
    return {**record, "new": kept}


def ledger_text(existing: str, records: Sequence[LedgerLine]) -> str:
    """``existing`` with one compact JSON line per record appended (a missing final LF added)."""
    if not records:
        return existing
    lines = "".join(json_line(record) for record in records)
    if existing and not existing.endswith("\n"):
        existing += "\n"
    return existing + lines


def append_ledger(path: Path, records: Sequence[LedgerLine]) -> bool:
    """Append the records (atomically: the file is replaced); False when there is none."""
    if not records:
        return False
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    write_atomic(path, ledger_text(existing, records).encode("utf-8"))
    return True


class _Line(BaseModel):
    """:class:`LedgerLine`'s fields, checked; the JSON values (``old``, ``new``) need no check."""

    model_config = ConfigDict(extra="allow", strict=True)
    kind: str
    source: str
    time: str
    commit: str | None
    provider: str = ""
    model: str | None = None
    field: str | None = None
    severity: str = ""
    change_pct: float | None = None
    added: list[str] = []
    removed: list[str] = []
    impact: list[dict[str, object]] = []
    usage_impact: str = ""
    id: str = ""
    values: dict[str, object] = {}
    inconsistency_kind: str = ""


def _line(fields: Mapping[str, JSON]) -> LedgerLine:
    """``fields`` as a ledger line, once :class:`_Line` has checked them (a ValueError if not)."""
    _Line.model_validate(fields)
    return cast(LedgerLine, dict(fields))


def read_ledger(path: Path) -> list[LedgerLine]:
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StateFileError(f"{path}: cannot read the change ledger: {error}") from error
    return parse_ledger(text, where=str(path))


def parse_ledger(text: str, *, where: str = LEDGER_FILE) -> list[LedgerLine]:
    """The one parser of ``changes.jsonl``: a damaged line is a StateFileError naming it."""
    records: list[LedgerLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_line(json.loads(line)))
        except ValueError as error:  # ValidationError is a ValueError
            raise StateFileError(
                f"{where}:{number}: not a change record: {_problem(error)}"
            ) from None
    return records


def _problem(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        return f"{place}: {first['msg']}" if place else first["msg"]
    return str(error).splitlines()[0]
