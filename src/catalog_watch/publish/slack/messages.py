"""What the senders take and report: a rendered message, a delivery, a message found in Slack;
and what a bot message carries (its body, the metadata naming its alert ids)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

EVENT_TYPE = "catalog_watch_alerts"  # the metadata event_type of every bot message


class SlackMessage(Protocol):
    """One message as the renderer builds it (``render.slack.Message`` has this shape)."""

    @property
    def text(self) -> str: ...

    @property
    def blocks(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def alert_ids(self) -> Sequence[str]: ...

    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Delivered:
    """Slack accepted message ``message_index`` (0-based) of a ``send`` call."""

    message_index: int
    ts: str | None  # bot mode: the message's ts; webhooks return none
    alert_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Posted:
    """A catalog-watch message found in Slack: its ts, its thread's ts (None: top level), and
    the channel id."""

    ts: str
    thread_ts: str | None
    channel: str


class SlackSender(Protocol):
    """What the job calls; ``WebhookSender`` and ``BotSender`` implement it."""

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None: ...


def post_body(message: SlackMessage) -> dict[str, Any]:
    """What is posted: the message's payload, with its text and blocks when it leaves them out
    (an empty block list is left out: the text alone is the message)."""
    body: dict[str, Any] = {"text": message.text}
    if message.blocks:
        body["blocks"] = [dict(block) for block in message.blocks]
    return body | dict(message.payload())


def alert_metadata(message: SlackMessage) -> dict[str, Any]:
    """The message's alert ids, all of them (a message carries a few dozen at most)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"alert_ids": list(message.alert_ids)}}


def carried_ids(message: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The alert ids a message's metadata says it carries; None if it is not one of ours."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    ids = payload.get("alert_ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return tuple(ids)
