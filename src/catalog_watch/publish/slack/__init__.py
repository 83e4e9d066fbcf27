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

Retries: slack-sdk's own retry loop and handlers do the safe ones (``retries``: every wait through
an injectable ``sleep``, ``Retry-After`` honoured exactly); ``RETRIES`` bounds the retries of one
message whatever they came from.

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

The modules: ``settings`` (the default destination), ``messages`` (what a sender takes and
reports), ``webhook`` and ``bot`` (the two senders), ``sender`` (``sender_for``), ``retries``,
``transport`` (the clients that refuse redirects), ``refusals`` (answers as errors), ``redact``
(secrets out of logs and messages).
"""

from __future__ import annotations

from catalog_watch.errors import SlackDeliveryError
from catalog_watch.publish.slack.bot import LOOKUP_MARGIN, MAX_PAGES, PAGE_SIZE, BotSender
from catalog_watch.publish.slack.messages import (
    EVENT_TYPE,
    Delivered,
    Posted,
    SlackMessage,
    SlackSender,
)
from catalog_watch.publish.slack.refusals import AMBIGUOUS_CODES, AMBIGUOUS_STATUSES
from catalog_watch.publish.slack.retries import MAX_RETRY_AFTER, RETRIES, Sleep
from catalog_watch.publish.slack.sender import sender_for
from catalog_watch.publish.slack.webhook import WebhookSender
from catalog_watch.settings.slack import DEFAULT_API_URL, TIMEOUT, SlackSettings

__all__ = [
    "AMBIGUOUS_CODES",
    "AMBIGUOUS_STATUSES",
    "DEFAULT_API_URL",
    "EVENT_TYPE",
    "LOOKUP_MARGIN",
    "MAX_PAGES",
    "MAX_RETRY_AFTER",
    "PAGE_SIZE",
    "RETRIES",
    "TIMEOUT",
    "BotSender",
    "Delivered",
    "Posted",
    "SlackDeliveryError",
    "SlackMessage",
    "SlackSender",
    "SlackSettings",
    "Sleep",
    "WebhookSender",
    "sender_for",
]
