"""Catalog ⇄ snapshot folder: one canonical JSON file per provider plus ``_meta.json``.

Canonical JSON (sorted keys, 2-space indent, LF, trailing newline, UTF-8) makes the same catalog
give the same bytes, so git shows a price change as a one-line diff and an unchanged provider is
never rewritten. orjson writes it (the same bytes as ``json.dumps(sort_keys=True, indent=2,
ensure_ascii=False)`` but for floats, in a tenth of the time); a number keeps the text upstream
wrote (``0.000053``, where Python writes ``5.3e-05`` and orjson ``5.3e-5``): the reader hands it
over as a ``JSONNumber`` and the encoder writes its text back (``tests/test_snapshot_numbers.py``
proves it on all four real models.dev catalogs).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from catalog_watch.errors import (
    CatalogRejected,
    FetchError,
    SnapshotError,
    SourceNotFound,
)
from catalog_watch.model.catalog import (
    PROVIDER_ID,
    Catalog,
    JSONObject,
    JSONValue,
    provider_id_problem,
)
from catalog_watch.model.json_text import JSONNumber, as_written
from catalog_watch.model.meta import Meta
from catalog_watch.sources.file_bounds import (
    MAX_CATALOG_BYTES,
    check_catalog_counts,
    describe_size,
    read_capped,
)
from catalog_watch.sources.json_reader import JSONReadError, read_upstream
from catalog_watch.store.meta_file import SNAPSHOT_FORMAT as SNAPSHOT_FORMAT
from catalog_watch.store.meta_file import content_hash as content_hash
from catalog_watch.store.meta_file import parse_meta as parse_meta
from catalog_watch.store.meta_file import parse_stored as _parse_json
from catalog_watch.store.meta_file import read_bytes as _read_bytes
from catalog_watch.store.meta_file import read_meta as read_meta
from catalog_watch.store.meta_file import stored_files as stored_files
from catalog_watch.store.transaction import META_FILE as META_FILE
from catalog_watch.store.transaction import Check, FolderChange, apply_change
from catalog_watch.store.transaction import WriteResult as WriteResult

SAFE_PROVIDER_ID = PROVIDER_ID
"""The file-name rule for provider ids (``catalog.PROVIDER_ID``, used with ``fullmatch``); each
source rejects a provider whose id breaks it (``catalog.provider_id_problem``), alone."""


def canonical_json(value: JSONValue | Meta) -> bytes:
    """The one byte form of a JSON value that snapshots and hashes use."""
    try:
        data = orjson.dumps(value, default=as_written, option=_CANONICAL)
    except orjson.JSONEncodeError:
        data = b"null\n"  # what orjson refuses (an int over 64 bits, a lone surrogate): see below
    if b" null" in data or data == b"null\n":  # a value null (or a text holding " null")
        # orjson writes NaN and infinities as null; the exact slow path refuses them, as
        # json.dumps did, and writes the rest (None, big ints) the same way or raises as before.
        return (_slow_json(value, "\n") + "\n").encode("utf-8")
    return data


_CANONICAL = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def _slow_json(value: object, indent: str) -> str:
    """``canonical_json`` in Python, for values orjson cannot write."""
    inner = indent + "  "
    if type(value) is dict and value:
        items = sorted(value.items())
        body = [f"{json.dumps(k, ensure_ascii=False)}: {_slow_json(v, inner)}" for k, v in items]
        return "{" + inner + ("," + inner).join(body) + indent + "}"
    if type(value) is list and value:
        return "[" + inner + ("," + inner).join(_slow_json(v, inner) for v in value) + indent + "]"
    if type(value) is JSONNumber:
        return value.text
    if type(value) is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
        return orjson.dumps(value).decode()
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a snapshot folder holds: the catalog document and its metadata."""

    document: JSONObject
    meta: Meta
    files: dict[str, bytes]  # provider file name → the bytes on disk ("unchanged" compares these)


