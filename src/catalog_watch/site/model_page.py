"""``model/<slug>.html``: one model's price history chart, its card and its recent changes.

The card is ``model_card.model_card``'s (the same offerings, cheapest channel, scenario costs and
inconsistencies as ``catalog-watch show``), its cells in the same number formats
(``render.values.money`` per 1M, ``tokens`` for windows, ``money.format_usd`` for scenario costs);
``templates/model.html`` writes them as HTML tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog_watch.analysis.model_card import ModelCard, Offering
from catalog_watch.render.inconsistency_line import describe as words
from catalog_watch.render.model_card import (
    cost_or_no_price,
    offering_cells,
    scenario_tokens,
)
from catalog_watch.render.money import format_usd
from catalog_watch.site.chart import ChartJob
from catalog_watch.site.pages import Context, Section, page_html
from catalog_watch.site.series import ChartData, Span

_COLUMNS = ("provider", "model id", "input/1M", "output/1M", "cache read/1M", "context")
_MORE_COLUMNS = ("max output", "released")


@dataclass(frozen=True, slots=True)
class ModelPage:
    key: str
    card: ModelCard | None
    chart: ChartData
    svg: str | None  # the chart, None when the model has no price change to draw
    span: Span  # the chart's time axis: to the model's last change
    first_run: str  # the first run's date: where the ledger's knowledge starts
    changes: list[Section]  # the model's rows, run by run, newest first


@dataclass(frozen=True, slots=True)
class OfferingRow:
    cheapest: bool
    ids: tuple[str, ...]  # provider and model id: they may wrap at their separators
    numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardTables:
    """A model card as ``model.html`` writes it: the cells of its tables, in words."""

    header: tuple[str, ...]
    offerings: tuple[OfferingRow, ...]
    cheapest: str
    scenarios_at: str  # whose prices the scenario costs are at, and why
    scenarios: tuple[tuple[str, str, str], ...]  # name, tokens per request, cost
    inconsistencies: tuple[tuple[str, str], ...]  # severity, the inconsistency in words


def chart_job(key: str, chart: ChartData, span: Span) -> ChartJob | None:
    """What to draw for a model, None when it has no price change (flat lines say nothing)."""
    if not chart.changed or not chart.series:
        return None
    label = f"Input and output price of {key} per provider over time, USD per 1M tokens"
    return ChartJob(
        title=f"{key}: price per 1M tokens",
        series=chart.series,
        label=label,
        span=(span.left, span.right),
        ticks=span.ticks,
    )


def model_html(page: ModelPage, context: Context) -> str:
    heading, offered, tables = card_words(page.key, page.card)
    return page_html(
        "model.html",
        context,
        title=f"{page.key}: prices and changes",
        root="../",
        heading=heading,
        offered=offered,
        svg=page.svg,
        first_run=page.first_run,
        caption=" ".join(chart_caption(page.chart, page.span, page.first_run)),
        card=tables,
        sections=page.changes,
    )


def card_words(key: str, card: ModelCard | None) -> tuple[str, str, CardTables | None]:
    """The page's heading, its "offered by" line and its card's tables, in words."""
    canonical = card.canonical_id if card is not None else None
    heading = f"{key} ({canonical})" if canonical else key
    return heading, _offered(card), _tables(card) if card is not None else None


def _offered(card: ModelCard | None) -> str:
    if card is None:
        return "Not in the current snapshot: no provider offers it any more."
    providers = "provider" if card.provider_count == 1 else "providers"
    count = len(card.offerings)
    extra = f" ({count} offerings)" if count != card.provider_count else ""
    return f"Offered by {card.provider_count} {providers}{extra} in the current snapshot."


def chart_caption(chart: ChartData, span: Span, first_run: str) -> list[str]:
    """What the chart shows, where its lines start, and what it leaves out, in sentences."""
    last = f"{span.right:%Y-%m-%d}"
    sentences = [
        "Input price above, output price below, one line per offering; lines at the same "
        f"price overlap. The axis ends at the last run that recorded a change of this model "
        f"({last}); a dot marks each price there, unchanged since.",
        f"Lines start at the baseline snapshot ({span.left:%Y-%m-%d}) or where the offering "
        "was added."
        if span.baseline
        else f"Lines start before the first run ({first_run}) with the values that run found "
        "(the date of the snapshot it was measured from is unknown).",
    ]
    if chart.gone:
        names = ", ".join(f"{name} ({note})" for name, note in chart.gone)
        sentences.append(f"No longer offered: {names}.")
    sentences += _left_out(chart)
    return sentences


def _left_out(chart: ChartData) -> list[str]:
    parts = []
    if chart.left_out_changed:
        parts.append(
            f"{_offerings(chart.left_out_changed)} whose price changed (see Recent changes)"
        )
    if chart.left_out_current:
        parts.append(
            f"{_offerings(chart.left_out_current)} offered now with unchanged prices "
            "(in the table below)"
        )
    return [f"Not drawn: {' and '.join(parts)}."] if parts else []


def _offerings(count: int) -> str:
    return f"{count:,} offering" if count == 1 else f"{count:,} offerings"


def _tables(card: ModelCard) -> CardTables:
    cheapest = (card.cheapest.provider, card.cheapest.model_id) if card.cheapest else None
    return CardTables(
        header=(*_COLUMNS, *_MORE_COLUMNS, f"{card.reference.name} {card.reference.per}"),
        offerings=tuple(
            _offering_row(o, (o.provider, o.model_id) == cheapest) for o in card.offerings
        ),
        cheapest=_cheapest(card),
        scenarios_at=_scenarios_at(card),
        scenarios=tuple(
            (
                item.scenario.name,
                scenario_tokens(item.scenario),
                f"{cost_or_no_price(item.cost)} {item.scenario.per}",
            )
            for item in card.scenarios
        )
        if card.scenario_provider is not None
        else (),
        inconsistencies=tuple(
            (i.severity.value, words(i, units=True)) for i in card.inconsistencies
        ),
    )


def _offering_row(offering: Offering, cheapest: bool) -> OfferingRow:
    cells = tuple(offering_cells(offering))
    return OfferingRow(cheapest, cells[:2], cells[2:])


def _cheapest(card: ModelCard) -> str:
    if card.cheapest is None:
        return f"none (no paid offering has a usable price for {card.reference.name})"
    channel = card.cheapest
    scenario = channel.scenario
    return f"{channel.label} at {format_usd(channel.cost)} {scenario.per} ({scenario.name})"


def _scenarios_at(card: ModelCard) -> str:
    if card.scenario_provider is None:
        return ""
    provider, model_id = card.scenario_provider
    why = "the maker's own offering" if card.scenario_basis == "maker" else "the cheapest channel"
    return f"{provider}/{model_id} ({why})"
