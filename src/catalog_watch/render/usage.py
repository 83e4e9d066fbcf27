"""``catalog-watch usage``: the models a repository uses, as text, markdown or JSON.

Each use reads ``file:line``, the id as written, then the offering(s) it resolved to with their
price per 1M (``render.values.money``, like every other output), context and output limits,
status and retirement date, the cheapest channel of the same model and its inconsistencies; an
unresolved id reads "did you mean". Code and catalog text go through ``inert/`` (one line on a
terminal, defused in markdown). Uses are sorted by path, line, column, so the same repository
and catalog always render the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from catalog_watch.analysis.cost import usd_json
from catalog_watch.analysis.usage import OfferingFacts, ResolvedUse, UsedModels
from catalog_watch.inert.markdown import code
from catalog_watch.inert.markdown import text as cell
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.catalog import JSON
from catalog_watch.model.usage import ScanResult
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.render.money import format_usd
from catalog_watch.render.values import count, money, tokens, used_in_words

__all__ = ["USAGE_FORMATS", "render_usage", "used_in_words", "used_models_section"]

USAGE_FORMATS = ("text", "markdown", "json")
_MISSING = "-"
_SHOWN_OFFERINGS = 3
SECTION_ROWS = 30
"""The pull request's "Models this repository uses" lists this many, then says how many more."""


def render_usage(
    resolved: Sequence[ResolvedUse], fmt: str = "text", scan: ScanResult | None = None
) -> str:
    """The report in ``fmt`` (``text``, ``markdown`` or ``json``); ``scan`` adds what was read
    and skipped. Call ``render_usage(resolve_uses(scan, catalog), "markdown", scan)``."""
    ordered = sorted(resolved, key=_order)
    if fmt == "json":
        return _json(ordered, scan)
    if fmt == "markdown":
        return _markdown(ordered, scan)
    if fmt == "text":
        return _text(ordered, scan)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(USAGE_FORMATS)}")


def _order(item: ResolvedUse) -> tuple[str, int, int, str]:
    use = item.use
    return use.path, use.line, use.column, use.text


def _headline(resolved: Sequence[ResolvedUse], scan: ScanResult | None) -> str:
    files = len({item.use.path for item in resolved})
    unresolved = sum(not item.resolution.resolved for item in resolved)
    head = f"{count(len(resolved), 'model use', 'model uses')} in {count(files, 'file', 'files')}"
    if unresolved:
        head += f", {unresolved:,} unresolved"
    if scan is None:
        return head
    head += f" ({count(scan.files_scanned, 'file', 'files')} scanned"
    if scan.skipped:
        head += f", {len(scan.skipped):,} skipped"
    if scan.over_limit:
        head += f", {scan.over_limit:,} past the {scan.limits.max_files:,}-file limit"
    return head + ")"


def _prices(facts: OfferingFacts) -> str:
    if facts.input is None and facts.output is None:
        return "no price"
    return f"{money(facts.input)} in / {money(facts.output)} out per 1M"


def _limits(facts: OfferingFacts) -> str:
    return f"context {tokens(facts.context)}, output {tokens(facts.max_output)}"


def _status(facts: OfferingFacts) -> str:
    status = facts.status or "active"
    return f"{status}, retires {facts.deprecation_date}" if facts.deprecation_date else status


def _cheapest(item: ResolvedUse) -> str | None:
    if item.cheapest is None:
        return None
    channel = item.cheapest
    scenario = channel.scenario
    amount = f"{scenario.count:,} {scenario.unit} of {scenario.name}"
    return f"{channel.label} ({format_usd(channel.cost)} for {amount})"


def _found_as(item: ResolvedUse) -> str:
    use = item.use
    hint = f", {use.provider_hint}" if use.provider_hint else ""
    text = f"{use.language} {use.how} {use.via}{hint}"
    if use.used_at:
        text += f"; used at {', '.join(use.used_at)}"
    return text


def _unresolved(item: ResolvedUse) -> str:
    suggestions = item.resolution.suggestions
    if suggestions:
        return f"not in the catalog; did you mean: {', '.join(suggestions)}?"
    return "not in the catalog"


def used_models_section(used: UsedModels) -> list[str]:
    """The pull request's first section: each model the code names, where, what it costs now and
    its status (markdown lines, an empty list when the code uses none)."""
    if not used.named:
        return []
    rows = [
        f"## Models this repository uses ({len(used.named):,})",
        "",
        "| offering | used in | price per 1M | status |",
        "|---|---|---|---|",
    ]
    for (provider, model_id), places in list(used.named.items())[:SECTION_ROWS]:
        facts = used.facts[(provider, model_id)]
        shown = "<br>".join(code(place) for place in places[:_SHOWN_OFFERINGS])
        if len(places) > _SHOWN_OFFERINGS:
            shown += f"<br>and {len(places) - _SHOWN_OFFERINGS:,} more"
        cells = [code(facts.label), shown, cell(_prices(facts)), cell(_status(facts))]
        rows.append("| " + " | ".join(cells) + " |")
    if len(used.named) > SECTION_ROWS:
        rows += ["", cell(f"and {len(used.named) - SECTION_ROWS:,} more: see catalog-watch usage")]
    return [*rows, ""]


