"""Loopback servers that misbehave on purpose, for the bounded-fetch tests (issue 10).

A :class:`HostileServer` answers every request with raw bytes of its script: a status line and
headers written by hand (so they can stop half-way or name any coding), then a body streamed from
a generator, then optionally a stall on an Event that only the end of the test releases. Nothing
sleeps: a stalled server waits until the client gives up and the test leaves the ``with`` block.

The gzip helpers make multi-GiB bombs without holding them: 1 MiB of zeros deflated once, then
the same 1,037 bytes sent again (a full flush resets the compressor, so every further block is
identical), with the real CRC and size in the trailer if the client ever reads that far.
"""

from __future__ import annotations

import struct
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from itertools import chain
from typing import Any, Self

from tests.loopback import Loopback, QuietServer

MIB = 1 << 20
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, unknown OS
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # a last, empty fixed-Huffman deflate block


def head(headers: Mapping[str, str], status: str = "200 OK") -> bytes:
    """A status line and headers as a server would send them, ready for a body."""
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def gzip_of_zeros(size: int) -> Iterator[bytes]:
    """A valid gzip stream of ``size`` zero bytes (a whole number of MiB), 1 MiB at a time."""
    assert size % MIB == 0
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(bytes(MIB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    yield _GZIP_HEADER
    crc = 0
    for _ in range(size // MIB):
        crc = zlib.crc32(bytes(MIB), crc)
        yield block
    yield _FINAL_EMPTY_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF)


def gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` gzip-compressed as they come (for a coding stacked on another)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


@dataclass(frozen=True)
class Script:
    """What the server sends to every request, in order."""

    head: bytes
    body: Callable[[], Iterable[bytes]] = lambda: ()
    stall: bool = False  # then wait, connection open, until the server is closed


class HostileServer(Loopback):
    """A loopback server sending its :class:`Script`; ``sent`` counts the bytes it wrote."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.release = threading.Event()
        self.requests = 0
        self.sent = 0
        self._lock = threading.Lock()
        self.start_serving(_handler_for(self), _Server)

    def count(self, requests: int = 0, sent: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.sent += sent

    def __enter__(self) -> Self:
        return super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.release.set()  # let stalled handlers end before the server shuts down
        super().__exit__(*exc)


class _Server(QuietServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """The client hanging up mid-body is what every test here expects; stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.count(requests=1)
            self.close_connection = True
            try:
                for piece in chain((server.script.head,), server.script.body()):
                    self.wfile.write(piece)
                    self.wfile.flush()
                    server.count(sent=len(piece))
            except (BrokenPipeError, ConnectionResetError):
                return
            if server.script.stall:
                server.release.wait()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
