"""What every HTTP client of catalog-watch shares: the user agent, the transport, and retries
under one wall-clock budget.

Retries come from httpx-retries (``RetryTransport`` + ``Retry``): it retries connect/read errors
and chosen statuses and backs off exponentially with jitter, bounded in attempts. ``Retry-After``
(seconds or an HTTP date) is read by :func:`parse_retry_after`, the one reader of that header for
every client here, Slack's included. What httpx-retries lacks is a wall-clock budget:
``total_timeout`` only sums the sleeps, and a long ``Retry-After`` is silently shortened. So
:meth:`BudgetedRetry.sleep` refuses any wait that does not fit in what is left of the
:class:`Budget` and raises :class:`OutOfTime`, saying so; the caller turns that into its own error.
Needs httpx-retries >= 0.6 (``increment`` keeps the subclass from then on).

The transport bounds every socket operation of every attempt by the same deadline
(``limits.deadline_transport``), and honours the ``*_PROXY`` / ``NO_PROXY`` variables that a
transport of our own would otherwise turn off. Users: ``fetch.py`` (the catalog) and
``publish/github.py`` (the REST calls, which add GitHub's rate-limit headers to the waits).
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from httpx_retries import Retry, RetryTransport

from catalog_watch import __version__
from catalog_watch.sources.limits import deadline_transport

USER_AGENT = f"catalog-watch/{__version__} (python-httpx/{httpx.__version__})"
RETRY_STATUSES = frozenset({408, 429, *range(500, 600)})
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds (a fraction read too) or an
    HTTP date (one in the past is 0; one without a zone is UTC); None when it is neither."""
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


@dataclass(slots=True)
class Budget:
    """The wall-clock budget and retry count shared by every attempt of one fetch or client.

    ``name`` is how messages call it after its size: ``the 60 s budget (max_total_seconds)``.
    """

    total: float
    sleep: Callable[[float], None]
    deadline: float  # time.monotonic()
    name: str = "budget"
    retries: int = 0

    @classmethod
    def starting_now(
        cls, total: float, sleep: Callable[[float], None], name: str = "budget"
    ) -> Budget:
        return cls(total, sleep, time.monotonic() + total, name)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    @property
    def described(self) -> str:
        return f"the {self.total:g} s {self.name}"

    @property
    def attempts(self) -> str:
        n = self.retries + 1
        return f"{n} attempt{'s' if n > 1 else ''}"


class OutOfTime(Exception):
    """Raised from inside the retry loop when the next wait would overrun the budget."""


class BudgetedRetry(Retry):
    """httpx-retries' policy, except that a wait which does not fit the budget stops us.

    A subclass may override :meth:`next_wait` (GitHub's rate limits) and the two class
    attributes that word its messages.
    """

    budget: Budget
    server = "the server's"  # whose Retry-After it is, in messages
    too_long = (
        "{why} asks to wait {wait:g} s before retrying, but only {left:.1f} s of {budget} is left"
    )

    def increment(self) -> Retry:
        new = super().increment()
        if not isinstance(new, BudgetedRetry):
            raise RuntimeError("httpx-retries >= 0.6 is required")
        new.budget = self.budget
        return new

    def sleep(self, response: httpx.Response | Exception) -> None:
        wait, why = self.next_wait(response)
        left = max(self.budget.remaining(), 0.0)
        if wait > left:
            raise OutOfTime(
                self.too_long.format(why=why, wait=wait, left=left, budget=self.budget.described)
            )
        self.budget.sleep(wait)
        self.budget.retries += 1

    def next_wait(self, response: httpx.Response | Exception) -> tuple[float, str]:
        """The server's Retry-After if it gave a usable one (uncapped), else our backoff."""
        given = self.retry_after(response)
        if given is not None and given[0] > 0:
            return given
        return self.backoff_strategy(), "the backoff"

    def retry_after(self, response: httpx.Response | Exception) -> tuple[float, str] | None:
        """The wait a readable ``Retry-After`` asks for, and whose it is; None without one."""
        if not isinstance(response, httpx.Response):
            return None
        value = response.headers.get("Retry-After", "").strip()
        wait = parse_retry_after(value) if value else None
        return None if wait is None else (wait, f"{self.server} Retry-After ({value})")

    def transport(self, url: str, inner: httpx.BaseTransport | None = None) -> RetryTransport:
        """Retries over ``inner`` (a test's), or over :func:`proxied_transport` to the budget."""
        return RetryTransport(inner or proxied_transport(url, self.budget.deadline), retry=self)


def proxied_transport(url: str, deadline: float | None = None) -> httpx.HTTPTransport:
    """Our own transport turns off httpx's *_PROXY lookup, so honour those (and NO_PROXY) here.

    With a ``deadline`` (``time.monotonic``) no socket operation waits past it.
    """
    target = httpx.URL(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(target.scheme) or proxies.get("all")
    if proxy and urllib.request.proxy_bypass(target.host):
        proxy = None
    return (
        httpx.HTTPTransport(proxy=proxy)
        if deadline is None
        else deadline_transport(proxy, deadline)
    )


def describe_error(exc: BaseException) -> str:
    """``ConnectError: [Errno 111] Connection refused``, or the bare class name when it is mute."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
