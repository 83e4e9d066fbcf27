"""``--format text``: for a terminal, grouped by provider then model.

Every line goes out through :func:`~catalog_watch.inert.terminal.lines`: one line each, whatever
the catalog values in it hold.
"""

from __future__ import annotations

from itertools import groupby

from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.render.headline import appeared_note, headline
from catalog_watch.render.inconsistency_line import inconsistency_line
from catalog_watch.render.values import arrow, offering_impact, old_to_new


def render_text(report: Report) -> str:
    lines = [f"{report.source}: {headline(report)}"]
    for provider, provider_changes in groupby(report.listed, key=lambda c: c.provider):
        lines.append("")
        lines.append(provider)
        for model, model_changes in groupby(provider_changes, key=lambda c: c.model):
            if model is not None:
                lines.append(f"  {model}")
            lines.extend(_change_lines("  " if model is None else "    ", list(model_changes)))
    lines.extend(_inconsistency_lines(report))
    if report.drift:
        lines.append("")
        lines.append("schema drift:")
        lines.extend(f"  + {name}" for name in report.drift.added)
        lines.extend(f"  - {name}" for name in report.drift.removed)
        lines.extend(f"  ~ {n.field} {appeared_note(n)}" for n in report.drift.appeared_on)
    if report.rejections:
        lines.append("")
        lines.append(f"rejected records ({len(report.rejections)}), last good value kept:")
        lines.extend(f"  {rejection}" for rejection in report.rejections)
    if report.accepted:
        lines.append("")
        lines.append(f"rejected values accepted ({len(report.accepted)}), upstream kept them:")
        lines.extend(f"  {accepted}" for accepted in report.accepted)
    if report.warnings:
        lines.append("")
        lines.append(f"warnings ({len(report.warnings)}), values accepted:")
        lines.extend(f"  {warning}" for warning in report.warnings)
    lines.extend(f"note: {note}" for note in report.notes)
    return terminal_lines(lines)


def _change_lines(indent: str, changes: list[Change]) -> list[str]:
    """One line per change; the offering's cost impact once, after its last price line."""
    impact = offering_impact(changes)
    last_price = max(
        (n for n, c in enumerate(changes) if c.kind is ChangeKind.PRICE_CHANGED), default=-1
    )
    lines: list[str] = []
    for number, change in enumerate(changes):
        lines.append(f"{indent}{arrow(change)} {old_to_new(change)}  [{change.severity.value}]")
        if number == last_price and impact:
            lines.append(f"{indent}  cost impact: {impact}")
    return lines


def _inconsistency_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for title, items in (("new inconsistencies", report.appeared), ("resolved", report.resolved)):
        if items:
            lines.append("")
            lines.append(f"{title} ({len(items)}):")
            lines.extend(f"  {inconsistency_line(i)}" for i in items)
    lines.append("")
    lines.append(f"inconsistencies now: {report.current:,}")
    return lines
