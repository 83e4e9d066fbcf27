"""The alert outbox, ``outbox.jsonl``, committed with the snapshot: exactly-once delivery.

A run adds its new alerts as *pending* in the same commit as the snapshot, then delivers every
pending alert (its own and any an earlier run left behind) and marks each one *delivered* only
after Slack accepted the message carrying it, in a second commit. So a Slack outage, or a crash
between the commit and the post, loses nothing (the next run delivers it), and a re-run, a retried
workflow or a rebase posts nothing twice: the alert ids are already in the outbox. The one window
left is a crash after Slack accepted a message and before the outbox was written: that message
is posted again by the next run.

Delivered alerts are kept 30 days (so a replayed run still finds them), then pruned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from catalog_watch.alerts import Alert
from catalog_watch.catalog import JSON

OUTBOX_FILE = "outbox.jsonl"
KEEP_DELIVERED = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Entry:
    alert: Alert
    created: str  # ISO time, UTC, of the run that raised it
    delivered: str | None = None  # ISO time Slack accepted it

    def to_json(self) -> dict[str, JSON]:
        return {"alert": self.alert.to_json(), "created": self.created, "delivered": self.delivered}

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> Entry:
        return cls(Alert.from_json(data["alert"]), data["created"], data.get("delivered"))


@dataclass(frozen=True, slots=True)
class Outbox:
    entries: tuple[Entry, ...] = ()

    @property
    def pending(self) -> list[Alert]:
        return [entry.alert for entry in self.entries if entry.delivered is None]

    def ids(self) -> set[str]:
        return {entry.alert.id for entry in self.entries}

    def add(self, alerts: Iterable[Alert], *, created: str) -> Outbox:
        """Add the alerts whose id is not in the outbox yet (delivered or pending)."""
        known = self.ids()
        new = [Entry(alert, created) for alert in alerts if alert.id not in known]
        return Outbox(self.entries + tuple(new))

    def mark_delivered(self, ids: Iterable[str], *, when: str) -> Outbox:
        done = set(ids)
        return Outbox(
            tuple(
                replace(e, delivered=when) if e.alert.id in done and e.delivered is None else e
                for e in self.entries
            )
        )

    def merge(self, other: Outbox) -> Outbox:
        """Union by id; delivered wins (another copy of the outbox saw Slack accept it)."""
        delivered = {e.alert.id: e.delivered for e in other.entries if e.delivered}
        merged = Outbox(
            tuple(
                replace(e, delivered=e.delivered or delivered.get(e.alert.id)) for e in self.entries
            )
        )
        known = merged.ids()
        return Outbox(merged.entries + tuple(e for e in other.entries if e.alert.id not in known))

    def overdue(self, now: datetime, max_age: timedelta) -> list[Entry]:
        """Pending alerts older than ``max_age``: reported on every run, never dropped."""
        return [e for e in self.entries if e.delivered is None and now - _time(e.created) > max_age]

    def pruned(self, now: datetime) -> Outbox:
        keep = [
            e
            for e in self.entries
            if e.delivered is None or now - _time(e.delivered) <= KEEP_DELIVERED
        ]
        return Outbox(tuple(keep))


def read_outbox(path: Path) -> Outbox:
    return parse_outbox(path.read_text(encoding="utf-8")) if path.exists() else Outbox()


def parse_outbox(text: str) -> Outbox:
    lines = text.splitlines()
    return Outbox(tuple(Entry.from_json(json.loads(line)) for line in lines if line.strip()))


def write_outbox(path: Path, outbox: Outbox) -> bool:
    """Write one line per entry; False (and no write) when the bytes would not change."""
    text = "".join(_line(entry) for entry in outbox.entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    if not text and not path.exists():
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _line(entry: Entry) -> str:
    return (
        json.dumps(entry.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        + "\n"
    )


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def group_by_destination(alerts: Sequence[Alert]) -> dict[str, list[Alert]]:
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.destination.key, []).append(alert)
    return groups
