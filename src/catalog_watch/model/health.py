"""The pipeline's own health: when the last fetch succeeded, when the catalog last changed, and
how many runs in a row have failed. Kept in ``_meta.json`` under ``health``.

Why it is needed: a scheduled workflow that stops (GitHub disables schedules after 60 days without
repository activity, a secret expires, the source moves) makes no noise of its own. ``catalog-watch
health``, run from anywhere that does not depend on that schedule, says so. A success is recorded
as its time (``YYYY-MM-DDTHH:MM:SSZ``; a day ``YYYY-MM-DD`` written by older versions reads as its
last second) when the run changed the catalog, whose commit carries it anyway, and otherwise only
once :func:`refresh_interval` has passed since the stored one: a healthy watcher commits its
health at most once a day (with the default ``max_age_hours``), and that commit is repository
activity, which also keeps GitHub from disabling the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from catalog_watch.model.meta import HealthRecord, Meta
from catalog_watch.model.timestamps import parse_moment, utc_stamp

DEFAULT_MAX_AGE = timedelta(hours=48)  # [health] max_age_hours


@dataclass(frozen=True, slots=True)
class Health:
    last_success: str | None = None  # UTC time of the last recorded successful fetch (304 counts)
    last_change: str | None = None  # UTC time the catalog's content last changed
    consecutive_failures: int = 0
    failing_since: str | None = None  # ISO time of the first failure of the current streak
    last_error: str | None = None
    failure_alerted: bool = False  # the failure alert of this streak went out

    def to_json(self) -> HealthRecord:
        return {
            "last_success": self.last_success,
            "last_change": self.last_change,
            "consecutive_failures": self.consecutive_failures,
            "failing_since": self.failing_since,
            "last_error": self.last_error,
            "failure_alerted": self.failure_alerted,
        }

    @classmethod
    def from_meta(cls, meta: Meta | None) -> Health:
        data = (meta or {}).get("health")
        if data is None:
            return cls()
        return cls(
            last_success=data.get("last_success"),
            last_change=data.get("last_change"),
            consecutive_failures=int(data.get("consecutive_failures") or 0),
            failing_since=data.get("failing_since"),
            last_error=data.get("last_error"),
            failure_alerted=bool(data.get("failure_alerted")),
        )


def refresh_interval(max_age: timedelta) -> timedelta:
    """How old the stored success may grow before an unchanged run records it again: half the
    age ``health`` allows, at most a day (so ``--max-age-hours`` under 24 can trigger)."""
    return min(timedelta(days=1), max_age / 2)


def record_success(
    health: Health, now: datetime, *, changed: bool, max_age: timedelta = DEFAULT_MAX_AGE
) -> Health:
    """A successful run: the streak ends; its time is stored when the run changed the catalog or
    the stored success is :func:`refresh_interval` old (else the same health: nothing to write)."""
    stamp = utc_stamp(now)
    due = (
        changed
        or health.consecutive_failures > 0  # the streak ends: the health is written anyway
        or health.last_success is None
        or now - parse_moment(health.last_success) >= refresh_interval(max_age)
    )
    return Health(
        last_success=stamp if due else health.last_success,
        last_change=stamp if changed or health.last_change is None else health.last_change,
    )


def record_failure(health: Health, now: datetime, error: str) -> Health:
    return replace(
        health,
        consecutive_failures=health.consecutive_failures + 1,
        failing_since=health.failing_since or utc_stamp(now),
        last_error=error,
    )


def problems(
    health: Health,
    now: datetime,
    *,
    max_age: timedelta,
    max_unchanged: timedelta,
    max_failures: int,
) -> list[str]:
    """Why the watcher is unhealthy, in words; empty when it is fine."""
    found: list[str] = []
    if health.last_success is None:
        found.append("no successful fetch has been recorded yet")
    elif now - parse_moment(health.last_success) > max_age:
        found.append(
            f"the last successful fetch was {_at(health.last_success)}, more than "
            f"{_span(max_age)} ago: is the scheduled workflow still running (GitHub disables "
            "schedules after 60 days without repository activity)?"
        )
    if health.last_change is not None and now - parse_moment(health.last_change) > max_unchanged:
        found.append(
            f"the catalog has not changed since {health.last_change} ({_span(max_unchanged)} "
            "allowed): is the source still updated, or is the fetch returning a stale copy?"
        )
    if health.consecutive_failures >= max_failures:
        found.append(
            f"the last {health.consecutive_failures} runs failed (since {health.failing_since}): "
            f"{health.last_error}"
        )
    return found


def _at(value: str) -> str:
    return f"on {value}" if len(value) == 10 else f"at {value}"


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"
