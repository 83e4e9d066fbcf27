"""Deliver rendered Slack messages: to an incoming webhook, or with a bot token as one thread.

Two senders share one interface (``SlackSender.send``): a ``WebhookSender`` posts each message to
one incoming webhook, in order; a ``BotSender`` posts the first message with ``chat.postMessage``
and every further one as a reply in its thread (one summary per run, the details underneath), or
every message under an existing thread (``send(thread_ts=...)``: a crashed run's summary).
``on_delivered`` is called right after Slack accepted each message, before the next is sent, so
the caller can mark exactly those alerts delivered when a later message fails.

Every bot message carries Slack message metadata, ``{"event_type": "catalog_watch_alerts",
"event_payload": {"alert_ids": [...]}}``: the ids of the alerts it carries. That is what makes a
message findable again, after an ambiguous answer (below) or, through ``BotSender.find_posted``,
by the next run after a crash. Scopes: ``chat:write`` to post; ``channels:history`` (and
``groups:history`` for a private channel) to look messages up; ``channels:read`` (``groups:read``
for a private channel) only when the channel is given by name and an id is needed for a look-up
— give the channel id (C...) to need neither.

Retries: slack-sdk's own retry loop and handlers (``slack_sdk.http_retry``) do the safe ones; this
module picks the handlers and how they wait. Every wait goes through an injectable ``sleep`` (tests
record the waits instead of sleeping), and ``Retry-After`` is honoured exactly — slack-sdk's
``RateLimitErrorRetryHandler`` adds up to a second of random jitter and cannot read a date.
``RETRIES`` bounds the retries of one message whatever they came from.

=============================  ===================================  ============================
failure                        Web API (bot token)                  incoming webhook
=============================  ===================================  ============================
429 + ``Retry-After``          retried, waiting exactly             retried, waiting exactly
                               Retry-After (≤ 60 s)                 Retry-After (≤ 60 s)
connection refused, DNS,       retried (backoff)                    retried (backoff)
connect timeout (URLError)
**ambiguous**: read timeout,   looked up (after the backoff): in    **not** retried: error with
reset / closed / cut short     the channel's history for a          ``ambiguous=True``
after the request was sent;    top-level message, in the thread's
HTTP 500, 502, 503, 504;       replies for a reply. Found: it was
``internal_error``,            delivered (its ts). Not found:
``fatal_error``                posted again. Look-up failed: error
                               with ``ambiguous=True``
HTTP 200 whose body is not     —                                    refused, not delivered
``ok``
any other status, ``ok:        not retried                          not retried
false`` (invalid_blocks...)
=============================  ===================================  ============================

Why. A 429 or a refused connection means Slack posted nothing, so retrying is always safe. A
timeout, a connection dropped after the request went out, or a 5xx is ambiguous: Slack may have
posted the message and failed to say so, and neither API has an idempotency key, so a blind retry
can post it twice. The Web API can read the channel back, so the bot looks the message up by its
metadata and posts again only when it is not there (a message Slack is still processing when the
look-up runs can still appear twice; nothing on Slack's side prevents that). A webhook returns
nothing that would find the first copy, so the caller decides (``SlackDeliveryError.ambiguous``):
post again (at least once) or keep the alerts for a person to check (at most once).

Look-ups use ``conversations.history`` since a minute before the message was first sent
(``LOOKUP_MARGIN``: clock skew) and ``conversations.replies``, with ``include_all_metadata``,
paging by cursor at most ``MAX_PAGES`` pages; reads are idempotent, so they retry 5xx and dropped
connections too. Apps outside the Slack Marketplace may be limited to one such read a minute and
15 messages a page: the 429 handler waits, the pages are smaller, nothing else changes.

Errors (``SlackDeliveryError``) name the destination — the channel, or "webhook" / the name the
caller gives it — Slack's error code, the HTTP status and, for ``invalid_blocks``, Slack's
``response_metadata.messages``. They never contain the token or the webhook URL.

No secret leaves. Neither client follows a redirect: slack-sdk opens requests with urllib's
default opener, which follows a 301/302/303 to a POST as a GET to any origin with the
``Authorization`` header kept; here each 3xx is an error naming the status and the origin it
pointed to (never its path), and nothing is sent there. A webhook URL or token holding a space or
a control character is refused before any client is built, by a message naming the setting and
not the value; slack-sdk's own log keeps its warnings and errors only, secrets replaced.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException, HTTPResponse, InvalidURL
from ssl import SSLContext
from typing import IO, Any, Protocol, cast
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit
from urllib.request import (
    BaseHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    ProxyHandler,
    Request,
    build_opener,
)

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackRequestError
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
from slack_sdk.version import __version__ as slack_sdk_version
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from catalog_watch import __version__
from catalog_watch.errors import ConfigError, SlackDeliveryError
from catalog_watch.publish.secrets import origin as origin_of
from catalog_watch.publish.secrets import unsafe, unsafe_message

DEFAULT_API_URL = "https://slack.com/api/"
RETRIES = 2  # per message: at most 3 attempts, whichever handlers the retries came from
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After fails the message instead of waiting
TIMEOUT = 30.0  # seconds, per request (SLACK_TIMEOUT_SECONDS)
EVENT_TYPE = "catalog_watch_alerts"  # the metadata event_type of every bot message
AMBIGUOUS_STATUSES = frozenset({500, 502, 503, 504})
AMBIGUOUS_CODES = frozenset({"internal_error", "fatal_error"})  # "some aspect may have succeeded"
LOOKUP_MARGIN = 60.0  # seconds of history read before the first attempt (clock skew)
PAGE_SIZE = 200  # Slack's recommendation; Slack may return fewer
MAX_PAGES = 20  # per listing (history, one thread's replies, the channel list)

Sleep = Callable[[float], None]


class _Redact(logging.Filter):
    """slack-sdk logs through the logger it is given (web/base_client.py, webhook/client.py): the
    request URL, body and headers at DEBUG, "Going to retry the same request: POST <url>" at
    INFO, and at ERROR "Failed to send a request to Slack API server: <exception>" and "Failed to
    decode Slack API response: <body>". The exception's text quoted the URL's path for an
    InvalidURL (a webhook URL with a space) and the header for a token with a line break; both
    are refused before a client exists now. This filter drops every record below WARNING,
    whatever level anyone sets, and replaces every secret a sender was built with (the webhook
    URL, its path, the token; as they are and as ``repr`` escapes them) in the rest."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        self._secrets.update(s for s in (secret, repr(secret)[1:-1]) if len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        text = record.getMessage()
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


