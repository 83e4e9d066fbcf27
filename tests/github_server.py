"""A loopback stand-in for the GitHub REST API: the endpoints pull-request mode calls, in memory.

One repository (``owner/name``), one token. It serves: list pulls (``state``/``head``/``base``
filters, a ``head`` without ``owner:`` is ignored like GitHub does), create a pull (201; 422 when
the body is over 65,536 characters or one is already open for head→base), get/update a pull
(title, body, state, base), get/list/create labels (422 ``already_exists``), add labels to an
issue (missing labels are created, an empty list removes all, like GitHub), list an issue's
labels, create/list issue comments. A wrong or missing ``Authorization`` gets 401; an unknown
route 404. Every request is recorded (method, path, query, JSON body, lower-cased headers).

Scripting: ``fail(status, message, times=, method=, path=, headers=, process=)`` makes the next
matching requests fail; ``process=True`` applies the request first and fails afterwards (a 502
from a gateway after GitHub did the work). ``rate_limited()`` and ``not_permitted()`` build the
two refusals GitHub sends most. For a whole ``catalog-watch run``, point ``GITHUB_API_URL`` at
``server.api_url`` (``prefix="/api/v3"`` imitates Enterprise Server) and ``GITHUB_TOKEN`` at
``server.token``.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import Loopback, QuietServer

BODY_LIMIT = 65_536
NOT_PERMITTED = "GitHub Actions is not permitted to create or approve pull requests."
Reply = tuple[int, Any, Mapping[str, str]]


class NotJSON(str):
    """A request body that did not parse as JSON, recorded as text (and answered with 400)."""


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; header names are lower-cased, the path has no query."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]


@dataclass
class Failure:
    """A scripted refusal for the next ``times`` requests that match ``method`` and ``path``."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    times: int = 1
    method: str | None = None
    path: str | None = None  # a regular expression searched in the path
    process: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (
            self.path is None or bool(re.search(self.path, path))
        )


