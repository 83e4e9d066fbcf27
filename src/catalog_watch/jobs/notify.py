"""Alerts from a run into the outbox; ``delivery.py`` renders and sends them.

Two steps on purpose (see ``outbox.py``): the run's alerts are queued while it writes its
snapshot, so they are committed with it; ``delivery.py`` sends them after that commit is pushed.
Queueing needs no Slack code, so this module imports none (``jobs/steps.DELIVERY``).
"""

from __future__ import annotations

from datetime import datetime

from catalog_watch.analysis.policy import alerts_for
from catalog_watch.analysis.usage import UsedModels
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.settings.config import Config
from catalog_watch.store.outbox import Outbox


def queued(
    outbox: Outbox,
    report: Report,
    config: Config,
    *,
    from_snapshot: str,
    now: datetime,
    used: UsedModels | None = None,
) -> Outbox:
    """The outbox with this run's alerts added as pending (those already known are not);
    ``used``: the models the code uses (their inconsistencies say where)."""
    alerts = alerts_for(report, config, from_snapshot=from_snapshot, today=now.date(), used=used)
    return outbox.add(alerts, created=utc_stamp(now))
