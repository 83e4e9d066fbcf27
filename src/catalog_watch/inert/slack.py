"""Catalog text in Slack mrkdwn: Slack's three control characters escaped, as its docs ask."""

from __future__ import annotations


def escape_mrkdwn(text: str) -> str:
    """``&``, ``<`` and ``>``, and nothing else: Slack treats only these as markup (mentions and
    links are written ``<@U123>`` and ``<url|text>``, so escaping ``<`` defuses both)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
