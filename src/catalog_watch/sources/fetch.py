"""Fetch the catalog (a URL or a local file) as bytes plus its parsed JSON object.

Retries come from httpx-retries, already a dependency, under one wall-clock budget
(``max_total_seconds``): ``http_client.BudgetedRetry`` refuses any wait that does not fit in
what is left, and we stop at once, saying so. stamina (over tenacity) bounds total time
natively, but would make us turn statuses into exceptions and parse ``Retry-After`` ourselves,
for two more dependencies.

httpx's timeouts are per operation, so the budget is also one deadline from the first connect to
the last byte, status line and headers included: every socket operation of every attempt gets
at most what is left (``limits.DeadlineBackend``). The body is read raw and decoded here, at
most one content coding, with ``max_bytes`` applied to the decoded output as it grows
(``limits.BodyDecoder``); the parsed document is held to ``limits.MAX_PROVIDERS`` and
``limits.MAX_OFFERINGS_PER_PROVIDER`` before any record is built.

Body-phase errors (a truncated body) are not retried: the next scheduled run is the retry.
Nothing is written to disk here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from catalog_watch.errors import FetchError, SourceNotFound
from catalog_watch.model.catalog import JSON
from catalog_watch.publish.http import (
    RETRY_STATUSES,
    USER_AGENT,
    Budget,
    BudgetedRetry,
    OutOfTime,
    describe_error,
)
from catalog_watch.sources.file_bounds import MAX_CATALOG_BYTES
from catalog_watch.sources.json_reader import JSONReadError, read_upstream
from catalog_watch.sources.limits import (
    ACCEPTED_CODINGS,
    BodyDecoder,
    DeadlinePassed,
    check_catalog_counts,
)
from catalog_watch.sources.limits import describe_size as _size

# httpx would also offer br and zstd when their packages happen to be installed.
_HEADERS = {"Accept": "application/json", "Accept-Encoding": ", ".join(ACCEPTED_CODINGS)}
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}


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
    user_agent: str = USER_AGENT

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
        budget = Budget.starting_now(options.max_total_seconds, sleep, "budget (max_total_seconds)")
        fetched = _fetch_url(source, previous or Validators(), options, budget, transport)
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


def _fetch_url(
    url: str,
    previous: Validators,
    options: FetchOptions,
    budget: Budget,
    transport: httpx.BaseTransport | None,
) -> FetchResult:
    retry = BudgetedRetry(
        total=options.max_attempts - 1,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=options.backoff_initial / 2,  # the library doubles before the 1st retry
        max_backoff_wait=options.backoff_max,
        backoff_jitter=0.5,  # wait between half and all of the exponential value
    )
    retry.budget = budget
    try:
        client = httpx.Client(
            transport=retry.transport(url, transport),
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            follow_redirects=True,
            headers=_HEADERS | {"User-Agent": options.user_agent},
        )
        with client, client.stream("GET", url, headers=_conditional(previous)) as response:
            return _accept(url, response, previous, options, budget)
    except OutOfTime as exc:
        raise FetchError(f"gave up on {url} after {budget.attempts}: {exc}") from None
    except DeadlinePassed as exc:
        doing = "connecting" if exc.connecting else "waiting for the status line and headers"
        raise FetchError(
            f"gave up on {url} after {budget.attempts}: {doing} overran {budget.described}"
        ) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url} is not a valid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(
            f"could not fetch {url} after {budget.attempts}: {describe_error(exc)}"
        ) from exc


def _conditional(previous: Validators) -> dict[str, str]:
    headers = {}
    if previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers


def _accept(
    url: str, response: httpx.Response, previous: Validators, options: FetchOptions, budget: Budget
) -> FetchResult:
    """Turn the final response into a result, or say in one sentence what is wrong with it."""
    fresh = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
    if response.status_code == 304:
        if previous == Validators():
            raise FetchError(
                f"{url} answered 304 Not Modified to a request that was not conditional"
            )
        merged = Validators(
            fresh.etag or previous.etag, fresh.last_modified or previous.last_modified
        )
        return FetchResult(url, True, None, None, merged, budget.retries + 1)
    if response.status_code != 200:
        retried = "" if response.status_code in RETRY_STATUSES else " (not retried)"
        raise FetchError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase} "
            f"after {budget.attempts}{retried}"
        )
    _check_content_type(url, response.headers.get("Content-Type"))
    decoder = BodyDecoder(
        url, response.headers.get_list("Content-Encoding", split_commas=True), options.max_bytes
    )
    body = _read_body(url, response, decoder, budget)
    return FetchResult(url, False, body, None, fresh, budget.retries + 1)


def _check_content_type(url: str, content_type: str | None) -> None:
    """JSON, anything +json, or text/plain (raw.githubusercontent); no type at all passes."""
    media = (content_type or "").split(";")[0].strip().lower()
    if not media or media in ("application/json", "text/plain") or media.endswith("+json"):
        return
    if media in ("text/html", "application/xhtml+xml"):
        raise FetchError(
            f"expected JSON but got an HTML page ({media}) from {url} — is the URL right?"
        )
    raise FetchError(f"expected JSON but got {media} from {url}")


def _read_body(url: str, response: httpx.Response, decoder: BodyDecoder, budget: Budget) -> bytes:
    """Stream the raw body into ``decoder``, stopping as soon as it passes a limit or the budget.

    The budget is checked between chunks too, for a transport given by the caller (tests): the
    default one cannot wait past the deadline in the first place.
    """
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > decoder.max_bytes:
        raise FetchError(
            f"{url} announces {_size(int(announced))}, over the {_size(decoder.max_bytes)} limit"
        )
    try:
        for chunk in response.iter_raw():
            decoder.feed(chunk)
            if budget.remaining() <= 0:
                raise DeadlinePassed(connecting=False)
    except DeadlinePassed:
        raise FetchError(
            f"reading {url} overran {budget.described} after {_size(decoder.received)}"
        ) from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(
            f"the body of {url} is truncated: the server closed early ({exc})"
        ) from exc
    except httpx.HTTPError as exc:
        received = _size(decoder.received)
        msg = f"reading the body of {url} failed after {received}: {describe_error(exc)}"
        raise FetchError(msg) from exc
    return decoder.finish()


def _read_file(source: str, options: FetchOptions) -> FetchResult:
    """Read a local catalog with the same size and JSON checks as a download."""
    path = Path(source)
    try:
        with path.open("rb") as stream:
            body = stream.read(options.max_bytes + 1)
    except FileNotFoundError:
        raise SourceNotFound(f"catalog file {source} does not exist") from None
    except OSError as exc:
        raise FetchError(f"cannot read catalog file {source}: {exc.strerror or exc}") from exc
    if len(body) > options.max_bytes:
        raise FetchError(f"catalog file {source} is over the {_size(options.max_bytes)} limit")
    return FetchResult(source, False, body, None, Validators(), 1)


def _parse(where: str, body: bytes) -> dict[str, JSON]:
    """The body as a JSON object; an empty, malformed, too deep or non-object body is an error,
    and so is one with more providers, or offerings in one, than ``limits`` allows.

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
    check_catalog_counts(where, document)
    return document
