"""Secrets kept out of what Slack delivery writes: slack-sdk's log and our error messages."""

from __future__ import annotations

import logging


class _Redact(logging.Filter):
    """slack-sdk logs through the logger it is given (web/base_client.py, webhook/client.py): the
    request URL, body and headers at DEBUG, "Going to retry the same request: POST <url>" at
    INFO, and at ERROR "Failed to send a request to Slack API server: <exception>" and "Failed to
    decode Slack API response: <body>". The exception's text quoted the URL's path for an
    InvalidURL (a webhook URL with a space) and the header for a token with a line break; both
    are refused before a client exists now. This filter drops every record below WARNING,
    whatever level anyone sets, and replaces every secret a sender was built with (the webhook
    URL, its path, the token; as they are and as ``repr`` escapes them) in the rest."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str) -> None:
        self._secrets.update(s for s in (secret, repr(secret)[1:-1]) if len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        text = record.getMessage()
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


REDACT = _Redact()
SDK_LOG = logging.getLogger("catalog_watch.publish.slack.sdk")
SDK_LOG.setLevel(logging.WARNING)
SDK_LOG.addFilter(REDACT)


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """The text with each secret replaced, as it is and as ``repr`` escapes it (urllib quotes
    a header value as bytes)."""
    for secret in secrets:
        text = text.replace(secret, "***").replace(repr(secret)[1:-1], "***")
    return text
