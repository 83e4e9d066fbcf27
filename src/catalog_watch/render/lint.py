"""``catalog-watch lint`` in words: each finding's sentence, and the report as text, markdown
(the step summary) or JSON.

The sentences quote code and catalog text as they are; escaping happens where they land: a
terminal line through ``inert.terminal``, a table cell through ``inert.markdown``, an
annotation through the Actions runtime's command escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from catalog_watch.analysis.cheapest import Channel
from catalog_watch.analysis.usage import OfferingFacts
from catalog_watch.inert.markdown import code
from catalog_watch.inert.markdown import text as cell
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.json_text import json_output
from catalog_watch.model.lint import LintFinding, LintKind
from catalog_watch.render.money import format_usd
from catalog_watch.render.values import count

__all__ = [
    "LINT_FORMATS",
    "TITLES",
    "constant_note",
    "deprecated_message",
    "expensive_message",
    "render_lint",
    "retiring_message",
    "unknown_message",
]

LINT_FORMATS = ("text", "json")
TITLES: dict[LintKind, str] = {
    "unknown": "Unknown model id",
    "deprecated": "Deprecated model",
    "retiring": "Model retiring soon",
    "expensive": "Expensive channel",
}
"""An annotation's title per kind."""


def unknown_message(text: str, suggestions: Sequence[str]) -> str:
    head = f'"{text}" is not a model in the catalog'
    if not suggestions:
        return head
    return f"{head}; did you mean {', '.join(suggestions)}?"


def deprecated_message(text: str, facts: OfferingFacts, retired: date | None, today: date) -> str:
    if retired is not None and retired <= today:
        return f'"{text}" retired on {retired.isoformat()} ({facts.label})'
    return f'"{text}" is deprecated ({facts.label} has status deprecated)'


def retiring_message(text: str, facts: OfferingFacts, on: date, today: date) -> str:
    days = (on - today).days
    return f'"{text}" retires on {on.isoformat()}, in {count(days, "day", "days")} ({facts.label})'


def expensive_message(
    text: str, facts: OfferingFacts, cost: Decimal, cheapest: Channel, ratio: Decimal
) -> str:
    scenario = cheapest.scenario
    size = f"{scenario.count:,} {scenario.unit} of {scenario.name}"
    return (
        f'"{text}" ({facts.label}) costs {format_usd(cost)} for {size}, {ratio:.1f}x the '
        f"cheapest channel of the same model ({cheapest.label}, {format_usd(cheapest.cost)})"
    )


def constant_note(name: str, defined_at: str | None) -> str:
    """The start of a constant's finding: its name, and its definition when annotated at a use."""
    return f"{name}: " if defined_at is None else f"{name} (defined at {defined_at}): "


def render_lint(
    findings: Sequence[LintFinding], fmt: str = "text", *, base: str = "", unannotated: int = 0
) -> str:
    """The report in ``fmt``: ``text`` (``path:line:col: level: message``), ``json`` or
    ``markdown`` (the step summary); ``unannotated`` findings GitHub was not shown as
    annotations are counted in the markdown."""
    if fmt == "json":
        return _json(findings, base)
    if fmt == "markdown":
        return _markdown(findings, base, unannotated)
    if fmt == "text":
        rows = [f"{f.path}:{f.line}:{f.column}: {f.level}: {f.message}" for f in findings]
        return terminal_lines([*rows, _headline(findings, base)])
    raise ValueError(f"unknown format {fmt!r}; expected text, markdown or json")


def _headline(findings: Sequence[LintFinding], base: str) -> str:
    errors = sum(f.level == "error" for f in findings)
    against = f" (against {base})" if base else ""
    if not findings:
        return f"catalog-watch lint: no findings in the model ids this change adds{against}"
    return (
        f"catalog-watch lint: {count(len(findings), 'finding', 'findings')}, "
        f"{count(errors, 'error', 'errors')}, "
        f"{count(len(findings) - errors, 'warning', 'warnings')}{against}"
    )


def _markdown(findings: Sequence[LintFinding], base: str, unannotated: int) -> str:
    parts = ["## Model ids in this pull request", "", cell(_headline(findings, base)), ""]
    if findings:
        parts += ["| level | file | line | kind | id | finding |", "|---|---|---:|---|---|---|"]
        parts += [
            f"| {f.level} | {code(f.path)} | {f.line} | {f.kind} | {code(f.id)} | "
            f"{cell(f.message)} |"
            for f in findings
        ]
        parts.append("")
    if unannotated:
        parts += [
            f"{count(unannotated, 'finding is', 'findings are')} not shown as annotations "
            "(GitHub shows at most 10 of each level in one step): the table above has them all.",
            "",
        ]
    return "\n".join(parts)


def _json(findings: Sequence[LintFinding], base: str) -> str:
    document = {
        "base": base,
        "errors": sum(f.level == "error" for f in findings),
        "findings": [f.to_json() for f in findings],
    }
    return json_output(document)
