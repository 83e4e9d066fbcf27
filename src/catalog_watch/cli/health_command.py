"""``health``: exit non-zero when the watcher of a snapshot folder is stale or failing."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from catalog_watch.errors import ConfigError, Unhealthy
from catalog_watch.model.health import Health, problems, refresh_interval
from catalog_watch.settings.config import load_config
from catalog_watch.sources.registry import source_type
from catalog_watch.store.snapshot import read_meta

T = TypeVar("T")


def health(args: argparse.Namespace) -> int:
    """Exit 10 with the reasons when the watcher looks dead, stale or failing; 0 when healthy."""
    config = load_config(args.config)
    folder = _health_folder(args)
    health = Health.from_meta(read_meta(folder))
    settings = config.health
    found = problems(
        health,
        args.now or datetime.now(UTC),
        max_age=_max_age(args.max_age_hours, settings.max_age_hours),
        max_unchanged=timedelta(days=_given(args.max_unchanged_days, settings.max_unchanged_days)),
        max_failures=_given(args.failures, settings.failures),
    )
    if not found:
        print(
            f"{folder}: healthy: last successful fetch {health.last_success}, "
            f"last change {health.last_change}, {health.consecutive_failures} failures in a row"
        )
        return 0
    for problem in found:
        print(f"{folder}: unhealthy: {problem}", file=sys.stderr)
    return Unhealthy.exit_code


def _given(flag: T | None, configured: T) -> T:
    """A flag given replaces the config key (the parser takes only what the key takes); ``or``
    would read a falsy one as not given."""
    return configured if flag is None else flag


def _health_folder(args: argparse.Namespace) -> Path:
    folder = (
        Path(args.snapshots)
        if args.snapshots
        else source_type(args.source_type or "models.dev").snapshots
    )
    if not folder.is_dir():  # a typo or the wrong checkout, not an outage
        raise ConfigError(
            f"{folder}: no such snapshot folder; run health in the checkout that holds the "
            "snapshots, or name the folder with --snapshots"
        )
    return folder


def _max_age(flag: float | None, configured: float) -> timedelta:
    """``--max-age-hours``, which must exceed the interval at which the watcher (reading the same
    ``[health] max_age_hours``) records an unchanged run's success, or it could only raise false
    alarms."""
    if flag is None:
        return timedelta(hours=configured)
    recorded = refresh_interval(timedelta(hours=configured))
    if timedelta(hours=flag) <= recorded:
        raise ConfigError(
            f"--max-age-hours {flag:g}: a watcher whose catalog does not change records its "
            f"success every {recorded.total_seconds() / 3600:g} hours (max_age_hours = "
            f"{configured:g}): set [health] max_age_hours = {flag:g} in the config the watcher "
            "reads, and run health without the flag"
        )
    return timedelta(hours=flag)
