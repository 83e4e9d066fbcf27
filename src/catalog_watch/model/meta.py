"""``_meta.json``, typed: where a snapshot came from, what it holds, and the watcher's health.

Plain dicts (a ``TypedDict``), so the file's canonical bytes stay what they were and a key a
later version adds rides along; ``store/snapshot.parse_meta`` is the one parser and checks every
key declared here.
"""

from __future__ import annotations

from typing import TypedDict

from catalog_watch.model.catalog import JSONObject, JSONValue


class HealthRecord(TypedDict, total=False):
    """``Health.to_json`` writes every key; an older file may lack some (each has a default)."""

    last_success: str | None
    last_change: str | None
    consecutive_failures: int
    failing_since: str | None
    last_error: str | None
    failure_alerted: bool


class UnchangedReport(TypedDict):
    """What the report of a run that fetches the same body again says, under the settings
    ``settings_sha256`` hashes (``jobs/check.py``): the providers and offerings are ``counts``."""

    settings_sha256: str
    inconsistencies: int  # how many the catalog holds now


class Meta(TypedDict, total=False):
    format: int
    source: str | None
    url: str | None
    etag: str | None  # the validators of the fetch, for the next conditional GET
    last_modified: str | None
    content_sha256: str | None
    upstream_sha256: str | None  # of the fetched body's bytes, as decoded: the same body again
    upstream_document_sha256: str | None  # of its document, compact and key-sorted: other bytes
    unchanged_report: UnchangedReport
    counts: dict[str, int]  # providers, offerings, rejected
    fields: JSONValue  # schema_drift.FieldNames.to_json: the field names seen
    rejected: list[JSONObject]  # Rejection.to_json, with first_seen and runs
    health: HealthRecord
