"""The GitHub REST calls of pull-request mode: one rolling PR per head→base, labels, a close.

Settings come from the runner's variables (``GITHUB_API_URL`` makes Enterprise Server work).
Retries are fetch.py's (``http_client``: httpx-retries, ``RETRY_STATUSES``, jittered backoff,
``Retry-After`` uncapped, one wall-clock budget, here per client), plus GitHub's rate limits: a 403
with ``Retry-After`` or ``x-ratelimit-remaining: 0`` is retried too, waiting until ``x-ratelimit-
reset``; a bare 429 waits the minute GitHub asks for. POST/PATCH are retried: a create that went
through before a 5xx comes back "already exists", and that pull request is updated. A comment has no
such guard, so its POST is never retried blindly (:meth:`GitHubClient.close_pull`). The token never
reaches a message.

An answer that cannot be read (not JSON, nested past the parser's depth, a pull request ``number``
that is not a positive integer, an ``x-ratelimit-reset`` that is not a short run of ASCII digits) is
a GitHubError naming the call, or the header is ignored, never a traceback.

Redirects are not followed (httpx's default, ``follow_redirects=False``): a 3xx is an error that
says where it pointed (its origin only) and that the token was not sent there. httpx would drop
``Authorization`` on a cross-origin redirect anyway (``Client._redirect_headers``), but not on an
http→https upgrade of the same host, and a followed POST could land elsewhere. A token holding a
space or a control character is refused before any request, without being shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from httpx_retries import Retry

from catalog_watch.errors import GitHubError
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.publish.http import (
    RETRY_STATUSES,
    USER_AGENT,
    Budget,
    BudgetedRetry,
    OutOfTime,
    describe_error,
)
from catalog_watch.publish.secrets import origin as origin_of
from catalog_watch.publish.secrets import unsafe, unsafe_message
from catalog_watch.render.markdown_fit import fit_markdown
from catalog_watch.sources.limits import DeadlinePassed

PR_BODY_LIMIT = 65_536  # characters; GitHub counts code points, as len() does

_NOT_PERMITTED = "not permitted to create or approve pull requests"
_ACTIONS_HINT = (
    ' — enable "Allow GitHub Actions to create and approve pull requests" in the repository'
    " (or organization) Settings → Actions → General, or use a PAT or GitHub App token"
)
_TOKEN_HINT = (
    " — check that the token can reach {repo} with `contents: write` and `pull-requests: write`"
    " (the workflow's `permissions:` block, or the PAT's / App's permissions)"
)
_CUT_POINTER = "… {n} more lines cut to fit GitHub's limit on a pull request body"


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    api_url: str
    repository: str  # "owner/name"
    token: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_token(self.token, "the GitHub token")

    @classmethod
    def from_env(cls, env: Mapping[str, str], token: str | None = None) -> GitHubSettings:
        """Read the runner's variables; an explicit ``token`` wins over ``GITHUB_TOKEN``. Both
        are trimmed; one that still holds a space or a control character is refused by name."""
        from_env = token is None or token == env.get("GITHUB_TOKEN")
        token = (token or env.get("GITHUB_TOKEN", "")).strip()
        if not token:
            raise GitHubError("no GitHub token: set GITHUB_TOKEN (or pass a token)")
        _check_token(token, "GITHUB_TOKEN" if from_env else "the --token value")
        repository = env.get("GITHUB_REPOSITORY", "").strip()
        if not re.fullmatch(r"[^/\s]+/[^/\s]+", repository):
            got = f"got {repository!r}" if repository else "it is not set"
            raise GitHubError(f"GITHUB_REPOSITORY must be owner/name, {got}")
        api_url = env.get("GITHUB_API_URL", "").strip() or "https://api.github.com"
        return cls(api_url.rstrip("/"), repository, token)


def _check_token(token: str, name: str) -> None:
    """A space, a line break or any character ``str.isprintable`` refuses (controls, format
    characters, separators) would break the header, and httpx's error would quote it."""
    if unsafe(token):
        raise GitHubError(unsafe_message(name))


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    url: str  # html_url
    state: str


@dataclass(frozen=True, slots=True)
class PullRequestResult:
    operation: str  # "created" | "updated" | "closed" | "none"
    pull: PullRequest | None


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    color: str  # 6 hex digits, no '#'
    description: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9a-fA-F]{6}", self.color):
            raise ValueError(f"label color must be 6 hex digits without '#', got {self.color!r}")


