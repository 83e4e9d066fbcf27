"""A loopback stand-in for Slack: incoming webhooks and the Web API's ``chat.postMessage``,
``conversations.history``, ``conversations.replies`` and ``conversations.list``.

Incoming webhooks: ``POST /services/T000/B000/XXX`` (and any path given to ``add_webhook``) takes a
JSON body (or the legacy form field ``payload=``) and answers ``200 ok`` as text, as Slack does;
an unknown ``/services/...`` path gets ``404 no_service``, a body that is not JSON ``400
invalid_payload``, no text or blocks ``400 no_text``, bad blocks ``400 invalid_blocks``.

Web API: ``POST /api/<method>`` takes JSON or a urlencoded form (``blocks`` and ``metadata`` as
JSON strings; slack-sdk sends the conversations methods as a form), authenticates
``Authorization: Bearer <token>`` (or a ``token`` field): missing is ``not_authed``, wrong
``invalid_auth``. The token has ``scopes`` (all that catalog-watch uses by default); a method
whose scope is missing answers ``missing_scope`` with ``needed`` and ``provided``, as Slack does.
Channels are known by name and id (``#llm-alerts`` and ``llm-alerts`` → ``C123`` by default;
``add_channel`` for more, also one the bot is not a member of, an archived or a private one).

``chat.postMessage`` answers ``{"ok": true, "channel": <id>, "ts": ..., "message": ...}`` with a ts
from the clock (microseconds, strictly increasing), and stores each message per channel id with
its ``thread_ts`` and ``metadata`` (``{"event_type", "event_payload"}``; anything else is
``invalid_metadata_format``). Errors come back as Slack sends them, HTTP 200 with ``{"ok": false,
"error": ...}``: ``channel_not_found``, ``not_in_channel``, ``is_archived``, ``no_text``,
``msg_too_long``, and ``invalid_blocks`` with ``response_metadata.messages`` (a block without a
known ``type``, more than 50 blocks, a section text over 3,000 characters, a header over 150).
``add_message`` puts a message in a channel directly (someone else's, or an old one: any ts).

``conversations.history`` (channel id only, as Slack): the channel's top-level messages, newest
first, after ``oldest`` and before ``latest`` (both exclusive unless ``inclusive``), ``limit`` a
page (default 100, at most 999 or the server's ``page_limit``: Slack gives non-Marketplace apps
15), ``has_more`` and ``response_metadata.next_cursor`` for the next page; a thread's parent
carries ``thread_ts``, ``reply_count`` and ``latest_reply``. ``conversations.replies`` (``ts`` of
the parent or of any reply): the parent first, then the replies oldest first, paged the same way
(the time bounds apply to the replies). Both return each message's ``metadata`` only with
``include_all_metadata``, as Slack does. ``conversations.list``: the channels of the requested
``types`` (private ones only where the bot is a member), paged by cursor. Other ``/api/``
methods: ``unknown_method``.

Every request is recorded (method, path, query, lower-cased headers, the parsed JSON or form
body). Scripting: ``answer(status, body, times=, path=, headers=, process=)`` makes the next
``times`` requests whose path matches the regular expression ``path`` get that answer instead
(``times=None``: until ``recover()``; ``process=True``: the request is carried out first, as when
Slack posted the message and then failed to say so); ``body=None`` is what Slack sends for that
endpoint and status. Shorthands: ``rate_limited(retry_after)``, ``server_error(status)``,
``api_error(error, messages)``, ``webhook_error(status, code)``, ``drop()`` (close the connection
without an answer), ``outage()`` (every request fails until ``recover()``). ``unreachable_url()``
is a loopback URL where nothing listens (connection refused).

Holding: ``hold(path, after_processing=, times=)`` returns a ``Hold``: the next ``times`` matching
requests wait, unanswered, until ``release()`` — for a client's read timeout. With
``after_processing=True`` the request is carried out first (Slack stored the message, the answer
is not sent yet); without, it is carried out on release (a slow Slack). ``Hold.reached`` is set
when a request arrives at the hold, so a test whose client runs elsewhere (a thread, a
subprocess) waits for that event — with a timeout — instead of sleeping. A held request never
outlives the server: leaving the ``with`` block releases every hold, and a request released that
way (or held over ``HOLD_LIMIT`` seconds) is dropped unanswered and, before processing, not
carried out.

For a whole run: ``SLACK_API_URL=server.api_url``, ``SLACK_TOKEN=server.token``, and
``SLACK_WEBHOOK_URL=server.webhook_url`` (or ``server.add_webhook(path)`` for another one).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback import Loopback, QuietServer

TOKEN = "xoxb-0000-1111-loopbacksecret"
WEBHOOK_PATH = "/services/T000/B000/XXX"
CHANNELS = {"#llm-alerts": "C123", "llm-alerts": "C123", "C123": "C123"}
SCOPES = frozenset(
    {"chat:write", "channels:history", "groups:history", "channels:read", "groups:read"}
)
DROP = -1  # an Answer status: close the connection without answering
HOLD_LIMIT = 60.0  # seconds a held request waits at most for release()
BOT_USER = "U0BOT"
BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
}
Reply = tuple[int, Any, Mapping[str, str]]


class NotJSON(str):
    """A request body that did not parse, recorded as text."""


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; header names are lower-cased, the path has no query."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # the JSON document, the form as a dict (blocks decoded), NotJSON, or None
    form: bool = False


@dataclass
class Answer:
    """A scripted answer for the next ``times`` requests matching ``path`` (None: until
    ``recover()``)."""

    status: int
    body: Any = None  # dict/list: JSON; str: text; None: Slack's usual body for endpoint+status
    headers: Mapping[str, str] = field(default_factory=dict)
    times: int | None = 1
    path: str | None = None  # a regular expression searched in the path
    process: bool = False

    def matches(self, path: str) -> bool:
        return self.path is None or bool(re.search(self.path, path))


@dataclass(eq=False)
class Hold:
    """The next ``times`` requests matching ``path`` wait unanswered until ``release()``."""

    path: str | None
    after_processing: bool
    times: int | None = 1
    reached: threading.Event = field(default_factory=threading.Event)  # a request is waiting
    arrived: int = 0  # how many requests reached the hold
    _released: threading.Event = field(default_factory=threading.Event)
    _stopped: bool = False

    def matches(self, path: str) -> bool:
        return self.path is None or bool(re.search(self.path, path))

    def release(self) -> None:
        """Let the held requests (and any later one) through, answered."""
        self._released.set()

    def _stop(self) -> None:
        self._stopped = True
        self._released.set()

    def _wait(self) -> bool:
        """Wait for release; False when the server stopped (or the limit passed) instead."""
        return self._released.wait(HOLD_LIMIT) and not self._stopped


@dataclass
class Channel:
    id: str
    name: str | None = None  # without "#"
    member: bool = True
    archived: bool = False
    private: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)


class SlackServer(Loopback):
    """A fake Slack on an ephemeral loopback port; use as a context manager."""

    def __init__(
        self,
        token: str = TOKEN,
        channels: Mapping[str, str] | None = None,
        webhooks: Sequence[str] = (WEBHOOK_PATH,),
        *,
        scopes: Sequence[str] = tuple(SCOPES),
        page_limit: int | None = None,
    ) -> None:
        self.token = token
        self.scopes = set(scopes)
        self.page_limit = page_limit  # the most a listing returns a page, whatever limit says
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self.holds: list[Hold] = []
        self.channels: dict[str, Channel] = {}  # id → channel
        self.names: dict[str, str] = {}  # name or id → id
        self.webhooks: dict[str, list[dict[str, Any]]] = {path: [] for path in webhooks}
        self.lock = threading.Lock()
        self._all_holds: list[Hold] = []
        self._last_us = 0
        for name, channel_id in (CHANNELS if channels is None else channels).items():
            self.add_channel(name, channel_id)
        self.start_serving(_handler_for(self), _QuietServer)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self.lock:
            holds = list(self._all_holds)
        for hold in holds:
            hold._stop()
        super().__exit__(kind, exc, tb)

    @property
    def api_url(self) -> str:
        """The Web API base URL, as ``SLACK_API_URL`` / ``WebClient(base_url=)`` take it."""
        return self.url + "/api/"

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    # -- Setup and scripting -----------------------------------------------------------------

    def add_channel(
        self,
        name: str,
        channel_id: str | None = None,
        *,
        member: bool = True,
        archived: bool = False,
        private: bool = False,
    ) -> str:
        """A channel known by ``name`` (and its id); returns the id."""
        with self.lock:
            channel_id = channel_id or f"{'G' if private else 'C'}{len(self.channels) + 900}"
            channel = self.channels.setdefault(channel_id, Channel(channel_id))
            channel.member, channel.archived, channel.private = member, archived, private
            if name != channel_id and channel.name is None:
                channel.name = name.removeprefix("#")
            self.names[name] = self.names[channel_id] = channel_id
            return channel_id

    def add_webhook(self, path: str) -> str:
        """Another incoming webhook; returns its URL."""
        with self.lock:
            self.webhooks.setdefault(path, [])
        return self.url + path

    def add_message(
        self,
        channel: str,
        text: str = "someone else's message",
        *,
        ts: str | float | None = None,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        user: str = "U0SOMEONE",
    ) -> str:
        """Put a message in a channel as if someone had posted it (``ts``: when; default now);
        returns its ts."""
        with self.lock:
            stamp = ts if isinstance(ts, str) else self._next_ts() if ts is None else f"{ts:.6f}"
            message: dict[str, Any] = {"type": "message", "user": user, "ts": stamp, "text": text}
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            if metadata is not None:
                message["metadata"] = dict(metadata)
            self.channels[self.names[channel]].messages.append(message)
            return stamp

    def answer(
        self,
        status: int,
        body: Any = None,
        *,
        times: int | None = 1,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
        process: bool = False,
    ) -> None:
        with self.lock:
            self.answers.append(Answer(status, body, dict(headers or {}), times, path, process))

    def rate_limited(self, retry_after: int | str = 1, **match: Any) -> None:
        self.answer(429, headers={"Retry-After": str(retry_after)}, **match)

    def server_error(self, status: int = 500, **match: Any) -> None:
        self.answer(status, **match)

    def api_error(self, error: str, messages: Sequence[str] = (), **match: Any) -> None:
        """A Web API refusal (HTTP 200, ``ok: false``), e.g. ``invalid_blocks`` with messages."""
        body: dict[str, Any] = {"ok": False, "error": error}
        if messages:
            body["response_metadata"] = {"messages": list(messages)}
        self.answer(200, body, **match)

    def webhook_error(self, status: int, code: str, **match: Any) -> None:
        """A webhook refusal: ``400 invalid_payload``, ``404 no_service``, ``410
        channel_is_archived``, ``403 action_prohibited``..."""
        self.answer(status, code, **match)

    def drop(self, **match: Any) -> None:
        """Close the connection without answering (``process=True``: after doing the work)."""
        self.answer(DROP, **match)

    def outage(self, status: int = 500, *, path: str | None = None) -> None:
        """Every (matching) request fails until ``recover()``."""
        self.answer(status, times=None, path=path)

    def recover(self) -> None:
        with self.lock:
            self.answers.clear()

    def hold(
        self, path: str | None = None, *, after_processing: bool, times: int | None = 1
    ) -> Hold:
        """The next ``times`` requests whose path matches ``path`` (None: every one) wait for
        ``release()`` before they are answered (``after_processing``: carried out first)."""
        hold = Hold(path, after_processing, times)
        with self.lock:
            self.holds.append(hold)
            self._all_holds.append(hold)
        return hold

    # -- Inspection --------------------------------------------------------------------------

    def calls(self, path: str | None = None) -> list[Request]:
        """Recorded requests, filtered by a regular expression searched in the path."""
        with self.lock:
            return [r for r in self.requests if path is None or re.search(path, r.path)]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """What was posted to a channel (by name or id), in order, replies included, each with
        its ``metadata`` when it has some."""
        with self.lock:
            return list(self.channels[self.names[channel]].messages)

    def webhook_posts(self, path: str = WEBHOOK_PATH) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.webhooks[path])

    # -- Serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        reply: Reply = (DROP, None, {})
        with self.lock:
            self.requests.append(request)
            hold = _take(self.holds, request.path)
            if hold is None or hold.after_processing:
                reply = self._answer(request)
            if hold is not None:
                hold.arrived += 1
        if hold is None:
            return reply
        hold.reached.set()
        if not hold._wait():
            return DROP, None, {}
        if hold.after_processing:
            return reply
        with self.lock:
            return self._answer(request)

    def _answer(self, request: Request) -> Reply:
        answer = _take(self.answers, request.path)
        if answer is not None and not answer.process:
            return self._scripted(answer, request.path)
        reply = self._route(request)
        return reply if answer is None else self._scripted(answer, request.path)

    def _scripted(self, answer: Answer, path: str) -> Reply:
        body = answer.body
        if body is None:
            webhook = path.startswith("/services/")
            if answer.status == 429:
                body = "rate_limited" if webhook else {"ok": False, "error": "ratelimited"}
            elif answer.status >= 500:
                body = "rollup_error" if webhook else {"ok": False, "error": "internal_error"}
            else:
                body = "invalid_payload" if webhook else {"ok": False, "error": "unknown_error"}
        return answer.status, body, answer.headers

    def _route(self, request: Request) -> Reply:
        if request.method != "POST":
            return 405, "method_not_allowed", {}
        if request.path.startswith("/services/"):
            return self._webhook(request)
        method = request.path.removeprefix("/api/")
        if request.path.startswith("/api/") and method in _METHODS:
            if isinstance(request.body, NotJSON):
                return 200, {"ok": False, "error": "invalid_json"}, {}
            params = {**request.query, **(request.body if isinstance(request.body, dict) else {})}
            refused = self._authenticate(request, params)
            if refused is not None:
                return refused
            return getattr(self, _METHODS[method])(params)
        if request.path.startswith("/api/"):
            return 404, {"ok": False, "error": "unknown_method"}, {}
        return 404, "not found", {}

    def _authenticate(self, request: Request, params: Mapping[str, Any]) -> Reply | None:
        authorization = request.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else params.get("token")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token != self.token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        return None

    def _missing(self, scope: str) -> Reply | None:
        if scope in self.scopes:
            return None
        body = {
            "ok": False,
            "error": "missing_scope",
            "needed": scope,
            "provided": ",".join(sorted(self.scopes)),
        }
        return 200, body, {}

    def _next_ts(self) -> str:
        self._last_us = max(time.time_ns() // 1000, self._last_us + 1)
        return f"{self._last_us // 1_000_000}.{self._last_us % 1_000_000:06d}"

    def _webhook(self, request: Request) -> Reply:
        if request.path not in self.webhooks:
            return 404, "no_service", {}
        body = request.body
        if request.form and isinstance(body, dict) and isinstance(body.get("payload"), str):
            try:
                body = json.loads(body["payload"])
            except ValueError:
                body = NotJSON(body["payload"])
        if not isinstance(body, dict):
            return 400, "invalid_payload", {}
        if not body.get("text") and not body.get("blocks") and not body.get("attachments"):
            return 400, "no_text", {}
        if "blocks" in body and _block_errors(body["blocks"]):
            return 400, "invalid_blocks", {}
        self.webhooks[request.path].append(body)
        return 200, "ok", {}

    def _post_message(self, body: dict[str, Any]) -> Reply:
        if refused := self._missing("chat:write"):
            return refused
        channel_id = self.names.get(str(body.get("channel") or ""))
        if channel_id is None:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        channel = self.channels[channel_id]
        if channel.archived:
            return 200, {"ok": False, "error": "is_archived"}, {}
        if not channel.member:
            return 200, {"ok": False, "error": "not_in_channel"}, {}
        text, blocks = body.get("text"), body.get("blocks")
        if not text and not blocks and not body.get("attachments"):
            return 200, {"ok": False, "error": "no_text"}, {}
        if blocks is not None and (errors := _block_errors(blocks)):
            metadata = {"messages": errors}
            return 200, {"ok": False, "error": "invalid_blocks", "response_metadata": metadata}, {}
        if isinstance(text, str) and len(text) > 40_000:
            return 200, {"ok": False, "error": "msg_too_long"}, {}
        metadata = body.get("metadata")
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return 200, {"ok": False, "error": "invalid_metadata_format"}, {}
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            return 200, {"ok": False, "error": "invalid_metadata_format"}, {}
        ts = self._next_ts()
        message: dict[str, Any] = {"type": "message", "user": BOT_USER, "ts": ts, "text": text}
        if blocks is not None:
            message["blocks"] = blocks
        if body.get("thread_ts"):
            message["thread_ts"] = str(body["thread_ts"])
        if metadata is not None:
            message["metadata"] = metadata
        channel.messages.append(message)
        return 200, {"ok": True, "channel": channel_id, "ts": ts, "message": message}, {}

    def _readable(self, params: Mapping[str, Any]) -> Channel | Reply:
        channel = self.channels.get(str(params.get("channel") or ""))  # an id, not a name
        if channel is None:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        if refused := self._missing("groups:history" if channel.private else "channels:history"):
            return refused
        if not channel.member:
            return 200, {"ok": False, "error": "not_in_channel"}, {}
        return channel

    def _history(self, params: dict[str, Any]) -> Reply:
        channel = self._readable(params)
        if not isinstance(channel, Channel):
            return channel
        top = [m for m in channel.messages if m.get("thread_ts") in (None, m["ts"])]
        top = _between(sorted(top, key=_ts_key, reverse=True), params)
        with_metadata = _flag(params.get("include_all_metadata"))
        shown = [self._shown(channel, m, with_metadata, parent=True) for m in top]
        page = _page(shown, params, default=100, cap=self.page_limit)
        if isinstance(page, tuple):
            return page
        return 200, {"ok": True, "pin_count": 0, **page}, {}

    def _replies(self, params: dict[str, Any]) -> Reply:
        channel = self._readable(params)
        if not isinstance(channel, Channel):
            return channel
        ts = str(params.get("ts") or "")
        message = next((m for m in channel.messages if m["ts"] == ts), None)
        if message is None:
            return 200, {"ok": False, "error": "thread_not_found"}, {}
        root = str(message.get("thread_ts") or ts)
        parent = next((m for m in channel.messages if m["ts"] == root), None)
        if parent is None:
            return 200, {"ok": False, "error": "thread_not_found"}, {}
        replies = [m for m in channel.messages if m.get("thread_ts") == root and m["ts"] != root]
        with_metadata = _flag(params.get("include_all_metadata"))
        thread = [parent, *_between(sorted(replies, key=_ts_key), params)]
        shown = [self._shown(channel, m, with_metadata, parent=m is parent) for m in thread]
        page = _page(shown, params, default=1000, cap=self.page_limit)
        if isinstance(page, tuple):
            return page
        return 200, {"ok": True, **page}, {}

    def _list(self, params: dict[str, Any]) -> Reply:
        types = {t.strip() for t in str(params.get("types") or "public_channel").split(",")}
        for kind, scope in (
            ("public_channel", "channels:read"),
            ("private_channel", "groups:read"),
        ):
            if kind in types and (refused := self._missing(scope)):
                return refused
        exclude_archived = _flag(params.get("exclude_archived"))
        listed = [
            {
                "id": c.id,
                "name": c.name or c.id.lower(),
                "is_channel": not c.private,
                "is_group": c.private,
                "is_private": c.private,
                "is_archived": c.archived,
                "is_member": c.member,
            }
            for c in sorted(self.channels.values(), key=lambda c: c.id)
            if ("private_channel" if c.private else "public_channel") in types
            and (c.member or not c.private)
            and not (exclude_archived and c.archived)
        ]
        page = _page(
            listed, params, default=100, cap=self.page_limit, key="channels", cursor_of="id"
        )
        if isinstance(page, tuple):
            return page
        return 200, {"ok": True, **page}, {}

    def _shown(
        self, channel: Channel, message: dict[str, Any], with_metadata: bool, *, parent: bool
    ) -> dict[str, Any]:
        """A message as a listing shows it: metadata only when asked for, thread counts on a
        parent."""
        shown = {k: v for k, v in message.items() if k != "metadata" or with_metadata}
        replies = [m for m in channel.messages if m.get("thread_ts") == message["ts"]]
        replies = [m for m in replies if m["ts"] != message["ts"]]
        if parent and replies:
            shown["thread_ts"] = message["ts"]
            shown["reply_count"] = len(replies)
            shown["latest_reply"] = max((m["ts"] for m in replies), key=_ts_key)
            shown["reply_users"] = sorted({str(m.get("user")) for m in replies})
            shown["reply_users_count"] = len(shown["reply_users"])
        return shown


_METHODS = {
    "chat.postMessage": "_post_message",
    "conversations.history": "_history",
    "conversations.replies": "_replies",
    "conversations.list": "_list",
}


def _take(scripted: list[Any], path: str) -> Any:
    """The first Answer or Hold matching ``path``, counted down (and removed when used up)."""
    found = next((item for item in scripted if item.matches(path)), None)
    if found is not None and found.times is not None:
        found.times -= 1
        if found.times <= 0:
            scripted.remove(found)
    return found


def _ts_key(ts: str | Mapping[str, Any]) -> tuple[int, int]:
    text = ts if isinstance(ts, str) else str(ts["ts"])
    seconds, _, micros = text.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6])


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _between(messages: list[dict[str, Any]], params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The messages after ``oldest`` and before ``latest`` (exclusive unless ``inclusive``)."""
    inclusive = _flag(params.get("inclusive"))
    oldest, latest = params.get("oldest"), params.get("latest")

    def inside(message: dict[str, Any]) -> bool:
        key = _ts_key(message)
        if oldest not in (None, ""):
            bound = _ts_key(f"{float(oldest):.6f}")
            if key < bound or (key == bound and not inclusive):
                return False
        if latest not in (None, ""):
            bound = _ts_key(f"{float(latest):.6f}")
            if key > bound or (key == bound and not inclusive):
                return False
        return True

    return [m for m in messages if inside(m)]


