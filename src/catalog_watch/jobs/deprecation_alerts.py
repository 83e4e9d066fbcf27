"""Retirement reminders at the lead times of ``[deprecations]``, queued by ``run``; and the
deprecation calendar's inputs read from disk (for ``catalog-watch deprecations`` and the site).

``run`` queues, with its other alerts, one ``retirement_due`` alert per destination for each
offering the code uses (every offering with ``used_only = false``) whose announced retirement
date is within a lead time (``analysis.deprecations.due_lead``: the nearest lead only, once).
The dates come from the run's catalog and the ``--compare-with`` snapshot folders (LiteLLM's
``deprecation_date``, OpenRouter's ``expiration_date``), joined onto the run's offerings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from catalog_watch.analysis.deprecations import (
    Retirement,
    deprecated_since,
    due_lead,
    retirements,
)
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.usage import UsedModels
from catalog_watch.analysis.watch_rules import destinations
from catalog_watch.jobs.check import CheckOptions
from catalog_watch.model.alerts import RETIREMENT_DUE, Alert, Destination, alert_id
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS, Catalog, snapshot_folder
from catalog_watch.model.severity import Severity
from catalog_watch.model.timestamps import parse_stamp, utc_stamp
from catalog_watch.render.deprecations import alert_words
from catalog_watch.settings.config import Config
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, read_ledger
from catalog_watch.store.outbox import KEEP_DELIVERED, Outbox

__all__ = [
    "Calendar",
    "default_catalogs",
    "deprecation_alerts",
    "lead_alerts",
    "load_calendar",
    "queue_reminders",
    "source_folders",
]

RULE = "deprecations"
OTHER_SOURCES = ("litellm", "openrouter")
URGENT_LEAD = 7  # a reminder this many days ahead or fewer is high severity, the others medium


def queue_reminders(
    outbox: Outbox, catalog: Catalog | None, used: UsedModels, check: CheckOptions, now: datetime
) -> Outbox:
    """The outbox with the reminders due at ``now`` added (an id already there is not)."""
    return outbox.add(deprecation_alerts(catalog, used, check, now), created=utc_stamp(now))


def deprecation_alerts(
    catalog: Catalog | None, used: UsedModels, check: CheckOptions, now: datetime
) -> list[Alert]:
    """The reminders due at ``now`` for the run's new ``catalog`` (None: nothing was read)."""
    if catalog is None:
        return []
    config = check.config
    others = [load_catalog(path, config) for path in check.compare_with]
    items = retirements(
        [catalog, *others], today=now.date(), aliases=config.inconsistencies.aliases
    )
    return lead_alerts(items, used, config, today=now.date(), source=catalog.source)


def lead_alerts(
    items: Sequence[Retirement], used: UsedModels, config: Config, *, today: date, source: str
) -> list[Alert]:
    """One alert per due reminder and destination (``[deprecations]``; every watch rule's
    destination hears them, like the health alerts)."""
    settings = config.deprecations
    targets = destinations(config.watch)
    alerts: list[Alert] = []
    for item in items:
        retires = item.announced
        if retires is None:
            continue
        places = used.places_of(item.provider, item.model_id)
        if settings.used_only and not places:
            continue
        lead = due_lead(retires, today, settings.lead_days, KEEP_DELIVERED)
        if lead is not None:
            alerts.extend(_alert(item, retires, lead, today, places, t, source) for t in targets)
    return alerts


def _alert(
    item: Retirement,
    retires: date,
    lead: int,
    today: date,
    places: tuple[str, ...],
    target: Destination,
    source: str,
) -> Alert:
    field = f"lead_days:{lead}"
    return Alert(
        id=alert_id(
            kind=RETIREMENT_DUE,
            provider=item.provider,
            model=item.model_id,
            field=field,
            new=retires.isoformat(),
            from_snapshot=RULE,  # not the snapshot's hash: the same reminder on every run
            destination=target,
        ),
        destination=target,
        rule=RULE,
        source=source,
        kind=RETIREMENT_DUE,
        severity=Severity.HIGH if lead <= URGENT_LEAD else Severity.MEDIUM,
        provider=item.provider,
        model=item.model_id,
        field=field,
        new=retires.isoformat(),
        detail=alert_words(item, lead, today),
        extra={"lead_days": lead, "date_source": item.source, "used_in": list(places)},
    )


@dataclass(frozen=True, slots=True)
class Calendar:
    """The calendar and the moment its data is as of (the newest ledger line; None: no
    ledger), which the ``.ics`` stamps its events with."""

    items: tuple[Retirement, ...]
    catalogs: tuple[Catalog, ...]
    as_of: datetime | None


def default_catalogs(root: Path) -> list[Path]:
    """``snapshots/models.dev``, then ``snapshots/litellm`` and ``snapshots/openrouter`` where
    they exist (relative to ``root``)."""
    default = root / DEFAULT_SNAPSHOTS
    return [default, *source_folders(default.parent)]


def source_folders(parent: Path) -> list[Path]:
    """The LiteLLM and OpenRouter snapshot folders in ``parent`` (``snapshots/``) that exist."""
    others = [parent / Path(snapshot_folder(name)).name for name in OTHER_SOURCES]
    return [path for path in others if path.is_dir()]


def load_calendar(
    paths: Sequence[Path], config: Config, index: ModelIndex | None, today: date
) -> Calendar:
    """Each catalog file or snapshot folder, and the ledger of each folder (the day a models.dev
    offering was first seen deprecated dates it)."""
    catalogs = [load_catalog(path, config) for path in paths]
    seen: dict[tuple[str, str], date] = {}
    newest: datetime | None = None
    for path, catalog in zip(paths, catalogs, strict=True):
        if not path.is_dir():
            continue
        lines = read_ledger(path / LEDGER_FILE)
        if catalog.source == "models.dev":
            seen.update(deprecated_since(lines))
        if lines:
            moment = parse_stamp(max(line["time"] for line in lines)).astimezone(UTC)
            newest = moment if newest is None or moment > newest else newest
    items = retirements(
        catalogs, today=today, seen=seen, aliases=config.inconsistencies.aliases, index=index
    )
    return Calendar(tuple(items), tuple(catalogs), newest)