_REDACT = _Redact()
_SDK_LOG = logging.getLogger("catalog_watch.publish.slack.sdk")
_SDK_LOG.setLevel(logging.WARNING)
_SDK_LOG.addFilter(_REDACT)

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
_READ_SCOPES = {  # what a read needs, for a missing_scope answer that does not say
    "conversations.history": "channels:history (groups:history for a private channel)",
    "conversations.replies": "channels:history (groups:history for a private channel)",
    "conversations.list": "channels:read (groups:read for a private channel)",
}
_TRANSPORT = (SlackClientError, OSError, HTTPException, ValueError)  # what the SDK lets through
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")  # ids are upper case; channel names never are


# -- Settings --------------------------------------------------------------------------------


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
        0, and for a webhook URL or token that still holds a space or a control character (named
        by its variable, or its flag when given explicitly; the value is never shown)."""

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
            channel=pick(channel, "SLACK_CHANNEL")[0],
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
    if not (math.isfinite(seconds) and seconds > 0):
        shown = explicit if explicit is not None else text
        raise ConfigError(
            f"SLACK_TIMEOUT_SECONDS must be a number of seconds above 0, not {shown!r}"
        )
    return seconds


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


class WebhookSender:
    """Posts each message, in order, to one incoming webhook (its channel is fixed at install)."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "webhook",
        retry_interval: RetryIntervalCalculator | None = None,
        sleep: Sleep = time.sleep,
        timeout: float = TIMEOUT,
    ) -> None:
        """``name`` is how errors call this destination (e.g. "webhook SLACK_WEBHOOK_COSTS");
        the URL itself is a secret and never appears in one."""
        if unsafe(url):
            raise SlackDeliveryError(f"{name}: {unsafe_message('the Slack webhook URL')}")
        if not url.lower().startswith(("https://", "http://")):
            raise SlackDeliveryError(f"{name}: the Slack webhook URL is not an http(s) URL")
        self.name = name
        self._secrets = (url,)
        self._origin = origin_of(url)
        for secret in (url, urlsplit(url).path, urlsplit(url).query):
            _REDACT.add(secret)
        self._retries = _Retries()
        interval = retry_interval or BackoffRetryIntervalCalculator()
        self._client = _WebhookClient(
            url,
            timeout=cast(int, timeout),  # annotated int; urllib takes a float
            retry_handlers=_safe_handlers(interval, sleep, self._retries),
            user_agent_prefix=f"catalog-watch/{__version__}",
            logger=_SDK_LOG,
        )

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None:
        """Raises ``SlackDeliveryError`` at the first message not accepted; ``ambiguous`` when
        Slack may have posted it anyway (a webhook cannot be read back to know)."""
        for index, message in enumerate(messages):
            where = _Where(self.name, index, len(messages), self._secrets)
            self._retries.done.clear()
            try:
                response = self._client.send_dict(_body(message))
            except _TRANSPORT as exc:
                if not _sent(exc):
                    raise _unreachable(where, exc, self._retries) from None
                raise where.error(
                    f"Slack may have posted {where.message()}: {_describe(exc)} after the request "
                    "was sent; a webhook cannot be read back, so it was not sent again",
                    self._retries,
                    ambiguous=True,
                ) from None
            if response.status_code in AMBIGUOUS_STATUSES:
                code = _webhook_code(response)
                raise where.error(
                    f"Slack may have posted {where.message()}: {code} (HTTP "
                    f"{response.status_code}); a webhook cannot be read back, so it was not sent "
                    "again",
                    self._retries,
                    ambiguous=True,
                )
            if not 200 <= response.status_code < 300 or (response.body or "").strip() != "ok":
                raise _webhook_refusal(where, response, self._retries, self._origin)
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
        timeout: float = TIMEOUT,
    ) -> None:
        if unsafe(token):
            raise SlackDeliveryError(unsafe_message("the Slack token"))
        self.channel = channel
        self._secrets = (token,)
        self._origin = origin_of(base_url)
        _REDACT.add(token)
        self._retries = _Retries()  # the message being sent
        self._reads = _Retries()  # the read being made
        self._interval = retry_interval or BackoffRetryIntervalCalculator()
        self._sleep = sleep
        self._channel_id = channel if _CHANNEL_ID.fullmatch(channel) else None

        def client(handlers: list[RetryHandler]) -> WebClient:
            return _WebClient(
                token=token,
                base_url=base_url,
                timeout=cast(int, timeout),  # annotated int; urllib takes a float
                retry_handlers=handlers,
                user_agent_prefix=f"catalog-watch/{__version__}",
                logger=_SDK_LOG,
            )

        self._client = client(_safe_handlers(self._interval, sleep, self._retries))
        self._reader = client(_read_handlers(self._interval, sleep, self._reads))

    def send(
        self,
        messages: Sequence[SlackMessage],
        *,
        on_delivered: Callable[[Delivered], None],
        thread_ts: str | None = None,
    ) -> None:
        """Post ``messages``: the first at the top of the channel and the rest in its thread, or,
        with ``thread_ts``, all of them in that thread. An ambiguous answer is looked up before
        anything is posted again (module docstring); raises ``SlackDeliveryError`` at the first
        message not delivered, ``ambiguous`` when Slack may have it and the look-up failed."""
        channel, thread = self.channel, thread_ts
        if thread is not None and self._channel_id is not None:
            channel = self._channel_id
        for index, message in enumerate(messages):
            where = _Where(self.channel, index, len(messages), self._secrets)
            ts, answered = self._deliver(where, message, channel, thread)
            on_delivered(Delivered(index, ts, tuple(message.alert_ids)))
            if thread is None:  # it was the summary: the rest go in its thread
                if ts is None and len(messages) > 1:
                    raise SlackDeliveryError(
                        f"Slack's answer to message 1 of {len(messages)} for {self.channel} has "
                        "no ts: the other messages cannot go in its thread"
                    )
                # Replies go to the channel id Slack answered with: a name can be renamed.
                channel, thread = answered or channel, ts

    def find_posted(self, alert_ids: Collection[str], *, oldest: datetime) -> dict[str, Posted]:
        """Which of ``alert_ids`` are already in the channel: its history since ``oldest`` (a
        naive datetime is UTC) and the replies of every catalog-watch thread found there. For the
        run after a crash left alerts claimed but unconfirmed; ``oldest`` must be no later than
        the thread's summary. Raises ``SlackDeliveryError`` (``ambiguous``) when it cannot read."""
        wanted = set(alert_ids)
        if not wanted:
            return {}
        since = (oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)).timestamp()
        found: dict[str, Posted] = {}
        try:
            channel = self._resolve()
            threads: list[str] = []
            for message in self._history(channel, since):
                ts, carried = str(message.get("ts") or ""), _carried(message)
                if not ts or carried is None:
                    continue
                parent = message.get("thread_ts")
                in_thread = parent if isinstance(parent, str) and parent != ts else None
                for alert_id in wanted.intersection(carried):
                    found.setdefault(alert_id, Posted(ts, in_thread, channel))
                if in_thread is None and (message.get("reply_count") or parent == ts):
                    threads.append(ts)
            for parent_ts in threads:
                for reply in self._replies(channel, parent_ts):
                    ts, carried = str(reply.get("ts") or ""), _carried(reply)
                    if not ts or ts == parent_ts or carried is None:
                        continue
                    for alert_id in wanted.intersection(carried):
                        found.setdefault(alert_id, Posted(ts, parent_ts, channel))
        except _LookupFailed as failed:
            text = f"could not read which alerts are already in {self.channel}: {failed}"
            raise SlackDeliveryError(_scrub(text, self._secrets), ambiguous=True) from None
        return found

    # -- One message -------------------------------------------------------------------------

    def _deliver(
        self, where: _Where, message: SlackMessage, channel: str, thread: str | None
    ) -> tuple[str | None, str | None]:
        """Post one message, looking it up after each ambiguous answer: (ts, channel id)."""
        body = {**_body(message), "channel": channel, "metadata": _metadata(message)}
        if thread is not None:
            body["thread_ts"] = thread
        since = time.time() - LOOKUP_MARGIN
        self._retries.done.clear()
        while True:
            try:
                response = self._client.chat_postMessage(**body)
            except SlackApiError as exc:
                if not _ambiguous_answer(exc.response):
                    raise _api_refusal(where, exc.response, self._retries, self._origin) from None
                what = _api_code(exc.response)
            except _TRANSPORT as exc:
                if not _sent(exc):
                    raise _unreachable(where, exc, self._retries) from None
                what = f"{_describe(exc)} after the request was sent"
            else:
                ts, answered = response.get("ts"), response.get("channel")
                if isinstance(answered, str) and answered:
                    self._channel_id = answered
                return (
                    ts if isinstance(ts, str) and ts else None,
                    answered if isinstance(answered, str) and answered else None,
                )
            again = len(self._retries.done) < RETRIES
            wait = 0.0
            if again:  # the backoff first: a message Slack is still storing has time to appear
                wait = max(self._interval.calculate_sleep_duration(len(self._retries.done)), 0.0)
                self._sleep(wait)
            found = self._look_up(where, message, thread, since, what)
            if found is not None:
                return found.ts, found.channel
            if not again:
                raise where.error(
                    f"could not deliver {where.message()}: {what}, and it is not in the channel",
                    self._retries,
                )
            self._retries.done.append(wait)  # the wait before the next attempt

    def _look_up(
        self, where: _Where, message: SlackMessage, thread: str | None, since: float, what: str
    ) -> Posted | None:
        """The message as Slack has it, if Slack posted it: matched on its alert ids (and, for
        a message that carries none, its text)."""
        wanted = tuple(message.alert_ids)

        def same(candidate: Mapping[str, Any]) -> bool:
            if _carried(candidate) != wanted:
                return False
            return bool(wanted) or candidate.get("text") == message.text

        try:
            channel = self._resolve()
            if thread is None:
                for candidate in self._history(channel, since):
                    ts, parent = candidate.get("ts"), candidate.get("thread_ts")
                    if isinstance(ts, str) and parent in (None, ts) and same(candidate):
                        return Posted(ts, None, channel)
            else:
                for candidate in self._replies(channel, thread):
                    ts = candidate.get("ts")
                    if isinstance(ts, str) and ts != thread and same(candidate):
                        return Posted(ts, thread, channel)
        except _LookupFailed as failed:
            raise where.error(
                f"Slack may have posted {where.message()} ({what}), and looking it up failed: "
                f"{failed}",
                self._retries,
                ambiguous=True,
            ) from None
        return None

    # -- Reading the channel -----------------------------------------------------------------

    def _resolve(self) -> str:
        """The channel's id: as given, as Slack answered a post, or found by name."""
        if self._channel_id is not None:
            return self._channel_id
        name = self.channel.removeprefix("#").lower()
        for types in ("public_channel", "private_channel"):
            listing = self._pages("conversations.list", "channels", types=types)
            for channel in listing:
                found = channel.get("id")
                if channel.get("name") == name and isinstance(found, str) and found:
                    self._channel_id = found
                    return found
        raise _LookupFailed(
            f"no channel named {self.channel} among those the bot can see (channel_not_found) — "
            "give SLACK_CHANNEL as the channel id (C...)"
        )

    def _history(self, channel: str, since: float) -> Iterator[Mapping[str, Any]]:
        return self._pages(
            "conversations.history",
            "messages",
            channel=channel,
            oldest=f"{since:.6f}",
            include_all_metadata=True,
        )

    def _replies(self, channel: str, thread: str) -> Iterator[Mapping[str, Any]]:
        return self._pages(
            "conversations.replies",
            "messages",
            channel=channel,
            ts=thread,
            include_all_metadata=True,
        )

    def _pages(self, method: str, key: str, **params: Any) -> Iterator[Mapping[str, Any]]:
        """Every item of a cursor-paginated listing, at most ``MAX_PAGES`` pages."""
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = self._read(method, {**params, "limit": PAGE_SIZE, "cursor": cursor})
            items = page.get(key)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict):
                    yield item
            metadata = page.get("response_metadata")
            cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
            if not (isinstance(cursor, str) and cursor):
                if page.get("has_more") is True:
                    raise _LookupFailed(f"{method} says it has more, with no cursor to read on")
                return
        raise _LookupFailed(f"{method} has more than {MAX_PAGES} pages of {PAGE_SIZE}")

    def _read(self, method: str, params: dict[str, Any]) -> SlackResponse:
        self._reads.done.clear()
        try:
            return self._reader.api_call(
                method, params={k: v for k, v in params.items() if v is not None}
            )
        except SlackApiError as exc:
            raise _LookupFailed(_read_refusal(method, exc.response, self._origin)) from None
        except _TRANSPORT as exc:
            raise _LookupFailed(f"{method}: {_describe(exc)}") from None


