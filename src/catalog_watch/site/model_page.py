"""``model/<slug>.html``: one model's price history chart, its card and its recent changes.

The card is ``model_card.model_card``'s (the same offerings, cheapest channel, scenario costs and
inconsistencies as ``catalog-watch show``), written as HTML tables with the same number formats:
``render.values.money`` per 1M, ``tokens`` for windows, ``cost.format_usd`` for scenario costs.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog_watch.analysis.cost import format_usd
from catalog_watch.analysis.model_card import ModelCard, Offering
from catalog_watch.render.inconsistency_line import describe as words
from catalog_watch.render.model_card import (
    cost_or_no_price,
    offering_cells,
    scenario_tokens,
)
from catalog_watch.site.chart import ChartJob
from catalog_watch.site.html import breakable, esc
from catalog_watch.site.series import ChartData, Span

_MISSING = "-"
_COLUMNS = ("provider", "model id", "input/1M", "output/1M", "cache read/1M", "context")
_MORE_COLUMNS = ("max output", "released")


@dataclass(frozen=True, slots=True)
class ModelPage:
    key: str
    card: ModelCard | None
    chart: ChartData
    svg: str | None  # the chart, None when the model has no price change to draw
    span: Span  # the chart's time axis
    first_run: str  # the first run's date: where the ledger's knowledge starts
    changes_html: str  # the model's rows, already rendered


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


def model_body(page: ModelPage) -> str:
    return (
        f"<h1>{esc(_title(page))}</h1>\n"
        + f'<p class="offered">{esc(_offered(page.card))}</p>\n'
        + _chart_section(page)
        + _card_sections(page.card)
        + '<h2 id="changes">Recent changes</h2>\n'
        + (page.changes_html or '<p class="empty">No change of this model in the ledger.</p>\n')
    )


def _title(page: ModelPage) -> str:
    canonical = page.card.canonical_id if page.card is not None else None
    return f"{page.key} ({canonical})" if canonical else page.key


def _offered(card: ModelCard | None) -> str:
    if card is None:
        return "Not in the current snapshot: no provider offers it any more."
    providers = "provider" if card.provider_count == 1 else "providers"
    count = len(card.offerings)
    extra = f" ({count} offerings)" if count != card.provider_count else ""
    return f"Offered by {card.provider_count} {providers}{extra} in the current snapshot."


def _chart_section(page: ModelPage) -> str:
    head = '<h2 id="history">Price history</h2>\n'
    if page.svg is None:
        return head + (
            '<p class="empty">No input or output price change recorded since the ledger began '
            f"({esc(page.first_run)}); the current prices are in the table below.</p>\n"
        )
    caption = " ".join(
        esc(sentence) for sentence in chart_caption(page.chart, page.span, page.first_run)
    )
    return (
        head + f'<figure class="chart">\n{page.svg}<figcaption>{caption}</figcaption>\n</figure>\n'
    )


def chart_caption(chart: ChartData, span: Span, first_run: str) -> list[str]:
    """What the chart shows, where its lines start, and what it leaves out, in sentences."""
    last = f"{span.right:%Y-%m-%d}"
    sentences = [
        "Input price above, output price below, one line per offering; lines at the same "
        f"price overlap. A dot marks the price at the last run ({last}), where the axis ends.",
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


def _card_sections(card: ModelCard | None) -> str:
    if card is None:
        return ""
    return _pricing(card) + _scenarios(card) + _inconsistencies(card)


def _pricing(card: ModelCard) -> str:
    reference = f"{card.reference.name} {card.reference.per}"
    header = (*_COLUMNS, *_MORE_COLUMNS, reference)
    head = "".join(f'<th scope="col">{esc(name)}</th>' for name in header)
    cheapest = (card.cheapest.provider, card.cheapest.model_id) if card.cheapest else None
    rows = "".join(_offering_row(o, (o.provider, o.model_id) == cheapest) for o in card.offerings)
    return (
        '<h2 id="pricing">Prices across providers</h2>\n'
        f'<div class="table"><table class="pricing">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table></div>\n"
        f'<p class="cheapest">Cheapest channel: {esc(_cheapest(card))}</p>\n'
    )


def _offering_row(offering: Offering, cheapest: bool) -> str:
    cells = offering_cells(offering)
    marker = ' class="cheapest"' if cheapest else ""
    ids, numbers = cells[:2], cells[2:]  # provider and model id may wrap at their separators
    tds = "".join(f"<td>{breakable(t)}</td>" for t in ids) + "".join(
        f"<td>{esc(t)}</td>" for t in numbers
    )
    return f"<tr{marker}>{tds}</tr>\n"


def _cheapest(card: ModelCard) -> str:
    if card.cheapest is None:
        return f"none (no paid offering has a usable price for {card.reference.name})"
    channel = card.cheapest
    scenario = channel.scenario
    return f"{channel.label} at {format_usd(channel.cost)} {scenario.per} ({scenario.name})"


def _scenarios(card: ModelCard) -> str:
    if not card.scenarios or card.scenario_provider is None:
        return ""
    provider, model_id = card.scenario_provider
    why = "the maker's own offering" if card.scenario_basis == "maker" else "the cheapest channel"
    rows = "".join(
        f"<tr><td>{esc(item.scenario.name)}</td><td>{esc(scenario_tokens(item.scenario))}</td>"
        f"<td>{esc(cost_or_no_price(item.cost))} {esc(item.scenario.per)}</td></tr>\n"
        for item in card.scenarios
    )
    return (
        f'<h2 id="scenarios">Scenario costs at {esc(provider)}/{esc(model_id)} ({esc(why)})</h2>\n'
        '<div class="table"><table class="scenarios">\n<thead><tr><th scope="col">scenario</th>'
        '<th scope="col">tokens per request</th><th scope="col">cost</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table></div>\n"
    )


def _inconsistencies(card: ModelCard) -> str:
    head = f'<h2 id="inconsistencies">Inconsistencies ({len(card.inconsistencies)})</h2>\n'
    if not card.inconsistencies:
        return head + '<p class="empty">None: the providers agree.</p>\n'
    items = "".join(
        f'<li><span class="sev sev-{esc(i.severity.value)}">{esc(i.severity.value)}</span> '
        f"{esc(words(i, units=True))}</li>\n"
        for i in card.inconsistencies
    )
    return head + f'<ul class="inconsistencies">\n{items}</ul>\n'