_RESET = re.compile(r"[0-9]{1,12}")  # epoch seconds; ``str.isdigit`` would pass "²", int() not
# A comment POST answered so may have been stored before the answer went wrong.
_UNSURE_STATUSES = frozenset(range(500, 600))


class _Unsure(GitHubError):
    """A refusal or a lost answer after which GitHub may still have done what was asked."""


class _RateLimited(Exception):
    """Raised by the response check so that httpx-retries retries a rate-limited 403."""


def _refuse_rate_limited(response: httpx.Response) -> None:
    headers = response.headers
    if response.status_code == 403 and (
        "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"
    ):
        raise _RateLimited


class _GitHubRetry(BudgetedRetry):
    """The budgeted retry plus GitHub's rate limits: a Retry-After of any length (0 too), else
    ``x-ratelimit-reset`` when none is left, else the minute a bare 403/429 asks for."""

    server = "GitHub's"
    too_long = (
        "{why} asks to wait {wait:.0f} s before retrying, but only {left:.0f} s of {budget} is left"
    )

    def next_wait(self, response: httpx.Response | Exception) -> tuple[float, str]:
        if not isinstance(response, httpx.Response):
            return self.backoff_strategy(), "the backoff"
        if (given := self.retry_after(response)) is not None:
            return given
        headers = response.headers
        reset = headers.get("x-ratelimit-reset", "").strip()
        if headers.get("x-ratelimit-remaining") == "0" and _RESET.fullmatch(reset):
            return max(int(reset) - time.time(), 0.0), f"GitHub's x-ratelimit-reset ({reset})"
        if response.status_code in (403, 429):
            return 60.0, f"GitHub's rate limit (HTTP {response.status_code}, no Retry-After)"
        return self.backoff_strategy(), "the backoff"


