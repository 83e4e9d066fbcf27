"""``diff`` without a config file: two catalogs in, the report out, without pydantic or httpx.

``app.FAST_PATHS`` runs :func:`diff_without_config` before the full command
(``cli/catalog_commands.diff``). With no ``--config``, no ``catalog-watch.toml`` in the working
folder and no ``--models-json`` (a URL to fetch), every setting the diff reads is a default, so
it runs the same pipeline (``store.catalog_files.read_catalog``, ``analysis.compare.compare``,
the ``--format`` renderer) with ``analysis.compare.DEFAULTS`` instead of the pydantic model, and
prints the same bytes (tests/test_diff_command.py runs both on the real catalogs). Otherwise it
answers None and the full command loads the settings. Both paths refuse two catalogs of
different sources with :func:`one_source`."""

from __future__ import annotations

import argparse
from pathlib import Path

from catalog_watch.analysis.compare import compare, default_settings
from catalog_watch.analysis.diff import DEFAULT_IGNORED_FIELDS
from catalog_watch.cli.report_options import ignored_fields, print_report
from catalog_watch.errors import ConfigError
from catalog_watch.model.catalog import Catalog
from catalog_watch.render.values import a_or_an
from catalog_watch.settings.defaults import DEFAULT_CONFIG_FILE
from catalog_watch.store.catalog_files import read_catalog


def diff_without_config(args: argparse.Namespace) -> int | None:
    """The exit code of ``diff`` when no setting comes from a file; None for the full command."""
    if args.config is not None or args.models_json is not None:
        return None
    if Path(DEFAULT_CONFIG_FILE).exists():  # as settings.config.load_config(None) looks
        return None
    old = read_catalog(Path(args.old), args.source_type)
    new = read_catalog(Path(args.new), args.source_type)
    one_source(args.old, old, args.new, new)
    settings = default_settings(ignored_fields(DEFAULT_IGNORED_FIELDS, args.ignore_field))
    print_report(compare(old, new, settings), args.format)
    return 0


def one_source(old_path: str, old: Catalog, new_path: str, new: Catalog) -> None:
    """``diff`` compares one source over time: between two sources every provider and offering
    would read as removed or added (``compare`` sets sources side by side)."""
    if old.source != new.source:
        raise ConfigError(
            f"{old_path} is {a_or_an(old.source)} catalog, but {new_path} is "
            f"{a_or_an(new.source)} catalog: "
            f"diff compares one source over time; to compare catalogs of different sources, "
            f"use compare"
        )
