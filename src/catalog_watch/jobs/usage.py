"""The one place ``run`` (and the deprecation alerts, and ``lint``) scans the repository for the
models its code uses: ``[usage]`` settings in, a :class:`UsedModels` out."""

from __future__ import annotations

from pathlib import Path

from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.usage import UsedModels, resolve_uses
from catalog_watch.model.catalog import Catalog
from catalog_watch.scan import scan_repository
from catalog_watch.settings.config import Config

__all__ = ["used_models"]


def used_models(
    repo_root: Path, config: Config, catalog: Catalog, index: ModelIndex | None
) -> UsedModels:
    """Where the code under ``repo_root`` uses each model of ``catalog``; empty when
    ``[usage] enabled = false``."""
    if not config.usage.enabled:
        return UsedModels()
    scan = scan_repository(repo_root, config.usage.paths, config.usage.exclude)
    return UsedModels.of(resolve_uses(scan, catalog, config.inconsistencies, index))
