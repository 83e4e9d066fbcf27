"""Where Slack messages go by default, read from the environment and the command line.

A webhook URL or token holding a space or a control character is refused here, before any client
is built, by a message naming the setting and never the value."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from catalog_watch.errors import ConfigError
from catalog_watch.publish.secrets import unsafe, unsafe_message

DEFAULT_API_URL = "https://slack.com/api/"
TIMEOUT = 30.0  # seconds, per request (SLACK_TIMEOUT_SECONDS)
MAX_TIMEOUT = 3600.0
"""An hour: no answer is worth waiting longer for, and far above it (1e10 s) the socket refuses
the timeout itself, after the alerts were claimed."""


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """The run's default Slack destination: a webhook, or a bot token and a channel."""

    webhook_url: str | None = field(default=None, repr=False)  # a secret: the URL is the key
    token: str | None = field(default=None, repr=False)  # bot token, xoxb-...
    channel: str | None = None  # channel id or name, with the token
    base_url: str = DEFAULT_API_URL  # settable so that tests (or GovSlack) point the SDK elsewhere
    timeout: float = TIMEOUT  # seconds per request, both senders

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        webhook_url: str | None = None,
        token: str | None = None,
        channel: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
    ) -> SlackSettings:
        """Explicit arguments win over ``SLACK_WEBHOOK_URL``, ``SLACK_TOKEN`` (else
        ``SLACK_BOT_TOKEN``), ``SLACK_CHANNEL``, ``SLACK_API_URL`` and ``SLACK_TIMEOUT_SECONDS``.
        Empty or blank values count as unset (that is what a fork's workflow gets for a secret) and
        the rest is trimmed. A ``ConfigError`` for a timeout that is not a number of seconds above
        0 and at most an hour, and for a webhook URL, token or channel that still holds a space or a
        control character (named by its variable, or its flag when given explicitly; the value is
        never shown)."""

        def pick(explicit: str | None, *names: str) -> tuple[str | None, str]:
            """The first non-blank value, trimmed, and where it came from (a flag or a name)."""
            flag = "--" + names[0].lower().replace("_", "-")
            for name, value in ((flag, explicit), *((n, env.get(n)) for n in names)):
                if value and value.strip():
                    return value.strip(), name
            return None, names[0]

        api_url = pick(base_url, "SLACK_API_URL")[0] or DEFAULT_API_URL
        return cls(
            webhook_url=_secret(*pick(webhook_url, "SLACK_WEBHOOK_URL")),
            token=_secret(*pick(token, "SLACK_TOKEN", "SLACK_BOT_TOKEN")),
            channel=_secret(*pick(channel, "SLACK_CHANNEL")),  # a line break would fake lines
            base_url=api_url if api_url.endswith("/") else api_url + "/",
            timeout=_timeout(timeout, pick(None, "SLACK_TIMEOUT_SECONDS")[0]),
        )

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url or (self.token and self.channel))

    def missing(self) -> str | None:
        """One line saying why Slack is skipped, or None when a destination is configured."""
        if self.configured:
            return None
        if self.token:
            return (
                "SLACK_TOKEN is set but SLACK_CHANNEL is not (and no SLACK_WEBHOOK_URL): "
                "Slack skipped"
            )
        if self.channel:
            return (
                "SLACK_CHANNEL is set but SLACK_TOKEN is not (and no SLACK_WEBHOOK_URL): Slack "
                "skipped (secrets are empty on forks)"
            )
        return (
            "no SLACK_WEBHOOK_URL or SLACK_TOKEN+SLACK_CHANNEL: Slack skipped "
            "(secrets are empty on forks)"
        )


def _secret(value: str | None, name: str) -> str | None:
    if value is not None and unsafe(value):
        raise ConfigError(unsafe_message(name))
    return value


def _timeout(explicit: float | None, text: str | None) -> float:
    if explicit is None and text is None:
        return TIMEOUT
    try:
        seconds = float(explicit if explicit is not None else cast(str, text))
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # nan fails too
        shown = explicit if explicit is not None else text
        raise ConfigError(
            "SLACK_TIMEOUT_SECONDS must be a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT:.0f}, not {shown!r}"
        )
    return seconds
