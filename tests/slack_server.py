"""A loopback stand-in for Slack: incoming webhooks and the Web API's ``chat.postMessage``.

Incoming webhooks: ``POST /services/T000/B000/XXX`` (and any path given to ``add_webhook``) takes a
JSON body (or the legacy form field ``payload=``) and answers ``200 ok`` as text, as Slack does;
an unknown ``/services/...`` path gets ``404 no_service``, a body that is not JSON ``400
invalid_payload``, no text or blocks ``400 no_text``, bad blocks ``400 invalid_blocks``.

Web API: ``POST /api/chat.postMessage`` takes JSON or a urlencoded form (``blocks`` as a JSON
string), authenticates ``Authorization: Bearer <token>`` (or a ``token`` field): missing is
``not_authed``, wrong ``invalid_auth``. Channels are known by name and id (``#llm-alerts`` and
``llm-alerts`` → ``C123`` by default; ``add_channel`` for more, also one the bot is not a member
of, or an archived one). It answers ``{"ok": true, "channel": <id>, "ts": ..., "message": ...}``
with an increasing ts, and stores each message per channel id with its ``thread_ts``. Errors come
back as Slack sends them, HTTP 200 with ``{"ok": false, "error": ...}``: ``channel_not_found``,
``not_in_channel``, ``is_archived``, ``no_text``, ``msg_too_long``, and ``invalid_blocks`` with
``response_metadata.messages`` (a block without a known ``type``, more than 50 blocks, a section
text over 3,000 characters, a header over 150). Other ``/api/`` methods: ``unknown_method``.

Every request is recorded (method, path, query, lower-cased headers, the parsed JSON or form
body). Scripting: ``answer(status, body, times=, path=, headers=, process=)`` makes the next
``times`` requests whose path matches the regular expression ``path`` get that answer instead
(``times=None``: until ``recover()``; ``process=True``: the request is carried out first, as when
Slack posted the message and then failed to say so); ``body=None`` is what Slack sends for that
endpoint and status. Shorthands: ``rate_limited(retry_after)``, ``server_error(status)``,
``api_error(error, messages)``, ``webhook_error(status, code)``, ``drop()`` (close the connection
without an answer), ``outage()`` (every request fails until ``recover()``). ``unreachable_url()``
is a loopback URL where nothing listens (connection refused).

For a whole run: ``SLACK_API_URL=server.api_url``, ``SLACK_TOKEN=server.token``, and
``SLACK_WEBHOOK_URL=server.webhook_url`` (or ``server.add_webhook(path)`` for another one).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback import Loopback, QuietServer

TOKEN = "xoxb-0000-1111-loopbacksecret"
WEBHOOK_PATH = "/services/T000/B000/XXX"
CHANNELS = {"#llm-alerts": "C123", "llm-alerts": "C123", "C123": "C123"}
DROP = -1  # an Answer status: close the connection without answering
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


@dataclass
class Channel:
    id: str
    member: bool = True
    archived: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)


class SlackServer(Loopback):
    """A fake Slack on an ephemeral loopback port; use as a context manager."""

    def __init__(
        self,
        token: str = TOKEN,
        channels: Mapping[str, str] | None = None,
        webhooks: Sequence[str] = (WEBHOOK_PATH,),
    ) -> None:
        self.token = token
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self.channels: dict[str, Channel] = {}  # id → channel
        self.names: dict[str, str] = {}  # name or id → id
        self.webhooks: dict[str, list[dict[str, Any]]] = {path: [] for path in webhooks}
        self.lock = threading.Lock()
        self._ts = 100
        for name, channel_id in (CHANNELS if channels is None else channels).items():
            self.add_channel(name, channel_id)
        self.start_serving(_handler_for(self), _QuietServer)

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
    ) -> str:
        """A channel known by ``name`` (and its id); returns the id."""
        with self.lock:
            channel_id = channel_id or f"C{len(self.channels) + 900}"
            channel = self.channels.setdefault(channel_id, Channel(channel_id))
            channel.member, channel.archived = member, archived
            self.names[name] = self.names[channel_id] = channel_id
            return channel_id

    def add_webhook(self, path: str) -> str:
        """Another incoming webhook; returns its URL."""
        with self.lock:
            self.webhooks.setdefault(path, [])
        return self.url + path

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

    # -- Inspection --------------------------------------------------------------------------

    def calls(self, path: str | None = None) -> list[Request]:
        """Recorded requests, filtered by a regular expression searched in the path."""
        with self.lock:
            return [r for r in self.requests if path is None or re.search(path, r.path)]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """What was posted to a channel (by name or id), in order, replies included."""
        with self.lock:
            return list(self.channels[self.names[channel]].messages)

    def webhook_posts(self, path: str = WEBHOOK_PATH) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.webhooks[path])

    # -- Serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            answer = next((a for a in self.answers if a.matches(request.path)), None)
            if answer is not None and answer.times is not None:
                answer.times -= 1
                if answer.times <= 0:
                    self.answers.remove(answer)
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
        if request.path == "/api/chat.postMessage":
            return self._post_message(request)
        if request.path.startswith("/api/"):
            return 404, {"ok": False, "error": "unknown_method"}, {}
        return 404, "not found", {}

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

    def _post_message(self, request: Request) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        if isinstance(request.body, NotJSON):
            return 200, {"ok": False, "error": "invalid_json"}, {}
        authorization = request.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else body.get("token")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token != self.token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
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
        self._ts += 100
        ts = f"1700000000.{self._ts:06d}"
        message: dict[str, Any] = {"type": "message", "user": "U0BOT", "ts": ts, "text": text}
        if blocks is not None:
            message["blocks"] = blocks
        if body.get("thread_ts"):
            message["thread_ts"] = str(body["thread_ts"])
        channel.messages.append(message)
        return 200, {"ok": True, "channel": channel_id, "ts": ts, "message": message}, {}


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
            if isinstance(body, str):
                payload, kind = body.encode(), "text/plain; charset=utf-8"
            else:
                payload, kind = json.dumps(body).encode(), "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler
