"""Recording a run's health in the checkout, and the one failure / one recovery alert.

Commit mode only: the run records its failure (or its day's success) in ``_meta.json``, commits
and pushes it, so the next run knows the streak. The failure alert is queued in the outbox once,
when the streak reaches ``[health] failures``; the recovery alert once, on the first success after
an alerted streak. Both go through the outbox, so they are delivered exactly once like the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from catalog_watch.alerts import Alert, alert_id
from catalog_watch.health import Health, record_failure, record_success
from catalog_watch.job import JobOptions
from catalog_watch.outbox import OUTBOX_FILE, read_outbox, write_outbox
from catalog_watch.policy import destinations
from catalog_watch.publish.git import Git, push_with_recovery
from catalog_watch.severity import Severity
from catalog_watch.snapshot import META_FILE, canonical_json
from catalog_watch.timestamps import utc_stamp

HEALTH_FAILURE = "health_failure"
HEALTH_RECOVERY = "health_recovery"


def health_before(git: Git, options: JobOptions) -> Health:
    return Health.from_meta(_read_meta(git.path, options))


def note_failure(git: Git, options: JobOptions, error: Exception) -> None:
    """Count the failed run; at the threshold, queue the streak's one failure alert."""
    if not _meta_path(git.path, options).exists():
        return  # nothing is watched yet: there is no streak to keep

    def apply(root: Path) -> None:
        health = record_failure(
            Health.from_meta(_read_meta(root, options)), options.moment, _first_line(error)
        )
        limit = options.check.config.health.failures
        if (
            health.consecutive_failures >= limit
            and not health.failure_alerted
            and options.slack is not None
        ):
            detail = (
                f"{_source(options)}: the last {health.consecutive_failures} runs failed, since "
                f"{health.failing_since}: {health.last_error}"
            )
            _queue(root, options, HEALTH_FAILURE, str(health.failing_since), detail, Severity.HIGH)
            health = replace(health, failure_alerted=True)
        _write_health(root, options, health)

    apply(git.path)
    _commit_and_push(git, options, f"catalog-watch: run failed: {_first_line(error)}", apply)


def note_success(git: Git, options: JobOptions, before: Health, *, changed: bool) -> None:
    """Record the day's success (once a day) and, after an alerted streak, the recovery alert."""

    def apply(root: Path) -> None:
        current = Health.from_meta(_read_meta(root, options))
        if before.failure_alerted and options.slack is not None:
            detail = (
                f"{_source(options)}: runs succeed again (failing since {before.failing_since})"
            )
            _queue(root, options, HEALTH_RECOVERY, str(before.failing_since), detail, Severity.LOW)
        _write_health(root, options, record_success(current, options.moment, changed=changed))

    if not _meta_path(git.path, options).exists():
        return
    apply(git.path)
    _commit_and_push(git, options, "catalog-watch: health", apply)


def _commit_and_push(
    git: Git, options: JobOptions, message: str, apply: Callable[[Path], None]
) -> None:
    paths = (str(options.check.snapshots),)
    if git.commit(paths, message) is None:
        return

    def redo(tip: Git) -> str | None:
        apply(tip.path)
        return tip.commit(paths, message)

    push_with_recovery(git, git.current_branch(), redo)


def _queue(
    root: Path, options: JobOptions, kind: str, streak: str, detail: str, severity: Severity
) -> None:
    source = _source(options)
    alerts = [
        Alert(
            id=alert_id(
                kind=kind,
                provider=None,
                model=source,
                field=None,
                new=streak,
                from_snapshot="health",
                destination=target,
            ),
            destination=target,
            rule="health",
            source=source,
            kind=kind,
            severity=severity,
            detail=detail,
        )
        for target in destinations(options.check.config.watch)
    ]
    path = root / options.check.snapshots / OUTBOX_FILE
    write_outbox(path, read_outbox(path).add(alerts, created=utc_stamp(options.moment)))


def _write_health(root: Path, options: JobOptions, health: Health) -> None:
    path = _meta_path(root, options)
    meta = _read_meta(root, options)
    if meta.get("health") == health.to_json():
        return
    path.write_bytes(canonical_json({**meta, "health": health.to_json()}))


def _read_meta(root: Path, options: JobOptions) -> dict[str, object]:
    path = _meta_path(root, options)
    try:
        meta = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _meta_path(root: Path, options: JobOptions) -> Path:
    return root / options.check.snapshots / META_FILE


def _source(options: JobOptions) -> str:
    return options.check.source_type or "models.dev"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
