"""slack-sdk's clients, opening their requests without following redirects, and what a transport
error means: whether the request had gone out before it failed, and how to name it.

Neither client follows a redirect: slack-sdk opens requests with urllib's default opener, which
follows a 301/302/303 to a POST as a GET to any origin with the ``Authorization`` header kept;
here each 3xx comes back as its own answer, and nothing is sent where it points."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from http.client import HTTPException, HTTPResponse, InvalidURL
from io import BytesIO
from ssl import SSLContext
from typing import IO, Any
from urllib.error import HTTPError, URLError
from urllib.request import (
    BaseHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    ProxyHandler,
    Request,
    build_opener,
)

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError, SlackRequestError
from slack_sdk.version import __version__ as slack_sdk_version
from slack_sdk.webhook import WebhookClient, WebhookResponse

from catalog_watch.publish.http import describe_error

# What the SDK lets through; LookupError: an error answer in a charset Python does not know.
TRANSPORT = (SlackClientError, OSError, HTTPException, ValueError, LookupError)


class AnswerUnreadable(HTTPException):
    """A whole answer came back that cannot be read: its charset unknown, its bytes not of it,
    or (the Web API) not a JSON object. The request had arrived, so Slack may have acted on it:
    an ambiguous answer, never "nothing was posted" (posting again could post twice)."""


class _NoRedirects(HTTPRedirectHandler):
    """What urllib's default opener (slack-sdk's ``urlopen``) does with a redirect: a 301, 302 or
    303 to a POST is followed as a GET to whatever origin ``Location`` names, with every header
    but Content-Length and Content-Type, ``Authorization`` included; a 307 or 308 to a POST is
    refused. This handler follows none: each 3xx comes back as the ``HTTPError`` of that status
    (Location in its headers) before anything is sent anywhere else."""

    def redirect_request(
        self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        return None


def _open(request: Request, proxy: str | None, ssl: SSLContext | None, timeout: float) -> Any:
    """Open ``request`` as slack-sdk would (its proxy, TLS context and timeout), minus redirects.

    An error answer (``HTTPError``, which slack-sdk reads itself) is read here first, within the
    same bounds as any answer (:func:`_body`), and handed on with its bytes in memory."""
    if not request.full_url.lower().startswith(("https://", "http://")):
        raise SlackRequestError("the Slack URL is not an http(s) URL")  # never shown: a secret
    handlers: list[BaseHandler] = [_NoRedirects(), HTTPSHandler(context=ssl)]
    if proxy:
        handlers.append(ProxyHandler({"http": proxy, "https": proxy}))
    try:
        return build_opener(*handlers).open(request, timeout=timeout)
    except HTTPError as error:
        answer = error.fp
        if not isinstance(answer, HTTPResponse):  # not from a socket: nothing to bound
            raise
        body = BytesIO(_body(answer, timeout))
        raise HTTPError(error.url, error.code, error.msg, error.headers, body) from None


MAX_ANSWER = 16 * 1024 * 1024
"""The most bytes a Slack answer may have (a page of history is well under 1 MB): a peer that
sends more is not read into memory whole."""


def _read(response: HTTPResponse, timeout: float) -> str:
    data, charset = _body(response, timeout), response.headers.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise AnswerUnreadable(f"an answer that does not read as {charset!r}") from None


def _body(response: HTTPResponse, timeout: float) -> bytes:
    """The answer's bytes within ``timeout`` seconds in all: urllib's timeout bounds each read
    of the socket, so a peer trickling a byte at a time held a run for as long as it liked."""
    deadline, chunks, size = time.monotonic() + timeout, [], 0
    while chunk := response.read1(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER:
            raise AnswerUnreadable(f"an answer of more than {MAX_ANSWER} bytes")
        if time.monotonic() > deadline:
            raise AnswerUnreadable(f"an answer still arriving after {timeout:g} s")
    return b"".join(chunks)


def _object(body: str) -> str:
    """``body`` if it is a JSON object, as every Web API answer is; else AnswerUnreadable (the
    SDK would raise an AttributeError on ``[1]``, a RecursionError on ``[[[…``)."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise AnswerUnreadable("an answer that is not a JSON object")
    return body


def _require(cls: type, method: str) -> None:
    """Fail closed: were slack-sdk to rename the method overridden below, its requests would
    follow redirects again, silently."""
    if not callable(getattr(cls, method, None)):
        raise ImportError(
            f"slack-sdk {slack_sdk_version} has no {cls.__name__}.{method}, which catalog-watch "
            "overrides to refuse redirects: install a slack-sdk version that has it"
        )


class SdkWebClient(WebClient):
    """slack-sdk's Web API client; only the opening of each request is ours. The method is the
    one slack-sdk's retry loop calls for every attempt (web/base_client.py, since 3.9)."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        with _open(req, self.proxy, self.ssl, self.timeout) as response:
            body = _object(_read(response, self.timeout))
            return {"status": response.status, "headers": response.headers, "body": body}


class SdkWebhookClient(WebhookClient):
    """slack-sdk's webhook client, the same way (webhook/client.py)."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        with _open(req, self.proxy, self.ssl, self.timeout) as response:
            body = _read(response, self.timeout)
            headers = dict(response.headers.items())
        return WebhookResponse(url=url, status_code=response.status, body=body, headers=headers)


_require(WebClient, "_perform_urllib_http_request_internal")
_require(WebhookClient, "_perform_http_request_internal")


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """One header of a slack-sdk answer, whatever its case (the Web API gives lists of values)."""
    value = next((v for k, v in headers.items() if k.lower() == name), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def sent(error: Exception) -> bool:
    """Whether a transport error came after the request went out. urllib wraps what fails while
    connecting and sending in a URLError (refused, DNS, connect timeout); a read timeout, a reset
    or a closed connection while waiting for the answer, or an answer cut short, come bare."""
    if isinstance(error, (SlackClientError, ValueError, InvalidURL)) or (
        isinstance(error, URLError) and not isinstance(error, HTTPError)
    ):
        return False
    return isinstance(error, (OSError, HTTPException, LookupError))  # an answer came: it had


def describe(error: Exception) -> str:
    """The error in a message: never the URL an InvalidURL quotes; "no connection" for URLError."""
    if isinstance(error, InvalidURL):  # its text quotes the URL: a webhook's is the secret
        return "InvalidURL: the URL holds a character a request line cannot carry (not shown)"
    if isinstance(error, URLError) and not isinstance(error, HTTPError):
        return f"no connection ({error.reason})"
    return describe_error(error)
