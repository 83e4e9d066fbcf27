"""The bounds a hostile catalog server or file is held to: one deadline, one size, counted records.

Issue 10: per-operation timeouts let a server send a header byte every 29 s for hours; a stack of
content codings, each decoded whole, turned 4 MB into 8 GB of memory; and 100,000 providers took a
minute of validation. Each bound here is checked as the data arrives, before anything is built:

* **time**: :class:`DeadlineBackend` is an httpcore network backend that shrinks every connect,
  TLS handshake, read and write to what is left until one wall-clock deadline and raises
  :class:`DeadlinePassed` when it is reached; no thread, no signal, just socket timeouts.
* **size**: :class:`BodyDecoder` undoes at most one content coding, incrementally
  (``zlib.decompressobj`` with ``max_length``), so the size cap applies to the output as it grows.
* **records**: :func:`check_catalog_counts` counts providers and offerings per provider in the
  parsed document, in the shapes of every source, before any record is validated (it lives in
  ``file_bounds.py`` with the size cap, which a catalog file read from disk needs without httpx).
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import httpcore
import httpx

from catalog_watch.errors import FetchError
from catalog_watch.sources.file_bounds import (
    MAX_OFFERINGS_PER_PROVIDER as MAX_OFFERINGS_PER_PROVIDER,
)
from catalog_watch.sources.file_bounds import MAX_PROVIDERS as MAX_PROVIDERS
from catalog_watch.sources.file_bounds import check_catalog_counts as check_catalog_counts
from catalog_watch.sources.file_bounds import describe_size as describe_size
from catalog_watch.sources.file_bounds import shown as _shown

ACCEPTED_CODINGS = ("gzip", "deflate")
"""The content codings we ask for and can decode with a bounded output (brotli's decoder is not
a dependency, and zstd needs Python 3.14): sent as ``Accept-Encoding``."""

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_STEP = 1 << 20  # the most one decompress call may return
_T = TypeVar("_T")


# -- Size ---------------------------------------------------------------------------------------


class BodyDecoder:
    """Undoes a body's one content coding as its bytes arrive, holding the output to max_bytes.

    ``codings`` are the ``Content-Encoding`` values (comma-split): none or ``identity``, or exactly
    one of :data:`ACCEPTED_CODINGS`; several (``gzip, gzip``) or an unknown one is a FetchError.
    The received bytes are capped at max_bytes too, so a stream that decodes to nothing ends.
    """

    def __init__(self, where: str, codings: Sequence[str], max_bytes: int) -> None:
        self.where = where
        self.max_bytes = max_bytes
        self.coding = _one_coding(where, codings)
        self.received = 0
        self.decoded = 0
        self._parts: list[bytes] = []  # joined once at the end: no doubling while it grows
        self._pending = b""  # deflate: the first bytes, until they tell zlib from raw deflate
        self._inflater = zlib.decompressobj(_GZIP_WBITS) if self.coding == "gzip" else None

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        if self.coding == "identity":
            self._append(data)
            return
        if self.received > self.max_bytes:
            raise FetchError(
                f"the body of {self.where} is over the {describe_size(self.max_bytes)} limit "
                f"as received (Content-Encoding: {self.coding}); stopped"
            )
        self._inflate(data)

    def finish(self) -> bytes:
        """The decoded body; a compressed stream that did not reach its end is truncated."""
        if self.coding != "identity" and self.received and not self._ended():
            raise FetchError(
                f"the body of {self.where} is truncated: its {self.coding} stream ends early "
                f"after {describe_size(self.received)}"
            )
        return b"".join(self._parts)

    def _ended(self) -> bool:
        return self._inflater is not None and self._inflater.eof

    def _inflate(self, data: bytes) -> None:
        if self._inflater is None:  # deflate, first bytes
            data = self._pending + data
            if len(data) < 2:
                self._pending = data
                return
            self._inflater = zlib.decompressobj(_deflate_wbits(data))
        try:
            self._decompress(self._inflater, data)
        except zlib.error as exc:
            raise FetchError(
                f"the body of {self.where} is not valid {self.coding}: {exc}"
            ) from None

    def _decompress(self, inflater: zlib._Decompress, data: bytes) -> None:
        """At most one byte past the cap is ever decoded, in steps of at most 1 MiB."""
        while data:
            if inflater.eof:  # gzip allows several members in a row (RFC 1952 2.2)
                if self.coding != "gzip":
                    raise zlib.error("data after the end of the stream")
                inflater = self._inflater = zlib.decompressobj(_GZIP_WBITS)
            room = self.max_bytes - self.decoded + 1
            self._append(inflater.decompress(data, min(room, _STEP)))
            data = inflater.unused_data if inflater.eof else inflater.unconsumed_tail

    def _append(self, data: bytes) -> None:
        self._parts.append(data)
        self.decoded += len(data)
        if self.decoded > self.max_bytes:
            got = describe_size(self.received)
            got += "" if self.coding == "identity" else f" of {self.coding}"
            raise FetchError(
                f"the body of {self.where} is over the {describe_size(self.max_bytes)} limit "
                f"(decoded); stopped after {got} received"
            )


def _one_coding(where: str, codings: Sequence[str]) -> str:
    named = [c.strip().lower() for c in codings if c.strip()]
    applied = [c for c in named if c != "identity"]
    if len(applied) > 1:
        raise FetchError(
            f"{where} sent Content-Encoding: {_shown(', '.join(named), quoted=False)}: more "
            "than one content coding is refused (a stacked compression bomb)"
        )
    coding = applied[0] if applied else "identity"
    coding = "gzip" if coding == "x-gzip" else coding
    if coding != "identity" and coding not in ACCEPTED_CODINGS:
        raise FetchError(
            f"{where} sent Content-Encoding: {_shown(coding, quoted=False)}, which we did not "
            f"ask for and cannot decode (accepted: identity, {', '.join(ACCEPTED_CODINGS)})"
        )
    return coding


def _deflate_wbits(head: bytes) -> int:
    """HTTP's deflate is zlib-wrapped (RFC 9110 8.4.1.2), but some servers send raw deflate."""
    wrapped = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


