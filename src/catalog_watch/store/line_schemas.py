"""The pydantic schemas of the state files' lines (``outbox.jsonl``, the change ledger), loaded
by name (``store.LINE_SCHEMAS``) when a line is read or written: a run with no alert pending and
no change to record loads no pydantic (about 100 ms of imports).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, ValidationError

from catalog_watch.errors import StateFileError
from catalog_watch.model.alerts import Alert
from catalog_watch.model.severity import Severity
from catalog_watch.store.outbox import Claim, Entry

__all__ = ["check_ledger_line", "first_problem", "outbox_entry"]


class LedgerLine(BaseModel):
    """A ledger line's fields, checked; the JSON values (``old``, ``new``) need no check."""

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


class AlertLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str
    destination: str
    rule: str
    source: str
    kind: str
    severity: Severity
    provider: str | None = None
    model: str | None = None
    field: str | None = None
    old: object = None  # any JSON value
    new: object = None
    change_pct: float | None = None
    detail: str = ""
    extra: dict[str, object] = {}


class ClaimLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    run: str
    at: str


class EntryLine(BaseModel):
    """One line of ``outbox.jsonl``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    alert: AlertLine
    created: str
    delivered: str | None = None
    claim: ClaimLine | None = None
    unconfirmed: str | None = None
    ts: str | None = None


def outbox_entry(line: str, where: str) -> Entry:
    """One line of ``outbox.jsonl`` as an Entry, or a StateFileError naming ``where``."""
    try:
        parsed = EntryLine.model_validate_json(line)
    except ValidationError as error:
        raise StateFileError(f"{where}: not an outbox entry: {first_problem(error)}") from None
    return Entry(
        alert=Alert.from_json(parsed.alert.model_dump()),
        created=parsed.created,
        delivered=parsed.delivered,
        claim=Claim(parsed.claim.run, parsed.claim.at) if parsed.claim else None,
        unconfirmed=parsed.unconfirmed,
        ts=parsed.ts,
    )


def check_ledger_line(fields: Mapping[str, object]) -> None:
    """A ValueError (pydantic's ValidationError) when ``fields`` are not a ledger line's."""
    LedgerLine.model_validate(fields)


def first_problem(error: ValueError) -> str:
    """The first problem of ``error`` in one line: ``alert.severity: Input should be ...``."""
    if not isinstance(error, ValidationError):
        return str(error).splitlines()[0]
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{location}: {first['msg']}" if location else first["msg"]
