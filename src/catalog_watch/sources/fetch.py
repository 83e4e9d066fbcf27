"""Fetch the catalog (a URL or a local file) as bytes plus its parsed JSON object.

Retries come from httpx-retries, already a dependency, under one wall-clock budget
(``max_total_seconds``): ``http_client.BudgetedRetry`` refuses any wait that does not fit in
what is left, and we stop at once, saying so. stamina (over tenacity) bounds total time
natively, but would make us turn statuses into exceptions and parse ``Retry-After`` ourselves,
for two more dependencies.

httpx's timeouts are per operation, so the budget is also one deadline from the first connect to
the last byte, status line and headers included: every socket operation of every attempt gets
at most what is left (``limits.DeadlineBackend``). The body is read raw and decoded, at most one
content coding, with ``max_bytes`` applied to the decoded output as it grows
(``limits.BodyDecoder``); the parsed document is held to ``file_bounds.MAX_PROVIDERS`` and
``file_bounds.MAX_OFFERINGS_PER_PROVIDER`` before any record is built. The HTTP side is
``fetch_http``, loaded only for a URL: a catalog file is read with no HTTP stack.

Body-phase errors (a truncated body) are not retried: the next scheduled run is the retry.
Nothing is written to disk here.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_watch.errors import FetchError, SourceNotFound
from catalog_watch.model.catalog import JSON
from catalog_watch.sources.file_bounds import (
    MAX_CATALOG_BYTES,
    check_catalog_counts,
    read_capped,
)
from catalog_watch.sources.file_bounds import describe_size as _size
from catalog_watch.sources.json_reader import JSONReadError, read_upstream

if TYPE_CHECKING:
    import httpx

_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}


HTTP = "catalog_watch.sources.fetch_http"
"""The HTTP side (httpx, httpcore, httpx-retries: about 75 ms of imports), imported by name for a
URL only: a catalog file is read without it."""


@dataclass(frozen=True, slots=True)
class Validators:
    """What we store in _meta.json and send back next time for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOptions:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    backoff_initial: float = 1.0  # seconds before the first retry, doubled each retry, jittered
    backoff_max: float = 30.0
    max_total_seconds: float = 120.0
    max_bytes: int = MAX_CATALOG_BYTES
    user_agent: str | None = None  # None: publish.http.USER_AGENT

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_bytes < 1 or self.backoff_max <= 0:
            raise ValueError("max_attempts, max_bytes and backoff_max must be positive")


@dataclass(frozen=True, slots=True)
class FetchResult:
    source: str  # URL or file path as given
    not_modified: bool  # True on 304: body and document are None
    body: bytes | None
    document: dict[str, JSON] | None  # None also when fetched with parse=False: see document_of

    validators: Validators  # from the response (or the previous ones on 304)
    attempts: int


def fetch_catalog(
    source: str,
    previous: Validators | None = None,
    options: FetchOptions = FetchOptions(),  # frozen, so a shared default is safe
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    parse: bool = True,
) -> FetchResult:
    """Fetch ``source`` (http(s) URL or file path); raise FetchError with one clear message.

    ``parse=False`` leaves the body unparsed (``document`` None) for :func:`document_of` to read
    when needed: a run that finds the body it already has never parses it.
    """
    if is_url(source):
        fetch_url: Callable[..., FetchResult] = importlib.import_module(HTTP).fetch_url
        fetched = fetch_url(source, previous or Validators(), options, transport, sleep)
    elif "://" in source:
        raise FetchError(f"cannot fetch {source}: only http://, https:// or a file path")
    else:
        fetched = _read_file(source, options)
    if parse and fetched.body is not None:
        return replace(fetched, document=document_of(fetched))
    return fetched


def document_of(fetched: FetchResult) -> dict[str, JSON]:
    """The catalog a fetch brought, parsed now if it was fetched with ``parse=False``; a 304
    brought none, and there is nothing to evaluate."""
    if fetched.document is not None:
        return fetched.document
    if fetched.body is None:
        raise FetchError(f"{fetched.source} answered 304 Not Modified: it sent no catalog to read")
    where = fetched.source if is_url(fetched.source) else f"catalog file {fetched.source}"
    return _parse(where, fetched.body)


def is_url(source: str) -> bool:
    """A catalog fetched over HTTP (a URL), not read from a file."""
    return source.startswith(("http://", "https://"))


def _read_file(source: str, options: FetchOptions) -> FetchResult:
    """Read a local catalog with the same size and JSON checks as a download."""
    try:
        body = read_capped(Path(source), options.max_bytes)
    except FileNotFoundError:
        raise SourceNotFound(f"catalog file {source} does not exist") from None
    except OSError as exc:
        raise FetchError(f"cannot read catalog file {source}: {exc.strerror or exc}") from exc
    if len(body) > options.max_bytes:
        raise FetchError(f"catalog file {source} is over the {_size(options.max_bytes)} limit")
    return FetchResult(source, False, body, None, Validators(), 1)


def _parse(where: str, body: bytes) -> dict[str, JSON]:
    """The body as a JSON object (:func:`json_object`) holding no more providers, or offerings
    in one, than ``limits`` allows."""
    document = json_object(where, body)
    check_catalog_counts(where, document)
    return document


def json_object(where: str, body: bytes) -> dict[str, JSON]:
    """The body as a JSON object; an empty, malformed, too deep or non-object body is an error.

    ``read_upstream`` is the reader snapshots share: NaN, infinities and lone surrogates inside
    the document are left for the source's validation to reject record by record.
    """
    if not body.strip():
        raise FetchError(f"{where} is empty, expected a JSON object")
    try:
        document = read_upstream(body)
    except JSONReadError as exc:
        raise FetchError(f"{where} is {exc}") from None
    if not isinstance(document, dict):
        kind = _JSON_TYPES.get(type(document), "a literal")
        raise FetchError(f"{where} holds {kind} at the top level, expected a JSON object")
    return document
