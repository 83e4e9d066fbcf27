"""A run's alerts as Slack messages: the summary, then the details paginated to Slack's limits
(or a digest), every alert id in exactly one message."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import DividerBlock

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.alerts import (
    BASELINE,
    CHANGE_REVERTED,
    INCONSISTENCY_APPEARED,
    INCONSISTENCY_RESOLVED,
    RECORD_REJECTED,
    RETIREMENT_DUE,
    Alert,
)
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.links import Links
from catalog_watch.model.severity import Severity
from catalog_watch.render.headline import PHRASES
from catalog_watch.render.slack.blocks import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_TEXT,
    NAME,
    NO_LINKS,
    Message,
    block_text_length,
    context_block,
    cut,
    fallback,
    header_block,
    links_blocks,
    name_text,
    reference,
    section_block,
)
from catalog_watch.render.slack.lines import EMOJI, alert_line, as_change, fit
from catalog_watch.render.values import arrow, count

MAX_DETAILED = 300  # above this many alerts, a digest and a link instead of every change
TOP_CHANGES = 20  # changes the digest lists
SCHEMA_DRIFT = "schema_drift"

_TOP_LINE = 250  # a digest line, so that the 20 of them always fit one message
_CONTINUED = " (continued)"
_IMPACT = "      ↳ cost impact: "  # under an offering's price lines
_CONTINUATION_RESERVE = 1_000  # block text of the context block opening a continuation message
_SPECIAL = {  # kinds with their own sections, after the changes, in this order
    RETIREMENT_DUE: "Retiring soon",
    CHANGE_REVERTED: "Undone: back to the base",
    INCONSISTENCY_APPEARED: "New inconsistencies",
    INCONSISTENCY_RESOLVED: "Resolved inconsistencies",
    SCHEMA_DRIFT: "Schema drift",
    RECORD_REJECTED: "Rejected records (last good value kept)",
}
_KIND_ORDER = {kind: n for n, kind in enumerate([*ChangeKind, *_SPECIAL, BASELINE])}
_PHRASES: tuple[tuple[str, str, str], ...] = (
    *PHRASES,
    (CHANGE_REVERTED, "change undone", "changes undone"),
    (INCONSISTENCY_APPEARED, "new inconsistency", "new inconsistencies"),
    (INCONSISTENCY_RESOLVED, "inconsistency resolved", "inconsistencies resolved"),
    (SCHEMA_DRIFT, "schema drift note", "schema drift notes"),
    (RECORD_REJECTED, "record rejected", "records rejected"),
    (RETIREMENT_DUE, "retirement reminder", "retirement reminders"),
    (BASELINE, "baseline note", "baseline notes"),
)
_KNOWN = frozenset(kind for kind, _, _ in _PHRASES)


@dataclass(frozen=True, slots=True)
class _Section:
    text: str
    ids: tuple[str, ...]


def render_baseline(
    *,
    source: str,
    providers: int | None,
    offerings: int | None,
    inconsistencies: int | None,
    links: Links = NO_LINKS,
) -> Message:
    """``now watching models.dev: 102 providers, ...``; a count that is None (unreadable in a
    hand-edited outbox) is left out: it is only shown, so a guess could only be wrong."""
    counts = [(providers, "provider"), (offerings, "offering"), (inconsistencies, "inconsistency")]
    words = ", ".join(count(n, one, _plural(one)) for n, one in counts if n is not None)
    text = escape_mrkdwn(f"now watching {cut(source, NAME)}" + (f": {words}" if words else ""))
    blocks = [section_block(text), *links_blocks(links)]
    return Message(text=text, blocks=blocks, alert_ids=())


def render_messages(
    alerts: Sequence[Alert], *, source: str, links: Links = NO_LINKS, baseline: bool = False
) -> list[Message]:
    """Summary first, then details (or, above MAX_DETAILED or on a baseline run, a digest)."""
    if not alerts:
        return []
    if len({alert.destination for alert in alerts}) > 1:
        raise ValueError("render_messages takes the alerts of one destination")
    ordered = sorted(alerts, key=_sort_key)
    title = f"{cut(source, NAME)}: {_headline(ordered)}"
    summary = [header_block(title), section_block(_class_lines(ordered)), *links_blocks(links)]
    if baseline or len(ordered) > MAX_DETAILED:
        blocks = summary + _digest(ordered, links, baseline)
        return [Message(fallback(title), blocks, tuple(alert.id for alert in ordered))]
    return _detailed(ordered, summary, title)


def _detailed(ordered: list[Alert], summary: list[dict[str, Any]], title: str) -> list[Message]:
    sections = [section for group in _groups(ordered) for section in _sections(*group)]
    pages = _paginate(sections, len(summary) + 1, sum(map(block_text_length, summary)))
    messages = [_page([*summary, DividerBlock().to_dict()], pages[0], fallback(title))]
    for number, page in enumerate(pages[1:], 2):
        part = f"continued, {number} of {len(pages)}"
        lead = context_block(f"{escape_mrkdwn(cut(title, MAX_HEADER_TEXT))} · {part}")
        messages.append(_page([lead], page, fallback(f"{title} ({part})")))
    return messages


def _page(lead: list[dict[str, Any]], sections: list[_Section], text: str) -> Message:
    if not sections:  # the summary alone: no divider under it
        return Message(text, lead[:-1], ())
    blocks = lead + [section_block(section.text) for section in sections]
    return Message(text, blocks, tuple(alert_id for s in sections for alert_id in s.ids))


def _paginate(sections: list[_Section], blocks: int, chars: int) -> list[list[_Section]]:
    pages: list[list[_Section]] = [[]]
    for section in sections:
        if blocks + 1 > MAX_BLOCKS or chars + len(section.text) > MAX_MESSAGE_CHARS:
            pages.append([])
            blocks, chars = 1, _CONTINUATION_RESERVE
        pages[-1].append(section)
        blocks, chars = blocks + 1, chars + len(section.text)
    return pages


def _groups(ordered: list[Alert]) -> list[tuple[str, list[Alert], bool]]:
    """(title, alerts, lines name their model): one per provider/model, then the special ones."""
    changes = [alert for alert in ordered if alert.kind not in _SPECIAL]
    groups = [
        (_group_title(items[0]), items, False)
        for _, group in itertools.groupby(changes, key=lambda a: (a.provider, a.model))
        for items in [list(group)]
    ]
    for kind, label in _SPECIAL.items():
        items = [alert for alert in ordered if alert.kind == kind]
        if items:
            groups.append((f"*{label}*", items, True))
    return groups


def _sections(
    title: str, alerts: list[Alert], where: bool, line_limit: int = MAX_SECTION_TEXT
) -> list[_Section]:
    """Lines packed under the title; what does not fit continues in the next section."""
    limit = min(line_limit, MAX_SECTION_TEXT - len(title + _CONTINUED) - 1)
    sections: list[_Section] = []
    lines: list[str] = []
    ids: list[str] = []
    head = title
    for line, alert_id in _rows(alerts, limit, where):
        if lines and len("\n".join([head, *lines, line])) > MAX_SECTION_TEXT:
            sections.append(_Section("\n".join([head, *lines]), tuple(ids)))
            lines, ids, head = [], [], title + _CONTINUED
        lines.append(line)
        ids.extend([alert_id] if alert_id else [])
    sections.append(_Section("\n".join([head, *lines]), tuple(ids)))
    return sections


def _rows(alerts: list[Alert], limit: int, where: bool) -> list[tuple[str, str | None]]:
    """Each alert's line with its id; in one offering's group, its cost impact once, after the
    last price line (every price alert of the offering carries the same impact)."""
    rows: list[tuple[str, str | None]] = [(alert_line(a, limit, where=where), a.id) for a in alerts]
    prices = [n for n, a in enumerate(alerts) if a.kind == ChangeKind.PRICE_CHANGED]
    impact = next((i for a in alerts if isinstance(i := a.extra.get("impact"), str) and i), "")
    if where or not prices or not impact:
        return rows
    line = fit(lambda cap: _IMPACT + escape_mrkdwn(cut(impact, cap)), limit)
    return [*rows[: prices[-1] + 1], (line, None), *rows[prices[-1] + 1 :]]


def _digest(ordered: list[Alert], links: Links, baseline: bool) -> list[dict[str, Any]]:
    """Counts are in the summary; add the most severe changes and say how many are not listed."""
    top = sorted(
        ordered,
        key=lambda a: (_unused(a), a.severity.rank, -abs(a.change_pct or 0), _sort_key(a)),
    )
    top = top[:TOP_CHANGES]
    heading = f"*The {len(top):,} most severe of {len(ordered):,} alerts*"
    if not _unused(top[0]):
        heading = heading[:-1] + ", those about models this repository uses first*"
    rest = len(ordered) - len(top)
    where = reference(links.changelog, "changelog") if links.changelog else "the changelog"
    note = f"{rest:,} more not listed here (summarized): see {where}." if rest else ""
    if baseline:
        note = f"First run: baseline recorded. {note}".strip()
    sections = _sections(heading, top, True, _TOP_LINE)
    blocks = [DividerBlock().to_dict(), *(section_block(s.text) for s in sections)]
    return blocks + ([section_block(note)] if note else [])


def _unused(alert: Alert) -> bool:
    """Not about a model the repository's code uses (``extra.used_in``): a digest lists those
    first, whatever their severity."""
    return not alert.extra.get("used_in")


def _headline(ordered: list[Alert]) -> str:
    counts: Counter[str] = Counter(alert.kind for alert in ordered)
    parts = [count(counts[kind], one, many) for kind, one, many in _PHRASES if counts[kind]]
    deprecated = sum(1 for a in ordered if a.field == "status" and a.new == "deprecated")
    other = sum(n for kind, n in counts.items() if kind not in _KNOWN)
    if deprecated:
        parts.append(f"{deprecated:,} deprecated")
    if other:
        parts.append(count(other, "other alert", "other alerts"))
    return ", ".join(parts)


def _class_lines(ordered: list[Alert]) -> str:
    """One line per change class (prices with ▲/▼ counts), then the count per severity."""
    lines = []
    for kind, one, many in _PHRASES:
        of_kind = [alert for alert in ordered if alert.kind == kind]
        if of_kind:
            lines.append(f"• {count(len(of_kind), one, many)}{_price_arrows(of_kind)}")
    severity = Counter(alert.severity for alert in ordered)
    lines.append(
        " · ".join(f"{EMOJI[s]} {severity[s]:,} {s.value}" for s in Severity if severity[s])
    )
    return "\n".join(lines)


def _price_arrows(alerts: list[Alert]) -> str:
    if alerts[0].kind != ChangeKind.PRICE_CHANGED:
        return ""
    arrows = Counter(arrow(as_change(alert, None)) for alert in alerts)
    return " (" + ", ".join(f"{a} {arrows[a]:,}" for a in "▲▼•" if arrows[a]) + ")"


def _group_title(alert: Alert) -> str:
    provider = f"*{name_text(alert.provider or 'catalog')}*"
    if not alert.model:
        return provider
    name = alert.extra.get("name")
    named = (
        f" ({name_text(name)})" if isinstance(name, str) and name and name != alert.model else ""
    )
    return f"{provider} / {name_text(alert.model)}{named}"


def _sort_key(alert: Alert) -> tuple[str, str, int, str, str, str]:
    order = _KIND_ORDER.get(alert.kind, len(_KIND_ORDER))
    return (alert.provider or "", alert.model or "", order, alert.kind, alert.field or "", alert.id)


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
