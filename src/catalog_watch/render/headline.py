"""The one-line summary every format opens with: "3 price changes, 12 models added, …"."""

from __future__ import annotations

from catalog_watch.changes import ChangeKind
from catalog_watch.report import Report

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


def headline(report: Report) -> str:
    """Counts by change class in a fixed order, e.g. ``3 price changes, 12 models added``."""
    if report.first_run:
        return (
            f"baseline recorded: {report.new.providers:,} providers, "
            f"{report.new.offerings:,} offerings, {len(report.current):,} inconsistencies"
        )
    parts = []
    for kind, one, many in PHRASES:
        count = report.count(kind)
        if count:
            parts.append(f"{count:,} {one if count == 1 else many}")
    deprecated = sum(1 for c in report.changes if c.field == "status" and c.new == "deprecated")
    if deprecated:
        parts.append(f"{deprecated:,} deprecated")
    return ", ".join(parts) if parts else "no changes"
