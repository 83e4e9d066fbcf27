"""Slack's answers as errors: which answers are ambiguous, and the one-line ``SlackDeliveryError``
for each refusal, naming the destination, Slack's error code, the HTTP status and a hint, never
the token or the webhook URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookResponse

from catalog_watch.errors import SlackDeliveryError
from catalog_watch.publish.secrets import origin as origin_of
from catalog_watch.publish.slack.redact import scrub
from catalog_watch.publish.slack.retries import MAX_RETRY_AFTER, Retries, retry_after
from catalog_watch.publish.slack.transport import describe, header

AMBIGUOUS_STATUSES = frozenset({500, 502, 503, 504})
AMBIGUOUS_CODES = frozenset({"internal_error", "fatal_error"})  # "some aspect may have succeeded"

_HINTS = {
    "not_in_channel": "invite the app to the channel (/invite @app) first",
    "channel_not_found": "check the channel name or id; a private channel needs the app invited",
    "is_archived": "the channel is archived",
    "invalid_auth": "check SLACK_TOKEN (a bot token, xoxb-...)",
    "not_authed": "no token reached Slack: check SLACK_TOKEN",
    "token_revoked": "the token was revoked: install the app again and update SLACK_TOKEN",
    "account_inactive": "the token belongs to a deleted app or user: update SLACK_TOKEN",
    "missing_scope": "the bot token needs the chat:write scope",
    "no_service": "the webhook was removed or disabled: create a new one",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "a workspace admin restricted posting to this channel",
}
_READ_SCOPES = {  # what a read needs, for a missing_scope answer that does not say
    "conversations.history": "channels:history (groups:history for a private channel)",
    "conversations.replies": "channels:history (groups:history for a private channel)",
    "conversations.list": "channels:read (groups:read for a private channel)",
}


def _data(response: SlackResponse) -> dict[str, Any]:
    """The Web API's answer as a JSON object (empty when Slack sent none)."""
    return response.data if isinstance(response.data, dict) else {}


def ambiguous_answer(response: SlackResponse) -> bool:
    """Slack may have acted: a 5xx-like status or code, or a 2xx that does not say ``ok: false``
    (a refusal always does; ``{"ts": "1.2"}`` alone is no refusal)."""
    data, status = _data(response), int(response.status_code)
    error = data.get("error")
    return (
        status in AMBIGUOUS_STATUSES
        or (isinstance(error, str) and error in AMBIGUOUS_CODES)
        or (200 <= status < 300 and data.get("ok") is not False)
    )


@dataclass(frozen=True, slots=True)
class Where:
    destination: str
    index: int
    total: int
    secrets: tuple[str, ...]

    def message(self) -> str:
        return f"message {self.index + 1} of {self.total} for {self.destination}"

    def error(self, text: str, retries: Retries, *, ambiguous: bool = False) -> SlackDeliveryError:
        if retries.done:
            text += f" (after {len(retries.done) + 1} attempts)"
        if self.index == 1:
            text += "; the message before it was delivered"
        elif self.index:
            text += f"; the {self.index} messages before it were delivered"
        return SlackDeliveryError(scrub(text, self.secrets), ambiguous=ambiguous)


def api_code(response: SlackResponse) -> str:
    data = _data(response)
    status = int(response.status_code)
    return f"{data.get('error') or f'HTTP {status}'} (HTTP {status})"


def api_refusal(
    where: Where, response: SlackResponse, retries: Retries, origin: str | None
) -> SlackDeliveryError:
    data = _data(response)
    status = int(response.status_code)
    if moved := _redirect(status, response.headers, origin, "SLACK_API_URL"):
        return where.error(f"Slack answered {where.message()} with {moved}", retries)
    code = str(data.get("error") or f"HTTP {status}")
    metadata = data.get("response_metadata")
    details = metadata.get("messages") if isinstance(metadata, dict) else None
    text = f"Slack refused {where.message()}: {code} (HTTP {status})"
    if isinstance(details, list) and details:
        text += ": " + "; ".join(str(d) for d in details)
    return where.error(text + _hint(code, status, response.headers), retries)


def read_refusal(method: str, response: SlackResponse, origin: str | None) -> str:
    data = _data(response)
    status = int(response.status_code)
    if moved := _redirect(status, response.headers, origin, "SLACK_API_URL"):
        return f"{method}: Slack answered with {moved}"
    code = str(data.get("error") or f"HTTP {status}")
    text = f"{method}: {code} (HTTP {status})"
    if code == "missing_scope":
        needed = data.get("needed")
        scope = needed if isinstance(needed, str) and needed else _READ_SCOPES.get(method, "?")
        return f"{text} — the bot token needs the {scope} scope to read the channel back"
    return text + _hint(code, status, response.headers)


def webhook_code(response: WebhookResponse) -> str:
    return " ".join(str(response.body or "").split())[:200] or "(no body)"


def webhook_refusal(
    where: Where, response: WebhookResponse, retries: Retries, origin: str | None
) -> SlackDeliveryError:
    if moved := _redirect(response.status_code, response.headers, origin, "the webhook URL"):
        return where.error(f"Slack answered {where.message()} with {moved}", retries)
    code = webhook_code(response)
    text = f"Slack refused {where.message()}: {code} (HTTP {response.status_code})"
    if 200 <= response.status_code < 300:
        text += " — a webhook accepts a message by answering ok; it was not delivered"
    return where.error(text + _hint(code, response.status_code, response.headers), retries)


def _redirect(
    status: int, headers: Mapping[str, Any], origin: str | None, setting: str
) -> str | None:
    """What a 3xx answer is, for an error: where ``Location`` points (its origin alone: a path
    may hold the secret) and that it was not followed; None for any other status."""
    if not 300 <= status < 400:
        return None
    location = header(headers, "location")
    target = origin_of(urljoin(origin or "", location)) if location is not None else None
    to = "the same origin" if target and target == origin else target or "an unreadable address"
    return (
        f"a redirect (HTTP {status}) to {to}, not followed (a token or a webhook URL goes "
        f"nowhere but the address it was set for) — check {setting}"
    )


def _hint(code: str, status: int, headers: Mapping[str, Any]) -> str:
    if status == 429:
        wait = retry_after(headers)
        if wait is not None and wait > MAX_RETRY_AFTER:
            return f" — Slack asks to wait {wait:.0f} s, over the {MAX_RETRY_AFTER:.0f} s limit"
        return " — still rate limited"
    hint = _HINTS.get(code)
    return f" — {hint}" if hint else ""


def unreachable(where: Where, error: Exception, retries: Retries) -> SlackDeliveryError:
    return where.error(f"could not deliver {where.message()}: {describe(error)}", retries)
