"""Slack: alerts → Block Kit message payloads that Slack accepts whatever the run's size.

The first message is the summary (counts per change class, links); the details follow grouped by
provider and model, split over as many messages as Slack's limits need. A change is never cut in
half and never dropped: an over-long line has its *values* shortened, a model with many changes
continues in the next section, and every alert id travels in exactly one message so the outbox
can mark exactly what Slack accepted. Above :data:`MAX_DETAILED` alerts the details become a
digest. Values read as in the markdown changelog (:mod:`catalog_watch.render.values`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.alerts import (
    BASELINE,
    CHANGE_REVERTED,
    HEALTH_FAILURE,
    INCONSISTENCY_APPEARED,
    INCONSISTENCY_RESOLVED,
    RECORD_REJECTED,
    Alert,
    Streak,
)
from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.render.headline import PHRASES
from catalog_watch.render.values import arrow, count, old_to_new, plain

MAX_BLOCKS = 50  # per message
MAX_SECTION_TEXT = 3000  # characters in a section's text
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000  # the top-level `text` fallback
MAX_DETAILED = 300  # above this many alerts, a digest and a link instead of every change
MAX_MESSAGE_CHARS = 10_000
"""All block text of one message. Undocumented by Slack, but chat.postMessage answers
``msg_blocks_too_long`` from about 12,000 characters in total (slackapi/bolt-js#2509, #2867)."""
TOP_CHANGES = 20  # changes the digest lists
SCHEMA_DRIFT = "schema_drift"

_NAME = 100  # provider, model and name are cut to this many characters (ids are far shorter)
_ERROR = 500  # a failed run's error line
_TOP_LINE = 250  # a digest line, so that the 20 of them always fit one message
_CONTINUED = " (continued)"
_IMPACT = "      ↳ cost impact: "  # under an offering's price lines
_CONTINUATION_RESERVE = 1_000  # block text of the context block opening a continuation message
_EMOJI = {
    Severity.HIGH: ":red_circle:",
    Severity.MEDIUM: ":large_orange_circle:",
    Severity.LOW: ":large_blue_circle:",
    Severity.INFO: ":white_circle:",
}
_SPECIAL = {  # kinds with their own sections, after the changes, in this order
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
    (BASELINE, "baseline note", "baseline notes"),
)
_KNOWN = frozenset(kind for kind, _, _ in _PHRASES)
_CHANGE_KINDS = frozenset(kind.value for kind in ChangeKind)


@dataclass(frozen=True, slots=True)
class Links:
    commit: str | None = None  # URL of the commit with the snapshot
    pull_request: str | None = None
    run: str | None = None  # the workflow run
    changelog: str | None = None  # URL (or path) of CHANGELOG.md


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # plain-text fallback (notifications, screen readers): non-empty
    blocks: list[dict[str, Any]]  # Block Kit, already .to_dict()'ed
    alert_ids: tuple[str, ...]  # the alerts this message carries

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True, slots=True)
class _Section:
    text: str
    ids: tuple[str, ...]


def render_baseline(
    *, source: str, providers: int, offerings: int, inconsistencies: int, links: Links = Links()
) -> Message:
    counts = [(providers, "provider"), (offerings, "offering"), (inconsistencies, "inconsistency")]
    words = ", ".join(count(n, one, _plural(one)) for n, one in counts)
    text = escape_mrkdwn(f"now watching {_cut(source, _NAME)}: {words}")
    blocks = [_section_block(text), *_links_blocks(links)]
    return Message(text=text, blocks=blocks, alert_ids=())


def render_health(alert: Alert, links: Links = Links()) -> Message:
    """A failure streak or its end, news first: the header says what happened ("models.dev: the
    last 3 runs failed"), the first line gives the error, then the link to the failed run."""
    source = _cut(alert.source, _NAME)
    streak = Streak.from_json(alert.extra.get("streak"))
    if streak is None:  # queued before alerts carried their streak: the detail has the words
        news = "runs are failing" if alert.kind == HEALTH_FAILURE else "runs succeed again"
        lines = [escape_mrkdwn(_cut(alert.detail, _ERROR))] if alert.detail else []
        title = f"{source}: {news}"
        text = alert.detail or title
    elif alert.kind == HEALTH_FAILURE:
        title, lines = f"{source}: {_failed_runs(streak.failures)}", _failure_lines(streak)
        text = f"{title}: {_cut(streak.error, _ERROR)}"
    else:
        failures = count(streak.failures, "failure", "failures")
        title = text = f"{source}: runs succeed again after {failures}"
        lines = [
            f":large_green_circle: Failing since {_when(streak)}; the last error: "
            + escape_mrkdwn(_cut(streak.error, _ERROR))
        ]
    blocks = [_header_block(title), *([_section_block("\n".join(lines))] if lines else [])]
    return Message(_fallback(text), blocks + _links_blocks(links), (alert.id,))


def _failed_runs(failures: int) -> str:
    return "the last run failed" if failures == 1 else f"the last {failures:,} runs failed"


