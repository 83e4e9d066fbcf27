"""One alert as one line of a Slack section: its severity, the change in words, its values cut
shorter and shorter (never the change itself) until the line fits."""

from __future__ import annotations

from collections.abc import Callable

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.alerts import CHANGE_REVERTED, Alert
from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.render.slack.blocks import cut, name_text
from catalog_watch.render.values import arrow, old_to_new, plain, used_in_words

EMOJI = {
    Severity.HIGH: ":red_circle:",
    Severity.MEDIUM: ":large_orange_circle:",
    Severity.LOW: ":large_blue_circle:",
    Severity.INFO: ":white_circle:",
}
CHANGE_KINDS = frozenset(kind.value for kind in ChangeKind)


def alert_line(alert: Alert, limit: int, *, where: bool) -> str:
    head = f"{EMOJI.get(alert.severity, ':white_circle:')} "
    names = [name_text(name) for name in (alert.provider, alert.model) if name]
    if where and names:
        head += " / ".join(names) + ": "
    tail = _used_in(alert)
    return fit(lambda cap: head + _words(alert, cap) + tail, limit)


def _used_in(alert: Alert) -> str:
    """`` · used in src/agent.py:42 and 2 more`` for a model the repository's code uses."""
    places = alert.extra.get("used_in")
    if not isinstance(places, list) or not places:
        return ""
    return f" · {escape_mrkdwn(used_in_words([str(place) for place in places]))}"


def _words(alert: Alert, cap: int | None) -> str:
    """The change in words (escaped), every value cut to ``cap`` characters when one is given."""
    if alert.kind == CHANGE_REVERTED and alert.extra.get("undoes") in CHANGE_KINDS:
        return _undone_words(alert, cap)
    if alert.kind not in CHANGE_KINDS:
        return escape_mrkdwn(cut(alert.detail or _fallback_words(alert), cap))
    change = as_change(alert, None)
    if alert.field:
        words = old_to_new(as_change(alert, cap))
    else:  # a model or provider added/removed: the detail names it
        words = cut(alert.detail or old_to_new(change), cap)
    return f"{arrow(change)} {escape_mrkdwn(words)}"


def _undone_words(alert: Alert, cap: int | None) -> str:
    """``▼ cost.input $3.00 → $2.50 per 1M (-16.67 %), back to the base``."""
    kind = ChangeKind(alert.extra["undoes"])
    if alert.field:
        change = as_change(alert, cap, kind)
        return f"{arrow(change)} {escape_mrkdwn(old_to_new(change))}, back to the base"
    return f"• {escape_mrkdwn(kind.value.replace('_', ' '))} undone, back to the base"


def as_change(alert: Alert, cap: int | None, kind: ChangeKind | None = None) -> Change:
    def value(raw: JSON) -> JSON:
        return raw if cap is None or len(plain(raw)) <= cap else cut(plain(raw), cap)

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


def fit(render: Callable[[int | None], str], limit: int) -> str:
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