def _page(
    items: list[dict[str, Any]],
    params: Mapping[str, Any],
    *,
    default: int,
    cap: int | None,
    key: str = "messages",
    cursor_of: str = "ts",
) -> dict[str, Any] | Reply:
    """One page of a listing, Slack's way: ``limit`` items from the ``cursor`` on, ``has_more``
    and ``response_metadata.next_cursor`` (base64 of ``next_ts:<ts>``, or of the next id)."""
    start = 0
    cursor = str(params.get("cursor") or "")
    if cursor:
        try:
            marker = base64.b64decode(cursor, validate=True).decode()
        except ValueError:
            return 200, {"ok": False, "error": "invalid_cursor"}, {}
        start = next(
            (i for i, item in enumerate(items) if f"next_{cursor_of}:{item[cursor_of]}" == marker),
            -1,
        )
        if start < 0:
            return 200, {"ok": False, "error": "invalid_cursor"}, {}
    try:
        limit = int(params.get("limit") or default)
    except ValueError:
        return 200, {"ok": False, "error": "invalid_limit"}, {}
    limit = max(1, min(limit, 999 if key == "messages" else 1000, cap or limit))
    page = items[start : start + limit]
    if not page and start:
        return 200, {"ok": False, "error": "invalid_cursor"}, {}
    result: dict[str, Any] = {key: page, "has_more": start + limit < len(items)}
    if result["has_more"]:
        marker = f"next_{cursor_of}:{items[start + limit][cursor_of]}"
        result["response_metadata"] = {"next_cursor": base64.b64encode(marker.encode()).decode()}
    return result


