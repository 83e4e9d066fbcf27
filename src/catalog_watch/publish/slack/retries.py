"""Retry handlers: slack-sdk's own, waiting through an injected sleep.

slack-sdk's retry loop and handlers (``slack_sdk.http_retry``) do the safe retries; this module
picks the handlers and how they wait. Every wait goes through an injectable ``sleep`` (tests record
the waits instead of sleeping), and ``Retry-After`` is honoured exactly (read by
``publish.http.parse_retry_after``) — slack-sdk's ``RateLimitErrorRetryHandler`` adds up to a second
of random jitter and cannot read a date. ``RETRIES`` bounds the retries of one message whatever
they came from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryIntervalCalculator,
    RetryState,
)

from catalog_watch.publish.http import parse_retry_after
from catalog_watch.publish.slack.transport import header

RETRIES = 2  # per message: at most 3 attempts, whichever handlers the retries came from
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After fails the message instead of waiting

Sleep = Callable[[float], None]


@dataclass(slots=True)
class Retries:
    """The waits made for the message (or the read) being sent, one a retry."""

    done: list[float] = field(default_factory=list)


class _Waits(RetryHandler):
    """Mixin over a slack-sdk handler: its ``can_retry`` decides, this waits and records.

    slack-sdk's ``prepare_for_next_attempt`` calls ``time.sleep`` itself; this is the same four
    steps with the wait injectable (tests record it) and counted for the error message. The count
    also bounds the retries: ``max_retry_count`` for the message, across the SDK calls it takes.
    """

    sleep: Sleep
    retries: Retries

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if len(self.retries.done) >= self.max_retry_count:
            return False
        return super().can_retry(state=state, request=request, response=response, error=error)

    def interval(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = max(self.interval(state, response), 0.0)
        self.retries.done.append(wait)
        state.next_attempt_requested = True
        self.sleep(wait)
        state.increment_current_attempt()


class _ConnectionRetry(_Waits, ConnectionErrorRetryHandler):
    pass


class _ReadServerErrorRetry(_Waits):
    """Any 5xx, for reads only: reading twice is harmless."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code >= 500


class _RateLimitRetry(_Waits, RateLimitErrorRetryHandler):
    """A 429: wait what Retry-After says (seconds or a date), or the backoff when it says nothing
    readable; a wait over ``MAX_RETRY_AFTER`` is not made, and the 429 becomes the error."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or not super()._can_retry(
            state=state, request=request, response=response, error=error
        ):
            return False
        wait = retry_after(response.headers)
        return wait is None or wait <= MAX_RETRY_AFTER

    def interval(self, state: RetryState, response: HttpResponse | None) -> float:
        wait = None if response is None else retry_after(response.headers)
        return super().interval(state, response) if wait is None else wait


def safe_handlers(
    interval: RetryIntervalCalculator, sleep: Sleep, retries: Retries
) -> list[RetryHandler]:
    """For posts: only what means Slack posted nothing — a 429, or no connection made (urllib's
    URLError). Never a 5xx or an error after the request was sent."""
    return _waiting(
        retries,
        sleep,
        _ConnectionRetry(RETRIES, interval, error_types=[URLError]),
        _RateLimitRetry(RETRIES, interval),
    )


def read_handlers(
    interval: RetryIntervalCalculator, sleep: Sleep, retries: Retries
) -> list[RetryHandler]:
    """For reads: a 429, any connection error (before or after sending), any 5xx."""
    errors: list[type[Exception]] = [URLError, OSError, HTTPException]
    return _waiting(
        retries,
        sleep,
        _ConnectionRetry(RETRIES, interval, error_types=errors),
        _RateLimitRetry(RETRIES, interval),
        _ReadServerErrorRetry(RETRIES, interval),
    )


def _waiting(retries: Retries, sleep: Sleep, *handlers: _Waits) -> list[RetryHandler]:
    for handler in handlers:
        handler.sleep, handler.retries = sleep, retries
    return [*handlers]


def retry_after(headers: Mapping[str, Any]) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), else None."""
    value = header(headers, "retry-after")
    return parse_retry_after(value) if value else None
