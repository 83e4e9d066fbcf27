"""A catalog given as a path: a catalog file of any known source, or a snapshot folder."""

from __future__ import annotations

from pathlib import Path

from catalog_watch.errors import SnapshotError
from catalog_watch.model.catalog import Catalog
from catalog_watch.settings.config import Config
from catalog_watch.sources.registry import parse_source
from catalog_watch.store.snapshot import read_document, read_snapshot


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
