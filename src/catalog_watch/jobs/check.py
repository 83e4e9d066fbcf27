"""One check of a source against its snapshot folder: the only place that sequences the I/O.

fetch → validate → keep last good records → shrink guard → diff and inconsistencies → report →
(with ``write``) the new snapshot. Every check that can refuse the catalog runs before anything
is written, so a failure leaves the snapshot folder byte for byte as it was.

This module holds the options, the fetch and the shortcuts that decide "unchanged" from hashes;
what follows a parse is ``jobs/evaluation.py``, imported by name (:data:`EVALUATION`) only when
the hashes leave the question open.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from catalog_watch.errors import CatalogWatchError, ConfigError
from catalog_watch.jobs.quiet import (
    folder_that_stored,
    folder_that_stored_body,
    quiet_report,
    settings_key,
    settled,
    sha256,
    source_of_url,
    stored_report,
    stored_validators,
)
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS as SNAPSHOT_FOLDER
from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import as_written
from catalog_watch.model.meta import Meta
from catalog_watch.model.report import Report
from catalog_watch.settings.config import Config
from catalog_watch.settings.defaults import SOURCE_URLS
from catalog_watch.sources.fetch import (
    FetchOptions,
    FetchResult,
    document_of,
    fetch_catalog,
    is_url,
)
from catalog_watch.sources.json_duplicates import duplicates_in
from catalog_watch.store.meta_file import read_meta

if TYPE_CHECKING:
    from catalog_watch.analysis.identity import ModelIndex
    from catalog_watch.model.catalog import Catalog
    from catalog_watch.store.transaction import WriteResult

DEFAULT_SNAPSHOTS = Path(SNAPSHOT_FOLDER)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    source: str = SOURCE_URLS["models.dev"]
    snapshots: Path = DEFAULT_SNAPSHOTS
    source_type: str | None = None  # None: recognised from the document's shape
    compare_with: tuple[Path, ...] = ()  # other sources' snapshot folders (or files)
    write: bool = False
    allow_shrink: bool = False
    models_json: str | None = None
    config: Config = field(default_factory=Config)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    now: datetime | None = None  # the run's time (rejections' first_seen/age); None: the clock
    # The source type an empty snapshot folder is for (the default folder's type); a folder that
    # holds a snapshot is for the source its _meta.json names. None: any (--snapshots given).
    folder_source: str | None = None
    prefetched: FetchResult | None = None  # the local file already read to recognise its type
    # What the settings were read from (jobs/quiet.settings_source), tying the stored report of
    # an unchanged run to them; None: a hash of the parsed settings (a library caller's Config).
    settings_source: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check saw and did; ``report`` is None when the source answered 304."""

    report: Report | None
    written: WriteResult | None = None
    not_modified: bool = False


def check(options: CheckOptions) -> CheckResult:
    """Fetch, compare with the snapshot folder, and (with ``write``) write the new snapshot."""
    fetched = fetch_for(options.snapshots, options)
    if fetched.not_modified:
        return CheckResult(report=None, not_modified=True)
    outcome = evaluate(options.snapshots, fetched, options)
    if not options.write or outcome.unchanged:
        return CheckResult(report=outcome.report)
    write: Callable[[Path, dict[str, bytes], Meta], WriteResult]
    write = importlib.import_module(EVALUATION).write_snapshot  # the evaluation loaded it
    written = write(options.snapshots, outcome.files, outcome.meta)
    return CheckResult(report=outcome.report, written=written)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A fetched catalog measured against a snapshot folder, ready to be written."""

    report: Report
    files: dict[str, bytes]
    meta: Meta
    unchanged: bool  # the content equals the snapshot's: there is nothing to write
    from_snapshot: str  # content hash of the snapshot the changes are measured from ("none")
    catalog: Catalog | None = None  # the new catalog (the run resolves the code's models in it)
    index: ModelIndex | None = None  # models.json as this check read it, for the same resolving


def fetch_for(snapshots: Path, options: CheckOptions) -> FetchResult:
    """Fetch the source, conditionally on the validators stored with this snapshot folder.

    Reads ``_meta.json`` only: the provider files are read once, by :func:`evaluate`.
    """
    require_folder(snapshots)
    return fetch_since(read_meta(snapshots), options)


def require_folder(snapshots: Path) -> None:
    """Refuse (exit 2) a snapshot folder that exists as something else: a file read as an
    empty folder would report a baseline, and writing into it would fail half-way (``run``
    checks it before it sets anything aside). Absent, it is a first run's folder."""
    if snapshots.exists() and not snapshots.is_dir():
        raise ConfigError(
            f"{snapshots} is not a folder: a snapshot folder (--snapshots) holds one file per "
            "provider; to compare with an api.json file, use catalog-watch diff"
        )


def fetch_since(meta: Meta | None, options: CheckOptions) -> FetchResult:
    """Fetch the source, conditionally on the validators of a stored ``_meta.json``.

    Unconditionally while records are rejected: each run must see upstream's value again to
    count towards accepting it (a 304 would count nothing).
    """
    if options.prefetched is not None and options.prefetched.source == options.source:
        return options.prefetched
    previous = (
        stored_validators(meta, options.source) if meta and not meta.get("rejected") else None
    )
    return fetch_catalog(options.source, previous, options.fetch, parse=False)


@dataclass(frozen=True, slots=True)
class Recognised:
    """What ``--source`` is when ``--source-type`` is not given (None: not known before the fetch;
    the folder then refuses a catalog of another type, see ``evaluation.check_folder_source``)."""

    source_type: str | None = None
    fetched: FetchResult | None = None  # a local file, read once: the check reuses it


