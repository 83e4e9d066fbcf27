"""Delivery to one incoming webhook: each message posted in order, none sent twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import cast
from urllib.parse import urlsplit

from slack_sdk.http_retry import BackoffRetryIntervalCalculator, RetryIntervalCalculator
from slack_sdk.webhook import WebhookResponse

from catalog_watch import __version__
from catalog_watch.errors import SlackDeliveryError
from catalog_watch.publish.secrets import origin as origin_of
from catalog_watch.publish.secrets import unsafe, unsafe_message
from catalog_watch.publish.slack.messages import Delivered, SlackMessage, post_body
from catalog_watch.publish.slack.redact import REDACT, SDK_LOG
from catalog_watch.publish.slack.refusals import (
    AMBIGUOUS_STATUSES,
    Where,
    unreachable,
    webhook_code,
    webhook_refusal,
)
from catalog_watch.publish.slack.retries import Retries, Sleep, safe_handlers
from catalog_watch.publish.slack.transport import TRANSPORT, SdkWebhookClient, describe, sent
from catalog_watch.settings.slack import TIMEOUT


class WebhookSender:
    """Posts each message, in order, to one incoming webhook (its channel is fixed at install)."""

    def __init__(
        self,
        url: str,
        *,
        name: str = "webhook",
        retry_interval: RetryIntervalCalculator | None = None,
        sleep: Sleep = time.sleep,
        timeout: float = TIMEOUT,
    ) -> None:
        """``name`` is how errors call this destination (e.g. "webhook SLACK_WEBHOOK_COSTS");
        the URL itself is a secret and never appears in one."""
        if unsafe(url):
            raise SlackDeliveryError(f"{name}: {unsafe_message('the Slack webhook URL')}")
        if not url.lower().startswith(("https://", "http://")):
            raise SlackDeliveryError(f"{name}: the Slack webhook URL is not an http(s) URL")
        self.name = name
        self._secrets = (url,)
        self._origin = origin_of(url)
        for secret in (url, urlsplit(url).path, urlsplit(url).query):
            REDACT.add(secret)
        self._retries = Retries()
        interval = retry_interval or BackoffRetryIntervalCalculator()
        self._client = SdkWebhookClient(
            url,
            timeout=cast(int, timeout),  # annotated int; urllib takes a float
            retry_handlers=safe_handlers(interval, sleep, self._retries),
            user_agent_prefix=f"catalog-watch/{__version__}",
            logger=SDK_LOG,
        )

    def send(
        self, messages: Sequence[SlackMessage], *, on_delivered: Callable[[Delivered], None]
    ) -> None:
        """Raises ``SlackDeliveryError`` at the first message not accepted; ``ambiguous`` when
        Slack may have posted it anyway (a webhook cannot be read back to know)."""
        for index, message in enumerate(messages):
            where = Where(self.name, index, len(messages), self._secrets)
            self._retries.done.clear()
            try:
                response = self._client.send_dict(post_body(message))
            except TRANSPORT as exc:
                if not sent(exc):
                    raise unreachable(where, exc, self._retries) from None
                raise where.error(
                    f"Slack may have posted {where.message()}: {describe(exc)} after the request "
                    "was sent; a webhook cannot be read back, so it was not sent again",
                    self._retries,
                    ambiguous=True,
                ) from None
            if response.status_code in AMBIGUOUS_STATUSES or _odd_success(response):
                code = webhook_code(response)
                raise where.error(
                    f"Slack may have posted {where.message()}: {code} (HTTP "
                    f"{response.status_code}); a webhook cannot be read back, so it was not sent "
                    "again",
                    self._retries,
                    ambiguous=True,
                )
            if not 200 <= response.status_code < 300:  # a 2xx but "ok" is ambiguous (above)
                raise webhook_refusal(where, response, self._retries, self._origin)
            on_delivered(Delivered(index, None, tuple(message.alert_ids)))


def _odd_success(response: WebhookResponse) -> bool:
    """A 2xx whose body is not Slack's ``ok`` (an HTML page, nothing): the post arrived and may
    have landed, so it is ambiguous, not refused (a refusal is a 4xx with its code)."""
    return 200 <= response.status_code < 300 and (response.body or "").strip() != "ok"
