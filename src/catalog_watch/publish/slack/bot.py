"""Delivery with a bot token: one thread per run, and looking a message up before posting again.

Every message carries Slack message metadata naming the alerts it carries, which is what makes it
findable again: after an ambiguous answer, and by the next run after a crash (``find_posted``).
Look-ups read ``conversations.history`` since a minute before the message was first sent
(``LOOKUP_MARGIN``: clock skew) and ``conversations.replies``, with ``include_all_metadata``, paging
by cursor at most ``MAX_PAGES`` pages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    RetryHandler,
    RetryIntervalCalculator,
)
from slack_sdk.web import SlackResponse

from catalog_watch import __version__
from catalog_watch.errors import SlackDeliveryError
from catalog_watch.publish.secrets import origin as origin_of
from catalog_watch.publish.secrets import unsafe, unsafe_message
from catalog_watch.publish.slack.messages import (
    Delivered,
    Posted,
    SlackMessage,
    alert_metadata,
    carried_ids,
    post_body,
)
from catalog_watch.publish.slack.redact import REDACT, SDK_LOG, scrub
from catalog_watch.publish.slack.refusals import (
    Where,
    ambiguous_answer,
    api_code,
    api_refusal,
    read_refusal,
    unreachable,
)
from catalog_watch.publish.slack.retries import (
    RETRIES,
    Retries,
    Sleep,
    read_handlers,
    safe_handlers,
)
from catalog_watch.publish.slack.transport import TRANSPORT, SdkWebClient, describe, sent
from catalog_watch.settings.slack import DEFAULT_API_URL, TIMEOUT

LOOKUP_MARGIN = 60.0  # seconds of history read before the first attempt (clock skew)
PAGE_SIZE = 200  # Slack's recommendation; Slack may return fewer
MAX_PAGES = 20  # per listing (history, one thread's replies, the channel list)
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")  # ids are upper case; channel names never are


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
        REDACT.add(token)
        self._retries = Retries()  # the message being sent
        self._reads = Retries()  # the read being made
        self._interval = retry_interval or BackoffRetryIntervalCalculator()
        self._sleep = sleep
        self._channel_id = channel if _CHANNEL_ID.fullmatch(channel) else None

        def client(handlers: list[RetryHandler]) -> WebClient:
            return SdkWebClient(
                token=token,
                base_url=base_url,
                timeout=cast(int, timeout),  # annotated int; urllib takes a float
                retry_handlers=handlers,
                user_agent_prefix=f"catalog-watch/{__version__}",
                logger=SDK_LOG,
            )

        self._client = client(safe_handlers(self._interval, sleep, self._retries))
        self._reader = client(read_handlers(self._interval, sleep, self._reads))

    def send(
        self,
        messages: Sequence[SlackMessage],
        *,
        on_delivered: Callable[[Delivered], None],
        thread_ts: str | None = None,
    ) -> None:
        """Post ``messages``: the first at the top of the channel and the rest in its thread, or,
        with ``thread_ts``, all of them in that thread. An ambiguous answer is looked up before
        anything is posted again (the package docstring); raises ``SlackDeliveryError`` at the first
        message not delivered, ``ambiguous`` when Slack may have it and the look-up failed."""
        channel, thread = self.channel, thread_ts
        if thread is not None and self._channel_id is not None:
            channel = self._channel_id
        for index, message in enumerate(messages):
            where = Where(self.channel, index, len(messages), self._secrets)
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
                ts, carried = str(message.get("ts") or ""), carried_ids(message)
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
                    ts, carried = str(reply.get("ts") or ""), carried_ids(reply)
                    if not ts or ts == parent_ts or carried is None:
                        continue
                    for alert_id in wanted.intersection(carried):
                        found.setdefault(alert_id, Posted(ts, parent_ts, channel))
        except _LookupFailed as failed:
            text = f"could not read which alerts are already in {self.channel}: {failed}"
            raise SlackDeliveryError(scrub(text, self._secrets), ambiguous=True) from None
        return found

    # -- One message -------------------------------------------------------------------------

    def _deliver(
        self, where: Where, message: SlackMessage, channel: str, thread: str | None
    ) -> tuple[str | None, str | None]:
        """Post one message, looking it up after each ambiguous answer: (ts, channel id)."""
        body = {**post_body(message), "channel": channel, "metadata": alert_metadata(message)}
        if thread is not None:
            body["thread_ts"] = thread
        since = time.time() - LOOKUP_MARGIN
        self._retries.done.clear()
        while True:
            try:
                response = self._client.chat_postMessage(**body)
            except SlackApiError as exc:
                if not ambiguous_answer(exc.response):
                    raise api_refusal(where, exc.response, self._retries, self._origin) from None
                what = api_code(exc.response)
            except TRANSPORT as exc:
                if not sent(exc):
                    raise unreachable(where, exc, self._retries) from None
                what = f"{describe(exc)} after the request was sent"
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
        self, where: Where, message: SlackMessage, thread: str | None, since: float, what: str
    ) -> Posted | None:
        """The message as Slack has it, if Slack posted it: matched on its alert ids (and, for
        a message that carries none, its text)."""
        wanted = tuple(message.alert_ids)

        def same(candidate: Mapping[str, Any]) -> bool:
            if carried_ids(candidate) != wanted:
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
            raise _LookupFailed(read_refusal(method, exc.response, self._origin)) from None
        except TRANSPORT as exc:
            raise _LookupFailed(f"{method}: {describe(exc)}") from None


class _LookupFailed(Exception):
    """A read the look-up needed did not work; the text says which and why."""