def recognise(source: str, fetched: FetchResult | None = None) -> Recognised:
    """A source type's own URL, a URL some ``snapshots/<type>`` folder stored, a local file whose
    very bytes such a folder stored (the same bytes, the same document, the same shape), or a
    local file's shape (``fetched``: the file already read). A file that cannot be read or
    parsed is left for the check to report."""
    if name := source_of_url(source):
        return Recognised(name, fetched)
    if is_url(source):
        return Recognised(folder_that_stored(source), fetched)
    try:
        fetched = fetch_catalog(source, parse=False) if fetched is None else fetched
    except CatalogWatchError:
        return Recognised(fetched=fetched)
    if fetched.body is not None and (name := folder_that_stored_body(fetched.body)):
        return Recognised(name, fetched)
    by_shape: Callable[[FetchResult], Recognised]
    by_shape = importlib.import_module(EVALUATION).recognise_document
    return by_shape(fetched)


def evaluate(snapshots: Path, fetched: FetchResult, options: CheckOptions) -> Outcome:
    """Validate, keep last good records, apply the shrink guard, compare. Writes nothing.

    Three shortcuts decide "unchanged" before any analysis, while no record is rejected and
    the provider files on disk still hash as the snapshot's ``content_sha256``. Under the same
    settings, the report is the one ``_meta.json`` keeps (:func:`_quiet`) when the fetched
    body's bytes hash as ``upstream_sha256`` (nothing parsed), or when the parsed document
    hashes as ``upstream_document_sha256`` (:func:`document_hash`: the same document in other
    bytes, not validated again, since validation is a function of the document). Otherwise
    (``evaluation.measure``, loaded only now), when the validated catalog's canonical bytes
    hash as ``content_sha256``: no diff, no old catalog parsed, one catalog's inconsistencies.
    """
    inputs = _inputs(options)
    settled_ = settled(snapshots)
    if settled_ is not None:
        meta, stored_files_ = settled_
        same_body = quiet_report(meta, fetched.body, inputs.key, options.source_type)
        if (quiet := _quiet(meta, stored_files_, fetched, same_body)) is not None:
            return quiet
    document = document_of(fetched)
    hash_ = document_hash(document, fetched.body, inputs.key)
    if settled_ is not None:
        meta, stored_files_ = settled_
        same = hash_ is not None and meta.get("upstream_document_sha256") == hash_
        same_document = stored_report(meta, inputs.key, options.source_type) if same else None
        if (quiet := _quiet(meta, stored_files_, fetched, same_document)) is not None:
            return quiet
    measure: Callable[..., Outcome] = importlib.import_module(EVALUATION).measure
    return measure(snapshots, document, fetched, options, inputs, hash_, settled_)


EVALUATION = "catalog_watch.jobs.evaluation"
"""Validation, the last good records, the shrink guard, the comparison and the snapshot write,
with the adapters and the analysis: imported by name when the hashes leave "unchanged" open,
so that a run that fetched what its snapshot holds loads none of them."""


def _non_finite(body: bytes) -> bool:
    """Whether a NaN or an infinity stands where a JSON value goes (after ``:``, ``,`` or ``[``;
    in a string too at times, which only costs the shortcut). The words are rare: each is
    looked at where it occurs, not by a scan of every value."""
    for word in (b"NaN", b"Infinity"):
        at = body.find(word)
        while at != -1:
            before = at - 1
            while before >= 0 and body[before] in b" \t\r\n-":
                before -= 1
            if before >= 0 and body[before] in b":,[":
                return True
            at = body.find(word, at + 1)
    return False


def document_hash(document: JSON, body: bytes | None, key: str | None) -> str | None:
    """The hash of the fetched document's content (compact, keys sorted: key order and spacing
    do not count, a number's text does), for the next run to know the same document in other
    bytes. None when no report is kept (``key``), and when the encoding could hide what
    validation sees: a repeated key (the last one wins in the parse), NaN or an infinity (which
    orjson writes as null: found in the body's bytes), an int over 64 bits or a lone surrogate
    (which orjson refuses)."""
    if body is None or key is None or duplicates_in(document):
        return None
    if _non_finite(body):
        return None
    try:
        return sha256(orjson.dumps(document, default=as_written, option=orjson.OPT_SORT_KEYS))
    except orjson.JSONEncodeError:
        return None


@dataclass(frozen=True, slots=True)
class Inputs:
    """What decides a run's inconsistencies besides the catalog: models.json (fetched once per
    run) and ``key``, the hash an unchanged run's stored report is tied to (None: not kept,
    other sources' catalogs take part)."""

    index_fetch: FetchResult | None
    key: str | None


def _inputs(options: CheckOptions) -> Inputs:
    models_json = options.models_json
    index = None if models_json is None else fetch_catalog(models_json, parse=False)
    if options.compare_with:
        return Inputs(index, None)
    settings = options.config.inconsistencies
    basis = options.settings_source or {
        "inconsistencies": {
            f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
        },
        "ignore_fields": list(options.config.diff.ignore_fields),
    }
    body = None if index is None else index.body or b""
    return Inputs(index, settings_key(basis, body))


def _quiet(
    meta: Meta, files: dict[str, bytes], fetched: FetchResult, report: Report | None
) -> Outcome | None:
    """The unchanged outcome, with the report ``_meta.json`` keeps (``jobs/quiet.py``), for
    the body or the document the snapshot was written from; None without such a report."""
    if report is None:
        return None
    fresh: Meta = {**meta, "url": fetched.source, **provenance(fetched)}
    return Outcome(report, files, fresh, True, str(meta["content_sha256"]))


def provenance(fetched: FetchResult) -> Meta:
    return {"etag": fetched.validators.etag, "last_modified": fetched.validators.last_modified}
