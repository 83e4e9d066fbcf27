"""The report of one comparison: changes, inconsistencies, schema drift, rejected records.

Every output format (text, markdown, JSON, and later Slack and the PR body) renders this one value,
so they cannot disagree on a number. ``changes`` holds every change (the ledger and the JSON report
list them all); ``listed`` leaves out those a schema note stands for (a field that appeared on
many records at once, ``schema.fields_appeared``): what the reports, alerts and PR body show.
``warnings`` are the new catalog's values its adapter accepted with a note (a price written as a
string): shown in every format, never a change or an alert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog_watch.accept.schema_drift import SchemaDrift
from catalog_watch.model.catalog import JSON, Accepted, Catalog, Rejection
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.severity import Severity


@dataclass(frozen=True, slots=True)
class CatalogCounts:
    providers: int
    offerings: int

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogCounts:
        return cls(len(catalog.providers), catalog.offering_count)


@dataclass(frozen=True, slots=True)
class Report:
    source: str
    changes: tuple[Change, ...]
    appeared: tuple[Inconsistency, ...]
    resolved: tuple[Inconsistency, ...]
    current: int  # how many inconsistencies the new catalog has (the findings are not kept)
    drift: SchemaDrift
    old: CatalogCounts | None
    new: CatalogCounts
    rejections: tuple[Rejection, ...] = ()
    notes: tuple[str, ...] = field(default=())
    accepted: tuple[Accepted, ...] = ()  # rejected values taken as upstream's decision this run
    warnings: tuple[Rejection, ...] = ()  # the new catalog's; sorted by provider, model, field
    _listed: tuple[Change, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every renderer asks for ``listed`` (each count, each section): it is sorted out once.
        drift, changes = self.drift, self.changes
        listed = tuple(c for c in changes if not drift.folds(c)) if drift.appeared_on else changes
        object.__setattr__(self, "_listed", listed)
        object.__setattr__(self, "warnings", tuple(sorted(self.warnings, key=_warning_order)))

    @property
    def first_run(self) -> bool:
        return self.old is None

    @property
    def listed(self) -> tuple[Change, ...]:
        """The changes shown one by one: all but those a schema note stands for."""
        return self._listed

    @property
    def max_severity(self) -> Severity | None:
        return _most_severe(self.listed, self.appeared)

    def count(self, kind: ChangeKind) -> int:
        """How many changes of ``kind`` are listed (those a schema note stands for are not)."""
        return sum(1 for change in self.listed if change.kind is kind)

    def summary(self) -> dict[str, JSON]:
        kinds = Counter(change.kind for change in self.changes)
        severities = Counter(change.severity for change in self.changes)
        prices = [c for c in self.changes if c.kind is ChangeKind.PRICE_CHANGED]
        most = self.max_severity
        return {
            "source": self.source,
            "first_run": self.first_run,
            "changes": len(self.changes),
            "by_kind": dict(sorted((kind.value, n) for kind, n in kinds.items())),
            "by_severity": {s.value: severities[s] for s in Severity if severities[s]},
            "price_increases": sum(1 for c in prices if (c.change_pct or 0) > 0),
            "price_decreases": sum(1 for c in prices if (c.change_pct or 0) < 0),
            "max_severity": most.value if most else None,
            "providers": {
                "old": self.old.providers if self.old else None,
                "new": self.new.providers,
            },
            "offerings": {
                "old": self.old.offerings if self.old else None,
                "new": self.new.offerings,
            },
            "rejected": len(self.rejections),
            "accepted": len(self.accepted),
            "warnings": len(self.warnings),
        }

    def to_json(self) -> dict[str, JSON]:
        """The ``--format json`` object; its shape is part of the CLI contract."""
        return {
            "changes": [change.to_json() for change in self.changes],
            "inconsistencies": {
                "appeared": [i.to_json() for i in self.appeared],
                "resolved": [i.to_json() for i in self.resolved],
                "current": self.current,
            },
            "schema_drift": self.drift.to_json(),
            "rejected": [rejection.to_json() for rejection in self.rejections],
            "accepted": [accepted.to_json() for accepted in self.accepted],
            "warnings": [warning.to_json() for warning in self.warnings],
            "summary": self.summary(),
        }


def _warning_order(warning: Rejection) -> tuple[str, str, str]:
    """The same order on every run, whatever order the adapter met them in."""
    return (warning.provider, warning.model or "", warning.field)


def _most_severe(changes: Sequence[Change], found: Sequence[Inconsistency]) -> Severity | None:
    present = {change.severity for change in changes} | {item.severity for item in found}
    return min(present, key=lambda severity: severity.rank) if present else None
