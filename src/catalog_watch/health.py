"""The pipeline's own health: when the last fetch succeeded, when the catalog last changed, and
how many runs in a row have failed. Kept in ``_meta.json`` under ``health``.

Why it is needed: a scheduled workflow that stops (GitHub disables schedules after 60 days without
repository activity, a secret expires, the source moves) makes no noise of its own. ``catalog-watch
health``, run from anywhere that does not depend on that schedule, says so. Successes are recorded
by day, so a healthy watcher commits its health at most once a day: that commit is repository
activity, which also keeps GitHub from disabling the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from catalog_watch.catalog import JSON
from catalog_watch.timestamps import utc_stamp


@dataclass(frozen=True, slots=True)
class Health:
    last_success: str | None = None  # YYYY-MM-DD of the last successful fetch (a 304 counts)
    last_change: str | None = None  # YYYY-MM-DD the catalog's content last changed
    consecutive_failures: int = 0
    failing_since: str | None = None  # ISO time of the first failure of the current streak
    last_error: str | None = None
    failure_alerted: bool = False  # the failure alert of this streak went out

    def to_json(self) -> dict[str, JSON]:
        return {
            "last_success": self.last_success,
            "last_change": self.last_change,
            "consecutive_failures": self.consecutive_failures,
            "failing_since": self.failing_since,
            "last_error": self.last_error,
            "failure_alerted": self.failure_alerted,
        }

    @classmethod
    def from_meta(cls, meta: dict[str, JSON] | None) -> Health:
        data = (meta or {}).get("health")
        if not isinstance(data, dict):
            return cls()
        return cls(
            last_success=data.get("last_success"),
            last_change=data.get("last_change"),
            consecutive_failures=int(data.get("consecutive_failures") or 0),
            failing_since=data.get("failing_since"),
            last_error=data.get("last_error"),
            failure_alerted=bool(data.get("failure_alerted")),
        )


def record_success(health: Health, now: datetime, *, changed: bool) -> Health:
    """A successful run: the streak ends; the day (and the change day) move on."""
    today = now.date().isoformat()
    return Health(
        last_success=today,
        last_change=today if changed or health.last_change is None else health.last_change,
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
    elif now - _day_end(health.last_success) > max_age:
        found.append(
            f"the last successful fetch was on {health.last_success}, more than "
            f"{_span(max_age)} ago: is the scheduled workflow still running (GitHub disables "
            "schedules after 60 days without repository activity)?"
        )
    if health.last_change is not None and now - _day_end(health.last_change) > max_unchanged:
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


def _day_end(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59+00:00")


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"
