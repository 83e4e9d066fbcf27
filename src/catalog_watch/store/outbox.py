"""The alert outbox, ``outbox.jsonl``, committed with the snapshot: each alert sent once.

An alert's life: *pending* (committed with the snapshot that raised it) → *claimed* by one run
(the claim is committed and pushed before anything is sent; a push is a compare-and-swap on the
branch, so two overlapping runs never both own an alert) → *delivered* (written, committed and
pushed right after Slack accepted the message carrying it, before the next message is sent).

A claim older than the lease (``[alerts] claim_lease_minutes``), or one left by a run this clone
saw die, is *stale*: its run may have posted before it died. The next run takes such alerts over
as ambiguous: with a bot token it reads the channel back to learn whether they landed; a webhook
cannot be read back, so it re-sends them (at-least-once) or, with ``webhook_delivery =
"at-most-once"``, marks them *unconfirmed* and never sends them again.

Delivered and unconfirmed alerts are kept 30 days (so a replayed run still finds them), then
pruned. The file is parsed by one typed parser: a damaged line is a ``StateFileError`` naming the
file and the line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Required, TypedDict

from catalog_watch.errors import StateFileError
from catalog_watch.model.alerts import Alert
from catalog_watch.model.catalog import JSONObject
from catalog_watch.model.json_text import json_line
from catalog_watch.model.timestamps import parse_stamp
from catalog_watch.store import line_schema_module
from catalog_watch.store.files import write_atomic

OUTBOX_FILE = "outbox.jsonl"
KEEP_DELIVERED = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Claim:
    """Which run owns a pending alert, since when."""

    run: str
    at: str  # ISO time, UTC


class ClaimLine(TypedDict):
    run: str
    at: str


class OutboxLine(TypedDict, total=False):
    """One line of ``outbox.jsonl`` as :meth:`Entry.to_json` writes it."""

    alert: Required[JSONObject]  # Alert.to_json
    created: Required[str]
    delivered: Required[str | None]
    claim: ClaimLine
    unconfirmed: str
    ts: str


class StoredAlert:
    """An outbox line's alert: its id at once, the :class:`Alert` built from the checked line on
    first use. A run reads thousands of delivered entries (kept 30 days) only to count, match
    and prune them by id; building each one's Alert was a third of reading the file."""

    __slots__ = ("_alert", "_line", "id")
    id: str
    _alert: Alert | None
    _line: JSONObject | None

    def __init__(self, alert: Alert | None = None, *, line: JSONObject | None = None) -> None:
        if alert is not None:
            self.id, self._alert, self._line = alert.id, alert, None
        elif line is not None:  # checked by line_schemas: Alert.from_json cannot fail on it
            self.id, self._alert, self._line = str(line["id"]), None, line
        else:
            raise TypeError("StoredAlert needs an alert or its checked line")

    @property
    def alert(self) -> Alert:
        if self._alert is None:
            assert self._line is not None  # one of the two is always set
            self._alert, self._line = Alert.from_json(self._line), None
        return self._alert

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredAlert):
            return NotImplemented
        return self.id == other.id and self.alert == other.alert

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"StoredAlert({self.alert!r})"


@dataclass(frozen=True, slots=True)
class Entry:
    stored: StoredAlert
    created: str  # ISO time, UTC, of the run that raised it
    delivered: str | None = None  # ISO time Slack accepted it
    claim: Claim | None = None
    unconfirmed: str | None = None  # at-most-once webhook: a post that may or may not have landed
    ts: str | None = None  # bot mode: the ts of the Slack message that carried it

    @classmethod
    def of(
        cls,
        alert: Alert,
        created: str,
        *,
        delivered: str | None = None,
        claim: Claim | None = None,
    ) -> Entry:
        """An entry for ``alert``: pending, or as ``delivered`` and ``claim`` say."""
        return cls(StoredAlert(alert), created, delivered=delivered, claim=claim)

    @property
    def id(self) -> str:
        return self.stored.id

    @property
    def alert(self) -> Alert:
        return self.stored.alert

    @property
    def open(self) -> bool:
        """Still to be sent (pending or claimed)."""
        return self.delivered is None and self.unconfirmed is None

    def to_json(self) -> OutboxLine:
        data: OutboxLine = {
            "alert": self.alert.to_json(),
            "created": self.created,
            "delivered": self.delivered,
        }
        if self.claim is not None:
            data["claim"] = {"run": self.claim.run, "at": self.claim.at}
        if self.unconfirmed is not None:
            data["unconfirmed"] = self.unconfirmed
        if self.ts is not None:
            data["ts"] = self.ts
        return data