class GitHubServer(Loopback):
    """A fake GitHub API on an ephemeral loopback port; use as a context manager."""

    def __init__(
        self, repository: str = "octo-org/catalog", token: str = "ghs_test_token", prefix: str = ""
    ) -> None:
        self.repository, self.token, self.prefix = repository, token, prefix
        self.owner = repository.split("/")[0]
        self.requests: list[Request] = []
        self.pulls: dict[int, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}  # lower-cased name → label
        self.comments: list[dict[str, Any]] = []
        self.failures: list[Failure] = []
        self.lock = threading.Lock()
        self._next_number = 1
        self.start_serving(_handler_for(self), _QuietServer)

    @property
    def api_url(self) -> str:
        return self.url + self.prefix

    _STATE = ("requests", "pulls", "labels", "comments", "_next_number")
    """What the server holds of the runs it served (its scripted ``failures`` are the test's)."""

    def saved_state(self) -> dict[str, Any]:
        """A deep copy of :data:`_STATE`, for :meth:`restore` into another server."""
        with self.lock:
            return copy.deepcopy({name: getattr(self, name) for name in self._STATE})

    def restore(self, state: dict[str, Any]) -> None:
        """Hold what :meth:`saved_state` copied, as if this server had served those runs."""
        with self.lock:
            for name, value in copy.deepcopy(state).items():
                setattr(self, name, value)

    # -- Scripting ---------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        message: str = "Server Error",
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
        process: bool = False,
    ) -> None:
        body = {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(status),
        }
        with self.lock:
            self.failures.append(
                Failure(status, body, dict(headers or {}), times, method, path, process)
            )

    def rate_limited(self, retry_after: int = 60, *, status: int = 403, **match: Any) -> None:
        message = "You have exceeded a secondary rate limit. Please wait a few minutes."
        self.fail(status, message, headers={"Retry-After": str(retry_after)}, **match)

    def not_permitted(self, **match: Any) -> None:
        self.fail(403, NOT_PERMITTED, method="POST", path=r"/pulls$", **match)

    def add_label(self, name: str, color: str = "ededed", description: str = "") -> None:
        """A label someone created in the repository by hand."""
        with self.lock:
            self.labels[name.lower()] = _label(name, color, description)

    def label_pull(self, number: int, *names: str) -> None:
        """A reviewer labels a pull request by hand."""
        with self.lock:
            self._add_issue_labels(number, list(names))

    # -- Inspection --------------------------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Recorded requests, filtered by method and by a regular expression on the path."""
        return [
            r
            for r in self.requests
            if method in (None, r.method) and (path is None or re.search(path, r.path))
        ]

    def open_pulls(self) -> list[dict[str, Any]]:
        return [p for p in self.pulls.values() if p["state"] == "open"]

    # -- Serving -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            failure = next(
                (f for f in self.failures if f.matches(request.method, request.path)), None
            )
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                if not failure.process:
                    return failure.status, failure.body, failure.headers
            if isinstance(request.json, NotJSON):
                return _error(400, "Problems parsing JSON")
            if request.headers.get("authorization") not in (
                f"Bearer {self.token}",
                f"token {self.token}",
            ):
                return _error(401, "Bad credentials")
            reply = self._route(request)
            return reply if failure is None else (failure.status, failure.body, failure.headers)

    def _route(self, request: Request) -> Reply:
        base = f"{self.prefix}/repos/{self.repository}"
        if not request.path.startswith(base + "/"):
            return _error(404, "Not Found")
        rest, method, body = request.path[len(base) :], request.method, request.json
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/pulls", lambda: (200, self._list_pulls(request.query), {})),
            ("POST", r"/pulls", lambda: self._create_pull(body)),
            ("GET", r"/pulls/(\d+)", lambda n: self._get_pull(int(n))),
            ("PATCH", r"/pulls/(\d+)", lambda n: self._update_pull(int(n), body)),
            ("GET", r"/labels", lambda: (200, list(self.labels.values()), {})),
            ("GET", r"/labels/([^/]+)", lambda name: self._get_label(unquote(name))),
            ("POST", r"/labels", lambda: self._create_label(body)),
            ("GET", r"/issues/(\d+)/labels", lambda n: self._issue_labels(int(n))),
            ("POST", r"/issues/(\d+)/labels", lambda n: self._post_issue_labels(int(n), body)),
            ("GET", r"/issues/(\d+)/comments", lambda n: self._comments(int(n))),
            ("POST", r"/issues/(\d+)/comments", lambda n: self._comment(int(n), body)),
        ]
        for verb, pattern, action in routes:
            if verb == method and (found := re.fullmatch(pattern, rest)):
                reply: Reply = action(*found.groups())
                return reply
        return _error(404, "Not Found")

    def _list_pulls(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        state, head, base = query.get("state", "open"), query.get("head", ""), query.get("base")
        return [
            pull
            for pull in sorted(self.pulls.values(), key=lambda p: -p["number"])
            if state in ("all", pull["state"])
            and (":" not in head or pull["head"]["label"] == head)  # GitHub ignores a bare branch
            and base in (None, pull["base"]["ref"])
        ]

    def _create_pull(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) for k in ("title", "head", "base")
        ):
            return _error(
                422, "Validation Failed", [{"resource": "PullRequest", "code": "missing_field"}]
            )
        if too_long := _too_long(body.get("body")):
            return too_long
        label = body["head"] if ":" in body["head"] else f"{self.owner}:{body['head']}"
        if any(
            p["head"]["label"] == label and p["base"]["ref"] == body["base"]
            for p in self.open_pulls()
        ):
            return _error(422, "Validation Failed", [f"A pull request already exists for {label}."])
        number, self._next_number = self._next_number, self._next_number + 1
        self.pulls[number] = {
            "number": number,
            "html_url": f"{self.url}/{self.repository}/pull/{number}",
            "url": f"{self.api_url}/repos/{self.repository}/pulls/{number}",
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "head": {"ref": label.split(":", 1)[1], "label": label},
            "base": {"ref": body["base"]},
            "labels": [],
        }
        return 201, self.pulls[number], {}

    def _get_pull(self, number: int) -> Reply:
        return (200, self.pulls[number], {}) if number in self.pulls else _error(404, "Not Found")

    def _update_pull(self, number: int, body: Any) -> Reply:
        if number not in self.pulls:
            return _error(404, "Not Found")
        if not isinstance(body, dict) or body.get("state", "open") not in ("open", "closed"):
            return _error(422, "Validation Failed", [{"field": "state", "code": "invalid"}])
        if too_long := _too_long(body.get("body")):
            return too_long
        pull = self.pulls[number]
        pull.update({k: body[k] for k in ("title", "body", "state") if k in body})
        if "base" in body:
            pull["base"] = {"ref": body["base"]}
        return 200, pull, {}

    def _get_label(self, name: str) -> Reply:
        found = self.labels.get(name.lower())
        return (200, found, {}) if found else _error(404, "Not Found")

    def _create_label(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return _error(
                422,
                "Validation Failed",
                [{"resource": "Label", "field": "name", "code": "missing_field"}],
            )
        if not re.fullmatch(r"[0-9a-fA-F]{6}", str(body.get("color", "ededed"))):
            return _error(
                422,
                "Validation Failed",
                [{"resource": "Label", "field": "color", "code": "invalid"}],
            )
        if body["name"].lower() in self.labels:
            return _error(
                422,
                "Validation Failed",
                [{"resource": "Label", "code": "already_exists", "field": "name"}],
            )
        label = _label(body["name"], body.get("color", "ededed"), body.get("description") or "")
        self.labels[body["name"].lower()] = label
        return 201, label, {}

    def _issue_labels(self, number: int) -> Reply:
        return (
            (200, self.pulls[number]["labels"], {})
            if number in self.pulls
            else _error(404, "Not Found")
        )

    def _post_issue_labels(self, number: int, body: Any) -> Reply:
        names = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return _error(422, "Invalid request.")
        if number not in self.pulls:
            return _error(404, "Not Found")
        if not names:
            self.pulls[number]["labels"] = []  # what GitHub documents for an empty array
        self._add_issue_labels(number, names)
        return 200, self.pulls[number]["labels"], {}

    def _add_issue_labels(self, number: int, names: list[str]) -> None:
        on_issue = self.pulls[number]["labels"]
        for name in names:
            label = self.labels.setdefault(name.lower(), _label(name, "ededed", ""))
            if label not in on_issue:
                on_issue.append(label)

    def _comments(self, number: int) -> Reply:
        return 200, [c for c in self.comments if c["issue"] == number], {}

    def _comment(self, number: int, body: Any) -> Reply:
        if number not in self.pulls:
            return _error(404, "Not Found")
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            return _error(
                422,
                "Validation Failed",
                [{"resource": "IssueComment", "field": "body", "code": "missing_field"}],
            )
        comment = {"id": len(self.comments) + 1, "issue": number, "body": body["body"]}
        self.comments.append(comment)
        return 201, comment, {}


def _label(name: str, color: str, description: str) -> dict[str, Any]:
    return {"name": name, "color": color, "description": description, "default": False}


def _error(status: int, message: str, errors: list[Any] | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com/rest"}
    if errors:
        body["errors"] = errors
    return status, body, {}


def _too_long(text: Any) -> Reply | None:
    if isinstance(text, str) and len(text) > BODY_LIMIT:
        error = {
            "resource": "Issue",
            "code": "custom",
            "field": "body",
            "message": f"body is too long (maximum is {BODY_LIMIT} characters)",
        }
        return _error(422, "Validation Failed", [error])
    return None


class _QuietServer(QuietServer):
    daemon_threads = True


def _handler_for(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the client expects
        timeout = 5  # an idle keep-alive connection does not pin a thread for long
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            try:
                document = json.loads(raw) if raw else None
            except ValueError:
                document = NotJSON(raw.decode(errors="replace"))
            self._send(*server.handle(Request(self.command, parts.path, query, document, headers)))

        def _send(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler
