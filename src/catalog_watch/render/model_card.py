"""``catalog-watch show MODEL``: a :class:`~catalog_watch.analysis.model_card.ModelCard` as text,
markdown or JSON.

Prices per 1M read like every other output (``render.values.money``); scenario totals use
:func:`catalog_watch.render.money.format_usd` (cents, half-up; up to 4 decimals under $1). A
value the catalog does not give reads ``-``. JSON keys are sorted and lists keep the card's
order, which is itself sorted, so the same catalog always renders the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from catalog_watch.analysis.cost import Scenario, usd_json
from catalog_watch.analysis.model_card import ModelCard, Offering
from catalog_watch.inert.markdown import code
from catalog_watch.inert.markdown import text as cell
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.inert.terminal import one_line
from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import json_output
from catalog_watch.render.inconsistency_line import describe, inconsistency_line
from catalog_watch.render.money import format_usd
from catalog_watch.render.values import money, tokens

__all__ = [
    "CARD_RENDERERS",
    "render_card",
    "render_card_json",
    "render_card_markdown",
    "render_card_text",
]

_MISSING = "-"
_LEFT = frozenset({0, 1, 7})
"""Table columns aligned left (provider, model id, release date); numbers align right."""


def render_card_text(card: ModelCard) -> str:
    lines = [_title(card), _offered(card), ""]
    header, rows = _table(card)
    rows = [[one_line(text) for text in row] for row in rows]  # widths of what is shown
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        parts = [
            text.ljust(width) if i in _LEFT else text.rjust(width)
            for i, (text, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    lines.append("")
    lines.append(f"cheapest channel: {_cheapest(card)}")
    if card.scenarios and card.scenario_provider is not None:
        lines.append("")
        lines.append(f"scenario costs at {_at(card.scenario_provider, card)}:")
        name_width = max(len(item.scenario.name) for item in card.scenarios)
        cost_width = max(len(cost_or_no_price(item.cost)) for item in card.scenarios)
        for item in card.scenarios:
            cost = cost_or_no_price(item.cost).rjust(cost_width)
            lines.append(
                f"  {item.scenario.name.ljust(name_width)}  {cost} "
                f"{item.scenario.per}  ({scenario_tokens(item.scenario)})"
            )
    lines.append("")
    if card.inconsistencies:
        lines.append(f"inconsistencies ({len(card.inconsistencies)}):")
        lines.extend(f"  {inconsistency_line(i, model=False)}" for i in card.inconsistencies)
    else:
        lines.append("inconsistencies: none")
    return terminal_lines(lines)


def render_card_markdown(card: ModelCard) -> str:
    lines = [f"### {cell(_title(card))}", "", cell(_offered(card)), ""]
    header, rows = _table(card)
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" if i in _LEFT else "--:" for i in range(len(header))) + "|")
    for row in rows:
        cells = [code(value) if i == 1 else cell(value) for i, value in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"**Cheapest channel**: {cell(_cheapest(card))}")
    lines.append("")
    if card.scenarios and card.scenario_provider is not None:
        lines.append(f"**Scenario costs** at {cell(_at(card.scenario_provider, card))}:")
        lines.append("")
        lines.append("| scenario | tokens per request | cost |")
        lines.append("|---|---|--:|")
        for item in card.scenarios:
            lines.append(
                f"| {cell(item.scenario.name)} | {scenario_tokens(item.scenario)} | "
                f"{cost_or_no_price(item.cost)} {cell(item.scenario.per)} |"
            )
        lines.append("")
    if card.inconsistencies:
        lines.append(f"**Inconsistencies** ({len(card.inconsistencies)})")
        lines.append("")
        lines.extend(inconsistency_line(i, "markdown", model=False) for i in card.inconsistencies)
    else:
        lines.append("**Inconsistencies**: none")
    return "\n".join(lines) + "\n"


def render_card_json(card: ModelCard) -> str:
    cheapest: JSON = None
    if card.cheapest is not None:
        cheapest = {
            "provider": card.cheapest.provider,
            "model_id": card.cheapest.model_id,
            "scenario": card.cheapest.scenario.name,
            "per": card.cheapest.scenario.per,
            "cost": usd_json(card.cheapest.cost),
        }
    at: JSON = None
    if card.scenario_provider is not None:
        provider, model_id = card.scenario_provider
        at = {"provider": provider, "model_id": model_id, "basis": card.scenario_basis}
    body: dict[str, JSON] = {
        "model": card.model,
        "canonical_id": card.canonical_id,
        "query": card.query,
        "provider_count": card.provider_count,
        "offerings": [_offering_json(offering) for offering in card.offerings],
        "reference_scenario": card.reference.to_json(),
        "cheapest": cheapest,
        "scenario_provider": at,
        "scenarios": [
            {**item.scenario.to_json(), "per": item.scenario.per, "cost": usd_json(item.cost)}
            for item in card.scenarios
        ],
        "inconsistencies": [
            {**item.to_json(), "description": describe(item)} for item in card.inconsistencies
        ],
    }
    return json_output(body, indent=True)


CARD_RENDERERS: dict[str, Callable[[ModelCard], str]] = {
    "text": render_card_text,
    "markdown": render_card_markdown,
    "json": render_card_json,
}


def render_card(card: ModelCard, output_format: str) -> str:
    """The card in ``text``, ``markdown`` or ``json``."""
    return CARD_RENDERERS[output_format](card)


# -- Pieces shared by the formats ------------------------------------------------------------


def _title(card: ModelCard) -> str:
    if card.canonical_id is not None:
        return f"{card.model} ({card.canonical_id})"
    return card.model


def _offered(card: ModelCard) -> str:
    providers = "provider" if card.provider_count == 1 else "providers"
    offerings = len(card.offerings)
    extra = f" ({offerings} offerings)" if offerings != card.provider_count else ""
    return f"offered by {card.provider_count} {providers}{extra}"


def _table(card: ModelCard) -> tuple[list[str], list[list[str]]]:
    reference = card.reference
    header = [
        "provider",
        "model id",
        "input/1M",
        "output/1M",
        "cache read/1M",
        "context",
        "max output",
        "released",
        f"{reference.name} {reference.per}",
    ]
    return header, [offering_cells(offering) for offering in card.offerings]


def offering_cells(offering: Offering) -> list[str]:
    """One pricing-table row, as text: the same cells in the terminal, markdown and the site."""
    return [
        offering.provider,
        offering.model_id,
        money_or_missing(offering.input),
        money_or_missing(offering.output),
        money_or_missing(offering.cache_read),
        count_or_missing(offering.context),
        count_or_missing(offering.max_output),
        offering.release_date or _MISSING,
        cost_or_no_price(offering.reference_cost),
    ]


def _cheapest(card: ModelCard) -> str:
    if card.cheapest is None:
        return f"none (no paid offering has a usable price for {card.reference.name})"
    channel = card.cheapest
    return (
        f"{channel.label} at {format_usd(channel.cost)} {channel.scenario.per} "
        f"({channel.scenario.name}: {scenario_tokens(channel.scenario)} tokens each)"
    )


def _at(at: tuple[str, str], card: ModelCard) -> str:
    """Where the scenario costs are computed (``card.scenario_provider``, known to be set)."""
    provider, model_id = at
    why = "the maker's own offering" if card.scenario_basis == "maker" else "the cheapest channel"
    return f"{provider}/{model_id} ({why})"


def scenario_tokens(scenario: Scenario) -> str:
    text = f"{scenario.input_tokens:,} in / {scenario.output_tokens:,} out"
    if scenario.cached_input_tokens:
        text += f", {scenario.cached_input_tokens:,} of the input cached"
    return text


def money_or_missing(value: JSON) -> str:
    return _MISSING if value is None else money(value)


def count_or_missing(value: JSON) -> str:
    return _MISSING if value is None else tokens(value)


def cost_or_no_price(value: Decimal | None) -> str:
    return format_usd(value) if isinstance(value, Decimal) else "no price"


def _offering_json(offering: Offering) -> dict[str, JSON]:
    return {
        "provider": offering.provider,
        "model_id": offering.model_id,
        "name": offering.name,
        "input": offering.input,
        "output": offering.output,
        "cache_read": offering.cache_read,
        "context": offering.context,
        "max_output": offering.max_output,
        "release_date": offering.release_date,
        "reference_cost": usd_json(offering.reference_cost),
    }
