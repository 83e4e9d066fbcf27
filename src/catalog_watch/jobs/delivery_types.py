"""The delivery step's terms: what it is given (``Context``, a ``Saver``) and what it did
(``Delivery``).

Apart from ``delivery.py`` so that a run with no alert pending can name them without loading
Slack's client, Block Kit and the renderer (``jobs/steps.DELIVERY``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from catalog_watch.errors import SlackDeliveryError
from catalog_watch.model.links import Links
from catalog_watch.settings.slack import SlackSettings
from catalog_watch.store.outbox import Entry


class Saver(Protocol):
    """Apply a change to the tree's files, commit it and push it (redone on a new tip)."""

    @property
    def root(self) -> Path: ...

    def save(self, message: str, apply: Callable[[Path], None]) -> bool: ...


@dataclass(frozen=True, slots=True)
class Context:
    settings: SlackSettings
    env: Mapping[str, str]
    links: Links
    snapshots: Path  # relative to the tree root
    now: datetime
    run_id: str
    lease: timedelta
    max_age: timedelta
    webhook_delivery: Literal["at-least-once", "at-most-once"] = "at-least-once"
    dead_runs: tuple[str, ...] = ()  # runs this checkout saw die: their claims are stale now


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one delivery step did; ``errors`` are raised by the caller after the run is saved."""

    delivered: tuple[str, ...] = ()
    pending: int = 0
    notices: tuple[str, ...] = ()
    errors: tuple[SlackDeliveryError, ...] = ()
    overdue: tuple[Entry, ...] = ()