class GitHubClient:
    """The REST calls for one repository; a context manager that owns its httpx.Client."""

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        attempts: int = 4,
        budget_seconds: float = 300.0,  # every request of this client, waits included
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._repo = f"/repos/{settings.repository}"
        self._attempts = attempts
        retry = _GitHubRetry(
            total=attempts - 1,
            allowed_methods=("GET", "POST", "PATCH", "PUT", "DELETE"),
            status_forcelist=RETRY_STATUSES,
            retry_on_exceptions=(*Retry.RETRYABLE_EXCEPTIONS, _RateLimited),
            backoff_factor=0.5,  # 1 s before the first retry, doubled each time, jittered
            max_backoff_wait=30.0,
            backoff_jitter=0.5,
            validate_response=_refuse_rate_limited,
        )
        retry.budget = Budget.starting_now(budget_seconds, sleep)
        self._budget = retry.budget
        self._retry = retry
        self._http = httpx.Client(
            base_url=settings.api_url + "/",
            transport=retry.transport(settings.api_url, transport),
            timeout=30.0,
            headers={
                "Authorization": f"Bearer {settings.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": USER_AGENT,
            },
        )

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._http.close()

    def find_open_pull(self, head_branch: str, base: str) -> PullRequest | None:
        owner = self.settings.repository.split("/")[0]
        query = {"state": "open", "head": f"{owner}:{head_branch}", "base": base}
        pulls = _document(self._call("GET", "/pulls", params=query))
        return _pull(pulls[0]) if isinstance(pulls, list) and pulls else None

    def create_pull(self, *, title: str, body: str, head: str, base: str) -> PullRequest:
        """Open a pull request; if one is already open for head→base, update that one."""
        sent = {"title": title, "body": body, "head": head, "base": base}
        response = self._call("POST", "/pulls", (201, 422), json=sent)
        if response.status_code == 201:
            return _pull(_document(response))
        if "already exists" in _message(response) and (found := self.find_open_pull(head, base)):
            return self.update_pull(found.number, title=title, body=body)
        raise _refusal("POST", self._repo + "/pulls", response, self.settings.repository)

    def update_pull(self, number: int, *, title: str, body: str) -> PullRequest:
        sent = {"title": title, "body": body}
        return _pull(_document(self._call("PATCH", f"/pulls/{number}", json=sent)))

    def close_pull(self, number: int, comment: str) -> PullRequest:
        self._comment_once(number, comment)
        closed = self._call("PATCH", f"/pulls/{number}", json={"state": "closed"})
        return _pull(_document(closed))

    def _comment_once(self, number: int, body: str) -> None:
        """Post ``body`` on issue ``number`` once, even when an answer is lost.

        A 5xx or a lost answer may come after GitHub stored the comment, and a blind retry posts
        it twice. Not retrying is no cure: the pull request then stays open, the next run closes
        it and posts the comment again. So the transport retries only what GitHub refused before
        doing anything (rate limits, 408) or what never reached it (no connection); after an
        unsure outcome the issue's comments are listed, and the POST is sent again only if no
        comment there has this body. The usual case stays one POST, no listing.
        """
        path = f"/issues/{number}/comments"
        sure = self._retry.copy_with(
            status_forcelist=[s for s in self._retry.status_forcelist if s not in _UNSURE_STATUSES],
            retry_on_exceptions=(httpx.ConnectError, httpx.ConnectTimeout, _RateLimited),
        )
        if not isinstance(sure, BudgetedRetry):
            raise RuntimeError("httpx-retries >= 0.6 is required")
        sure.budget = self._budget
        since = utc_stamp(datetime.now(UTC) - timedelta(hours=1))  # an hour: clock skew
        for attempt in range(1, self._attempts + 1):
            try:
                self._call("POST", path, (201,), json={"body": body}, extensions={"retry": sure})
                return
            except _Unsure as unsure:
                if attempt == self._attempts:
                    said = re.sub(r" \(after \d+ attempts\)$", "", str(unsure))
                    raise GitHubError(f"{said} (after {attempt} attempts)") from None
                self._back_off(sure.copy_with(attempts_made=attempt), f"POST {self._repo}{path}")
            if self._has_comment(number, body, since):
                return

    def _has_comment(self, number: int, body: str, since: str) -> bool:
        """Whether a comment on issue ``number`` updated ``since`` then has exactly ``body``."""
        path = f"/issues/{number}/comments"
        listed = _document(self._call("GET", path, params={"since": since, "per_page": 100}))
        if not isinstance(listed, list):
            where = f"GET {self._repo}{path}"
            raise GitHubError(f"GitHub answered {where} with something that is not a list")
        return any(isinstance(c, dict) and c.get("body") == body for c in listed)

    def _back_off(self, retry: Retry, call: str) -> None:
        """The backoff before retry ``retry.attempts_made``, within the client's budget."""
        wait, left = retry.backoff_strategy(), max(self._budget.remaining(), 0.0)
        if wait > left:
            raise GitHubError(
                f"gave up on {call}: the backoff asks to wait {wait:.0f} s before retrying, but"
                f" only {left:.0f} s of {self._budget.described} is left"
            )
        self._budget.sleep(wait)
        self._budget.retries += 1

    def ensure_labels(self, labels: Sequence[Label]) -> None:
        """Create the labels the repository lacks; existing ones keep their colour."""
        for label in labels:
            path = f"/labels/{quote(label.name, safe='')}"
            if self._call("GET", path, (200, 404)).status_code == 200:
                continue
            sent = {"name": label.name, "color": label.color, "description": label.description}
            response = self._call("POST", "/labels", (201, 422), json=sent)
            if response.status_code == 422 and "already_exists" not in response.text:
                raise _refusal("POST", self._repo + "/labels", response, self.settings.repository)

    def add_labels(self, number: int, names: Sequence[str]) -> None:
        if names:  # an empty list would remove every label from the pull request
            self._call("POST", f"/issues/{number}/labels", json={"labels": list(names)})

    def _call(
        self, method: str, path: str, ok: tuple[int, ...] = (200,), **sent: Any
    ) -> httpx.Response:
        """One request under /repos/{owner}/{name} (``sent``: params=, json=); a status outside
        ``ok`` is a GitHubError naming method, path, status and GitHub's message."""
        path = self._repo + path
        try:
            response = self._http.request(method, path.lstrip("/"), **sent)
        except OutOfTime as exc:
            raise GitHubError(f"gave up on {method} {path}: {exc}") from None
        except DeadlinePassed as exc:
            raise GitHubError(
                f"gave up on {method} {path}: {exc} overran {self._budget.described}"
            ) from None
        except httpx.HTTPError as exc:
            why = describe_error(exc)
            unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            error = GitHubError if unsent else _Unsure
            raise error(f"{method} {path} on {self.settings.api_url} failed: {why}") from exc
        if response.status_code not in ok:
            refusal = _refusal(method, path, response, self.settings.repository)
            if response.status_code in _UNSURE_STATUSES:
                raise _Unsure(str(refusal))
            raise refusal
        return response