# -- text --------------------------------------------------------------------------------------


def _text(resolved: Sequence[ResolvedUse], scan: ScanResult | None) -> str:
    rows = [_headline(resolved, scan)]
    for item in resolved:
        use = item.use
        rows.append("")
        rows.append(f"{use.where}  {use.text}  ({_found_as(item)})")
        if not item.resolution.resolved:
            rows.append(f"  {_unresolved(item)}")
            continue
        if item.resolution.note:
            rows.append(f"  {item.resolution.note}")
        for facts in item.offerings[:_SHOWN_OFFERINGS]:
            rows.append(f"  {facts.label}: {_prices(facts)}; {_limits(facts)}; {_status(facts)}")
        if len(item.offerings) > _SHOWN_OFFERINGS:
            rows.append(f"  and {len(item.offerings) - _SHOWN_OFFERINGS:,} more offerings")
        cheapest = _cheapest(item)
        if cheapest:
            rows.append(f"  cheapest channel: {cheapest}")
        for inconsistency in item.inconsistencies:
            rows.append(f"  [{inconsistency.severity.value}] {describe(inconsistency)}")
    if scan is not None:
        for skipped in scan.skipped:
            rows.append(f"skipped {skipped.path}: {skipped.reason}")
    return terminal_lines(rows)


# -- markdown ----------------------------------------------------------------------------------


def _markdown(resolved: Sequence[ResolvedUse], scan: ScanResult | None) -> str:
    rows = [
        "## Models this repository uses",
        "",
        cell(_headline(resolved, scan)),
        "",
        "| where | id | offering | price per 1M | limits | status | cheapest channel | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in resolved:
        use = item.use
        where, model = code(use.where), code(use.text)
        if not item.resolution.resolved:
            rows.append(f"| {where} | {model} | {_MISSING} | | | | | {cell(_unresolved(item))} |")
            continue
        facts = item.offerings[0]
        notes = [describe(found) for found in item.inconsistencies]
        if item.resolution.note:
            notes.insert(0, item.resolution.note)
        if len(item.offerings) > 1:
            notes.append(f"{len(item.offerings) - 1:,} more offerings")
        cheapest = _cheapest(item) or _MISSING
        cells = [where, model, code(facts.label), cell(_prices(facts)), cell(_limits(facts))]
        cells += [cell(_status(facts)), cell(cheapest), "<br>".join(cell(n) for n in notes)]
        rows.append("| " + " | ".join(cells) + " |")
    if scan is not None and scan.skipped:
        rows.append("")
        rows.extend(
            f"- skipped {code(s.path, table=False)}: {cell(s.reason)}" for s in scan.skipped
        )
    return "\n".join(rows) + "\n"


# -- JSON --------------------------------------------------------------------------------------


def _json(resolved: Sequence[ResolvedUse], scan: ScanResult | None) -> str:
    document: dict[str, JSON] = {"uses": [_use_json(item) for item in resolved]}
    if scan is not None:
        document["scan"] = {
            "root": scan.root,
            "listing": scan.listing,
            "files_scanned": scan.files_scanned,
            "skipped": [{"path": s.path, "reason": s.reason} for s in scan.skipped],
            "over_limit": scan.over_limit,
            "excluded": scan.excluded,
            "max_file_bytes": scan.limits.max_file_bytes,
            "max_files": scan.limits.max_files,
        }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _use_json(item: ResolvedUse) -> dict[str, JSON]:
    resolution = item.resolution
    cheapest = item.cheapest
    return {
        **item.use.to_json(),
        "resolution": resolution.how,
        "group": resolution.group,
        "note": resolution.note,
        "suggestions": list(resolution.suggestions),
        "offerings": [
            {
                "provider": f.provider,
                "model": f.model_id,
                "input": f.input,
                "output": f.output,
                "context": f.context,
                "max_output": f.max_output,
                "status": f.status,
                "deprecation_date": f.deprecation_date,
            }
            for f in item.offerings
        ],
        "cheapest": None
        if cheapest is None
        else {
            "provider": cheapest.provider,
            "model": cheapest.model_id,
            "scenario": cheapest.scenario.name,
            "cost": usd_json(cheapest.cost),
        },
        "inconsistencies": [found.to_json() for found in item.inconsistencies],
    }
