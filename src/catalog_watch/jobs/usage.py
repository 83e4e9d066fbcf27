"""The one place ``run`` (and the deprecation alerts, and ``lint``) scans the repository for the
models its code uses: ``[usage]`` settings in, a :class:`UsedModels` out."""

from __future__ import annotations

from collections.abc import Sequence
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
    repo_root: Path,
    config: Config,
    catalog: Catalog,
    index: ModelIndex | None,
    *,
    exclude: Sequence[str] = (),
) -> UsedModels:
    """Where the code under ``repo_root`` uses each model of ``catalog``; empty when
    ``[usage] enabled = false``. ``exclude``: more folders left out (``run`` leaves out its
    snapshot folder: the catalog is not code)."""
    if not config.usage.enabled:
        return UsedModels()
    return UsedModels.of(scan_and_resolve(repo_root, config, catalog, index, exclude)[1])


def scan_and_resolve(
    repo_root: Path,
    config: Config,
    catalog: Catalog,
    index: ModelIndex | None,
    exclude: Sequence[str] = (),
) -> tuple[ScanResult, list[ResolvedUse]]:
    """The scan under ``[usage] paths``/``exclude`` and each use resolved (``usage`` prints
    both)."""
    excluded = (*config.usage.exclude, *exclude)
    scan = scan_repository(repo_root, config.usage.paths, excluded)
    return scan, resolve_uses(scan, catalog, config.inconsistencies, index)


def repository_root(cwd: Path) -> Path:
    """The checkout ``cwd`` is in (``git rev-parse --show-toplevel``), else ``cwd`` itself."""
    top = Git(cwd).run("rev-parse", "--show-toplevel", check=False)
    return Path(top) if top else cwd