class _LookupFailed(Exception):
    """A read the look-up needed did not work; the text says which and why."""


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
    error or an ambiguous answer (slack-sdk's ``BackoffRetryIntervalCalculator()`` by default).
    Both senders get the settings' timeout."""
    if channel is not None and webhook_url is not None:
        raise ValueError("a Slack destination is a channel or a webhook URL, not both")
    label = name or "webhook"

    def webhook(url: str) -> WebhookSender:
        if not url.strip():
            raise SlackDeliveryError(f"{label}: the Slack webhook URL is empty, nothing sent")
        return WebhookSender(
            url.strip(),
            name=label,
            retry_interval=retry_interval,
            sleep=sleep,
            timeout=settings.timeout,
        )

    def bot(token: str, to: str) -> BotSender:
        if not to.strip():
            raise SlackDeliveryError("the Slack channel is empty, nothing sent")
        return BotSender(
            token,
            to.strip(),
            base_url=settings.base_url,
            retry_interval=retry_interval,
            sleep=sleep,
            timeout=settings.timeout,
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


def _metadata(message: SlackMessage) -> dict[str, Any]:
    """The message's alert ids, all of them (a message carries a few dozen at most)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"alert_ids": list(message.alert_ids)}}


def _carried(message: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The alert ids a message's metadata says it carries; None if it is not one of ours."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    ids = payload.get("alert_ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return tuple(ids)


def _sent(error: Exception) -> bool:
    """Whether a transport error came after the request went out. urllib wraps what fails while
    connecting and sending in a URLError (refused, DNS, connect timeout); a read timeout, a reset
    or a closed connection while waiting for the answer, or an answer cut short, come bare."""
    if isinstance(error, (SlackClientError, ValueError, InvalidURL)) or (
        isinstance(error, URLError) and not isinstance(error, HTTPError)
    ):
        return False
    return isinstance(error, (OSError, HTTPException))


def _ambiguous_answer(response: SlackResponse) -> bool:
    data = response.data if isinstance(response.data, dict) else {}
    return int(response.status_code) in AMBIGUOUS_STATUSES or data.get("error") in AMBIGUOUS_CODES


# -- slack-sdk's clients, opening their requests without following redirects -----------------


class _NoRedirects(HTTPRedirectHandler):
    """What urllib's default opener (slack-sdk's ``urlopen``) does with a redirect: a 301, 302 or
    303 to a POST is followed as a GET to whatever origin ``Location`` names, with every header
    but Content-Length and Content-Type, ``Authorization`` included; a 307 or 308 to a POST is
    refused. This handler follows none: each 3xx comes back as the ``HTTPError`` of that status
    (Location in its headers) before anything is sent anywhere else."""

    def redirect_request(
        self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        return None


def _open(request: Request, proxy: str | None, ssl: SSLContext | None, timeout: float) -> Any:
    """Open ``request`` as slack-sdk would (its proxy, TLS context and timeout), minus redirects."""
    if not request.full_url.lower().startswith(("https://", "http://")):
        raise SlackRequestError("the Slack URL is not an http(s) URL")  # never shown: a secret
    handlers: list[BaseHandler] = [_NoRedirects(), HTTPSHandler(context=ssl)]
    if proxy:
        handlers.append(ProxyHandler({"http": proxy, "https": proxy}))
    return build_opener(*handlers).open(request, timeout=timeout)


def _read(response: HTTPResponse) -> str:
    return response.read().decode(response.headers.get_content_charset() or "utf-8")


def _require(cls: type, method: str) -> None:
    """Fail closed: were slack-sdk to rename the method overridden below, its requests would
    follow redirects again, silently."""
    if not callable(getattr(cls, method, None)):
        raise ImportError(
            f"slack-sdk {slack_sdk_version} has no {cls.__name__}.{method}, which catalog-watch "
            "overrides to refuse redirects: install a slack-sdk version that has it"
        )


class _WebClient(WebClient):
    """slack-sdk's Web API client; only the opening of each request is ours. The method is the
    one slack-sdk's retry loop calls for every attempt (web/base_client.py, since 3.9)."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        with _open(req, self.proxy, self.ssl, self.timeout) as response:
            return {"status": response.status, "headers": response.headers, "body": _read(response)}


class _WebhookClient(WebhookClient):
    """slack-sdk's webhook client, the same way (webhook/client.py)."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        with _open(req, self.proxy, self.ssl, self.timeout) as response:
            body = _read(response)
            headers = dict(response.headers.items())
        return WebhookResponse(url=url, status_code=response.status, body=body, headers=headers)


_require(WebClient, "_perform_urllib_http_request_internal")
_require(WebhookClient, "_perform_http_request_internal")


# -- Retry handlers: slack-sdk's, waiting through an injected sleep --------------------------


@dataclass(slots=True)
class _Retries:
    """The waits made for the message (or the read) being sent, one a retry."""

    done: list[float] = field(default_factory=list)


class _Waits(RetryHandler):
    """Mixin over a slack-sdk handler: its ``can_retry`` decides, this waits and records.

    slack-sdk's ``prepare_for_next_attempt`` calls ``time.sleep`` itself; this is the same four
    steps with the wait injectable (tests record it) and counted for the error message. The count
    also bounds the retries: ``max_retry_count`` for the message, across the SDK calls it takes.
    """

    sleep: Sleep
    retries: _Retries

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if len(self.retries.done) >= self.max_retry_count:
            return False
        return super().can_retry(state=state, request=request, response=response, error=error)

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


class _ReadServerErrorRetry(_Waits):
    """Any 5xx, for reads only: reading twice is harmless."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


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


def _safe_handlers(
    interval: RetryIntervalCalculator, sleep: Sleep, retries: _Retries
) -> list[RetryHandler]:
    """For posts: only what means Slack posted nothing — a 429, or no connection made (urllib's
    URLError). Never a 5xx or an error after the request was sent."""
    return _waiting(
        retries,
        sleep,
        _ConnectionRetry(RETRIES, interval, error_types=[URLError]),
        _RateLimitRetry(RETRIES, interval),
    )


def _read_handlers(
    interval: RetryIntervalCalculator, sleep: Sleep, retries: _Retries
) -> list[RetryHandler]:
    """For reads: a 429, any connection error (before or after sending), any 5xx."""
    errors: list[type[Exception]] = [URLError, OSError, HTTPException]
    return _waiting(
        retries,
        sleep,
        _ConnectionRetry(RETRIES, interval, error_types=errors),
        _RateLimitRetry(RETRIES, interval),
        _ReadServerErrorRetry(RETRIES, interval),
    )


def _waiting(retries: _Retries, sleep: Sleep, *handlers: _Waits) -> list[RetryHandler]:
    for handler in handlers:
        handler.sleep, handler.retries = sleep, retries
    return [*handlers]


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

    def error(self, text: str, retries: _Retries, *, ambiguous: bool = False) -> SlackDeliveryError:
        if retries.done:
            text += f" (after {len(retries.done) + 1} attempts)"
        if self.index == 1:
            text += "; the message before it was delivered"
        elif self.index:
            text += f"; the {self.index} messages before it were delivered"
        return SlackDeliveryError(_scrub(text, self.secrets), ambiguous=ambiguous)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """The text with each secret replaced, as it is and as ``repr`` escapes it (urllib quotes
    a header value as bytes)."""
    for secret in secrets:
        text = text.replace(secret, "***").replace(repr(secret)[1:-1], "***")
    return text


def _api_code(response: SlackResponse) -> str:
    data = response.data if isinstance(response.data, dict) else {}
    status = int(response.status_code)
    return f"{data.get('error') or f'HTTP {status}'} (HTTP {status})"


def _api_refusal(
    where: _Where, response: SlackResponse, retries: _Retries, origin: str | None
) -> SlackDeliveryError:
    data = response.data if isinstance(response.data, dict) else {}
    status = int(response.status_code)
    if moved := _redirect(status, response.headers, origin, "SLACK_API_URL"):
        return where.error(f"Slack answered {where.message()} with {moved}", retries)
    code = str(data.get("error") or f"HTTP {status}")
    metadata = data.get("response_metadata")
    details = metadata.get("messages") if isinstance(metadata, dict) else None
    text = f"Slack refused {where.message()}: {code} (HTTP {status})"
    if isinstance(details, list) and details:
        text += ": " + "; ".join(str(d) for d in details)
    return where.error(text + _hint(code, status, response.headers), retries)


def _read_refusal(method: str, response: SlackResponse, origin: str | None) -> str:
    data = response.data if isinstance(response.data, dict) else {}
    status = int(response.status_code)
    if moved := _redirect(status, response.headers, origin, "SLACK_API_URL"):
        return f"{method}: Slack answered with {moved}"
    code = str(data.get("error") or f"HTTP {status}")
    text = f"{method}: {code} (HTTP {status})"
    if code == "missing_scope":
        needed = data.get("needed")
        scope = needed if isinstance(needed, str) and needed else _READ_SCOPES.get(method, "?")
        return f"{text} — the bot token needs the {scope} scope to read the channel back"
    return text + _hint(code, status, response.headers)


def _webhook_code(response: WebhookResponse) -> str:
    return " ".join(str(response.body or "").split())[:200] or "(no body)"


def _webhook_refusal(
    where: _Where, response: WebhookResponse, retries: _Retries, origin: str | None
) -> SlackDeliveryError:
    if moved := _redirect(response.status_code, response.headers, origin, "the webhook URL"):
        return where.error(f"Slack answered {where.message()} with {moved}", retries)
    code = _webhook_code(response)
    text = f"Slack refused {where.message()}: {code} (HTTP {response.status_code})"
    if 200 <= response.status_code < 300:
        text += " — a webhook accepts a message by answering ok; it was not delivered"
    return where.error(text + _hint(code, response.status_code, response.headers), retries)


def _redirect(
    status: int, headers: Mapping[str, Any], origin: str | None, setting: str
) -> str | None:
    """What a 3xx answer is, for an error: where ``Location`` points (its origin alone: a path
    may hold the secret) and that it was not followed; None for any other status."""
    if not 300 <= status < 400:
        return None
    location = next((v for k, v in headers.items() if k.lower() == "location"), None)
    if isinstance(location, list):
        location = location[0] if location else None
    target = origin_of(urljoin(origin or "", location)) if isinstance(location, str) else None
    to = "the same origin" if target and target == origin else target or "an unreadable address"
    return (
        f"a redirect (HTTP {status}) to {to}, not followed (a token or a webhook URL goes "
        f"nowhere but the address it was set for) — check {setting}"
    )


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
    if isinstance(error, InvalidURL):  # its text quotes the URL: a webhook's is the secret
        return "InvalidURL: the URL holds a character a request line cannot carry (not shown)"
    if isinstance(error, URLError) and not isinstance(error, HTTPError):
        return f"no connection ({error.reason})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
