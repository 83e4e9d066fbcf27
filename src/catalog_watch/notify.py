"""Alerts from a run into the outbox, and pending alerts from the outbox into Slack.

Two steps on purpose (see ``outbox.py``): ``queue_alerts`` runs while the run writes its snapshot,
so the alerts are committed with it; ``deliver_pending`` runs after that commit is pushed, and
marks delivered exactly the alerts of the messages Slack accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from catalog_watch.alerts import BASELINE, Alert, Destination
from catalog_watch.config import Config
from catalog_watch.errors import SlackDeliveryError
from catalog_watch.outbox import (
    OUTBOX_FILE,
    Entry,
    group_by_destination,
    read_outbox,
    write_outbox,
)
from catalog_watch.policy import alerts_for
from catalog_watch.publish.slack import SlackSender, SlackSettings, sender_for
from catalog_watch.render.slack import Links, Message, render_baseline, render_messages
from catalog_watch.report import Report
from catalog_watch.timestamps import utc_stamp


def queue_alerts(
    snapshots: Path, report: Report, config: Config, *, from_snapshot: str, now: datetime
) -> int:
    """Add this run's alerts to the outbox as pending; the number that were new."""
    alerts = alerts_for(report, config, from_snapshot=from_snapshot, today=now.date())
    path = snapshots / OUTBOX_FILE
    outbox = read_outbox(path)
    updated = outbox.add(alerts, created=utc_stamp(now))
    write_outbox(path, updated)
    return len(updated.entries) - len(outbox.entries)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one delivery step did; ``errors`` are raised by the caller once the outbox is saved."""

    delivered: tuple[str, ...] = ()
    pending: int = 0
    notices: tuple[str, ...] = ()
    errors: tuple[SlackDeliveryError, ...] = ()
    overdue: tuple[Entry, ...] = ()
    payloads: tuple[tuple[str, dict[str, object]], ...] = field(default=())  # dry-run


def deliver_pending(
    snapshots: Path,
    settings: SlackSettings,
    env: Mapping[str, str],
    *,
    links: Links,
    now: datetime,
    max_age: timedelta,
) -> Delivery:
    """Send every pending alert, destination by destination; save the outbox with the marks."""
    path = snapshots / OUTBOX_FILE
    outbox = read_outbox(path)
    delivered: list[str] = []
    notices: list[str] = []
    errors: list[SlackDeliveryError] = []
    for key, alerts in group_by_destination(outbox.pending).items():
        sender = _sender(Destination(key), settings, env)
        if sender is None:
            notices.append(f"Slack skipped for {key}: {_why_unusable(Destination(key), settings)}")
            continue
        try:
            sender.send(
                messages_for(alerts, links), on_delivered=lambda d: delivered.extend(d.alert_ids)
            )
        except SlackDeliveryError as error:
            errors.append(error)
    outbox = outbox.mark_delivered(delivered, when=utc_stamp(now)).pruned(now)
    write_outbox(path, outbox)
    return Delivery(
        delivered=tuple(delivered),
        pending=len(outbox.pending),
        notices=tuple(notices),
        errors=tuple(errors),
        overdue=tuple(outbox.overdue(now, max_age)),
    )


def preview_pending(snapshots: Path, links: Links) -> list[tuple[str, dict[str, object]]]:
    """Dry-run: (destination, exact payload) for every message a delivery would send."""
    outbox = read_outbox(snapshots / OUTBOX_FILE)
    return [
        (key, message.payload())
        for key, alerts in group_by_destination(outbox.pending).items()
        for message in messages_for(alerts, links)
    ]


def messages_for(alerts: Sequence[Alert], links: Links) -> list[Message]:
    """The baseline is its own short message; everything else goes through the renderer."""
    messages: list[Message] = []
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
    rest = [a for a in alerts if a.kind != BASELINE]
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


def _sender(
    target: Destination, settings: SlackSettings, env: Mapping[str, str]
) -> SlackSender | None:
    """The sender for one destination, or None when its secret is not there (a fork, a typo)."""
    if target.channel is not None:
        return sender_for(settings, channel=target.channel) if settings.token else None
    if target.webhook_env is not None:
        url = env.get(target.webhook_env)
        name = f"webhook {target.webhook_env}"
        return sender_for(settings, webhook_url=url, name=name) if url else None
    return sender_for(settings) if settings.configured else None


def _why_unusable(target: Destination, settings: SlackSettings) -> str:
    if target.webhook_env is not None:
        return f"${target.webhook_env} is not set"
    if target.channel is not None:
        return "no SLACK_TOKEN for the bot"
    return settings.missing() or "not configured"
