"""catalog-watch: watch the LLM model catalog for price, limit and capability changes.

The public API, for a program that calls catalog-watch instead of running its command:

- ``check(CheckOptions(...)) -> CheckResult``: fetch, validate and compare one catalog with the
  stored snapshot (what ``catalog-watch check`` does);
- ``run_job(JobOptions(...)) -> JobResult``: ``catalog-watch run`` (dry-run, commit and
  pull-request mode);
- ``diff_catalogs(old, new)`` → ``Change`` records; ``find_inconsistencies(catalog)`` →
  ``Inconsistency`` records;
- ``build_site(out_dir, snapshots=...)`` → ``SiteResult`` (needs the ``site`` extra);
- the records ``Catalog``, ``Provider``, ``Change``, ``ChangeKind``, ``Severity``,
  ``Inconsistency``, ``ConsistencySettings``, ``Alert``;
- the errors: ``CatalogWatchError`` and its subclasses, each with its ``exit_code``.

Everything else is internal and may move. The names are imported on first use (PEP 562), so
``import catalog_watch`` (and so the command's start-up) loads none of the modules behind them.
``run`` and ``diff`` are not exported under those names: they are submodules' names, and
importing a submodule sets the package attribute of its name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from catalog_watch.analysis.consistency import (
        ConsistencySettings,
        Inconsistency,
        find_inconsistencies,
    )
    from catalog_watch.analysis.diff import diff_catalogs
    from catalog_watch.errors import (
        CatalogRejected,
        CatalogWatchError,
        ConfigError,
        FetchError,
        GitError,
        GitHubError,
        Interrupted,
        MissingExtra,
        PushRejected,
        RunInProgress,
        ShrinkRefused,
        SlackDeliveryError,
        SnapshotError,
        SourceMismatch,
        SourceNotFound,
        StaleLease,
        StateFileError,
        UnfinishedRun,
        Unhealthy,
    )
    from catalog_watch.jobs.check import CheckOptions, CheckResult, check
    from catalog_watch.jobs.run import JobOptions, JobResult, run_job
    from catalog_watch.model.alerts import Alert
    from catalog_watch.model.catalog import Catalog, Provider
    from catalog_watch.model.changes import Change, ChangeKind
    from catalog_watch.model.severity import Severity
    from catalog_watch.site.build import SiteResult, build_site

# Public name → the module that defines it.
_ORIGINS = {
    "Alert": "catalog_watch.model.alerts",
    "Catalog": "catalog_watch.model.catalog",
    "CatalogRejected": "catalog_watch.errors",
    "CatalogWatchError": "catalog_watch.errors",
    "Change": "catalog_watch.model.changes",
    "ChangeKind": "catalog_watch.model.changes",
    "check": "catalog_watch.jobs.check",
    "CheckOptions": "catalog_watch.jobs.check",
    "CheckResult": "catalog_watch.jobs.check",
    "ConfigError": "catalog_watch.errors",
    "ConsistencySettings": "catalog_watch.analysis.consistency",
    "diff_catalogs": "catalog_watch.analysis.diff",
    "FetchError": "catalog_watch.errors",
    "find_inconsistencies": "catalog_watch.analysis.consistency",
    "GitError": "catalog_watch.errors",
    "GitHubError": "catalog_watch.errors",
    "Inconsistency": "catalog_watch.analysis.consistency",
    "Interrupted": "catalog_watch.errors",
    "JobOptions": "catalog_watch.jobs.run",
    "JobResult": "catalog_watch.jobs.run",
    "MissingExtra": "catalog_watch.errors",
    "Provider": "catalog_watch.model.catalog",
    "PushRejected": "catalog_watch.errors",
    "RunInProgress": "catalog_watch.errors",
    "run_job": "catalog_watch.jobs.run",
    "Severity": "catalog_watch.model.severity",
    "ShrinkRefused": "catalog_watch.errors",
    "SiteResult": "catalog_watch.site.build",
    "build_site": "catalog_watch.site.build",
    "SlackDeliveryError": "catalog_watch.errors",
    "SnapshotError": "catalog_watch.errors",
    "SourceMismatch": "catalog_watch.errors",
    "SourceNotFound": "catalog_watch.errors",
    "StaleLease": "catalog_watch.errors",
    "StateFileError": "catalog_watch.errors",
    "UnfinishedRun": "catalog_watch.errors",
    "Unhealthy": "catalog_watch.errors",
}

__all__ = [
    "Alert",
    "Catalog",
    "CatalogRejected",
    "CatalogWatchError",
    "Change",
    "ChangeKind",
    "CheckOptions",
    "CheckResult",
    "ConfigError",
    "ConsistencySettings",
    "FetchError",
    "GitError",
    "GitHubError",
    "Inconsistency",
    "Interrupted",
    "JobOptions",
    "JobResult",
    "MissingExtra",
    "Provider",
    "PushRejected",
    "RunInProgress",
    "Severity",
    "ShrinkRefused",
    "SiteResult",
    "SlackDeliveryError",
    "SnapshotError",
    "SourceMismatch",
    "SourceNotFound",
    "StaleLease",
    "StateFileError",
    "UnfinishedRun",
    "Unhealthy",
    "__version__",
    "build_site",
    "check",
    "diff_catalogs",
    "find_inconsistencies",
    "run_job",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562); the value is then cached."""
    origin = _ORIGINS.get(name)
    if origin is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(origin), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_ORIGINS})
