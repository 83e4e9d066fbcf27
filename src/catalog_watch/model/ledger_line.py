"""One line of the change ledger (``changes.jsonl``), typed.

A line is a change as ``--format json`` prints it (or an inconsistency that appeared or was
resolved) plus the run's stamp. It stays a plain dict, so a line reads back equal to what was
written and a key a later version adds rides along; ``store/ledger.py`` is its one writer and its
one parser, and checks every line against this type both ways.
"""

from __future__ import annotations

from typing import Required, TypedDict

from catalog_watch.model.catalog import JSONObject, JSONValue


class LedgerLine(TypedDict, total=False):
    """Every line has the stamp; the rest depends on ``kind``."""

    # the stamp of the run that appended it
    kind: Required[str]  # a ChangeKind value, or inconsistency_appeared / inconsistency_resolved
    source: Required[str]
    time: Required[str]  # UTC ``YYYY-MM-DDTHH:MM:SSZ``
    commit: Required[str | None]  # the commit whose snapshot the changes are measured from
    # a change (``Change.to_json``)
    provider: str
    model: str | None
    field: str | None
    old: JSONValue
    new: JSONValue  # a model_added line keeps only ``KEPT_OF_ADDED`` of the record
    severity: str
    change_pct: float | None
    added: list[str]
    removed: list[str]
    impact: list[JSONObject]
    usage_impact: str
    # an inconsistency (``Inconsistency.to_json``)
    id: str
    values: JSONObject
    inconsistency_kind: str
