"""The one writer of a run's health in ``_meta.json``, and the one failure / one recovery alert.

Every run ends in exactly one of two records: a success (a 304 counts) or a failure, whatever
the cause (a fetch error, a refused catalog, the shrink guard, a damaged file, a git error, a
bug), and a run that was killed is counted by the next run in the same checkout. The failure
alert is queued in the outbox once, when the streak reaches ``[health] failures``; the recovery
alert once, on the first success after an alerted streak. Both go through the outbox, so they
are delivered exactly once like the rest.

A success is committed on its own ("catalog-watch: health") only by a run that changed nothing,
and only when it is due (``health.record_success``: at most once a day by default); a run that
changed the catalog records it, and queues the recovery alert, in its own commit.

The functions here return an ``apply(root)`` for the publishing mode's saver, which writes it,
commits and pushes it, and applies it again on a new tip after a race.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from catalog_watch.analysis.watch_rules import destinations
from catalog_watch.model.alerts import (
    HEALTH_FAILURE,
    HEALTH_RECOVERY,
    Alert,
    AlertKind,
    Streak,
    health_alert,
)
from catalog_watch.model.health import Health, record_failure, record_success
from catalog_watch.model.meta import Meta
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.settings.config import Config
from catalog_watch.store.files import write_atomic
from catalog_watch.store.outbox import OUTBOX_FILE, read_outbox, write_outbox
from catalog_watch.store.snapshot import META_FILE, canonical_json, read_meta

__all__ = ["HEALTH_FAILURE", "HEALTH_RECOVERY", "HealthWriter", "first_line"]


@dataclass(frozen=True, slots=True)
class HealthWriter:
    """Where and how a run records its health."""

    snapshots: Path  # relative to the tree root
    source: str
    config: Config
    now: datetime
    alerts: bool  # Slack is configured: queue the failure and recovery alerts
    run_url: str | None = None  # this run's page (Actions): the failure alert links it

    def failure(self, error: BaseException) -> Callable[[Path], None]:
        """Count a failed run; at the threshold, queue the streak's one failure alert."""
        reason = first_line(error)

        def apply(root: Path) -> None:
            meta = read_meta(root / self.snapshots)
            if meta is None:
                return  # nothing is watched yet: there is no streak to keep
            health = record_failure(Health.from_meta(meta), self.now, reason)
            if self._alert_due(health):
                streak = Streak(
                    health.consecutive_failures, str(health.failing_since), reason, self.run_url
                )
                self._queue(root, self._alerts(HEALTH_FAILURE, streak))
                health = replace(health, failure_alerted=True)
            self._write(root, meta, health)

        return apply

    @property
    def max_age(self) -> timedelta:
        return timedelta(hours=self.config.health.max_age_hours)

    def success(self, before: Health, *, changed: bool) -> Callable[[Path], None]:
        """Record the success when it is due and, after an alerted streak, the recovery.

        Due: the streak ended, or the stored success is ``health.refresh_interval`` old (a day
        with the default ``max_age_hours``); a run that changed the catalog has recorded both in
        its own commit (``job.apply_run``), so this writes nothing more for it.
        """

        def apply(root: Path) -> None:
            meta = read_meta(root / self.snapshots)
            if meta is None:
                return
            self._queue(root, self.recovery(before))
            current = Health.from_meta(meta)
            health = record_success(current, self.now, changed=changed, max_age=self.max_age)
            self._write(root, meta, health)

        return apply

    def success_to_record(self, before: Health, *, changed: bool) -> bool:
        """Whether :meth:`success` has anything to write over ``before`` (the health the run
        started from): the hourly run with nothing to do and nothing due commits nothing, and
        is spared asking git whether it staged anything."""
        due = record_success(before, self.now, changed=changed, max_age=self.max_age)
        return changed or due != before or bool(self.recovery(before))

    def recovery(self, before: Health) -> list[Alert]:
        """The recovery alerts of a success after an alerted streak (``before``); else none."""
        if not (before.failure_alerted and self.alerts):
            return []
        streak = Streak(
            before.consecutive_failures, str(before.failing_since), before.last_error or ""
        )
        return self._alerts(HEALTH_RECOVERY, streak)

    def _alert_due(self, health: Health) -> bool:
        limit = self.config.health.failures
        return health.consecutive_failures >= limit and not health.failure_alerted and self.alerts

    def _alerts(self, kind: AlertKind, streak: Streak) -> list[Alert]:
        return [
            health_alert(kind, streak, source=self.source, destination=target)
            for target in destinations(self.config.watch)
        ]

    def _queue(self, root: Path, alerts: list[Alert]) -> None:
        if not alerts:
            return
        path = root / self.snapshots / OUTBOX_FILE
        write_outbox(path, read_outbox(path).add(alerts, created=utc_stamp(self.now)))

    def _write(self, root: Path, meta: Meta, health: Health) -> None:
        if meta.get("health") == health.to_json():
            return
        path = root / self.snapshots / META_FILE
        written: Meta = {**meta, "health": health.to_json()}
        write_atomic(path, canonical_json(written))


def first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