def _document(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        where = f"{response.request.method} {response.request.url.path}"
        raise GitHubError(f"GitHub answered {where} with something that is not JSON") from None


def _pull(document: Any) -> PullRequest:
    try:
        number, url, state = document["number"], document["html_url"], document["state"]
    except (KeyError, TypeError):
        number = url = state = None
    # An int, read strictly: int() would take 1.5, "3" or True and overflow on 1e400 / Infinity.
    if type(number) is not int or number < 1:
        raise GitHubError("GitHub's pull request reply lacks number/html_url/state")
    return PullRequest(number, str(url), str(state))


def _message(response: httpx.Response) -> str:
    """GitHub's ``message`` plus the ``errors`` details of a 422, as one line: only the string
    parts it can read; a field of another shape is left out, never an error."""
    try:
        document = response.json()
    except (ValueError, RecursionError):
        return _one_line(response.text)[:200]
    if not isinstance(document, dict):
        return ""
    errors = document.get("errors")
    found = (_detail(e) for e in (errors if isinstance(errors, list) else []))
    details = [_one_line(d) for d in found if d.strip()]
    message = document.get("message")
    message = _one_line(message) if isinstance(message, str) else ""
    return f"{message} ({'; '.join(details)})".strip() if details else message


def _detail(error: object) -> str:
    """One entry of ``errors``: a string, or an object's ``message``, else its field and code."""
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    if isinstance(message := error.get("message"), str) and message.strip():
        return message
    parts = (error.get("field"), error.get("code"))
    return " ".join(part for part in parts if isinstance(part, str))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _refusal(method: str, path: str, response: httpx.Response, repository: str) -> GitHubError:
    if 300 <= response.status_code < 400:
        return GitHubError(f"GitHub answered {method} {path} with {_redirect(response)}")
    message = _message(response)
    retry = response.extensions.get("retry")
    attempts = retry.attempts_made + 1 if isinstance(retry, Retry) else 1
    text = f"GitHub refused {method} {path}: HTTP {response.status_code} {message}".rstrip()
    if attempts > 1:
        text += f" (after {attempts} attempts)"
    if _NOT_PERMITTED in message.lower():
        text += _ACTIONS_HINT
    elif response.status_code in (401, 403, 404) and "rate limit" not in message.lower():
        text += _TOKEN_HINT.format(repo=repository)
    return GitHubError(text)


def _redirect(response: httpx.Response) -> str:
    """A 3xx for an error: its status, the origin ``Location`` points to, and what to check."""
    status, origin = response.status_code, origin_of(str(response.request.url))
    try:
        target = origin_of(str(response.request.url.join(response.headers.get("location", ""))))
    except httpx.InvalidURL:
        target = None
    to = "the same origin" if target and target == origin else target or "an unreadable address"
    return (
        f"a redirect (HTTP {status}) to {to}, not followed (the token goes nowhere but "
        "GITHUB_API_URL) — a renamed or transferred repository answers so: set GITHUB_REPOSITORY "
        "to its new owner/name; otherwise check GITHUB_API_URL"
    )


def fit_body(body: str, *, limit: int = PR_BODY_LIMIT, pointer: str) -> str:
    """Cut a markdown body to at most ``limit`` characters, at a line boundary.

    A body that fits is returned unchanged. Otherwise whole lines are kept (a table row is never
    cut), a code fence or ``<details>`` block left open is closed, and ``pointer`` follows on its
    own paragraph, with ``{n}`` replaced by the number of lines dropped. Characters are counted as
    ``len`` counts them (code points), which is how GitHub counts its 65,536-character limit.
    """
    fitted = fit_markdown(
        body, limit, lambda kept, lines: pointer.replace("{n}", str(lines - kept))
    )
    if fitted is None:
        raise ValueError(f"the pointer alone is over the {limit}-character limit")
    return fitted


def upsert_rolling_pull(
    client: GitHubClient, *, head: str, base: str, title: str, body: str, labels: Sequence[Label]
) -> PullRequestResult:
    """Update the open head→base pull request or create it, then add ``labels`` (never remove)."""
    body = fit_body(body, pointer=_CUT_POINTER)
    found = client.find_open_pull(head, base)
    if found is None:
        pull = client.create_pull(title=title, body=body, head=head, base=base)
    else:
        pull = client.update_pull(found.number, title=title, body=body)
    client.ensure_labels(labels)
    client.add_labels(pull.number, [label.name for label in labels])
    return PullRequestResult("updated" if found else "created", pull)


def close_rolling_pull(
    client: GitHubClient, *, head: str, base: str, comment: str
) -> PullRequestResult:
    """Comment on and close the open head→base pull request; "none" when there is none."""
    found = client.find_open_pull(head, base)
    if found is None:
        return PullRequestResult("none", None)
    return PullRequestResult("closed", client.close_pull(found.number, comment))
