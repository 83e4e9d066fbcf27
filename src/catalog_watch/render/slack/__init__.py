"""Slack: alerts → Block Kit message payloads that Slack accepts whatever the run's size.

The first message is the summary (counts per change class, links); the details follow grouped by
provider and model, split over as many messages as Slack's limits need. A change is never cut in
half and never dropped: an over-long line has its *values* shortened, a model with many changes
continues in the next section, and every alert id travels in exactly one message so the outbox
can mark exactly what Slack accepted. Above :data:`MAX_DETAILED` alerts the details become a
digest. Values read as in the markdown changelog (:mod:`catalog_watch.render.values`).

The modules: ``messages`` (the summary, details and digest, paginated), ``health`` (a failure
streak), ``lines`` (one alert's line, fitted), ``blocks`` (Block Kit pieces and Slack's limits).
"""

from __future__ import annotations

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.links import Links
from catalog_watch.render.slack.blocks import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_TEXT,
    MAX_TEXT,
    Message,
    block_text_length,
)
from catalog_watch.render.slack.health import render_health
from catalog_watch.render.slack.messages import (
    MAX_DETAILED,
    SCHEMA_DRIFT,
    TOP_CHANGES,
    render_baseline,
    render_messages,
)

__all__ = [
    "MAX_BLOCKS",
    "MAX_DETAILED",
    "MAX_HEADER_TEXT",
    "MAX_MESSAGE_CHARS",
    "MAX_SECTION_TEXT",
    "MAX_TEXT",
    "SCHEMA_DRIFT",
    "TOP_CHANGES",
    "Links",
    "Message",
    "block_text_length",
    "escape_mrkdwn",
    "render_baseline",
    "render_health",
    "render_messages",
]
