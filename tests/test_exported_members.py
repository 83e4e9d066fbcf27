"""The public API: ``catalog_watch.__all__`` is pinned here, and every name in it resolves.

In the style of encode/httpx's tests/test_exported_members.py: a name added to or removed from
the package's surface must be added to or removed from this list too, on purpose.
"""

from __future__ import annotations

import subprocess
import sys

import catalog_watch
from catalog_watch.errors import CatalogWatchError

PUBLIC = {
    # the jobs
    "check",
    "CheckOptions",
    "CheckResult",
    "run_job",
    "JobOptions",
    "JobResult",
    # the pure steps
    "diff_catalogs",
    "find_inconsistencies",
    "build_site",
    "SiteResult",
    # the records
    "Catalog",
    "Provider",
    "Change",
    "ChangeKind",
    "Severity",
    "Inconsistency",
    "ConsistencySettings",
    "Alert",
    # the errors
    "CatalogWatchError",
    "FetchError",
    "CatalogRejected",
    "ShrinkRefused",
    "ConfigError",
    "SourceNotFound",
    "MissingExtra",
    "SourceMismatch",
    "SnapshotError",
    "StateFileError",
    "UnfinishedRun",
    "RunInProgress",
    "GitError",
    "PushRejected",
    "StaleLease",
    "GitHubError",
    "SlackDeliveryError",
    "Unhealthy",
    "Interrupted",
    "__version__",
}
ERRORS = {name for name in PUBLIC if name.endswith("Error")} | {
    "CatalogRejected",
    "ShrinkRefused",
    "SourceNotFound",
    "MissingExtra",
    "SourceMismatch",
    "UnfinishedRun",
    "RunInProgress",
    "PushRejected",
    "StaleLease",
    "Unhealthy",
    "Interrupted",
}


def test_all_is_the_pinned_public_surface_without_repeats() -> None:
    assert set(catalog_watch.__all__) == PUBLIC
    assert len(catalog_watch.__all__) == len(PUBLIC)


def test_every_exported_name_resolves_and_is_listed_by_dir() -> None:
    for name in catalog_watch.__all__:
        assert getattr(catalog_watch, name) is not None, name
    assert set(dir(catalog_watch)) >= PUBLIC


def test_every_exported_member_is_defined_in_the_package() -> None:
    for name in catalog_watch.__all__:
        if name == "__version__":
            continue
        member = getattr(catalog_watch, name)
        assert member.__module__.startswith("catalog_watch."), name
        assert member.__name__ == name, name


def test_the_exported_errors_are_the_error_family() -> None:
    for name in ERRORS:
        error = getattr(catalog_watch, name)
        assert isinstance(error, type) and issubclass(error, CatalogWatchError), name
        assert isinstance(error.exit_code, int), name


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from catalog_watch import *", namespace)
    assert set(namespace) - {"__builtins__"} == PUBLIC


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(catalog_watch, "no_such_member")


def test_importing_the_package_imports_none_of_its_modules() -> None:
    """The names load on first use: ``import catalog_watch`` stays as cheap as the CLI needs."""
    script = (
        "import sys, catalog_watch\n"
        "print(sorted(m for m in sys.modules if m.startswith('catalog_watch.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
