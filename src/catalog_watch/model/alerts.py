"""Alerts: a change (or inconsistency) that a watch rule sends to one Slack destination.

An alert's ``id`` is derived from what it says and where it goes: (kind, provider, model, field,
new value, hash of the snapshot the change is measured from, destination). A re-run, a retried
workflow or a rebase recomputes the same ids, so the outbox can tell what was already delivered.
A rejected record (``record_rejected``) is told once per rejected value, whatever snapshot it is
measured from: its id leaves the snapshot hash out. A failure streak (``health_failure``) and its
end (``health_recovery``) are told once per streak: their id is the streak's start. A retirement
reminder (``retirement_due``) is told once per offering, date and lead time: its id is those three
(``jobs/deprecation_alerts.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.severity import Severity


class AlertKind(StrEnum):
    """What an alert tells that is not one change of the catalog (those are a ``ChangeKind``)."""

    BASELINE = "baseline"  # the first run: what is now watched
    INCONSISTENCY_APPEARED = "inconsistency_appeared"
    INCONSISTENCY_RESOLVED = "inconsistency_resolved"
    RECORD_REJECTED = "record_rejected"
    SCHEMA_DRIFT = "schema_drift"
    HEALTH_FAILURE = "health_failure"
    HEALTH_RECOVERY = "health_recovery"
    CHANGE_REVERTED = "change_reverted"  # an alerted change undone (pull-request mode: reverts.py)
    RETIREMENT_DUE = "retirement_due"  # a retirement date within a lead time (deprecation_alerts)


Kind = ChangeKind | AlertKind
"""An alert's kind: a change kind, or one of :class:`AlertKind`; both spell their value in JSON."""

# The names the callers know the kinds by.
BASELINE = AlertKind.BASELINE
INCONSISTENCY_APPEARED = AlertKind.INCONSISTENCY_APPEARED
INCONSISTENCY_RESOLVED = AlertKind.INCONSISTENCY_RESOLVED
RECORD_REJECTED = AlertKind.RECORD_REJECTED
SCHEMA_DRIFT = AlertKind.SCHEMA_DRIFT
HEALTH_FAILURE = AlertKind.HEALTH_FAILURE
HEALTH_RECOVERY = AlertKind.HEALTH_RECOVERY
HEALTH_KINDS = frozenset({HEALTH_FAILURE, HEALTH_RECOVERY})
CHANGE_REVERTED = AlertKind.CHANGE_REVERTED
RETIREMENT_DUE = AlertKind.RETIREMENT_DUE

_KINDS: dict[str, Kind] = {kind.value: kind for kind in (*ChangeKind, *AlertKind)}


def alert_kind(value: str) -> Kind:
    """The kind spelled ``value`` (as the outbox stores it); ValueError for any other text."""
    try:
        return _KINDS[value]
    except KeyError:
        raise ValueError(f"not an alert kind: {value!r}") from None


class DestinationKind(StrEnum):
    DEFAULT = "default"  # the run's --slack-channel / --slack-webhook-url
    CHANNEL = "channel"  # a channel, posted to with the bot token
    WEBHOOK = "webhook"  # a webhook, its URL read from an environment variable


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an alert goes: the default, a channel (bot token) or a webhook (its URL read from an
    env var). ``name`` is the channel (``#llm-costs``) or the variable (``SLACK_WEBHOOK_URL``).

    ``key`` is what the outbox stores: ``channel:#llm-costs``, ``webhook:SLACK_WEBHOOK_URL``, or
    ``default``; :meth:`from_key` reads it back.
    """

    kind: DestinationKind = DestinationKind.DEFAULT
    name: str = ""

    def __post_init__(self) -> None:
        if (self.kind is DestinationKind.DEFAULT) != (self.name == ""):
            raise ValueError(f"a {self.kind} destination with name {self.name!r}")

    @classmethod
    def from_key(cls, key: str) -> Destination:
        if key == DestinationKind.DEFAULT:
            return cls()
        kind, colon, name = key.partition(":")
        if not colon or not name or kind not in (DestinationKind.CHANNEL, DestinationKind.WEBHOOK):
            raise ValueError(f"not a destination: {key!r}")
        return cls(DestinationKind(kind), name)

    @property
    def key(self) -> str:
        return (
            self.kind.value if self.kind is DestinationKind.DEFAULT else f"{self.kind}:{self.name}"
        )

    @property
    def channel(self) -> str | None:
        return self.name if self.kind is DestinationKind.CHANNEL else None

    @property
    def webhook_env(self) -> str | None:
        return self.name if self.kind is DestinationKind.WEBHOOK else None


@functools.lru_cache(maxsize=256)
def destination_of(key: str) -> Destination:
    """:meth:`Destination.from_key`, each key's once: an outbox's thousands of alerts name a
    few destinations (a Destination is immutable, so one serves them all)."""
    return Destination.from_key(key)


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing to tell one destination. Plain data: the outbox stores it as a JSON line."""

    id: str
    destination: Destination
    rule: str
    source: str
    kind: Kind  # a text given here (a test's "price_changed") is read as its kind
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

    def __post_init__(self) -> None:
        if type(self.kind) not in (ChangeKind, AlertKind):
            object.__setattr__(self, "kind", alert_kind(self.kind))

    def to_json(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "destination": self.destination.key,
            "rule": self.rule,
            "source": self.source,
            "kind": self.kind.value,
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
            destination=destination_of(data["destination"]),
            rule=data["rule"],
            source=data["source"],
            kind=alert_kind(data["kind"]),
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
    kind: Kind,
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


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive failed runs: how many, since when, the last error's first line, and the
    failed run's URL when the run knows it (an Actions run)."""

    failures: int
    since: str  # ISO time, UTC, of the streak's first failure
    error: str
    run_url: str | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "failures": self.failures,
            "since": self.since,
            "error": self.error,
            "run_url": self.run_url,
        }

    @classmethod
    def from_json(cls, value: JSON) -> Streak | None:
        """The streak an alert carries; None for an alert queued before streaks were stored."""
        if not isinstance(value, dict):
            return None
        failures, since, error = value.get("failures"), value.get("since"), value.get("error")
        if not (isinstance(failures, int) and isinstance(since, str) and isinstance(error, str)):
            return None
        run_url = value.get("run_url")
        return cls(failures, since, error, run_url if isinstance(run_url, str) else None)


def health_alert(
    kind: AlertKind, streak: Streak, *, source: str, destination: Destination
) -> Alert:
    """The one failure alert of a streak (``health_failure``) or the one recovery after it
    (``health_recovery``); the words are the renderer's, the alert carries the streak."""
    if kind not in HEALTH_KINDS:
        raise ValueError(f"not a health alert kind: {kind!r}")
    return Alert(
        id=alert_id(
            kind=kind,
            provider=None,
            model=source,
            field=None,
            new=streak.since,
            from_snapshot="health",
            destination=destination,
        ),
        destination=destination,
        rule="health",
        source=source,
        kind=kind,
        severity=Severity.HIGH if kind == HEALTH_FAILURE else Severity.LOW,
        extra={"streak": streak.to_json()},
    )
