"""Alerts: a change (or inconsistency) that a watch rule sends to one Slack destination.

An alert's ``id`` is derived from what it says and where it goes: (kind, provider, model, field,
new value, hash of the snapshot the change is measured from, destination). A re-run, a retried
workflow or a rebase recomputes the same ids, so the outbox can tell what was already delivered.
A rejected record (``record_rejected``) is told once per rejected value, whatever snapshot it is
measured from: its id leaves the snapshot hash out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from catalog_watch.catalog import JSON
from catalog_watch.severity import Severity

BASELINE = "baseline"
INCONSISTENCY_APPEARED = "inconsistency_appeared"
INCONSISTENCY_RESOLVED = "inconsistency_resolved"
RECORD_REJECTED = "record_rejected"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an alert goes: a channel (bot token) or a webhook (its URL read from an env var).

    ``key`` is what the outbox stores: ``channel:#llm-costs``, ``webhook:SLACK_WEBHOOK_URL``, or
    ``default`` (the run's ``--slack-channel`` / ``--slack-webhook-url``).
    """

    key: str = "default"

    @property
    def channel(self) -> str | None:
        return self.key.removeprefix("channel:") if self.key.startswith("channel:") else None

    @property
    def webhook_env(self) -> str | None:
        return self.key.removeprefix("webhook:") if self.key.startswith("webhook:") else None


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing to tell one destination. Plain data: the outbox stores it as a JSON line."""

    id: str
    destination: Destination
    rule: str
    source: str
    kind: str  # a change kind, inconsistency_appeared/_resolved, record_rejected or baseline
    severity: Severity
    provider: str | None = None
    model: str | None = None
    field: str | None = None
    old: JSON = None
    new: JSON = None
    change_pct: float | None = None
    detail: str = ""  # the change in words, e.g. "cost.input $2.50 → $3.00 per 1M (+20 %)"
    extra: dict[str, JSON] = dataclasses.field(
        default_factory=dict
    )  # added/removed modalities, values...

    def to_json(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "destination": self.destination.key,
            "rule": self.rule,
            "source": self.source,
            "kind": self.kind,
            "severity": self.severity.value,
            "provider": self.provider,
            "model": self.model,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "change_pct": self.change_pct,
            "detail": self.detail,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, JSON]) -> Alert:
        return cls(
            id=data["id"],
            destination=Destination(data["destination"]),
            rule=data["rule"],
            source=data["source"],
            kind=data["kind"],
            severity=Severity(data["severity"]),
            provider=data.get("provider"),
            model=data.get("model"),
            field=data.get("field"),
            old=data.get("old"),
            new=data.get("new"),
            change_pct=data.get("change_pct"),
            detail=data.get("detail", ""),
            extra=dict(data.get("extra") or {}),
        )


def alert_id(
    *,
    kind: str,
    provider: str | None,
    model: str | None,
    field: str | None,
    new: JSON,
    from_snapshot: str,
    destination: Destination,
) -> str:
    """The stable id: same change, same starting snapshot, same destination → same id."""
    key = [kind, provider, model, field, new, from_snapshot, destination.key]
    text = json.dumps(key, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
