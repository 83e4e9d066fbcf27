"""One check of a source against its snapshot folder: the only place that sequences the I/O.

fetch → validate → keep last good records → shrink guard → diff and inconsistencies → report →
(with ``write``) the new snapshot. Every check that can refuse the catalog runs before anything
is written, so a failure leaves the snapshot folder byte for byte as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import orjson

from catalog_watch.accept.last_good import apply_last_good
from catalog_watch.accept.schema_drift import field_names
from catalog_watch.accept.shrink import check_shrink
from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.consistency import ModelIndex, load_model_index
from catalog_watch.errors import CatalogWatchError, SourceMismatch
from catalog_watch.jobs.quiet import (
    folder_that_stored,
    quiet_report,
    settings_key,
    settled,
    sha256,
    source_of_url,
    stored_report,
    stored_validators,
)
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS as SNAPSHOT_FOLDER
from catalog_watch.model.catalog import JSON, Catalog
from catalog_watch.model.json_text import as_written
from catalog_watch.model.meta import Meta
from catalog_watch.model.report import Report
from catalog_watch.settings.config import Config
from catalog_watch.sources.fetch import (
    FetchOptions,
    FetchResult,
    document_of,
    fetch_catalog,
    is_url,
)
from catalog_watch.sources.json_duplicates import duplicates_in
from catalog_watch.sources.models_dev import DEFAULT_URL
from catalog_watch.sources.registry import (
    detect_source_type,
    parse_source,
    source_type,
)
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.snapshot import (
    SNAPSHOT_FORMAT,
    WriteResult,
    content_hash,
    provider_files,
    read_meta,
    read_snapshot,
    write_snapshot,
)

DEFAULT_SNAPSHOTS = Path(SNAPSHOT_FOLDER)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    source: str = DEFAULT_URL
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
    written = write_snapshot(options.snapshots, outcome.files, outcome.meta)
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


def fetch_for(snapshots: Path, options: CheckOptions) -> FetchResult:
    """Fetch the source, conditionally on the validators stored with this snapshot folder.

    Reads ``_meta.json`` only: the provider files are read once, by :func:`evaluate`.
    """
    return fetch_since(read_meta(snapshots), options)


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
    the folder then refuses a catalog of another type, see :func:`check_folder_source`)."""

    source_type: str | None = None
    fetched: FetchResult | None = None  # a local file, read once: the check reuses it


def recognise(source: str, fetched: FetchResult | None = None) -> Recognised:
    """A source type's own URL, a URL some ``snapshots/<type>`` folder stored, or a local file's
    shape (``fetched``: the file already read). A file that cannot be read or parsed is left for
    the check to report."""
    if name := source_of_url(source):
        return Recognised(name, fetched)
    if is_url(source):
        return Recognised(folder_that_stored(source), fetched)
    try:
        fetched = fetch_catalog(source) if fetched is None else fetched
        document = document_of(fetched)
    except CatalogWatchError:
        return Recognised(fetched=fetched)
    return Recognised(detect_source_type(document).name, replace(fetched, document=document))


def check_folder_source(snapshots: Path, stored: JSON, found: str, options: CheckOptions) -> None:
    """Refuse a catalog of another source than the one the snapshot folder holds, before anything
    is compared or written (with ``--allow-shrink`` too: it would replace one with the other)."""
    expected = stored if isinstance(stored, str) else options.folder_source
    if expected is None or expected == found:
        return
    raise SourceMismatch(
        f"{options.source} is a {found} catalog, but {snapshots} holds a {expected} snapshot: "
        f"refused, nothing written. Pass --source-type {found} without --snapshots (its folder "
        f"is {source_type(found).snapshots}), or --snapshots with a folder of its own"
    )


