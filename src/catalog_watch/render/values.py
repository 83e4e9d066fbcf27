"""How values read in every human-facing output: ``$2.50 → $3.00 per 1M (+20 %)``.

One module so that the terminal report, the markdown changelog and (later) Slack show a change
with exactly the same words and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.json_text import as_float, is_number, json_value
from catalog_watch.render.money import format_impact, usage_words
from catalog_watch.render.percent import percent as percent  # where the renderers look for it


def money(value: JSON) -> str:
    """A per-1M price: two decimals, more when the price needs them (``$0.075``)."""
    if not is_number(value):
        return plain(value)
    number = as_float(value)
    if number is None:  # an integer no float holds (catalogs reject one, a hand edit may not)
        return f"${value:,}"
    amount = round(number, 6)
    text = f"{amount:,.2f}" if round(amount, 2) == amount else f"{amount:,.6f}".rstrip("0")
    return f"${text}"


def tokens(value: JSON) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else plain(value)


def a_or_an(word: str) -> str:
    """``a litellm``, ``an openrouter``: the article a source's name takes in a sentence."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def count(n: int, one: str, many: str) -> str:
    """``1 alert``, ``2 alerts``, ``1,429 records``."""
    return f"{n:,} {one if n == 1 else many}"


def used_in_words(places: Sequence[str]) -> str:
    """``used in src/agent.py:42 and 2 more``: what every alert, PR line and changelog entry
    about a used model says (plain words: each sink escapes them)."""
    if not places:
        return ""
    more = f" and {len(places) - 1:,} more" if len(places) > 1 else ""
    return f"used in {places[0]}{more}"


def plain(value: JSON) -> str:
    """Any JSON value in one short line: ``none`` for absent, JSON for lists and objects."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value) if value else "[]"
    return json_value(value)


def old_to_new(change: Change) -> str:
    """The change in words, without provider or model: ``cost.input $0.25 → $0.50 (+100 %)``."""
    if change.kind is ChangeKind.PRICE_CHANGED:
        unit = " per 1M" if is_number(change.old) or is_number(change.new) else ""
        pct = percent(change.change_pct)
        suffix = f" ({pct})" if pct else ""
        return f"{change.field} {money(change.old)} → {money(change.new)}{unit}{suffix}"
    if change.kind is ChangeKind.LIMIT_CHANGED:
        return f"{change.field} {tokens(change.old)} → {tokens(change.new)}"
    if change.kind is ChangeKind.MODALITY_CHANGED:
        parts = [f"+{m}" for m in change.added] + [f"-{m}" for m in change.removed]
        return f"{change.field} {plain(change.old)} → {plain(change.new)} ({', '.join(parts)})"
    if change.field is None:
        return change.kind.value.replace("_", " ")
    return f"{change.field} {plain(change.shown_old)} → {plain(change.shown_new)}"


def arrow(change: Change) -> str:
    """▲ for a rise (costs more, or gained), ▼ for a fall, • otherwise."""
    if is_number(change.old) and is_number(change.new):
        return "▲" if change.new > change.old else "▼"
    return "•"


def impact_line(change: Change) -> str:
    """The cost of a price change in words: every scenario, then the team's own usage."""
    parts = [format_impact(impact) for impact in change.impact]
    if change.usage:
        parts.append(usage_words(change.usage))
    return "; ".join(parts)


def offering_impact(changes: Iterable[Change]) -> str:
    """The cost impact of one offering's price changes (they all carry the same), or ``""``."""
    priced = next((c for c in changes if c.impact or c.usage), None)
    return impact_line(priced) if priced is not None else ""
