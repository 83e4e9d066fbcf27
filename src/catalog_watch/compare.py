"""Two catalogs → one report: the pure middle of the pipeline, shared by ``diff`` and ``check``.

Kept apart from ``run.py`` so that ``catalog-watch diff`` never imports the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalog_watch.catalog import Catalog
from catalog_watch.changes import Change, ChangeKind
from catalog_watch.config import Config
from catalog_watch.consistency import (
    ConsistencySettings,
    Inconsistency,
    ModelIndex,
    find_inconsistencies,
)
from catalog_watch.diff import diff_catalogs
from catalog_watch.errors import SnapshotError
from catalog_watch.report import Report, build_report
from catalog_watch.snapshot import read_document, read_snapshot
from catalog_watch.sources import parse_source


def compare(
    old: Catalog | None,
    new: Catalog,
    config: Config,
    index: ModelIndex | None = None,
    others: Sequence[Catalog] = (),
) -> Report:
    """Changes, inconsistencies appeared/resolved and schema drift from ``old`` to ``new``.

    ``others``: catalogs of other sources; where they disagree with this one on a maker's
    offering is an inconsistency too, so new and resolved disagreements alert like the rest.
    """
    settings = consistency_settings(config)
    old_found: list[Inconsistency] = []
    if old is not None:
        old_found = find_inconsistencies(old, settings, index) + _across(old, others)
    new_found = find_inconsistencies(new, settings, index) + _across(new, others)
    changes: list[Change] = []
    if old is not None:
        changes = diff_catalogs(old, new, config.diff.ignore_fields)
        changes = _with_costs(changes, old, new, settings, config)
    return build_report(old, new, changes, old_found, new_found)


def _with_costs(
    changes: list[Change], old: Catalog, new: Catalog, settings: ConsistencySettings, config: Config
) -> list[Change]:
    """Cost impact on price changes, plus ``cheapest_changed`` records (imported only if needed)."""
    if not any(c.kind in _COST_KINDS for c in changes):
        return changes
    from catalog_watch.impact import cheapest_changes, with_cost_impact

    priced = with_cost_impact(changes, old, new, config)
    cheapest = cheapest_changes(changes, old, new, settings, config)
    return sorted(priced + cheapest, key=lambda change: change.sort_key)


_COST_KINDS = frozenset(
    {ChangeKind.PRICE_CHANGED, ChangeKind.MODEL_ADDED, ChangeKind.MODEL_REMOVED}
)


def _across(catalog: Catalog, others: Sequence[Catalog]) -> list[Inconsistency]:
    if not others:
        return []
    from catalog_watch.cross_source import disagreements

    return disagreements([catalog, *others])


def load_catalog(path: Path, config: Config, source_type: str | None = None) -> Catalog:
    """A catalog file (of any known source) or a snapshot folder, validated the same way."""
    share = config.guard.max_rejected_share
    if path.is_dir():
        snapshot = read_snapshot(path)
        if snapshot is None:
            raise SnapshotError(f"{path}: the snapshot folder holds no provider file")
        stored = snapshot.meta.get("source")
        name = stored if isinstance(stored, str) else source_type
        return parse_source(snapshot.document, name, max_rejected_share=share, canonical=True)
    return parse_source(read_document(path), source_type, max_rejected_share=share, where=str(path))


def consistency_settings(config: Config) -> ConsistencySettings:
    section = config.inconsistencies
    return ConsistencySettings(
        context_tolerance=section.context_tolerance,
        price_ratio=section.price_ratio,
        high_price_ratio=section.high_price_ratio,
        unit_error_ratio=section.unit_error_ratio,
        window_high_ratio=section.window_high_ratio,
        aliases=dict(section.aliases),
    )
