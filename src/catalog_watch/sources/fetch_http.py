"""A catalog fetched over HTTP: ``sources.fetch.fetch_catalog`` for a URL (see its docstring for
the retries, the budget and the body's bounds). Kept apart so that a catalog read from a file
loads no HTTP stack (httpx, httpcore, httpx-retries: about 75 ms of imports).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from catalog_watch.errors import FetchError
from catalog_watch.publish.http import (
    RETRY_STATUSES,
    USER_AGENT,
    Budget,
    BudgetedRetry,
    OutOfTime,
    describe_error,
)
from catalog_watch.sources.fetch import FetchOptions, FetchResult, Validators
from catalog_watch.sources.limits import ACCEPTED_CODINGS, BodyDecoder, DeadlinePassed
from catalog_watch.sources.limits import describe_size as _size

__all__ = ["fetch_url"]

# httpx would also offer br and zstd when their packages happen to be installed.
_HEADERS = {"Accept": "application/json", "Accept-Encoding": ", ".join(ACCEPTED_CODINGS)}


def fetch_url(
    url: str,
    previous: Validators,
    options: FetchOptions,
    transport: httpx.BaseTransport | None,
    sleep: Callable[[float], None],
) -> FetchResult:
    """GET ``url`` (conditional on ``previous``) under ``options``' retries, timeouts and budget."""
    budget = Budget.starting_now(options.max_total_seconds, sleep, "budget (max_total_seconds)")
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
            headers=_HEADERS | {"User-Agent": options.user_agent or USER_AGENT},
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
    if etag := _sendable(previous.etag):
        headers["If-None-Match"] = etag
    if last_modified := _sendable(previous.last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def _sendable(validator: str | None) -> str | None:
    """A validator that can go back in a header: printable ASCII only. Upstream may send others
    (``é``, a line break): sent back, httpx raised UnicodeEncodeError or refused the header, in
    every run until upstream changed it. Such a one is dropped: the GET is unconditional."""
    if validator and validator.isascii() and validator.isprintable():
        return validator
    return None


def _accept(
    url: str, response: httpx.Response, previous: Validators, options: FetchOptions, budget: Budget
) -> FetchResult:
    """Turn the final response into a result, or say in one sentence what is wrong with it."""
    fresh = Validators(
        _sendable(response.headers.get("ETag")), _sendable(response.headers.get("Last-Modified"))
    )
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
