"""Two catalogs → one report: the pure middle of the pipeline, shared by ``diff`` and ``check``.

Kept apart from ``run.py`` so that ``catalog-watch diff`` never imports the HTTP stack.
"""

from __future__ import annotations

from pathlib import Path

from catalog_watch.catalog import Catalog
from catalog_watch.config import Config
from catalog_watch.consistency import (
    ConsistencySettings,
    Inconsistency,
    ModelIndex,
    find_inconsistencies,
)
from catalog_watch.diff import diff_catalogs
from catalog_watch.report import Report, build_report
from catalog_watch.snapshot import read_document
from catalog_watch.sources.models_dev import parse_catalog


def compare(
    old: Catalog | None, new: Catalog, config: Config, index: ModelIndex | None = None
) -> Report:
    """Changes, inconsistencies appeared/resolved and schema drift from ``old`` to ``new``."""
    settings = consistency_settings(config)
    old_found: list[Inconsistency] = []
    if old is not None:
        old_found = find_inconsistencies(old, settings, index)
    new_found = find_inconsistencies(new, settings, index)
    changes = diff_catalogs(old, new, config.diff.ignore_fields) if old is not None else []
    return build_report(old, new, changes, old_found, new_found)


def load_catalog(path: Path, config: Config) -> Catalog:
    """An api.json file or a snapshot folder, validated the same way either way."""
    document = read_document(path)
    return parse_catalog(document, max_rejected_share=config.guard.max_rejected_share)


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