def unreachable_url(path: str = "") -> str:
    """A loopback URL where nothing listens: every request is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def _block_errors(blocks: Any) -> list[str]:
    """Slack-style ``[ERROR] ...`` lines for the block rules this fake checks."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return ["[ERROR] invalid JSON [json-pointer:/blocks]"]
    if not isinstance(blocks, list):
        return ["[ERROR] must be an array [json-pointer:/blocks]"]
    if len(blocks) > 50:
        return ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
    errors = []
    for i, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in BLOCK_TYPES:
            what = "missing required field: type" if kind is None else f"unsupported type: {kind}"
            errors.append(f"[ERROR] {what} [json-pointer:/blocks/{i}]")
            continue
        text = block.get("text")
        limit = {"section": 3000, "header": 150}.get(str(kind))
        if limit and isinstance(text, dict) and len(str(text.get("text", ""))) > limit:
            errors.append(
                f"[ERROR] must be less than {limit + 1} characters "
                f"[json-pointer:/blocks/{i}/text/text]"
            )
    return errors


class _QuietServer(QuietServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up on a held answer (timed out) and closed the connection
        super().handle_error(request, client_address)


def _handler_for(server: SlackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5  # an idle keep-alive connection does not pin a thread for long
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            form = headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
            body: Any
            if form:
                body = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
                if isinstance(body.get("blocks"), str):
                    with contextlib.suppress(ValueError):  # else _block_errors reports it
                        body["blocks"] = json.loads(body["blocks"])
            elif raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = NotJSON(raw.decode(errors="replace"))
            else:
                body = None
            request = Request(self.command, parts.path, query, headers, body, form)
            status, answer, extra = server.handle(request)
            if status == DROP:
                self.close_connection = True  # the client sees the connection closed, no answer
                return
            self._send(status, answer, extra)

        def _send(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
            if isinstance(body, bytes):  # as given: a test's broken UTF-8 or JSON
                payload, kind = body, "application/json; charset=utf-8"
            elif isinstance(body, str):
                payload, kind = body.encode(), "text/plain; charset=utf-8"
            else:
                payload, kind = json.dumps(body).encode(), "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", headers.get("Content-Type", kind))
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                if name != "Content-Type":
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler
