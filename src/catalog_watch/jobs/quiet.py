"""The no-change shortcut: the report of a run that fetched the very body its snapshot came from.

Light on purpose (no settings model, no analysis, no adapter): ``cli/quiet_check.py`` answers the
hourly ``check`` from this before the rest of the tool is imported, and ``jobs/check.py`` takes
the same shortcut inside every other run, so the two cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from catalog_watch import __version__
from catalog_watch.accept.schema_drift import SchemaDrift
from catalog_watch.errors import CatalogWatchError
from catalog_watch.model.catalog import snapshot_folder
from catalog_watch.model.meta import Meta
from catalog_watch.model.report import CatalogCounts, Report
from catalog_watch.settings.defaults import DEFAULT_CONFIG_FILE, SOURCE_NAMES, SOURCE_URLS
from catalog_watch.sources.fetch import Validators
from catalog_watch.store.meta_file import SNAPSHOT_FORMAT, content_hash, read_meta, stored_files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings_source(config: Path | None, ignore_fields: Sequence[str] | None) -> str | None:
    """A hash of what the settings are read from (the config file's bytes and the flags that
    change them), taken without reading the settings; None when the file named cannot be read
    (loading it will say why). Same bytes, same settings: a stored report may be trusted."""
    path = config if config is not None else Path(DEFAULT_CONFIG_FILE)
    try:
        data: bytes | None = path.read_bytes()
    except FileNotFoundError:
        if config is not None:
            return None
        data = None  # no catalog-watch.toml: the defaults
    except OSError:
        return None
    return source_hash(data, ignore_fields)


def source_hash(config: bytes | None, ignore_fields: Sequence[str] | None) -> str:
    """:func:`settings_source` of a config file with these bytes (None: no file)."""
    basis = {
        "config": None if config is None else sha256(config),
        "ignore_field": None if ignore_fields is None else list(ignore_fields),
    }
    return sha256(json.dumps(basis, sort_keys=True).encode())


def settings_key(settings: object, models_json: bytes | None) -> str:
    """The hash an unchanged run's stored report is tied to: the tool's version and snapshot
    format, the settings (``settings_source`` or the settings that decide inconsistencies) and
    models.json's bytes (None: not used)."""
    basis = {
        "version": __version__,  # another parser or canonical form may read the body otherwise
        "format": SNAPSHOT_FORMAT,
        "settings": settings,
        "models_json": None if models_json is None else sha256(models_json),
    }
    return sha256(json.dumps(basis, sort_keys=True, default=_plain).encode())


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not part of a settings hash")


def settled(snapshots: Path) -> tuple[Meta, dict[str, bytes]] | None:
    """The snapshot's ``_meta.json`` and provider files when its hash is the files' on disk and
    nothing is rejected (a rejection's entry changes every run): the shortcuts may trust it."""
    meta = read_meta(snapshots)
    if meta is None or meta.get("rejected") or not isinstance(meta.get("content_sha256"), str):
        return None
    files = stored_files(snapshots)
    return (meta, files) if content_hash(files) == meta["content_sha256"] else None


def quiet_report(
    meta: Meta, body: bytes | None, key: str | None, source_type: str | None
) -> Report | None:
    """The report of an unchanged run, for ``body`` fetched again into a :func:`settled` folder.

    The snapshot's content is that body's catalog (no record rejected, files as written), so the
    full comparison would report the stored counts and, under the same settings (``key``), the
    stored number of inconsistencies. None when anything it rests on differs.
    """
    if body is None or meta.get("upstream_sha256") != sha256(body):
        return None
    return stored_report(meta, key, source_type)


def stored_report(meta: Meta, key: str | None, source_type: str | None) -> Report | None:
    """The report ``_meta.json`` keeps for its own content, when it was counted under the
    settings ``key`` names (None: not kept, as with other sources' catalogs); else None."""
    stored = meta.get("unchanged_report")
    counts = meta.get("counts", {})
    source = meta.get("source")
    if (
        stored is None
        or key is None
        or stored.get("settings_sha256") != key
        or not isinstance(source, str)
        or source_type not in (None, source)
        or not {"providers", "offerings"} <= counts.keys()
    ):
        return None
    size = CatalogCounts(counts["providers"], counts["offerings"])
    return Report(
        source=source,
        changes=(),
        appeared=(),
        resolved=(),
        current=stored["inconsistencies"],
        drift=SchemaDrift((), ()),
        old=size,
        new=size,
    )


def source_of_url(url: str) -> str | None:
    """The source type whose own URL ``url`` is (``https://models.dev/api.json``: models.dev)."""
    return next((name for name in SOURCE_NAMES if SOURCE_URLS[name] == url), None)


def folder_that_stored(url: str) -> str | None:
    """The source type whose default folder (``snapshots/<type>``) stored ``url`` last."""
    return _default_folder(lambda name, meta: meta.get("url") == url)


def folder_that_stored_body(body: bytes) -> str | None:
    """The source type whose default folder was written from these very bytes, by its own
    type (``upstream_sha256``): what a local file is, known without parsing it."""
    digest = sha256(body)
    return _default_folder(
        lambda name, meta: meta.get("upstream_sha256") == digest and meta.get("source") == name
    )


def _default_folder(stored: Callable[[str, Meta], bool]) -> str | None:
    """The first source type whose default folder's ``_meta.json`` says ``stored``."""
    for name in SOURCE_NAMES:
        try:
            meta = read_meta(Path(snapshot_folder(name)))
        except CatalogWatchError:  # a damaged _meta.json is the check's to report
            continue
        if meta is not None and stored(name, meta):
            return name
    return None


def stored_validators(meta: Meta, source: str) -> Validators | None:
    """The stored ETag/Last-Modified, only if they were stored for this same URL."""
    if meta.get("url") != source:
        return None
    etag, modified = meta.get("etag"), meta.get("last_modified")
    return Validators(
        etag=etag if isinstance(etag, str) else None,
        last_modified=modified if isinstance(modified, str) else None,
    )
