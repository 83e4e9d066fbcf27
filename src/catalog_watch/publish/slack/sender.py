"""Which sender a destination gets: a bot for a channel, else a webhook."""

from __future__ import annotations

import time

from slack_sdk.http_retry import RetryIntervalCalculator

from catalog_watch.errors import SlackDeliveryError
from catalog_watch.publish.slack.bot import BotSender
from catalog_watch.publish.slack.messages import SlackSender
from catalog_watch.publish.slack.retries import Sleep
from catalog_watch.publish.slack.webhook import WebhookSender
from catalog_watch.settings.slack import SlackSettings


def sender_for(
    settings: SlackSettings,
    *,
    channel: str | None = None,
    webhook_url: str | None = None,
    name: str | None = None,
    retry_interval: RetryIntervalCalculator | None = None,
    sleep: Sleep = time.sleep,
) -> SlackSender:
    """The sender for one destination: ``channel`` (with the settings' bot token) or
    ``webhook_url`` when a rule routes elsewhere, else the settings' default — token+channel when
    both are set (threads need the Web API), else the webhook. A routed destination that is empty
    (a webhook secret unset) is an error, never a fall back to the default. ``name`` is what errors
    call a webhook (never its URL); ``retry_interval`` is the backoff before retrying a connection
    error or an ambiguous answer (slack-sdk's ``BackoffRetryIntervalCalculator()`` by default).
    Both senders get the settings' timeout."""
    if channel is not None and webhook_url is not None:
        raise ValueError("a Slack destination is a channel or a webhook URL, not both")
    label = name or "webhook"

    def webhook(url: str) -> WebhookSender:
        if not url.strip():
            raise SlackDeliveryError(f"{label}: the Slack webhook URL is empty, nothing sent")
        return WebhookSender(
            url.strip(),
            name=label,
            retry_interval=retry_interval,
            sleep=sleep,
            timeout=settings.timeout,
        )

    def bot(token: str, to: str) -> BotSender:
        if not to.strip():
            raise SlackDeliveryError("the Slack channel is empty, nothing sent")
        return BotSender(
            token,
            to.strip(),
            base_url=settings.base_url,
            retry_interval=retry_interval,
            sleep=sleep,
            timeout=settings.timeout,
        )

    if webhook_url is not None:  # a rule's own webhook
        return webhook(webhook_url)
    if channel is not None:  # a rule's own channel
        if not settings.token:
            raise SlackDeliveryError(
                f"no SLACK_TOKEN to post to {channel}: posting to a channel needs a bot token"
            )
        return bot(settings.token, channel)
    if settings.token and settings.channel:
        return bot(settings.token, settings.channel)
    if settings.webhook_url:
        return webhook(settings.webhook_url)
    raise SlackDeliveryError(settings.missing() or "Slack is not configured")
