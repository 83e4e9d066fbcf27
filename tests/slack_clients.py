"""The Slack senders the delivery tests drive, and messages shaped like render.slack.Message.

No test sleeps: every sender gets a ``sleep`` that records the waits the retry handlers ask for,
and a ``RetryIntervalCalculator`` (``Backoff``) whose values are recognisable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.http_retry import RetryIntervalCalculator

from catalog_watch.publish.slack import BotSender
from tests.slack_server import TOKEN, SlackServer

CHANNEL = "#llm-alerts"  # the loopback server knows it as C123
PATH = {"webhook": r"^/services/", "bot": r"^/api/chat\.postMessage$"}


@dataclass(frozen=True)
class Msg:
    """The shape render.slack.Message has: text, blocks, alert_ids, payload()."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    alert_ids: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, "unfurl_links": False}


def msg(n: int, *, blocks: list[dict[str, Any]] | None = None) -> Msg:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": f"*alert {n}*"}}
    return Msg(f"alert {n}", [section] if blocks is None else blocks, (f"a{n}", f"b{n}"))


MESSAGES = [msg(1), msg(2), msg(3)]


class Backoff(RetryIntervalCalculator):
    """0.25 s, 0.5 s, 0.75 s...: recognisable, and recorded, never slept."""

    def __init__(self) -> None:
        self.attempts: list[int] = []

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        self.attempts.append(current_attempt)
        return 0.25 * (current_attempt + 1)


def bot(
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    channel: str = CHANNEL,
    *,
    token: str = TOKEN,
    base_url: str | None = None,
) -> BotSender:
    return BotSender(
        token,
        channel,
        base_url=base_url or server.api_url,
        retry_interval=backoff,
        sleep=sleeps.append,
    )
