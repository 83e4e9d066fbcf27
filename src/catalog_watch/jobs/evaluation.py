"""What follows a parse: validate, keep last good records, apply the shrink guard, compare.

``jobs/check.py`` imports this by name (``check.EVALUATION``) once the hashes leave "unchanged"
open: with it come the adapters, the analysis and the snapshot writer, which an hourly run that
fetched what its snapshot holds never loads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from catalog_watch.accept.last_good import apply_last_good
from catalog_watch.accept.schema_drift import field_names
from catalog_watch.accept.shrink import check_shrink
from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.consistency import ModelIndex, load_model_index
from catalog_watch.errors import CatalogWatchError, SourceMismatch, SourceNotFound
from catalog_watch.jobs.check import CheckOptions, Inputs, Outcome, Recognised, provenance
from catalog_watch.jobs.quiet import sha256, stored_report
from catalog_watch.model.catalog import JSON, Catalog
from catalog_watch.model.meta import Meta
from catalog_watch.render.values import a_or_an
from catalog_watch.sources.fetch import FetchResult, document_of, fetch_catalog
from catalog_watch.sources.registry import (
    detect_source_type,
    parse_source,
    read_models_json,
    source_type,
)
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.snapshot import (
    SNAPSHOT_FORMAT,
    content_hash,
    provider_files,
    read_snapshot,
)
from catalog_watch.store.snapshot import write_snapshot as write_snapshot

__all__ = ["measure", "model_index", "recognise_document", "snapshot_meta", "write_snapshot"]


def recognise_document(fetched: FetchResult) -> Recognised:
    """A local file's source type, from its document's shape (None when it does not parse)."""
    try:
        document = document_of(fetched)
    except CatalogWatchError:
        return Recognised(fetched=fetched)
    return Recognised(detect_source_type(document).name, replace(fetched, document=document))


def measure(
    snapshots: Path,
    document: JSON,
    fetched: FetchResult,
    options: CheckOptions,
    inputs: Inputs,
    document_hash: str | None,
    settled: tuple[Meta, dict[str, bytes]] | None,
) -> Outcome:
    """``check.evaluate`` past its hash shortcuts. In a :func:`~catalog_watch.jobs.quiet.settled`
    folder, the validated catalog whose canonical bytes hash as ``content_sha256`` is the same
    content: no diff, no old catalog parsed, one catalog's inconsistencies."""
    if settled is None:
        return _evaluate(snapshots, document, fetched, options, None, inputs, document_hash)
    meta = settled[0]
    new = _parse_new(document, options)
    check_folder_source(snapshots, meta.get("source"), new.source, options)
    files = provider_files(new)
    if not new.rejections and content_hash(files) == meta.get("content_sha256"):
        fresh = snapshot_meta(new, files, fetched, fields=meta.get("fields"))
        if _same_content(meta, fresh):
            return _unchanged(new, files, meta, fresh, options, inputs)
    return _evaluate(snapshots, document, fetched, options, new, inputs, document_hash)


def check_folder_source(snapshots: Path, stored: JSON, found: str, options: CheckOptions) -> None:
    """Refuse a catalog of another source than the one the snapshot folder holds, before anything
    is compared or written (with ``--allow-shrink`` too: it would replace one with the other)."""
    expected = stored if isinstance(stored, str) else options.folder_source
    if expected is None or expected == found:
        return
    raise SourceMismatch(
        f"{options.source} is {a_or_an(found)} catalog, but {snapshots} holds "
        f"{a_or_an(expected)} snapshot: "
        f"refused, nothing written. Pass --source-type {found} without --snapshots (its folder "
        f"is {source_type(found).snapshots}), or --snapshots with a folder of its own"
    )


def _unchanged(
    new: Catalog,
    files: dict[str, bytes],
    stored: Meta,
    meta: Meta,
    options: CheckOptions,
    inputs: Inputs,
) -> Outcome:
    """The outcome :func:`_evaluate` reaches for the same content: no change, no drift, the
    inconsistencies of the catalog as they stand (those of both sides are the same), counted
    again only when ``_meta.json`` does not keep their number under these settings."""
    report = stored_report(stored, inputs.key, options.source_type)
    if report is None:
        others = [load_catalog(path, options.config) for path in options.compare_with]
        counted = compare(None, new, options.config, _index(inputs), others)
        report = replace(counted, old=counted.new)
    elif new.warnings:  # the kept report has none: they are the catalog just parsed
        report = replace(report, warnings=new.warnings)
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
    inputs: Inputs,
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
    index = _index(inputs)
    report = compare(old, new, options.config, index, others)
    if old is not None and old.rejections:
        report = replace(report, notes=(*report.notes, *_read_as_absent(old)))
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
    return Outcome(report, files, meta, unchanged, from_snapshot, new, index)


def _read_as_absent(old: Catalog) -> list[str]:
    """A stored record that no longer validates (a hand edit, or a check newer than the version
    that wrote it) is read as absent, so the diff may call its model added: said, not silent."""
    return [f"the snapshot's {r.where}: {r.reason}; read as absent" for r in old.rejections]


def snapshot_meta(
    catalog: Catalog, files: dict[str, bytes], fetched: FetchResult, *, fields: JSON = None
) -> Meta:
    """``_meta.json``: where the snapshot came from and what it holds (no timestamps: no churn).

    ``fields``: the field names when known already (the same content's), sparing their walk."""
    return {
        "format": SNAPSHOT_FORMAT,
        "source": catalog.source,
        "url": fetched.source,
        **provenance(fetched),
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
    """models.dev's models.json (URL or file) when asked for. A run's check fetches it once and
    hands its copy on (``Outcome.index``); the reminders of a run that wrote no catalog, and the
    commands but ``run``, fetch it here."""
    if models_json is None:
        return None
    try:
        fetched = fetch_catalog(models_json, parse=False)
    except SourceNotFound:
        raise SourceNotFound(f"--models-json file {models_json} does not exist") from None
    return load_model_index(read_models_json(fetched))


def _index(inputs: Inputs) -> ModelIndex | None:
    fetched = inputs.index_fetch
    return None if fetched is None else load_model_index(read_models_json(fetched))
