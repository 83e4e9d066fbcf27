"""Pending alerts into Slack: claim them, send them, record each accepted message at once.

The sequence (see ``outbox.py`` for the states):

1. *claim* the open alerts nobody owns, in one commit that is pushed before anything is sent (a
   run that loses the push race finds the alerts claimed by the winner and leaves them);
2. for alerts a dead run had claimed, learn what it did: with a bot token read the channel back
   (each message carries its alert ids in Slack's message metadata); a webhook cannot be read,
   so re-send (at-least-once) or mark them unconfirmed (``webhook_delivery = "at-most-once"``);
3. send the rest, message by message; right after Slack accepts one, its alerts are marked
   delivered, committed and pushed, before the next message goes out. A kill can only catch the
   one message in flight.

Every change to the outbox goes through a ``Saver`` (the publishing mode's "apply this to the
tree, commit, push; redo on the new tip after a race"), so this module never touches git.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog_watch.errors import SlackDeliveryError
from catalog_watch.jobs.delivery_types import Context, Delivery, Saver
from catalog_watch.model.alerts import BASELINE, HEALTH_KINDS, Alert, Destination
from catalog_watch.model.catalog import JSON
from catalog_watch.model.links import Links
from catalog_watch.model.timestamps import parse_stamp, utc_stamp
from catalog_watch.publish.slack import BotSender, Delivered, SlackSender, SlackSettings, sender_for
from catalog_watch.render.slack import Message, render_baseline, render_health, render_messages
from catalog_watch.render.values import count
from catalog_watch.store.outbox import (
    OUTBOX_FILE,
    Claim,
    Outbox,
    group_by_destination,
    read_outbox,
    write_outbox,
)

LOOKBACK = timedelta(minutes=10)  # Slack's clock and ours: read the channel from a bit earlier
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # Slack's ts 0: no message is older


def deliver(saver: Saver, ctx: Context) -> Delivery:
    """Claim, reconcile, send; every step saved through ``saver``."""
    notices: list[str] = []
    senders = _senders(_outbox(saver.root, ctx).pending, ctx, notices)
    stale = _claim(saver, ctx, set(senders), notices)
    mine = _outbox(saver.root, ctx).claimed_by(ctx.run_id)
    delivered: list[str] = []
    errors: list[SlackDeliveryError] = []
    for key, alerts in group_by_destination([e.alert for e in mine]).items():
        sender = senders[key]
        ambiguous = [a for a in alerts if a.id in stale]
        settled = _reconcile(saver, ctx, sender, ambiguous, stale, notices)
        delivered += settled
        rest = [a for a in alerts if a.id not in settled]
        try:
            _send(saver, ctx, sender, rest, delivered)
        except _Failed as failed:
            errors.append(failed.error)
    outbox = _outbox(saver.root, ctx)
    return Delivery(
        delivered=tuple(delivered),
        pending=len(outbox.pending),
        notices=tuple(notices),
        errors=tuple(errors),
        overdue=tuple(outbox.overdue(ctx.now, ctx.max_age)),
    )


def _outbox(root: Path, ctx: Context) -> Outbox:
    return read_outbox(root / ctx.snapshots / OUTBOX_FILE)


def _update(ctx: Context, change: Callable[[Outbox], Outbox]) -> Callable[[Path], None]:
    """An ``apply`` for the saver: read the outbox of *that* tree, change it, write it."""

    def apply(root: Path) -> None:
        path = root / ctx.snapshots / OUTBOX_FILE
        write_outbox(path, change(read_outbox(path)).pruned(ctx.now))

    return apply


def _senders(pending: Sequence[Alert], ctx: Context, notices: list[str]) -> dict[str, SlackSender]:
    """A sender per destination that can be reached; the others are left for a later run."""
    found: dict[str, SlackSender] = {}
    for key in sorted({a.destination.key for a in pending}):
        sender = _sender(Destination.from_key(key), ctx.settings, ctx.env)
        if sender is None:
            notices.append(
                f"Slack skipped for {key}: {_why_unusable(Destination.from_key(key), ctx)}"
            )
        else:
            found[key] = sender
    return found


def _claim(saver: Saver, ctx: Context, keys: set[str], notices: list[str]) -> dict[str, Claim]:
    """Claim what nobody owns; the stale claims taken over (alert id → the dead run's claim)."""
    outbox = _outbox(saver.root, ctx)
    free = [
        e
        for e in outbox.claimable(ctx.now, ctx.lease, ctx.dead_runs)
        if e.alert.destination.key in keys
    ]
    busy = [e for e in outbox.entries if e.open and e.claim and e not in free]
    if busy:
        notices.append(f"{_alerts(len(busy))} claimed by another run still in progress")
    if not free:
        return {}
    stale = {e.id: e.claim for e in free if e.claim is not None}
    wanted = {e.id for e in free}
    claim = Claim(ctx.run_id, utc_stamp(ctx.now))

    def change(box: Outbox) -> Outbox:
        here = box.claimable(ctx.now, ctx.lease, ctx.dead_runs)
        return box.claim({e.id for e in here} & wanted, claim)

    saver.save(f"catalog-watch: claim {_alerts(len(wanted))} for Slack", _update(ctx, change))
    return stale


def _reconcile(
    saver: Saver,
    ctx: Context,
    sender: SlackSender,
    alerts: Sequence[Alert],
    stale: Mapping[str, Claim],
    notices: list[str],
) -> list[str]:
    """Alerts a dead run claimed: the ids now settled (found in Slack, or given up on)."""
    if not alerts:
        return []
    ids = [a.id for a in alerts]
    if isinstance(sender, BotSender):
        posted = sender.find_posted(ids, oldest=_read_from(stale[i].at for i in ids))
        when = utc_stamp(ctx.now)

        def found(box: Outbox) -> Outbox:
            for alert_id, where in posted.items():
                box = box.mark_delivered([alert_id], when=when, ts=where.ts)
            return box

        if posted:
            saver.save(
                f"catalog-watch: {_alerts(len(posted))} found delivered in Slack",
                _update(ctx, found),
            )
            notices.append(f"found in Slack: {_alerts(len(posted))} a killed run had posted")
        return list(posted)
    if ctx.webhook_delivery == "at-most-once":
        when = utc_stamp(ctx.now)
        saver.save(
            f"catalog-watch: {_alerts(len(ids))} unconfirmed (at-most-once)",
            _update(ctx, lambda box: box.mark_unconfirmed(ids, when=when)),
        )
        notices.append(f"not re-sent: {_alerts(len(ids))} a killed run may have posted")
        return ids
    notices.append(f"re-sending {_alerts(len(ids))} a killed run may have posted (at-least-once)")
    return []


def _read_from(claimed: Iterable[str]) -> datetime:
    """Where to read the channel back from: LOOKBACK before the first claim, never before
    EPOCH. Slack's ts are Unix seconds (its own default ``oldest`` is 0): from EPOCH the whole
    channel is read; a claim stamped 0001-01-01 (the outbox is hand-editable) would otherwise
    overflow, or ask Slack for a negative ts, a value it documents nowhere."""
    first = min(parse_stamp(at) for at in claimed)
    return max(first, EPOCH + LOOKBACK) - LOOKBACK


def _marked(ids: Sequence[str], ctx: Context, ts: str | None) -> Callable[[Outbox], Outbox]:
    when = utc_stamp(ctx.now)
    return lambda box: box.mark_delivered(ids, when=when, ts=ts)


class _Failed(Exception):
    def __init__(self, error: SlackDeliveryError) -> None:
        self.error = error


def _send(
    saver: Saver, ctx: Context, sender: SlackSender, alerts: Sequence[Alert], done: list[str]
) -> None:
    """Send the alerts' messages; save each one's marks as soon as Slack accepted it."""
    if not alerts:
        return
    messages = messages_for(alerts, ctx.links)
    accepted: list[Delivered] = []

    def on_delivered(item: Delivered) -> None:
        accepted.append(item)
        ids = list(item.alert_ids)
        saver.save(
            f"catalog-watch: {_alerts(len(ids))} delivered to Slack",
            _update(ctx, _marked(ids, ctx, item.ts)),
        )
        done.extend(ids)

    try:
        sender.send(messages, on_delivered=on_delivered)
    except SlackDeliveryError as error:
        _after_failure(saver, ctx, sender, messages, len(accepted), error)
        raise _Failed(error) from error


def _after_failure(
    saver: Saver,
    ctx: Context,
    sender: SlackSender,
    messages: Sequence[Message],
    sent: int,
    error: SlackDeliveryError,
) -> None:
    """The failed message and those after it: released, kept claimed, or unconfirmed."""
    failed = list(messages[sent].alert_ids) if sent < len(messages) else []
    later = [i for m in messages[sent + 1 :] for i in m.alert_ids]
    release = list(later)
    unconfirmed: list[str] = []
    if not getattr(error, "ambiguous", False):
        release += failed  # Slack said no: nothing was posted
    elif not isinstance(sender, BotSender):
        if ctx.webhook_delivery == "at-most-once":
            unconfirmed = failed
        else:
            release += failed  # re-sent by the next run: at most one duplicate
    # A bot's ambiguous message stays claimed: once the lease runs out, the next run reads the
    # channel back before it sends again.
    when = utc_stamp(ctx.now)

    def change(box: Outbox) -> Outbox:
        return box.release(release).mark_unconfirmed(unconfirmed, when=when)

    if release or unconfirmed:
        saver.save(
            f"catalog-watch: {_alerts(len(release) + len(unconfirmed))} left for a later run",
            _update(ctx, change),
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


def _why_unusable(target: Destination, ctx: Context) -> str:
    if target.webhook_env is not None:
        return f"${target.webhook_env} is not set"
    if target.channel is not None:
        return "no SLACK_TOKEN for the bot"
    return ctx.settings.missing() or "not configured"


def _alerts(n: int) -> str:
    return count(n, "alert", "alerts")


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
    messages += [_baseline(a, links) for a in alerts if a.kind == BASELINE]
    rest = [a for a in alerts if a.kind != BASELINE and a.kind not in HEALTH_KINDS]
    if rest:
        messages += render_messages(rest, source=rest[0].source, links=links)
    return messages


def _baseline(alert: Alert, links: Links) -> Message:
    """The baseline's message; a count that is not one (the committed outbox is hand-editable)
    is passed as None, which the renderer leaves out."""
    providers, offerings, inconsistencies = (
        _count(alert.extra.get(key, 0)) for key in ("providers", "offerings", "inconsistencies")
    )
    made = render_baseline(
        source=alert.source,
        providers=providers,
        offerings=offerings,
        inconsistencies=inconsistencies,
        links=links,
    )
    return Message(text=made.text, blocks=made.blocks, alert_ids=(alert.id,))


def _count(value: JSON) -> int | None:
    """A count as the run writes it, an int from 0; anything else (a bool, a float such as
    1e309, a word, a list) is none."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
