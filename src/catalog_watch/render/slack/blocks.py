"""Block Kit pieces and Slack's limits on them: headers, sections, context lines, links, and the
cut that keeps a name or a fallback text within its limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.links import Links

MAX_BLOCKS = 50  # per message
MAX_SECTION_TEXT = 3000  # characters in a section's text
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000  # the top-level `text` fallback
MAX_MESSAGE_CHARS = 10_000
"""All block text of one message. Undocumented by Slack, but chat.postMessage answers
``msg_blocks_too_long`` from about 12,000 characters in total (slackapi/bolt-js#2509, #2867)."""
NAME = 100  # provider, model and name are cut to this many characters (ids are far shorter)


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # plain-text fallback (notifications, screen readers): non-empty
    blocks: list[dict[str, Any]]  # Block Kit, already .to_dict()'ed
    alert_ids: tuple[str, ...]  # the alerts this message carries

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


NO_LINKS = Links()  # the default: a message without links


def links_blocks(links: Links) -> list[dict[str, Any]]:
    labels = [
        (links.commit, "commit"),
        (links.pull_request, "pull request"),
        (links.run, "workflow run"),
        (links.changelog, "changelog"),
    ]
    parts = [reference(target, label) for target, label in labels if target]
    return [context_block(" · ".join(parts))] if parts else []


def reference(target: str | None, label: str) -> str:
    """``<url|label>`` for a web address (the URL made safe for Slack), else ``label: path``."""
    if not target or not target.startswith(("https://", "http://")):
        return escape_mrkdwn(f"{label}: {target}")
    url = target.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{url}|{escape_mrkdwn(label)}>"


def block_text_length(block: dict[str, Any]) -> int:
    """Characters of text in one block (what counts towards :data:`MAX_MESSAGE_CHARS`)."""
    texts = [block.get("text"), *block.get("elements", [])]
    return sum(len(text["text"]) for text in texts if isinstance(text, dict))


def header_block(text: str) -> dict[str, Any]:
    plain_text = PlainTextObject(text=cut(text, MAX_HEADER_TEXT), emoji=True)
    return HeaderBlock(text=plain_text).to_dict()


def section_block(mrkdwn: str) -> dict[str, Any]:
    return SectionBlock(text=MarkdownTextObject(text=mrkdwn, verbatim=True)).to_dict()


def context_block(mrkdwn: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=mrkdwn, verbatim=True)]).to_dict()


def fallback(title: str) -> str:
    return escape_mrkdwn(cut(title, MAX_TEXT // 5))  # escaping makes a character at most 5


def name_text(text: str) -> str:
    return escape_mrkdwn(cut(text, NAME))


def cut(text: str, cap: int | None) -> str:
    return text if cap is None or len(text) <= cap else text[: max(cap - 1, 0)] + "…"
