"""What every fake server in the tests shares: a real HTTP server on 127.0.0.1, in a thread.

A subclass builds its request handler and passes it (and, if it must, its own server class) to
``start_serving``; ``url`` is known at once (port 0 picks a free port), and the server runs
between ``__enter__`` and ``__exit__``.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True


class Loopback:
    _httpd: ThreadingHTTPServer
    _thread: threading.Thread

    def start_serving(
        self,
        handler: type[BaseHTTPRequestHandler],
        server_class: type[ThreadingHTTPServer] = QuietServer,
    ) -> None:
        self._httpd = server_class(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