def provider_files(catalog: Catalog) -> dict[str, bytes]:
    """File name → canonical bytes for every provider of the catalog."""
    files: dict[str, bytes] = {}
    for provider_id in sorted(catalog.providers):
        # The sources have rejected every such provider: this only guards other callers.
        if problem := provider_id_problem(provider_id):
            raise SnapshotError(f"provider {provider_id!r}: {problem}")
        files[f"{provider_id}.json"] = canonical_json(catalog.providers[provider_id].to_document())
    return files


def read_snapshot(directory: Path) -> Snapshot | None:
    """The snapshot in ``directory``, or None when there is none yet (a first run)."""
    if not directory.is_dir():
        return None
    document: JSONObject = {}
    files: dict[str, bytes] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name.startswith("_"):
            continue
        files[path.name] = _read_bytes(path)
        provider = _parse_json(files[path.name], path)
        if not isinstance(provider, dict) or provider.get("id") != path.stem:
            raise SnapshotError(
                f"{path}: not a provider snapshot (expected an object whose id is {path.stem!r})"
            )
        document[path.stem] = provider
    if not document:
        return None
    return Snapshot(document=document, meta=read_meta(directory) or {}, files=files)


def read_document(path: Path) -> JSONValue:
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


def write_snapshot(directory: Path, files: dict[str, bytes], meta: Meta) -> WriteResult:
    """Write provider files and ``_meta.json`` as one step; touch only those whose bytes differ.

    Provider files that are no longer in the catalog are removed. See ``transaction.py``: a
    failure (a full disk, a kill) leaves the folder as it was, or is undone by the next run.
    """
    return apply_change(snapshot_change(directory, files, meta))


def snapshot_change(directory: Path, files: dict[str, bytes], meta: Meta) -> FolderChange:
    """The snapshot's part of a run's folder change, each file checked by its own reader."""
    checks: dict[str, Check] = {name: _check_provider for name in files}
    checks[META_FILE] = parse_meta
    return FolderChange(
        directory=directory,
        files={**files, META_FILE: canonical_json(meta)},
        remove=tuple(_stale_provider_files(directory, {**files, META_FILE: b""})),
        checks=checks,
    )


def _check_provider(data: bytes, path: Path) -> None:
    provider = _parse_json(data, path)
    if not isinstance(provider, dict) or provider.get("id") != path.stem:
        raise SnapshotError(f"{path}: the new provider file would not read back as {path.stem!r}")


def _stale_provider_files(directory: Path, wanted: Iterable[str]) -> list[str]:
    keep = set(wanted)
    return sorted(
        path.name
        for path in directory.glob("*.json")
        if not path.name.startswith("_") and path.name not in keep
    )


def _read_json(path: Path) -> JSONValue:
    # A catalog file (api.json, LiteLLM's, OpenRouter's) is read exactly as a fetch reads it
    # (json_reader.read_upstream, a leading BOM skipped), within the same bounds (file_bounds: the
    # size cap, the provider and offering caps): NaN, infinities, lone surrogates, control
    # characters and repeated keys in a record are the source's validation to reject, record by
    # record; only a file that is not JSON, or nests deeper than MAX_DOCUMENT_DEPTH, is refused.
    cap = MAX_CATALOG_BYTES
    try:
        data = read_capped(path, cap)  # a named pipe is refused, never waited on
        if len(data) > cap:
            raise CatalogRejected(f"catalog file {path} is over the {describe_size(cap)} limit")
        document: JSONValue = read_upstream(data)
    except OSError as error:
        raise FetchError(f"cannot read catalog file {path}: {error.strerror or error}") from error
    except JSONReadError as error:
        # A catalog file is upstream's document, not one the tool wrote: not a damaged snapshot
        raise CatalogRejected(f"{path}: not a catalog: {error}") from None
    check_catalog_counts(f"catalog file {path}", document)
    return document