def evaluate(snapshots: Path, fetched: FetchResult, options: CheckOptions) -> Outcome:
    """Validate, keep last good records, apply the shrink guard, compare. Writes nothing.

    Three shortcuts decide "unchanged" before any analysis, while no record is rejected and
    the provider files on disk still hash as the snapshot's ``content_sha256``. Under the same
    settings, the report is the one ``_meta.json`` keeps (:func:`_quiet`) when the fetched
    body's bytes hash as ``upstream_sha256`` (nothing parsed), or when the parsed document
    hashes as ``upstream_document_sha256`` (:func:`_document_hash`: the same document in other
    bytes, not validated again, since validation is a function of the document). Otherwise,
    when the validated catalog's canonical bytes hash as ``content_sha256``: no diff, no old
    catalog parsed, one catalog's inconsistencies.
    """
    inputs = _inputs(options)
    settled_ = settled(snapshots)
    if settled_ is None:
        document = document_of(fetched)
        hash_ = _document_hash(document, fetched.body, inputs)
        return _evaluate(snapshots, document, fetched, options, None, inputs, hash_)
    meta, stored_files_ = settled_
    same_body = quiet_report(meta, fetched.body, inputs.key, options.source_type)
    if (quiet := _quiet(meta, stored_files_, fetched, same_body)) is not None:
        return quiet
    document = document_of(fetched)
    hash_ = _document_hash(document, fetched.body, inputs)
    same = hash_ is not None and meta.get("upstream_document_sha256") == hash_
    same_document = stored_report(meta, inputs.key, options.source_type) if same else None
    if (quiet := _quiet(meta, stored_files_, fetched, same_document)) is not None:
        return quiet
    new = _parse_new(document, options)
    check_folder_source(snapshots, meta.get("source"), new.source, options)
    files = provider_files(new)
    if not new.rejections and content_hash(files) == meta.get("content_sha256"):
        fresh = snapshot_meta(new, files, fetched, fields=meta.get("fields"))
        if _same_content(meta, fresh):
            return _unchanged(new, files, meta, fresh, options, inputs)
    return _evaluate(snapshots, document, fetched, options, new, inputs, hash_)


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


def _document_hash(document: JSON, body: bytes | None, inputs: _Inputs) -> str | None:
    """The hash of the fetched document's content (compact, keys sorted: key order and spacing
    do not count, a number's text does), for the next run to know the same document in other
    bytes. None when no report is kept (``inputs.key``), and when the encoding could hide what
    validation sees: a repeated key (the last one wins in the parse), NaN or an infinity (which
    orjson writes as null: found in the body's bytes), an int over 64 bits or a lone surrogate
    (which orjson refuses)."""
    if body is None or inputs.key is None or duplicates_in(document):
        return None
    if _non_finite(body):
        return None
    try:
        return sha256(orjson.dumps(document, default=as_written, option=orjson.OPT_SORT_KEYS))
    except orjson.JSONEncodeError:
        return None


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What decides a run's inconsistencies besides the catalog: models.json (fetched once per
    run) and ``key``, the hash an unchanged run's stored report is tied to (None: not kept,
    other sources' catalogs take part)."""

    index_fetch: FetchResult | None
    key: str | None

    def index(self) -> ModelIndex | None:
        return None if self.index_fetch is None else load_model_index(document_of(self.index_fetch))


def _inputs(options: CheckOptions) -> _Inputs:
    index = fetch_catalog(options.models_json) if options.models_json is not None else None
    if options.compare_with:
        return _Inputs(index, None)
    settings = options.config.inconsistencies
    basis = options.settings_source or {
        "inconsistencies": {
            f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
        },
        "ignore_fields": list(options.config.diff.ignore_fields),
    }
    body = None if index is None else index.body or b""
    return _Inputs(index, settings_key(basis, body))


def _quiet(
    meta: Meta, files: dict[str, bytes], fetched: FetchResult, report: Report | None
) -> Outcome | None:
    """The unchanged outcome, with the report ``_meta.json`` keeps (``jobs/quiet.py``), for
    the body or the document the snapshot was written from; None without such a report."""
    if report is None:
        return None
    fresh: Meta = {**meta, "url": fetched.source, **_provenance(fetched)}
    return Outcome(report, files, fresh, True, str(meta["content_sha256"]))


def _unchanged(
    new: Catalog,
    files: dict[str, bytes],
    stored: Meta,
    meta: Meta,
    options: CheckOptions,
    inputs: _Inputs,
) -> Outcome:
    """The outcome :func:`_evaluate` reaches for the same content: no change, no drift, the
    inconsistencies of the catalog as they stand (those of both sides are the same), counted
    again only when ``_meta.json`` does not keep their number under these settings."""
    report = stored_report(stored, inputs.key, options.source_type)
    if report is None:
        others = [load_catalog(path, options.config) for path in options.compare_with]
        counted = compare(None, new, options.config, inputs.index(), others)
        report = replace(counted, old=counted.new)
    if "health" in stored:
        meta["health"] = stored["health"]
    hash_ = stored.get("content_sha256")
    return Outcome(report, files, meta, True, str(hash_))


