"""Ledger lines → runs: the records one run appended, in the order the site shows them.

A run is every record with the same ``time`` and ``commit`` (``job.apply_run`` stamps all lines
of a run alike). Runs are newest first. Inside a run the rows follow the headline's order of
kinds (price changes first, inconsistencies last), then severity (high first), then the ledger's
own order (provider, model, field): a truncated page keeps the rows that matter most.

The run's title is the run's commit message (``render.pull_request.commit_message``), rebuilt
from its records, so the site, the feed and the git log say the same thing; it is made when a
page asks for it (a rebuild shows few runs). Each record has a :func:`digest.token` and the run a
digest of them all: what a page's input digest is made of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from catalog_watch.accept.schema_drift import SchemaDrift
from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.inconsistency import Inconsistency, inconsistency_kind
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.report import CatalogCounts, Report
from catalog_watch.model.severity import Severity
from catalog_watch.model.timestamps import read_stamp, utc_stamp
from catalog_watch.render.pull_request import commit_message
from catalog_watch.site.digest import digest, token

Record = LedgerLine
APPEARED, RESOLVED = "inconsistency_appeared", "inconsistency_resolved"
KIND_ORDER: tuple[str, ...] = (
    "price_changed",
    "limit_changed",
    "capability_changed",
    "modality_changed",
    "status_changed",
    "model_added",
    "model_removed",
    "provider_added",
    "provider_removed",
    "provider_changed",
    "cheapest_changed",
    "metadata_changed",
    APPEARED,
    RESOLVED,
)
SEVERITIES: tuple[str, ...] = tuple(severity.value for severity in Severity)


@dataclass(frozen=True)
class Run:
    """One run's records (display order) with their tokens, when it happened, and what its
    commit message says."""

    time: datetime
    commit: str | None
    source: str
    records: tuple[Record, ...]
    tokens: tuple[bytes, ...]  # each record's token, in the same order
    digest: str  # of the time, the commit and every token
    appeared: int = 0
    resolved: int = 0

    @cached_property
    def title(self) -> str:
        return commit_message(_report(self.source, self.records))

    @property
    def stamp(self) -> str:
        return utc_stamp(self.time)

    @property
    def anchor(self) -> str:
        """``run-20261125T101700Z-1a2b3c4d5e6f``: an HTML id and the run page's file name."""
        short = (self.commit or "none")[:12]
        safe = "".join(c if c.isalnum() else "-" for c in short)
        return f"run-{self.time:%Y%m%dT%H%M%SZ}-{safe}"

    @property
    def heading(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} UTC"

    def inconsistency_counts(self) -> str:
        """``2 inconsistencies appeared, 1 resolved`` (empty when none did)."""
        appeared, resolved = self.appeared, self.resolved
        parts = []
        if appeared:
            noun = "inconsistency" if appeared == 1 else "inconsistencies"
            parts.append(f"{appeared:,} {noun} appeared")
        if resolved:
            noun = "" if parts else (" inconsistency" if resolved == 1 else " inconsistencies")
            parts.append(f"{resolved:,}{noun} resolved")
        return ", ".join(parts)


def parse_time(value: JSON) -> datetime | None:
    """A ledger ``time`` as an aware UTC datetime, None when missing or unreadable."""
    return read_stamp(value)


def group_runs(records: Iterable[Record]) -> list[Run]:
    """Runs, newest first; records without a readable ``time`` are left out."""
    grouped: dict[tuple[datetime, str | None], list[Record]] = {}
    moments: dict[str, datetime | None] = {}  # a run's lines share one stamp: read it once
    for record in records:
        stamp = record.get("time")
        if isinstance(stamp, str):
            if stamp not in moments:
                moments[stamp] = parse_time(stamp)
            moment = moments[stamp]
        else:
            moment = parse_time(stamp)
        if moment is None:
            continue
        commit = record.get("commit")
        key = (moment, commit if isinstance(commit, str) else None)
        grouped.setdefault(key, []).append(record)
    runs = [_run(moment, commit, items) for (moment, commit), items in grouped.items()]
    return sorted(runs, key=lambda run: (run.time, run.commit or ""), reverse=True)


def _run(moment: datetime, commit: str | None, items: list[Record]) -> Run:
    ordered = sorted(enumerate(items), key=lambda pair: display_key(pair[1], pair[0]))
    records = tuple(record for _, record in ordered)
    source = next((str(r["source"]) for r in records if isinstance(r.get("source"), str)), "")
    tokens = tuple(map(token, records))
    hashed = digest(utc_stamp(moment), commit, b"".join(tokens))
    appeared = sum(1 for r in records if r.get("kind") == APPEARED)
    resolved = sum(1 for r in records if r.get("kind") == RESOLVED)
    return Run(moment, commit, source or "models.dev", records, tokens, hashed, appeared, resolved)


_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_KINDS = {kind.value: kind for kind in ChangeKind}
_SEVERITY = {severity.value: severity for severity in Severity}


def display_key(record: Record, position: int) -> tuple[int, int, int]:
    kind_rank = _KIND_RANK.get(str(record.get("kind")), len(KIND_ORDER))
    severity_rank = _SEVERITY_RANK.get(str(record.get("severity")), len(SEVERITIES))
    return kind_rank, severity_rank, position


def _report(source: str, records: Sequence[Record]) -> Report:
    """Just enough of a report for the headline (``render.headline``): the changes it counts;
    the inconsistencies have their own line (:meth:`Run.inconsistency_counts`)."""
    changes = tuple(c for c in map(change_of, records) if c is not None)
    counts = CatalogCounts(0, 0)
    return Report(source, changes, (), (), 0, SchemaDrift((), ()), counts, counts)


def change_of(record: Record) -> Change | None:
    """The change a ledger line records, None for an inconsistency or an unknown kind."""
    kind = _KINDS.get(str(record.get("kind")))
    severity = _SEVERITY.get(str(record.get("severity")))
    if kind is None or severity is None:
        return None
    model, field, pct = record.get("model"), record.get("field"), record.get("change_pct")
    return Change(  # positional: a title reads thousands of these
        kind,
        str(record.get("provider") or ""),
        model if isinstance(model, str) else None,
        field if isinstance(field, str) else None,
        record.get("old"),
        record.get("new"),
        severity,
        float(pct) if isinstance(pct, int | float) else None,
        _strings(record.get("added")),
        _strings(record.get("removed")),
    )


def finding_of(record: Record) -> Inconsistency | None:
    """The inconsistency an ``inconsistency_appeared``/``_resolved`` line records."""
    values, severity = record.get("values"), record.get("severity")
    kind = inconsistency_kind(record.get("inconsistency_kind"))
    if not isinstance(values, Mapping) or severity not in SEVERITIES or kind is None:
        return None
    return Inconsistency(
        id=str(record.get("id") or ""),
        kind=kind,
        model=str(record.get("model") or ""),
        field=str(record.get("field") or ""),
        values=dict(values),
        severity=Severity(str(severity)),
    )


def _strings(value: JSON) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()
