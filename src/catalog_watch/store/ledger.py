"""The change ledger: one change record per line, appended by every run, segmented by month.

``changes.jsonl`` holds the current month; the first run of a later month rolls the lines of
earlier months, once, into ``ledger/YYYY-MM.jsonl`` beside it, which no run touches again. Any
other run appends its lines to ``changes.jsonl`` (``transaction.py``), reading only its first
line (whose month says whether to roll) and its last (checked, and whether it ends in a LF), so
a run's cost does not grow with the month; :func:`read_ledger` reads the month files, oldest
first, then ``changes.jsonl``. A single ``changes.jsonl`` spanning months (written before the
split) is read as it is and rolled over by the first run of a month after its first line.

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
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import orjson

from catalog_watch.errors import StateFileError
from catalog_watch.model.catalog import JSON, JSONObject
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.json_text import json_line
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.report import Report
from catalog_watch.store import line_schema_module
from catalog_watch.store.files import read_text_if_any
from catalog_watch.store.transaction import Check, FolderChange, Writes, apply_change

LEDGER_FILE = "changes.jsonl"
LEDGER_DIR = "ledger"
_SEGMENT_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9].jsonl"
_MONTH = re.compile(r"(\d{4}-\d{2})-\d{2}T")

ReadSegment = Callable[[str], str | None]
"""A month file's path (``ledger/2026-06.jsonl``) → its text, None when there is none."""


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


def segment_path(month: str) -> str:
    """``ledger/2026-06.jsonl``, relative to the snapshot folder."""
    return f"{LEDGER_DIR}/{month}.jsonl"


@dataclass(frozen=True, slots=True)
class Edges:
    """The first and the last line of ``changes.jsonl``, each with its LF if it has one: all that
    a run of the current month reads of it."""

    first: str
    last: str


def ledger_edges(path: Path) -> Edges | None:
    """``path``'s first and last lines, read from its two ends; None when it is missing or
    empty."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            if not first:
                return None
            last = _last_line(handle, handle.seek(0, os.SEEK_END))
        return Edges(first.decode("utf-8"), last.decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise StateFileError(f"{path}: cannot read the change ledger: {error}") from error


def _last_line(handle: BinaryIO, size: int) -> bytes:
    chunk = 4096
    while True:
        start = max(0, size - chunk)
        handle.seek(start)
        data = handle.read(size - start)
        cut = data.rfind(b"\n", 0, len(data) - 1)
        if cut >= 0:
            return data[cut + 1 :]
        if start == 0:
            return data
        chunk *= 4


def ledger_files(
    current: Edges | None,
    records: Sequence[LedgerLine],
    read: ReadSegment,
    *,
    where: str = LEDGER_FILE,
) -> Writes:
    """The ledger's writes when a run adds ``records``, names relative to the snapshot folder.

    The hourly case is one append to ``changes.jsonl`` (``current``: its first and last lines):
    one compact JSON line per record, after a LF if the last line lacks one; its last line is
    checked first (a damaged one is a StateFileError). When the first line is of a month before
    the run's, ``changes.jsonl`` is read whole (``read``), once, and replaced: every line of an
    earlier month goes to its month file (appended to what ``read`` finds there).
    """
    if not records:
        return Writes()
    lines = "".join(json_line(record) for record in records)
    if current is None:
        return Writes(appends={LEDGER_FILE: lines.encode("utf-8")})
    _check_last(current.last, where)
    month = _month(records[-1].get("time"))
    if month is None or (_line_month(current.first) or "") >= month:
        lead = "" if current.last.endswith("\n") else "\n"
        return Writes(appends={LEDGER_FILE: (lead + lines).encode("utf-8")})
    text = read(LEDGER_FILE) or ""
    if text and not text.endswith("\n"):
        text += "\n"
    moved: dict[str, list[str]] = {}
    kept: list[str] = []
    for line in text.splitlines(keepends=True):
        found = _line_month(line)
        if found is not None and found < month:
            moved.setdefault(found, []).append(line)
        else:
            kept.append(line)  # this month's, a later one's, or damaged (the read-back says so)
    files = {
        segment_path(m): ((read(segment_path(m)) or "") + "".join(part)).encode("utf-8")
        for m, part in moved.items()
    }
    files[LEDGER_FILE] = ("".join(kept) + lines).encode("utf-8")
    return Writes(files=files)


def _check_last(line: str, where: str) -> None:
    try:
        _line(json.loads(line))
    except ValueError as error:  # ValidationError is a ValueError
        raise StateFileError(
            f"{where}: its last line is not a change record: {_problem(error)}"
        ) from None


def _month(time: object) -> str | None:
    found = _MONTH.match(time) if isinstance(time, str) else None
    return found.group(1) if found else None


def _line_month(line: str) -> str | None:
    """The month of a ledger line's ``time``; None for a line that is not a JSON object."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return _month(record.get("time")) if isinstance(record, dict) else None


def append_ledger(path: Path, records: Sequence[LedgerLine]) -> bool:
    """Append the records to the ledger whose current file is ``path`` (one folder change: the
    lines appended, or a month rolled over); False when there is none."""
    writes = ledger_files(
        ledger_edges(path), records, lambda name: read_text_if_any(path.parent / name)
    )
    if not writes.files and not writes.appends:
        return False
    name = {LEDGER_FILE: path.name}
    checks: dict[str, Check] = {path.name: check_ledger}
    apply_change(
        FolderChange(
            path.parent,
            {name.get(n, n): data for n, data in writes.files.items()},
            checks=checks,
            appends={name.get(n, n): data for n, data in writes.appends.items()},
        )
    )
    return True


def check_ledger(data: bytes, path: Path) -> object:
    """The read-back of a staged ledger file, or of the lines a run appends to one."""
    return parse_ledger(data.decode("utf-8"), where=str(path))


def _line(fields: Mapping[str, JSON]) -> LedgerLine:
    """``fields`` as a ledger line, once checked (a ValueError if not: ``line_schemas``)."""
    check: Callable[[Mapping[str, JSON]], None] = line_schema_module().check_ledger_line
    check(fields)
    return cast(LedgerLine, dict(fields))


def ledger_segments(path: Path) -> list[Path]:
    """The ledger's files that exist: the month files beside ``path`` (``ledger/*.jsonl``),
    oldest first, then ``path`` (``changes.jsonl``, the current month)."""
    folder = path.parent / LEDGER_DIR
    months = sorted(folder.glob(_SEGMENT_GLOB)) if folder.is_dir() else []
    return [*months, path] if path.exists() else months


def read_ledger(path: Path) -> list[LedgerLine]:
    """Every line of the ledger whose current file is ``path``, in order (see the module doc)."""
    records: list[LedgerLine] = []
    for segment in ledger_segments(path):
        try:
            text = segment.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise StateFileError(f"{segment}: cannot read the change ledger: {error}") from error
        records.extend(parse_ledger(text, where=str(segment)))
    return records


def parse_ledger(text: str, *, where: str = LEDGER_FILE) -> list[LedgerLine]:
    """The one parser of a ledger file: a damaged line is a StateFileError naming it."""
    records: list[LedgerLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_line(_loads(line)))
        except ValueError as error:  # ValidationError is a ValueError
            raise StateFileError(
                f"{where}:{number}: not a change record: {_problem(error)}"
            ) from None
    return records


def _loads(line: str) -> Any:
    """One line's JSON: orjson (every reader parses every line), ``json`` for what it refuses,
    so that a damaged line is told in ``json``'s words and ``json`` decides what is JSON."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def _problem(error: ValueError) -> str:
    problem: Callable[[ValueError], str] = line_schema_module().first_problem
    return problem(error)