def _parse_new(document: JSON, options: CheckOptions) -> Catalog:
    return parse_source(
        document,
        options.source_type,
        max_rejected_share=options.config.guard.max_rejected_share,
        where=options.source,
    )


def _evaluate(
    snapshots: Path,
    document: JSON,
    fetched: FetchResult,
    options: CheckOptions,
    parsed: Catalog | None,
    inputs: _Inputs,
    document_hash: str | None,
) -> Outcome:
    snapshot = read_snapshot(snapshots)
    guard = options.config.guard
    old = None
    if snapshot is not None:
        stored = snapshot.meta.get("source")
        name = stored if isinstance(stored, str) else options.source_type
        old = parse_source(snapshot.document, name, max_rejected_share=1.0, canonical=True)
    new = parsed if parsed is not None else _parse_new(document, options)
    stored_source = snapshot.meta.get("source") if snapshot is not None else None
    check_folder_source(snapshots, stored_source, new.source, options)
    new = apply_last_good(
        new,
        old,
        snapshot.meta.get("rejected") if snapshot is not None else None,
        now=options.now or datetime.now(UTC),
        guard=guard,
    )
    if old is not None and not options.allow_shrink:
        check_shrink(old, new, guard.max_shrink)
    others = [load_catalog(path, options.config) for path in options.compare_with]
    report = compare(old, new, options.config, inputs.index(), others)
    files = provider_files(new)
    meta = snapshot_meta(new, files, fetched)
    if inputs.key is not None and fetched.body is not None:
        meta["upstream_sha256"] = sha256(fetched.body)
        if document_hash is not None:
            meta["upstream_document_sha256"] = document_hash
        meta["unchanged_report"] = {
            "settings_sha256": inputs.key,
            "inconsistencies": report.current,
        }
    if snapshot is not None and "health" in snapshot.meta:
        meta["health"] = snapshot.meta["health"]  # carried over; the run updates it
    unchanged = (
        snapshot is not None and snapshot.files == files and _same_content(snapshot.meta, meta)
    )
    from_snapshot = "none"
    if snapshot is not None and old is not None:
        stored = snapshot.meta.get("content_sha256")
        from_snapshot = stored if isinstance(stored, str) else content_hash(provider_files(old))
    return Outcome(report, files, meta, unchanged, from_snapshot, new)


def snapshot_meta(
    catalog: Catalog, files: dict[str, bytes], fetched: FetchResult, *, fields: JSON = None
) -> Meta:
    """``_meta.json``: where the snapshot came from and what it holds (no timestamps: no churn).

    ``fields``: the field names when known already (the same content's), sparing their walk."""
    return {
        "format": SNAPSHOT_FORMAT,
        "source": catalog.source,
        "url": fetched.source,
        **_provenance(fetched),
        "content_sha256": content_hash(files),
        "counts": {
            "providers": len(catalog.providers),
            "offerings": catalog.offering_count,
            "rejected": len(catalog.rejections),
        },
        "fields": fields if fields is not None else field_names(catalog).to_json(),
        # each with first_seen and runs (last_good.py): a still-rejected value changes this entry
        # on every run, so the run writes _meta.json even when the content is the same
        "rejected": [rejection.to_json() for rejection in catalog.rejections],
    }


def _provenance(fetched: FetchResult) -> Meta:
    return {"etag": fetched.validators.etag, "last_modified": fetched.validators.last_modified}


_VOLATILE = {
    "etag",
    "last_modified",
    "url",
    "health",
    "upstream_sha256",
    "upstream_document_sha256",
    "unchanged_report",
}


def _same_content(old_meta: Meta, new_meta: Meta) -> bool:
    """Equal but for provenance, health and the unchanged run's shortcut: a new ETag, another
    spelling of the same body or new settings on the same content is not worth a commit."""
    return {k: v for k, v in old_meta.items() if k not in _VOLATILE} == {
        k: v for k, v in new_meta.items() if k not in _VOLATILE
    }


def model_index(models_json: str | None) -> ModelIndex | None:
    """models.dev's models.json (URL or file) when asked for; fetched once per run."""
    if models_json is None:
        return None
    return load_model_index(document_of(fetch_catalog(models_json)))
