"""The one place ``run`` (and the deprecation alerts, and ``lint``) scans the repository for the
models its code uses: ``[usage]`` settings in, a :class:`UsedModels` out."""

from __future__ import annotations

from pathlib import Path

from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.usage import ResolvedUse, UsedModels, resolve_uses
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.usage import ScanResult
from catalog_watch.publish.git.command import Git
from catalog_watch.scan import scan_repository
from catalog_watch.settings.config import Config

__all__ = ["repository_root", "scan_and_resolve", "used_models"]


def used_models(
    repo_root: Path, config: Config, catalog: Catalog, index: ModelIndex | None
) -> UsedModels:
    """Where the code under ``repo_root`` uses each model of ``catalog``; empty when
    ``[usage] enabled = false``."""
    if not config.usage.enabled:
        return UsedModels()
    return UsedModels.of(scan_and_resolve(repo_root, config, catalog, index)[1])


def scan_and_resolve(
    repo_root: Path, config: Config, catalog: Catalog, index: ModelIndex | None
) -> tuple[ScanResult, list[ResolvedUse]]:
    """The scan under ``[usage] paths``/``exclude`` and each use resolved (``usage`` prints
    both)."""
    scan = scan_repository(repo_root, config.usage.paths, config.usage.exclude)
    return scan, resolve_uses(scan, catalog, config.inconsistencies, index)


def repository_root(cwd: Path) -> Path:
    """The checkout ``cwd`` is in (``git rev-parse --show-toplevel``), else ``cwd`` itself."""
    top = Git(cwd).run("rev-parse", "--show-toplevel", check=False)
    return Path(top) if top else cwd