# -- Time ---------------------------------------------------------------------------------------


class DeadlinePassed(Exception):
    """A connect, handshake, read or write reached the fetch's deadline (``time.monotonic``).

    Not an httpx error, so neither httpx nor the retry transport maps or retries it: it reaches
    ``fetch.py`` as it is. ``connecting`` tells a connect or TLS handshake from an exchange.
    """

    def __init__(self, connecting: bool) -> None:
        super().__init__("connecting" if connecting else "exchanging data")
        self.connecting = connecting


def deadline_transport(proxy: str | None, deadline: float) -> httpx.HTTPTransport:
    """httpx's transport, its connections opened by a :class:`DeadlineBackend`.

    httpx 0.28 takes no network backend (encode/httpx#3749 would add one), so it is set on the
    httpcore pool, whose constructor does take one; checked, so an upgrade that moves it fails
    here rather than silently dropping the deadline.
    """
    transport = httpx.HTTPTransport(proxy=proxy)
    pool = transport._pool
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
        raise RuntimeError("this httpx/httpcore has no pool network backend to bound")
    pool._network_backend = DeadlineBackend(deadline)
    return transport


def _within(
    deadline: float, connecting: bool, timeout: float | None, op: Callable[[float], _T]
) -> _T:
    """Run ``op`` with its own timeout shrunk to the time left; past the deadline, stop."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed(connecting)
    try:
        return op(left if timeout is None else min(timeout, left))
    except httpcore.TimeoutException:
        if timeout is None or left < timeout:  # the deadline, not the operation's timeout
            raise DeadlinePassed(connecting) from None
        raise


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend with every operation bounded by one wall-clock deadline."""

    def __init__(self, deadline: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        def connect(t: float) -> httpcore.NetworkStream:
            return self._inner.connect_tcp(host, port, t, local_address, socket_options)

        return _DeadlineStream(_within(self._deadline, True, timeout, connect), self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        def connect(t: float) -> httpcore.NetworkStream:
            return self._inner.connect_unix_socket(path, t, socket_options)

        return _DeadlineStream(_within(self._deadline, True, timeout, connect), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _within(self._deadline, False, timeout, lambda t: self._inner.read(max_bytes, t))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _within(self._deadline, False, timeout, lambda t: self._inner.write(buffer, t))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        def handshake(t: float) -> httpcore.NetworkStream:
            return self._inner.start_tls(ssl_context, server_hostname, t)

        return _DeadlineStream(_within(self._deadline, True, timeout, handshake), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
