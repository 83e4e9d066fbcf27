"""``_meta.json`` and the provider files' hash: what every run reads first, with no pydantic.

The hourly run that finds nothing new reads only this (``cli/quiet_check.py``), so the checks of
the file's few typed keys are plain code here rather than a pydantic model, whose import alone
costs more than the whole no-change decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

from catalog_watch.errors import SnapshotError, StateFileError
from catalog_watch.model.catalog import JSONValue
from catalog_watch.model.meta import Meta
from catalog_watch.model.timestamps import parse_moment
from catalog_watch.sources.json_reader import JSONReadError, read_stored
from catalog_watch.store.transaction import META_FILE

SNAPSHOT_FORMAT = 1
"""``_meta.json``'s ``format``: the snapshot folder's layout and canonical form."""

Check = Callable[[object], bool]


def _text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _moment(value: object) -> bool:
    """None, or a time the health checks can read (``parse_moment``): they compare it with now."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        parse_moment(value)
    except ValueError:
        return False
    return True


def _count(value: object) -> bool:
    return type(value) is int and value >= 0


def _integer(value: object) -> bool:
    return type(value) is int


def _anything(value: object) -> bool:
    return True


_HEALTH: dict[str, tuple[Check, str]] = {
    "last_success": (_moment, "a time (YYYY-MM-DDTHH:MM:SSZ) or null"),
    "last_change": (_moment, "a time (YYYY-MM-DDTHH:MM:SSZ) or null"),
    "consecutive_failures": (_count, "a count (an integer ≥ 0)"),
    "failing_since": (_moment, "a time (YYYY-MM-DDTHH:MM:SSZ) or null"),
    "last_error": (_text, "a string or null"),
    "failure_alerted": (lambda v: isinstance(v, bool), "true or false"),
}
_UNCHANGED: dict[str, tuple[Check, str]] = {
    "settings_sha256": (lambda v: isinstance(v, str), "a string"),
    "inconsistencies": (_count, "a count (an integer ≥ 0)"),
}
_SCALARS: dict[str, tuple[Check, str]] = {
    "format": (
        lambda v: v == SNAPSHOT_FORMAT and type(v) is int,
        f"{SNAPSHOT_FORMAT}, the snapshot format this version reads (a newer catalog-watch writes "
        "a higher one: upgrade to read it)",
    ),
    **{key: (_text, "a string or null") for key in ("source", "url", "etag", "last_modified")},
    **{
        key: (_text, "a string or null")
        for key in ("content_sha256", "upstream_sha256", "upstream_document_sha256")
    },
    "counts": (
        lambda v: isinstance(v, dict) and all(_integer(n) for n in v.values()),
        "an object of integers",
    ),
    "rejected": (
        lambda v: isinstance(v, list) and all(isinstance(r, dict) for r in v),
        "a list of objects",
    ),
    "fields": (_anything, "anything"),
}


def _problem(
    value: object, checks: Mapping[str, tuple[Check, str]], *, closed: bool, at: str = ""
) -> str | None:
    """Where ``value`` breaks ``checks`` and how, or None; ``closed``: no other key allowed."""
    if not isinstance(value, dict):
        return f"{at or 'the file'}: expected an object"
    for key, item in value.items():
        if key not in checks:
            if closed:
                return f"{at}{key}: not a key of this object"
            continue
        test, expected = checks[key]
        if not test(item):
            return f"{at}{key}: expected {expected}, found {_found(item)}"
    return None


def _found(value: object) -> str:
    """A wrong value as the error names it: a text itself (cut short), else its JSON type."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    return type(value).__name__


def meta_problem(meta: object) -> str | None:
    """What is wrong with a parsed ``_meta.json`` (its declared keys, ``model/meta.py``), or
    None. Keys a later version adds ride along."""
    if (problem := _problem(meta, _SCALARS, closed=False)) is not None:
        return problem
    assert isinstance(meta, dict)  # _problem said so
    for key, checks in (("unchanged_report", _UNCHANGED), ("health", _HEALTH)):
        found = meta.get(key)
        if found is not None and (problem := _problem(found, checks, closed=True, at=f"{key}.")):
            return problem
    report = meta.get("unchanged_report")
    if isinstance(report, dict) and not _UNCHANGED.keys() <= report.keys():
        return "unchanged_report: needs settings_sha256 and inconsistencies"
    return None


def parse_meta(data: bytes, path: Path) -> Meta:
    """The one parser of ``_meta.json``: a damaged one is a StateFileError naming the file."""
    meta = parse_stored(data, path)
    if (problem := meta_problem(meta)) is not None:
        raise StateFileError(f"{path}: not a snapshot _meta.json: {problem}")
    return cast(Meta, meta)  # its declared keys checked just above


def read_meta(directory: Path) -> Meta | None:
    """Only ``_meta.json`` (the validators for a conditional GET): cheap, no provider file read.

    None, as for ``snapshot.read_snapshot``, when the folder holds no provider file.
    """
    path = directory / META_FILE
    providers = (p for p in directory.glob("*.json") if not p.name.startswith("_"))
    if not path.exists() or next(providers, None) is None:
        return None
    return parse_meta(read_bytes(path), path)


def stored_files(directory: Path) -> dict[str, bytes]:
    """The provider files' bytes as on disk, unparsed: what a no-change run hashes."""
    return {
        path.name: read_bytes(path)
        for path in sorted(directory.glob("*.json"))
        if not path.name.startswith("_")
    }


def content_hash(files: dict[str, bytes]) -> str:
    """A hash of the catalog content alone: it changes when and only when a provider file does."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SnapshotError(f"{path}: cannot read snapshot file: {error}") from error


def parse_stored(data: bytes, path: Path) -> JSONValue:
    """A file the tool wrote, held to the limits ``json_reader.read_stored`` enforces."""
    try:
        value: JSONValue = read_stored(data)
    except JSONReadError as error:
        raise SnapshotError(f"{path}: cannot read snapshot file: {error}") from None
    return value
