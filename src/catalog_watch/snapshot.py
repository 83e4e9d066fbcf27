"""Catalog ⇄ snapshot folder: one canonical JSON file per provider plus ``_meta.json``.

Canonical JSON (sorted keys, 2-space indent, LF, trailing newline, UTF-8) makes the same catalog
give the same bytes, so git shows a price change as a one-line diff and an unchanged provider is
never rewritten. Python's ``json`` keeps ints and floats apart and writes floats in their
shortest round-trip form, which reproduces the numbers of all four real models.dev catalogs as
upstream wrote them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pydantic_core

from catalog_watch.catalog import JSON, Catalog
from catalog_watch.errors import SnapshotError, SourceNotFound

META_FILE = "_meta.json"
SNAPSHOT_FORMAT = 1
SAFE_PROVIDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def canonical_json(value: JSON) -> bytes:
    """The one byte form of a JSON value that snapshots and hashes use."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a snapshot folder holds: the catalog document and its metadata."""

    document: dict[str, JSON]
    meta: dict[str, JSON]


def provider_files(catalog: Catalog) -> dict[str, bytes]:
    """File name → canonical bytes for every provider of the catalog."""
    files: dict[str, bytes] = {}
    for provider_id in sorted(catalog.providers):
        if not SAFE_PROVIDER_ID.match(provider_id):
            raise SnapshotError(f"provider id {provider_id!r} cannot be used as a file name")
        files[f"{provider_id}.json"] = canonical_json(catalog.providers[provider_id].to_document())
    return files


def content_hash(files: dict[str, bytes]) -> str:
    """A hash of the catalog content alone: it changes when and only when a provider file does."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def read_snapshot(directory: Path) -> Snapshot | None:
    """The snapshot in ``directory``, or None when there is none yet (a first run)."""
    if not directory.is_dir():
        return None
    document: dict[str, JSON] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("_"):
            continue
        provider = _read_json(path)
        if not isinstance(provider, dict) or provider.get("id") != path.stem:
            raise SnapshotError(
                f"{path}: not a provider snapshot (expected an object whose id is {path.stem!r})"
            )
        document[path.stem] = provider
    if not document:
        return None
    return Snapshot(document=document, meta=read_meta(directory) or {})


def read_meta(directory: Path) -> dict[str, JSON] | None:
    """Only ``_meta.json`` (the validators for a conditional GET): cheap, no provider file read.

    None, as for :func:`read_snapshot`, when the folder holds no provider file.
    """
    path = directory / META_FILE
    providers = (p for p in directory.glob("*.json") if not p.name.startswith("_"))
    if not path.exists() or next(providers, None) is None:
        return None
    meta = _read_json(path)
    if not isinstance(meta, dict):
        raise SnapshotError(f"{path}: expected a JSON object")
    return meta


def read_document(path: Path) -> JSON:
    """A catalog document from a file or a snapshot folder: the two are interchangeable.

    The shape is the parser's to judge (OpenRouter's is a list), so a file's JSON comes back as is.
    """
    if path.is_dir():
        snapshot = read_snapshot(path)
        if snapshot is None:
            raise SnapshotError(f"{path}: the snapshot folder holds no provider file")
        return snapshot.document
    if not path.exists():
        raise SourceNotFound(f"{path}: no such file or snapshot folder")
    return _read_json(path)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The files a write touched, relative to the snapshot folder (empty: nothing changed)."""

    written: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def write_snapshot(directory: Path, files: dict[str, bytes], meta: dict[str, JSON]) -> WriteResult:
    """Write provider files and ``_meta.json``; touch only those whose bytes differ.

    Each file is replaced atomically (write a temporary file beside it, then rename), so a crash
    leaves every file either old or new, never half written. Provider files that are no longer in
    the catalog are removed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {**files, META_FILE: canonical_json(meta)}
    written = [
        name for name, data in sorted(wanted.items()) if _write_if_changed(directory, name, data)
    ]
    stale = _stale_provider_files(directory, wanted)
    for name in stale:
        (directory / name).unlink()
    return WriteResult(written=tuple(written), removed=tuple(stale))


def _write_if_changed(directory: Path, name: str, data: bytes) -> bool:
    path = directory / name
    if path.exists() and path.read_bytes() == data:
        return False
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _stale_provider_files(directory: Path, wanted: Iterable[str]) -> list[str]:
    keep = set(wanted)
    return sorted(
        path.name
        for path in directory.glob("*.json")
        if not path.name.startswith("_") and path.name not in keep
    )


def _read_json(path: Path) -> JSON:
    # pydantic-core's parser gives the same values as ``json.loads`` (ints stay ints, floats are
    # correctly rounded) in two thirds of the time, which matters for a 2.4 MB catalog.
    try:
        return pydantic_core.from_json(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SnapshotError(f"{path}: cannot read snapshot file: {error}") from error
