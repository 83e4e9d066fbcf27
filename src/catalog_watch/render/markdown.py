"""``--format markdown``: the changelog section that PR bodies, CHANGELOG.md and step summaries use.

Sections follow what a reviewer checks first: prices, then limits and capabilities, then models
that came and went. Long lists fold into ``<details>`` so the page stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from catalog_watch.inert.markdown import code, text
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.render.headline import appeared_note, headline
from catalog_watch.render.inconsistency_line import inconsistency_line
from catalog_watch.render.values import (
    arrow,
    money,
    offering_impact,
    percent,
    plain,
    tokens,
    used_in_words,
)

FOLD_AFTER = 20
"""Tables longer than this go inside a collapsed ``<details>`` block."""

_SECTIONS: tuple[tuple[str, frozenset[ChangeKind]], ...] = (
    ("Price changes", frozenset({ChangeKind.PRICE_CHANGED})),
    ("Cheapest channel changes", frozenset({ChangeKind.CHEAPEST_CHANGED})),
    ("Limit changes", frozenset({ChangeKind.LIMIT_CHANGED})),
    ("Status changes", frozenset({ChangeKind.STATUS_CHANGED})),
    (
        "Capability and modality changes",
        frozenset({ChangeKind.CAPABILITY_CHANGED, ChangeKind.MODALITY_CHANGED}),
    ),
    ("Models removed", frozenset({ChangeKind.MODEL_REMOVED})),
    ("Models added", frozenset({ChangeKind.MODEL_ADDED})),
    (
        "Providers",
        frozenset(
            {ChangeKind.PROVIDER_ADDED, ChangeKind.PROVIDER_REMOVED, ChangeKind.PROVIDER_CHANGED}
        ),
    ),
    ("Other metadata", frozenset({ChangeKind.METADATA_CHANGED})),
)


def render_markdown(report: Report) -> str:
    lines = [f"**{report.source}**: {headline(report)}", ""]
    for title, kinds in _SECTIONS:
        changes = [c for c in report.listed if c.kind in kinds]
        if changes:
            lines.extend(_section(title, changes))
        if ChangeKind.PRICE_CHANGED in kinds:
            lines.extend(_impact_section(changes))
    lines.extend(_inconsistencies(report))
    if report.drift:
        lines.append("### Schema drift")
        lines.append("")
        lines.extend(f"- new field {code(name, table=False)}" for name in report.drift.added)
        lines.extend(
            f"- field no longer sent {code(name, table=False)}" for name in report.drift.removed
        )
        lines.extend(
            f"- field {code(note.field, table=False)} {text(appeared_note(note))}"
            for note in report.drift.appeared_on
        )
        lines.append("")
    if report.rejections:
        lines.append(f"### Rejected records ({len(report.rejections)}, last good value kept)")
        lines.append("")
        lines.extend(f"- {text(str(r))}" for r in report.rejections)
        lines.append("")
    if report.accepted:
        lines.append(f"### Rejected values accepted ({len(report.accepted)}, upstream kept them)")
        lines.append("")
        lines.extend(f"- {text(str(a))}" for a in report.accepted)
        lines.append("")
    if report.warnings:
        lines.append(f"### Warnings ({len(report.warnings)}, values accepted)")
        lines.append("")
        lines.extend(f"- {text(str(w))}" for w in report.warnings)
        lines.append("")
    lines.extend(f"> {text(note)}" for note in report.notes)
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(title: str, changes: Sequence[Change]) -> list[str]:
    header = f"### {title} ({len(changes):,})"
    if changes[0].kind in (ChangeKind.MODEL_ADDED, ChangeKind.MODEL_REMOVED):
        rows = ["| provider | model | name |", "|---|---|---|"] + [
            f"| {text(c.provider)} | {_model(c)} | {text(_name(c))} |" for c in changes
        ]
    else:
        rows = [
            "| | provider | model | field | old | new | change | severity |",
            "|---|---|---|---|---|---|---|---|",
        ]
        rows += [_row(c) for c in changes]
    return [header, "", *_fold(rows, len(changes)), ""]


def _impact_section(changes: Sequence[Change]) -> list[str]:
    """Once per offering whose price changed: what the standard workloads (and yours) now cost."""
    rows: list[str] = []
    for (provider, model), offering in groupby(changes, key=lambda c: (c.provider, c.model)):
        if impact := offering_impact(offering):
            rows.append(f"- {text(provider)} {code(model or '')}: {text(impact)}")
    if not rows:
        return []
    count = f"{len(rows):,} offering{'' if len(rows) == 1 else 's'}"
    return [f"### Cost impact ({count})", "", *_fold(rows, len(rows)), ""]


def _row(change: Change) -> str:
    old, new = _value(change, change.shown_old), _value(change, change.shown_new)
    if change.kind is ChangeKind.MODALITY_CHANGED:
        shift = text(", ".join([f"+{m}" for m in change.added] + [f"-{m}" for m in change.removed]))
    else:
        shift = percent(change.change_pct)
    return (
        f"| {arrow(change)} | {text(change.provider)} | {_model(change)} | "
        f"{code(change.field or '')} | {text(old)} | {text(new)} | {shift} | "
        f"{change.severity.value} |"
    )


def _model(change: Change) -> str:
    """The model cell; for a model the repository's code uses, where (``used in a.py:4``)."""
    cell = code(change.model or "")
    return f"{cell}<br>{text(used_in_words(change.used_in))}" if change.used_in else cell


def _value(change: Change, value: object) -> str:
    if change.kind is ChangeKind.PRICE_CHANGED:
        return money(value)
    if change.kind is ChangeKind.LIMIT_CHANGED:
        return tokens(value)
    return plain(value)


def _name(change: Change) -> str:
    record = change.new if change.new is not None else change.old
    return str(record.get("name", "")) if isinstance(record, dict) else ""


def _inconsistencies(report: Report) -> list[str]:
    lines: list[str] = []
    for title, items in (
        ("New inconsistencies", report.appeared),
        ("Resolved inconsistencies", report.resolved),
    ):
        if items:
            lines.append(f"### {title} ({len(items):,})")
            lines.append("")
            lines.extend(_fold([inconsistency_line(i, "markdown") for i in items], len(items)))
            lines.append("")
    if not report.first_run or report.current:
        lines.append(f"Inconsistencies now: {report.current:,}.")
        lines.append("")
    return lines


def _fold(rows: list[str], count: int) -> list[str]:
    if count <= FOLD_AFTER:
        return rows
    return ["<details><summary>show all</summary>", "", *rows, "", "</details>"]
