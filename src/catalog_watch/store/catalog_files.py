"""A catalog given as a path: a catalog file of any known source, or a snapshot folder."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from catalog_watch.errors import SnapshotError
from catalog_watch.model.catalog import Catalog
from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
from catalog_watch.sources.registry import parse_source
from catalog_watch.store.snapshot import read_document, read_snapshot


class _Guard(Protocol):
    @property
    def max_rejected_share(self) -> float: ...


class GuardedSettings(Protocol):
    """What :func:`load_catalog` reads of the settings (``settings.config.Config`` has it):
    ``[guard] max_rejected_share``."""

    @property
    def guard(self) -> _Guard: ...


def load_catalog(path: Path, config: GuardedSettings, source_type: str | None = None) -> Catalog:
    """A catalog file (of any known source) or a snapshot folder, validated the same way."""
    return read_catalog(path, source_type, max_rejected_share=config.guard.max_rejected_share)


def read_catalog(
    path: Path,
    source_type: str | None = None,
    *,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
) -> Catalog:
    """:func:`load_catalog` with the share of bad records given (``[guard]``'s default without
    it), for a caller that has no settings model (``cli/diff_command``: no config file)."""
    if path.is_dir():
        snapshot = read_snapshot(path)
        if snapshot is None:
            raise SnapshotError(f"{path}: the snapshot folder holds no provider file")
        stored = snapshot.meta.get("source")
        name = stored if isinstance(stored, str) else source_type
        return parse_source(
            snapshot.document, name, max_rejected_share=max_rejected_share, canonical=True
        )
    document = read_document(path)
    return parse_source(
        document, source_type, max_rejected_share=max_rejected_share, where=str(path)
    )
