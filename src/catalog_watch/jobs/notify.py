"""Alerts from a run into the outbox, and pending alerts from the outbox into Slack.

Two steps on purpose (see ``outbox.py``): the run's alerts are queued while it writes its
snapshot, so they are committed with it; ``delivery.py`` sends them after that commit is pushed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from catalog_watch.analysis.policy import alerts_for
from catalog_watch.analysis.usage import UsedModels
from catalog_watch.model.alerts import BASELINE, HEALTH_KINDS, Alert
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.render.slack import (
    Links,
    Message,
    render_baseline,
    render_health,
    render_messages,
)
from catalog_watch.settings.config import Config
from catalog_watch.store.outbox import OUTBOX_FILE, Outbox, group_by_destination, read_outbox


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


def preview_pending(snapshots: Path, links: Links) -> list[tuple[str, dict[str, object]]]:
    """Dry-run: (destination, exact payload) for every message a delivery would send."""
    outbox = read_outbox(snapshots / OUTBOX_FILE)
    return [
        (key, message.payload())
        for key, alerts in group_by_destination(outbox.pending).items()
        for message in messages_for(alerts, links)
    ]


def messages_for(alerts: Sequence[Alert], links: Links) -> list[Message]:
    """A failure streak or its end comes first, on its own, like the baseline; everything else
    goes through the renderer."""
    messages = [render_health(a, links) for a in alerts if a.kind in HEALTH_KINDS]
    for alert in (a for a in alerts if a.kind == BASELINE):
        counts = alert.extra
        baseline = render_baseline(
            source=alert.source,
            providers=int(counts.get("providers", 0)),
            offerings=int(counts.get("offerings", 0)),
            inconsistencies=int(counts.get("inconsistencies", 0)),
            links=links,
        )
        messages.append(Message(text=baseline.text, blocks=baseline.blocks, alert_ids=(alert.id,)))
    rest = [a for a in alerts if a.kind != BASELINE and a.kind not in HEALTH_KINDS]
    if rest:
        messages += render_messages(rest, source=rest[0].source, links=links)
    return messages


def links_from_env(
    env: Mapping[str, str], *, commit: str | None, pull_url: str | None, changelog: str
) -> Links:
    """Links to the commit, PR, run and changelog, from the variables GitHub's runners set."""
    repository = env.get("GITHUB_REPOSITORY")
    if not repository:
        return Links(pull_request=pull_url)
    base = f"{env.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/')}/{repository}"
    run_id = env.get("GITHUB_RUN_ID")
    return Links(
        commit=f"{base}/commit/{commit}" if commit else None,
        pull_request=pull_url,
        run=f"{base}/actions/runs/{run_id}" if run_id else None,
        changelog=f"{base}/blob/{commit}/{changelog}" if commit else None,
    )