def _failure_lines(streak: Streak) -> list[str]:
    lines = [f"{_EMOJI[Severity.HIGH]} {escape_mrkdwn(_cut(streak.error, _ERROR))}"]
    lines.append(f"Failing since {_when(streak)}.")
    if streak.run_url:
        lines.append(_reference(streak.run_url, "failed run"))
    return lines


def _when(streak: Streak) -> str:
    """``2026-11-25T02:17:00Z`` as ``2026-11-25 02:17 UTC``."""
    stamp = streak.since
    if len(stamp) == 20 and stamp[10] == "T" and stamp.endswith(":00Z"):
        return escape_mrkdwn(f"{stamp[:10]} {stamp[11:16]} UTC")
    return escape_mrkdwn(stamp)


def render_messages(
    alerts: Sequence[Alert], *, source: str, links: Links = Links(), baseline: bool = False
) -> list[Message]:
    """Summary first, then details (or, above MAX_DETAILED or on a baseline run, a digest)."""
    if not alerts:
        return []
    if len({alert.destination for alert in alerts}) > 1:
        raise ValueError("render_messages takes the alerts of one destination")
    ordered = sorted(alerts, key=_sort_key)
    title = f"{_cut(source, _NAME)}: {_headline(ordered)}"
    summary = [_header_block(title), _section_block(_class_lines(ordered)), *_links_blocks(links)]
    if baseline or len(ordered) > MAX_DETAILED:
        blocks = summary + _digest(ordered, links, baseline)
        return [Message(_fallback(title), blocks, tuple(alert.id for alert in ordered))]
    return _detailed(ordered, summary, title)


def _detailed(ordered: list[Alert], summary: list[dict[str, Any]], title: str) -> list[Message]:
    sections = [section for group in _groups(ordered) for section in _sections(*group)]
    pages = _paginate(sections, len(summary) + 1, sum(map(block_text_length, summary)))
    messages = [_page([*summary, DividerBlock().to_dict()], pages[0], _fallback(title))]
    for number, page in enumerate(pages[1:], 2):
        part = f"continued, {number} of {len(pages)}"
        lead = _context_block(f"{escape_mrkdwn(_cut(title, MAX_HEADER_TEXT))} · {part}")
        messages.append(_page([lead], page, _fallback(f"{title} ({part})")))
    return messages


def _page(lead: list[dict[str, Any]], sections: list[_Section], text: str) -> Message:
    if not sections:  # the summary alone: no divider under it
        return Message(text, lead[:-1], ())
    blocks = lead + [_section_block(section.text) for section in sections]
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
    rows: list[tuple[str, str | None]] = [(_line(a, limit, where=where), a.id) for a in alerts]
    prices = [n for n, a in enumerate(alerts) if a.kind == ChangeKind.PRICE_CHANGED]
    impact = next((i for a in alerts if isinstance(i := a.extra.get("impact"), str) and i), "")
    if where or not prices or not impact:
        return rows
    line = _fit(lambda cap: _IMPACT + escape_mrkdwn(_cut(impact, cap)), limit)
    return [*rows[: prices[-1] + 1], (line, None), *rows[prices[-1] + 1 :]]


def _digest(ordered: list[Alert], links: Links, baseline: bool) -> list[dict[str, Any]]:
    """Counts are in the summary; add the most severe changes and say how many are not listed."""
    top = sorted(ordered, key=lambda a: (a.severity.rank, -abs(a.change_pct or 0), _sort_key(a)))
    top = top[:TOP_CHANGES]
    heading = f"*The {len(top):,} most severe of {len(ordered):,} alerts*"
    rest = len(ordered) - len(top)
    where = _reference(links.changelog, "changelog") if links.changelog else "the changelog"
    note = f"{rest:,} more not listed here (summarized): see {where}." if rest else ""
    if baseline:
        note = f"First run: baseline recorded. {note}".strip()
    sections = _sections(heading, top, True, _TOP_LINE)
    blocks = [DividerBlock().to_dict(), *(_section_block(s.text) for s in sections)]
    return blocks + ([_section_block(note)] if note else [])


def _line(alert: Alert, limit: int, *, where: bool) -> str:
    head = f"{_EMOJI.get(alert.severity, ':white_circle:')} "
    names = [_name(name) for name in (alert.provider, alert.model) if name]
    if where and names:
        head += " / ".join(names) + ": "
    return _fit(lambda cap: head + _words(alert, cap), limit)


def _words(alert: Alert, cap: int | None) -> str:
    """The change in words (escaped), every value cut to ``cap`` characters when one is given."""
    if alert.kind == CHANGE_REVERTED and alert.extra.get("undoes") in _CHANGE_KINDS:
        return _undone_words(alert, cap)
    if alert.kind not in _CHANGE_KINDS:
        return escape_mrkdwn(_cut(alert.detail or _fallback_words(alert), cap))
    change = _change(alert, None)
    if alert.field:
        words = old_to_new(_change(alert, cap))
    else:  # a model or provider added/removed: the detail names it
        words = _cut(alert.detail or old_to_new(change), cap)
    return f"{arrow(change)} {escape_mrkdwn(words)}"


