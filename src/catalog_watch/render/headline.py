"""The one-line summary every format opens with: "3 price changes, 12 models added, …"."""

from __future__ import annotations

from catalog_watch.accept.schema_drift import FieldAppeared, SchemaDrift
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.render.values import count

PHRASES: tuple[tuple[ChangeKind, str, str], ...] = (
    (ChangeKind.PRICE_CHANGED, "price change", "price changes"),
    (ChangeKind.LIMIT_CHANGED, "limit change", "limit changes"),
    (ChangeKind.CAPABILITY_CHANGED, "capability change", "capability changes"),
    (ChangeKind.MODALITY_CHANGED, "modality change", "modality changes"),
    (ChangeKind.STATUS_CHANGED, "status change", "status changes"),
    (ChangeKind.MODEL_ADDED, "model added", "models added"),
    (ChangeKind.MODEL_REMOVED, "model removed", "models removed"),
    (ChangeKind.PROVIDER_ADDED, "provider added", "providers added"),
    (ChangeKind.PROVIDER_REMOVED, "provider removed", "providers removed"),
    (ChangeKind.PROVIDER_CHANGED, "provider field changed", "provider fields changed"),
    (ChangeKind.CHEAPEST_CHANGED, "cheapest channel changed", "cheapest channels changed"),
    (ChangeKind.METADATA_CHANGED, "metadata change", "metadata changes"),
)


def commit_message(report: Report) -> str:
    """One line that says what changed: ``models.dev: 3 price changes, 12 models added``."""
    return f"{report.source}: {headline(report)}"


def headline(report: Report) -> str:
    """Counts by change class in a fixed order, e.g. ``3 price changes, 12 models added``."""
    if report.first_run:
        return "baseline recorded: " + ", ".join(
            (
                count(report.new.providers, "provider", "providers"),
                count(report.new.offerings, "offering", "offerings"),
                count(report.current, "inconsistency", "inconsistencies"),
            )
        )
    parts = []
    for kind, one, many in PHRASES:
        number = report.count(kind)
        if number:
            parts.append(count(number, one, many))
    deprecated = sum(1 for c in report.listed if c.field == "status" and c.new == "deprecated")
    if deprecated:
        parts.append(f"{deprecated:,} deprecated")
    return ", ".join(parts) if parts else "no changes"


def appeared_note(note: FieldAppeared) -> str:
    """``appeared on 1,429 offerings at once: 1,429 capability changes not listed one by one``
    (the field is named by the caller, in its sink's own markup)."""
    where = "offering" if note.level == "model" else "provider"
    _, one, many = next(phrase for phrase in PHRASES if phrase[0] is note.kind)
    records, changes = count(note.records, where, f"{where}s"), count(note.records, one, many)
    return f"appeared on {records} at once: {changes} not listed one by one"


def drift_words(drift: SchemaDrift) -> str:
    """``+model:reasoning_options, -model:temperature; reasoning_options appeared on ...``."""
    fields = [f"+{name}" for name in drift.added] + [f"-{name}" for name in drift.removed]
    notes = [f"{note.field} {appeared_note(note)}" for note in drift.appeared_on]
    return "; ".join(filter(None, [", ".join(fields), *notes]))
