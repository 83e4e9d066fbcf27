"""Two catalogs → one report: the pure middle of the pipeline, shared by ``diff`` and ``check``.

Kept apart from ``run.py`` so that ``catalog-watch diff`` never imports the HTTP stack. It reads
three parts of the settings (:class:`CompareSettings`): ``settings.config.Config`` has them, and
so does :data:`DEFAULTS`, so a caller without a config file need not load pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from catalog_watch.accept.schema_drift import (
    SchemaDrift,
    compared_counts,
    drift_between,
    fields_appeared,
)
from catalog_watch.analysis.consistency import (
    ModelIndex,
    changed_groups,
    compare_inconsistencies,
    find_inconsistencies,
)
from catalog_watch.analysis.cross_source import disagreements
from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS, diff_catalogs
from catalog_watch.analysis.impact import cheapest_changes, with_cost_impact
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.report import CatalogCounts, Report
from catalog_watch.settings.costs import CostSettings
from catalog_watch.settings.inconsistencies import ConsistencySettings


class IgnoredFields(Protocol):
    @property
    def ignore_fields(self) -> Sequence[str]: ...


class CompareSettings(Protocol):
    """What :func:`compare` reads of the settings: ``[diff]``, ``[inconsistencies]``,
    ``[costs]``."""

    @property
    def diff(self) -> IgnoredFields: ...

    @property
    def inconsistencies(self) -> ConsistencySettings: ...

    @property
    def costs(self) -> CostSettings: ...


@dataclass(frozen=True, slots=True)
class _Diff:
    ignore_fields: tuple[str, ...] = DEFAULT_IGNORED_FIELDS


@dataclass(frozen=True, slots=True)
class _Defaults:
    diff: _Diff = field(default_factory=_Diff)
    inconsistencies: ConsistencySettings = field(default_factory=ConsistencySettings)
    costs: CostSettings = field(default_factory=CostSettings)


DEFAULTS: CompareSettings = _Defaults()
"""The settings :func:`compare` reads, as ``catalog-watch.toml`` leaves them when it has none
(tests/test_diff.py checks them against ``settings.config.load_config``'s defaults)."""


def default_settings(ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS) -> CompareSettings:
    """:data:`DEFAULTS` with other ``[diff] ignore_fields`` (``diff --ignore-field``)."""
    return _Defaults(diff=_Diff(ignore_fields=tuple(ignore_fields)))


def compare(
    old: Catalog | None,
    new: Catalog,
    config: CompareSettings,
    index: ModelIndex | None = None,
    others: Sequence[Catalog] = (),
) -> Report:
    """Changes, inconsistencies appeared/resolved and schema drift from ``old`` to ``new``.

    ``others``: catalogs of other sources; where they disagree with this one on a maker's
    offering is an inconsistency too, so new and resolved disagreements alert like the rest.
    """
    settings = config.inconsistencies
    found, across = find_inconsistencies(new, settings, index), _across(new, others)
    if old is None:
        return build_report(old, new, [], [], found + across)
    # Appeared and resolved come only from the groups a change touches: the rest find the same.
    keys = changed_groups(old, new, settings, index)
    old_found = find_inconsistencies(old, settings, index, keys) + _across(old, others)
    new_found = [i for i in found if i.model in keys] + across
    changes = diff_catalogs(old, new, config.diff.ignore_fields)
    changes = _with_costs(changes, old, new, settings, config, index)
    return build_report(old, new, changes, old_found, new_found, current=found + across)


def _with_costs(
    changes: list[Change],
    old: Catalog,
    new: Catalog,
    settings: ConsistencySettings,
    config: CompareSettings,
    index: ModelIndex | None,
) -> list[Change]:
    """Cost impact on price changes, plus ``cheapest_changed`` records."""
    if not any(c.kind in _COST_KINDS for c in changes):
        return changes
    priced = with_cost_impact(changes, old, new, config.costs)
    cheapest = cheapest_changes(changes, old, new, settings, config.costs, index)
    return sorted(priced + cheapest, key=lambda change: change.sort_key)


_COST_KINDS = frozenset(
    {ChangeKind.PRICE_CHANGED, ChangeKind.MODEL_ADDED, ChangeKind.MODEL_REMOVED}
)


def _across(catalog: Catalog, others: Sequence[Catalog]) -> list[Inconsistency]:
    if not others:
        return []
    return disagreements([catalog, *others])


def build_report(
    old: Catalog | None,
    new: Catalog,
    changes: Sequence[Change],
    old_inconsistencies: Sequence[Inconsistency],
    new_inconsistencies: Sequence[Inconsistency],
    notes: Sequence[str] = (),
    current: Sequence[Inconsistency] | None = None,
) -> Report:
    """Assemble the report; on a first run (``old`` is None) nothing counts as appeared.

    ``current``: every inconsistency of ``new`` when the two lists hold only the groups a change
    touched (``compare``); by default ``new_inconsistencies`` is every one."""
    if old is None:
        appeared: list[Inconsistency] = []
        resolved: list[Inconsistency] = []
        drift = SchemaDrift((), ())
    else:
        appeared, resolved = compare_inconsistencies(old_inconsistencies, new_inconsistencies)
        offerings, providers = compared_counts(old, new)
        drift = replace(
            drift_between(old, new),
            appeared_on=fields_appeared(changes, offerings=offerings, providers=providers),
        )
    return Report(
        source=new.source,
        changes=tuple(changes),
        appeared=tuple(appeared),
        resolved=tuple(resolved),
        current=len(new_inconsistencies if current is None else current),
        drift=drift,
        old=CatalogCounts.of(old) if old is not None else None,
        new=CatalogCounts.of(new),
        rejections=new.rejections,
        notes=tuple(notes),
        accepted=new.accepted,
        warnings=new.warnings,
    )
