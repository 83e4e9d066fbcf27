"""Deliver rendered Slack messages: to an incoming webhook, or with a bot token as one thread.

Two senders share one interface (``SlackSender.send``): a ``WebhookSender`` posts each message to
one incoming webhook, in order; a ``BotSender`` posts the first message with ``chat.postMessage``
and every further one as a reply in its thread (one summary per run, the details underneath).
``on_delivered`` is called right after Slack accepted each message, so the caller can mark exactly
those alerts delivered when a later message fails.

Retries: slack-sdk's own retry loop and handlers (``slack_sdk.http_retry``) do them; this module
only picks the handlers and how they wait. Every wait goes through an injectable ``sleep`` (tests
record the waits instead of sleeping), and ``Retry-After`` is honoured exactly — slack-sdk's
``RateLimitErrorRetryHandler`` adds up to a second of random jitter and cannot read a date.

============================  ==========================  ====================================
failure                       Web API (bot token)         incoming webhook
============================  ==========================  ====================================
429 + ``Retry-After``         retried, waiting exactly    retried, waiting exactly
                              Retry-After (≤ 60 s)        Retry-After (≤ 60 s)
connection refused, DNS,      retried (backoff)           retried (backoff)
connect timeout (URLError)
reset / closed after the      retried (slack-sdk's        **not** retried
request was sent              default)
HTTP 500, 503                 retried (backoff)           **not** retried
any other status, ``ok:       not retried                 not retried
false`` (invalid_blocks...)
============================  ==========================  ====================================

Why the two columns differ. A 429 and a refused connection mean Slack did not post anything, so
retrying them is always safe. A 5xx, or a connection dropped after the request was sent, is
ambiguous: Slack may have posted the message and failed to say so, and a retry posts it twice —
neither API has an idempotency key. For webhooks we follow UMAprotocol/protocol#4957 and do not
retry those: every webhook message is a top-level channel post (a duplicate is a second full
alert in front of everyone), and a webhook returns nothing that would find the first copy. For
the Web API we retry 500 and 503 (slack-sdk's ``ServerErrorRetryHandler``; 502/504, the gateway
timeouts likeliest to hide a post that went through, are not retried): every message after the
first is a thread reply, where a duplicate costs little, so only the summary risks a second
top-level post — and not retrying is no safer for it, since its alerts would stay undelivered in
the outbox and the next run would post them again anyway, hours later.

Errors (``SlackDeliveryError``) name the destination — the channel, or "webhook" / the name the
caller gives it — Slack's error code, the HTTP status and, for ``invalid_blocks``, Slack's
``response_metadata.messages``. They never contain the token or the webhook URL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException, RemoteDisconnected
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryIntervalCalculator,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from catalog_watch import __version__
from catalog_watch.errors import SlackDeliveryError

DEFAULT_API_URL = "https://slack.com/api/"
RETRIES = 2  # per message: at most 3 attempts, whichever handlers the retries came from
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After fails the message instead of waiting
TIMEOUT = 30  # seconds, per request

Sleep = Callable[[float], None]

# The SDK logs request URLs (a webhook URL is a secret) at INFO ("Going to retry the same
# request: POST <url>") and, when its logger's own level is DEBUG or unset, at DEBUG. A logger of
# our own at WARNING keeps those lines from ever being emitted, whatever the root level; what it
# logs at ERROR ("Failed to send a request to Slack API server: <urlopen error ...>") has no URL.
_SDK_LOG = logging.getLogger("catalog_watch.publish.slack.sdk")
_SDK_LOG.setLevel(logging.WARNING)

_HINTS = {
    "not_in_channel": "invite the app to the channel (/invite @app) first",
    "channel_not_found": "check the channel name or id; a private channel needs the app invited",
    "is_archived": "the channel is archived",
    "invalid_auth": "check SLACK_TOKEN (a bot token, xoxb-...)",
    "not_authed": "no token reached Slack: check SLACK_TOKEN",
    "token_revoked": "the token was revoked: install the app again and update SLACK_TOKEN",
    "account_inactive": "the token belongs to a deleted app or user: update SLACK_TOKEN",
    "missing_scope": "the bot token needs the chat:write scope",
    "no_service": "the webhook was removed or disabled: create a new one",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "a workspace admin restricted posting to this channel",
}


# -- Settings --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """The run's default Slack destination: a webhook, or a bot token and a channel."""

    webhook_url: str | None = field(default=None, repr=False)  # a secret: the URL is the key
    token: str | None = field(default=None, repr=False)  # bot token, xoxb-...
    channel: str | None = None  # channel id or name, with the token
    base_url: str = DEFAULT_API_URL  # settable so that tests (or GovSlack) point the SDK elsewhere

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        webhook_url: str | None = None,
        token: str | None = None,
        channel: str | None = None,
        base_url: str | None = None,
    ) -> SlackSettings:
        """Explicit arguments win over ``SLACK_WEBHOOK_URL``, ``SLACK_TOKEN`` (else
        ``SLACK_BOT_TOKEN``), ``SLACK_CHANNEL`` and ``SLACK_API_URL``. Empty or blank values count
        as unset (that is what a fork's workflow gets for a secret)."""

        def pick(explicit: str | None, *names: str) -> str | None:
            for value in (explicit, *(env.get(name) for name in names)):
                if value and value.strip():
                    return value.strip()
            return None

        api_url = pick(base_url, "SLACK_API_URL") or DEFAULT_API_URL
        return cls(
            webhook_url=pick(webhook_url, "SLACK_WEBHOOK_URL"),
            token=pick(token, "SLACK_TOKEN", "SLACK_BOT_TOKEN"),
            channel=pick(channel, "SLACK_CHANNEL"),
            base_url=api_url if api_url.endswith("/") else api_url + "/",
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


# -- Messages and senders --------------------------------------------------------------------


class SlackMessage(Protocol):
    """One message as the renderer builds it (render/slack.py's ``Message`` has this shape)."""

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


class SlackSender(Protocol):
    """What the job calls; ``WebhookSender`` and ``BotSender`` implement it."""

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None: ...


class WebhookSender:
    """Posts each message, in order, to one incoming webhook (its channel is fixed at install)."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "webhook",
        retry_interval: RetryIntervalCalculator | None = None,
        sleep: Sleep = time.sleep,
        timeout: int = TIMEOUT,
    ) -> None:
        """``name`` is how errors call this destination (e.g. "webhook SLACK_WEBHOOK_COSTS");
        the URL itself is a secret and never appears in one."""
        if not url.lower().startswith(("https://", "http://")):
            raise SlackDeliveryError(f"{name}: the Slack webhook URL is not an http(s) URL")
        self.name = name
        self._secrets = (url,)
        self._retries = _Retries()
        handlers = _handlers(
            retry_interval, sleep, self._retries, connection_errors=[URLError], server_errors=False
        )
        self._client = WebhookClient(
            url,
            timeout=timeout,
            retry_handlers=handlers,
            user_agent_prefix=f"catalog-watch/{__version__}",
            logger=_SDK_LOG,
        )

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None:
        for index, message in enumerate(messages):
            where = _Where(self.name, index, len(messages), self._secrets)
            self._retries.done.clear()
            try:
                response = self._client.send_dict(_body(message))
            except (SlackClientError, OSError, HTTPException, ValueError) as exc:
                raise _unreachable(where, exc, self._retries) from None
            if not 200 <= response.status_code < 300:
                raise _webhook_refusal(where, response, self._retries)
            on_delivered(Delivered(index, None, tuple(message.alert_ids)))


class BotSender:
    """Posts the first message to a channel with a bot token, and the rest in its thread."""

    def __init__(
        self,
        token: str,
        channel: str,
        *,
        base_url: str = DEFAULT_API_URL,
        retry_interval: RetryIntervalCalculator | None = None,
        sleep: Sleep = time.sleep,
        timeout: int = TIMEOUT,
    ) -> None:
        self.channel = channel
        self._secrets = (token,)
        self._retries = _Retries()
        handlers = _handlers(
            retry_interval,
            sleep,
            self._retries,
            connection_errors=[URLError, ConnectionResetError, RemoteDisconnected],
            server_errors=True,
        )
        self._client = WebClient(
            token=token,
            base_url=base_url,
            timeout=timeout,
            retry_handlers=handlers,
            user_agent_prefix=f"catalog-watch/{__version__}",
            logger=_SDK_LOG,
        )

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None:
        channel, thread_ts = self.channel, None
        for index, message in enumerate(messages):
            where = _Where(self.channel, index, len(messages), self._secrets)
            body = {**_body(message), "channel": channel}
            if thread_ts is not None:
                body["thread_ts"] = thread_ts
            self._retries.done.clear()
            try:
                response = self._client.chat_postMessage(**body)
            except SlackApiError as exc:
                raise _api_refusal(where, exc.response, self._retries) from None
            except (SlackClientError, OSError, HTTPException, ValueError) as exc:
                raise _unreachable(where, exc, self._retries) from None
            ts = response.get("ts")
            ts = ts if isinstance(ts, str) and ts else None
            on_delivered(Delivered(index, ts, tuple(message.alert_ids)))
            if index == 0:
                if ts is None and len(messages) > 1:
                    raise SlackDeliveryError(
                        f"Slack's answer to message 1 of {len(messages)} for {self.channel} has "
                        "no ts: the other messages cannot go in its thread"
                    )
                # Replies go to the channel id Slack answered with: a name can be renamed.
                found = response.get("channel")
                channel, thread_ts = (found if isinstance(found, str) and found else channel), ts


def sender_for(
    settings: SlackSettings,
    *,
    channel: str | None = None,
    webhook_url: str | None = None,
    name: str | None = None,
    retry_interval: RetryIntervalCalculator | None = None,
    sleep: Sleep = time.sleep,
) -> SlackSender:
    """The sender for one destination: ``channel`` (with the settings' bot token) or
    ``webhook_url`` when a rule routes elsewhere, else the settings' default — token+channel when
    both are set (threads need the Web API), else the webhook. A routed destination that is empty
    (a webhook secret unset) is an error, never a fall back to the default. ``name`` is what errors
    call a webhook (never its URL); ``retry_interval`` is the backoff before retrying a connection
    error or a 5xx (slack-sdk's ``BackoffRetryIntervalCalculator()`` by default)."""
    if channel is not None and webhook_url is not None:
        raise ValueError("a Slack destination is a channel or a webhook URL, not both")
    label = name or "webhook"

    def webhook(url: str) -> WebhookSender:
        if not url.strip():
            raise SlackDeliveryError(f"{label}: the Slack webhook URL is empty, nothing sent")
        return WebhookSender(url.strip(), name=label, retry_interval=retry_interval, sleep=sleep)

    def bot(token: str, to: str) -> BotSender:
        if not to.strip():
            raise SlackDeliveryError("the Slack channel is empty, nothing sent")
        return BotSender(
            token,
            to.strip(),
            base_url=settings.base_url,
            retry_interval=retry_interval,
            sleep=sleep,
        )

    if webhook_url is not None:  # a rule's own webhook
        return webhook(webhook_url)
    if channel is not None:  # a rule's own channel
        if not settings.token:
            raise SlackDeliveryError(
                f"no SLACK_TOKEN to post to {channel}: posting to a channel needs a bot token"
            )
        return bot(settings.token, channel)
    if settings.token and settings.channel:
        return bot(settings.token, settings.channel)
    if settings.webhook_url:
        return webhook(settings.webhook_url)
    raise SlackDeliveryError(settings.missing() or "Slack is not configured")


def _body(message: SlackMessage) -> dict[str, Any]:
    """What is posted: the message's payload, with its text and blocks when it leaves them out
    (an empty block list is left out: the text alone is the message)."""
    body: dict[str, Any] = {"text": message.text}
    if message.blocks:
        body["blocks"] = [dict(block) for block in message.blocks]
    return body | dict(message.payload())


# -- Retry handlers: slack-sdk's, waiting through an injected sleep --------------------------


@dataclass(slots=True)
class _Retries:
    """The waits the handlers made for the message being sent, one a retry."""

    done: list[float] = field(default_factory=list)


class _Waits(RetryHandler):
    """Mixin over a slack-sdk handler: its ``can_retry`` decides, this waits and records.

    slack-sdk's ``prepare_for_next_attempt`` calls ``time.sleep`` itself; this is the same four
    steps with the wait injectable (tests record it) and counted for the error message.
    """

    sleep: Sleep
    retries: _Retries

    def interval(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = max(self.interval(state, response), 0.0)
        self.retries.done.append(wait)
        state.next_attempt_requested = True
        self.sleep(wait)
        state.increment_current_attempt()


class _ConnectionRetry(_Waits, ConnectionErrorRetryHandler):
    pass


class _ServerErrorRetry(_Waits, ServerErrorRetryHandler):
    pass


class _RateLimitRetry(_Waits, RateLimitErrorRetryHandler):
    """A 429: wait what Retry-After says (seconds or a date), or the backoff when it says nothing
    readable; a wait over ``MAX_RETRY_AFTER`` is not made, and the 429 becomes the error."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or not super()._can_retry(
            state=state, request=request, response=response, error=error
        ):
            return False
        wait = _retry_after(response.headers)
        return wait is None or wait <= MAX_RETRY_AFTER

    def interval(self, state: RetryState, response: HttpResponse | None) -> float:
        wait = None if response is None else _retry_after(response.headers)
        return super().interval(state, response) if wait is None else wait


def _handlers(
    interval: RetryIntervalCalculator | None,
    sleep: Sleep,
    retries: _Retries,
    *,
    connection_errors: list[type[Exception]],
    server_errors: bool,
) -> list[RetryHandler]:
    interval = interval or BackoffRetryIntervalCalculator()
    waiting: list[_Waits] = [
        _ConnectionRetry(RETRIES, interval, error_types=connection_errors),
        _RateLimitRetry(RETRIES, interval),
    ]
    if server_errors:
        waiting.append(_ServerErrorRetry(RETRIES, interval))
    for handler in waiting:
        handler.sleep, handler.retries = sleep, retries
    return [*waiting]


def _retry_after(headers: Mapping[str, Any]) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), else None."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    return seconds if seconds >= 0 else None


# -- Errors ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    destination: str
    index: int
    total: int
    secrets: tuple[str, ...]

    def message(self) -> str:
        return f"message {self.index + 1} of {self.total} for {self.destination}"

    def error(self, text: str, retries: _Retries) -> SlackDeliveryError:
        if retries.done:
            text += f" (after {len(retries.done) + 1} attempts)"
        if self.index == 1:
            text += "; the message before it was delivered"
        elif self.index:
            text += f"; the {self.index} messages before it were delivered"
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return SlackDeliveryError(text)


def _api_refusal(where: _Where, response: SlackResponse, retries: _Retries) -> SlackDeliveryError:
    data = response.data if isinstance(response.data, dict) else {}
    status = int(response.status_code)
    code = str(data.get("error") or f"HTTP {status}")
    metadata = data.get("response_metadata")
    details = metadata.get("messages") if isinstance(metadata, dict) else None
    text = f"Slack refused {where.message()}: {code} (HTTP {status})"
    if isinstance(details, list) and details:
        text += ": " + "; ".join(str(d) for d in details)
    return where.error(text + _hint(code, status, response.headers), retries)


def _webhook_refusal(
    where: _Where, response: WebhookResponse, retries: _Retries
) -> SlackDeliveryError:
    code = " ".join(str(response.body or "").split())[:200] or "(no body)"
    text = f"Slack refused {where.message()}: {code} (HTTP {response.status_code})"
    return where.error(text + _hint(code, response.status_code, response.headers), retries)


def _hint(code: str, status: int, headers: Mapping[str, Any]) -> str:
    if status == 429:
        wait = _retry_after(headers)
        if wait is not None and wait > MAX_RETRY_AFTER:
            return f" — Slack asks to wait {wait:.0f} s, over the {MAX_RETRY_AFTER:.0f} s limit"
        return " — still rate limited"
    hint = _HINTS.get(code)
    return f" — {hint}" if hint else ""


def _unreachable(where: _Where, error: Exception, retries: _Retries) -> SlackDeliveryError:
    return where.error(f"could not deliver {where.message()}: {_describe(error)}", retries)


def _describe(error: Exception) -> str:
    if isinstance(error, URLError):
        return f"no connection ({error.reason})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