def _undone_words(alert: Alert, cap: int | None) -> str:
    """``▼ cost.input $3.00 → $2.50 per 1M (-16.67 %), back to the base``."""
    kind = ChangeKind(alert.extra["undoes"])
    if alert.field:
        change = _change(alert, cap, kind)
        return f"{arrow(change)} {escape_mrkdwn(old_to_new(change))}, back to the base"
    return f"• {escape_mrkdwn(kind.value.replace('_', ' '))} undone, back to the base"


def _change(alert: Alert, cap: int | None, kind: ChangeKind | None = None) -> Change:
    def value(raw: JSON) -> JSON:
        return raw if cap is None or len(plain(raw)) <= cap else _cut(plain(raw), cap)

    return Change(
        kind=kind or ChangeKind(alert.kind),
        provider=alert.provider or "",
        model=alert.model,
        field=alert.field,
        old=value(alert.old),
        new=value(alert.new),
        severity=alert.severity,
        change_pct=alert.change_pct,
        added=_items(alert.extra.get("added"), cap),
        removed=_items(alert.extra.get("removed"), cap),
    )


def _items(value: JSON, cap: int | None) -> tuple[str, ...]:
    items = [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
    kept: list[str] = []
    length = 0
    for item in items:
        length += len(item) + 2
        if cap is not None and length > cap + 2:
            return (*kept, "…")
        kept.append(item)
    return tuple(kept)


def _fit(render: Callable[[int | None], str], limit: int) -> str:
    """The line as is, or with its values cut shorter and shorter until it fits ``limit``."""
    text, cap = render(None), limit
    while len(text) > limit and cap > 0:
        text = render(cap)
        cap = min(cap - 1, cap * limit // len(text))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    entity = cut.rfind("&")
    return (cut[:entity] if entity != -1 and ";" not in cut[entity:] else cut) + "…"


def _fallback_words(alert: Alert) -> str:
    words = " ".join(filter(None, [alert.kind.replace("_", " "), alert.field]))
    if alert.old is None and alert.new is None:
        return words
    return f"{words} {plain(alert.old)} → {plain(alert.new)}"


def _headline(ordered: list[Alert]) -> str:
    counts = Counter(alert.kind for alert in ordered)
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
        " · ".join(f"{_EMOJI[s]} {severity[s]:,} {s.value}" for s in Severity if severity[s])
    )
    return "\n".join(lines)


def _price_arrows(alerts: list[Alert]) -> str:
    if alerts[0].kind != ChangeKind.PRICE_CHANGED:
        return ""
    arrows = Counter(arrow(_change(alert, None)) for alert in alerts)
    return " (" + ", ".join(f"{a} {arrows[a]:,}" for a in "▲▼•" if arrows[a]) + ")"


def _links_blocks(links: Links) -> list[dict[str, Any]]:
    labels = [
        (links.commit, "commit"),
        (links.pull_request, "pull request"),
        (links.run, "workflow run"),
        (links.changelog, "changelog"),
    ]
    parts = [_reference(target, label) for target, label in labels if target]
    return [_context_block(" · ".join(parts))] if parts else []


def _reference(target: str | None, label: str) -> str:
    """``<url|label>`` for a web address (the URL made safe for Slack), else ``label: path``."""
    if not target or not target.startswith(("https://", "http://")):
        return escape_mrkdwn(f"{label}: {target}")
    url = target.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{url}|{escape_mrkdwn(label)}>"


def _group_title(alert: Alert) -> str:
    provider = f"*{_name(alert.provider or 'catalog')}*"
    if not alert.model:
        return provider
    name = alert.extra.get("name")
    named = f" ({_name(name)})" if isinstance(name, str) and name and name != alert.model else ""
    return f"{provider} / {_name(alert.model)}{named}"


def _sort_key(alert: Alert) -> tuple[str, str, int, str, str, str]:
    order = _KIND_ORDER.get(alert.kind, len(_KIND_ORDER))
    return (alert.provider or "", alert.model or "", order, alert.kind, alert.field or "", alert.id)


def block_text_length(block: dict[str, Any]) -> int:
    """Characters of text in one block (what counts towards :data:`MAX_MESSAGE_CHARS`)."""
    texts = [block.get("text"), *block.get("elements", [])]
    return sum(len(text["text"]) for text in texts if isinstance(text, dict))


def _header_block(text: str) -> dict[str, Any]:
    plain_text = PlainTextObject(text=_cut(text, MAX_HEADER_TEXT), emoji=True)
    return HeaderBlock(text=plain_text).to_dict()


def _section_block(mrkdwn: str) -> dict[str, Any]:
    return SectionBlock(text=MarkdownTextObject(text=mrkdwn, verbatim=True)).to_dict()


def _context_block(mrkdwn: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=mrkdwn, verbatim=True)]).to_dict()


def _fallback(title: str) -> str:
    return escape_mrkdwn(_cut(title, MAX_TEXT // 5))  # escaping makes a character at most 5


def _name(text: str) -> str:
    return escape_mrkdwn(_cut(text, _NAME))


def _cut(text: str, cap: int | None) -> str:
    return text if cap is None or len(text) <= cap else text[: max(cap - 1, 0)] + "…"


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