@dataclass(frozen=True, slots=True)
class Outbox:
    entries: tuple[Entry, ...] = ()

    @property
    def pending(self) -> list[Alert]:
        """Every alert still to be sent, claimed or not."""
        return [entry.alert for entry in self.entries if entry.open]

    def ids(self) -> set[str]:
        return {entry.id for entry in self.entries}

    def add(self, alerts: Iterable[Alert], *, created: str) -> Outbox:
        """Add the alerts whose id is not in the outbox yet (in any state)."""
        known = self.ids()
        new: list[Entry] = []
        for alert in alerts:
            if alert.id not in known:
                known.add(alert.id)
                new.append(Entry.of(alert, created))
        return Outbox(self.entries + tuple(new))

    def claimable(
        self, now: datetime, lease: timedelta, dead_runs: Iterable[str] = ()
    ) -> list[Entry]:
        """Open entries nobody owns: unclaimed, or claimed by a run that is gone (stale)."""
        dead = set(dead_runs)
        return [e for e in self.entries if e.open and _free(e.claim, now, lease, dead)]

    def claim(self, ids: Iterable[str], claim: Claim) -> Outbox:
        wanted = set(ids)
        return self._update(wanted, lambda e: replace(e, claim=claim))

    def claimed_by(self, run: str) -> list[Entry]:
        return [e for e in self.entries if e.open and e.claim is not None and e.claim.run == run]

    def release(self, ids: Iterable[str]) -> Outbox:
        """Give claimed alerts back (nothing was sent for them): the next run sends them."""
        return self._update(set(ids), lambda e: replace(e, claim=None))

    def mark_delivered(self, ids: Iterable[str], *, when: str, ts: str | None = None) -> Outbox:
        return self._update(set(ids), lambda e: replace(e, delivered=when, ts=ts or e.ts))

    def mark_unconfirmed(self, ids: Iterable[str], *, when: str) -> Outbox:
        return self._update(set(ids), lambda e: replace(e, unconfirmed=when))

    def merge(self, other: Outbox) -> Outbox:
        """Union by id; a delivered (or unconfirmed) mark from either copy wins, and between two
        open copies the later claim (a run may be sending it right now)."""
        theirs = {e.id: e for e in other.entries}
        merged = []
        for entry in self.entries:
            other_entry = theirs.get(entry.id)
            if other_entry is not None and entry.open and _newer(other_entry, entry):
                entry = other_entry
            merged.append(entry)
        known = {e.id for e in merged}
        return Outbox(tuple(merged) + tuple(e for e in other.entries if e.id not in known))

    def overdue(self, now: datetime, max_age: timedelta) -> list[Entry]:
        """Open alerts older than ``max_age``: reported on every run, never dropped."""
        return [e for e in self.entries if e.open and now - parse_stamp(e.created) > max_age]

    def pruned(self, now: datetime) -> Outbox:
        def keep(entry: Entry) -> bool:
            done = entry.delivered or entry.unconfirmed
            return done is None or now - parse_stamp(done) <= KEEP_DELIVERED

        return Outbox(tuple(e for e in self.entries if keep(e)))

    def _update(self, ids: set[str], change: Callable[[Entry], Entry]) -> Outbox:
        return Outbox(tuple(change(e) if e.id in ids and e.open else e for e in self.entries))


def _newer(other: Entry, entry: Entry) -> bool:
    """``other`` says more than open ``entry``: it is settled, or claimed later."""
    if not other.open:
        return True
    if other.claim is None:
        return False
    return entry.claim is None or parse_stamp(other.claim.at) > parse_stamp(entry.claim.at)


def _free(claim: Claim | None, now: datetime, lease: timedelta, dead: set[str]) -> bool:
    return claim is None or claim.run in dead or now - parse_stamp(claim.at) >= lease


def read_outbox(path: Path) -> Outbox:
    if not path.exists():
        return Outbox()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StateFileError(f"{path}: cannot read the outbox: {error}") from error
    return parse_outbox(text, where=str(path))


@functools.lru_cache(maxsize=2)
def parse_outbox(text: str, *, where: str = OUTBOX_FILE) -> Outbox:
    """The one parser of ``outbox.jsonl``: every line a typed entry, or a StateFileError.

    Cached on the text (an ``Outbox`` is immutable): a run reads the file when it starts (a
    damaged outbox stops it before anything is written) and again to deliver, and after a large
    catalog change the file holds thousands of entries for the 30 days they are kept (6,482
    after the real 2025-09 → 2026-03 catalogs: about 130 ms a parse here)."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            entries.append(_entry(line, f"{where}:{number}"))
    return Outbox(tuple(entries))


def _entry(line: str, where: str) -> Entry:
    parse: Callable[[str, str], Entry] = line_schema_module().outbox_entry
    return parse(line, where)


def outbox_text(outbox: Outbox) -> str:
    """The file's bytes as text: one compact, key-sorted JSON line per entry."""
    return "".join(json_line(e.to_json()) for e in outbox.entries)


def write_outbox(path: Path, outbox: Outbox) -> bool:
    """Replace the file atomically; False (and no write) when the bytes would not change."""
    text = outbox_text(outbox)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    if not text and not path.exists():
        return False
    write_atomic(path, text.encode("utf-8"))
    return True


def group_by_destination(alerts: Sequence[Alert]) -> dict[str, list[Alert]]:
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.destination.key, []).append(alert)
    return groups
