"""A real HTTP server on 127.0.0.1 whose replies each test scripts, for fetch-level tests.

Tests queue ``Reply`` objects; every request is recorded (method, path, headers) so a test can
check what the client sent and how many times. Replies can be gzip-encoded, chunked, announce
a Content-Length they do not honour (a truncated body), or carry any header (ETag,
Retry-After...). A request with no scripted reply left gets a 418 that says so, which is not
retried, so a test that under-scripts fails loudly rather than hanging.
"""

from __future__ import annotations

import gzip
import json
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import Loopback, QuietServer


@dataclass(frozen=True)
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    gzip: bool = False  # compress the body and send Content-Encoding: gzip
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    content_length: int | None = None  # announce this instead of the real length, then close

    @classmethod
    def json(cls, document: Any, **kwargs: Any) -> Reply:
        return cls(body=json.dumps(document).encode(), **kwargs)


@dataclass(frozen=True)
class Request:
    """One request as the server saw it; header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]


class CatalogServer(Loopback):
    """Serve scripted replies on an ephemeral loopback port; use as a context manager."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self.start_serving(_handler_for(self), _QuietServer)

    def reply(self, *replies: Reply) -> None:
        """Queue replies, served in order, one per request."""
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.popleft()
        return Reply(418, b"catalog_server: no scripted reply left", "text/plain")


class _QuietServer(QuietServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-reply is what several tests do on purpose; stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: CatalogServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive and chunked encoding
        timeout = 5  # an idle keep-alive connection does not pin a thread for long

        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = server.next_reply(Request(self.command, self.path, headers))
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up on purpose (size limit)

        def _send(self, reply: Reply) -> None:
            body = gzip.compress(reply.body) if reply.gzip else reply.body
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status == 304:
                self.end_headers()
                return
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(body), 1024):
                    piece = body[start : start + 1024]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
                return
            length = len(body) if reply.content_length is None else reply.content_length
            self.send_header("Content-Length", str(length))
            if length > len(body):
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler
