"""Option merging: the command line and ``catalog-watch.toml`` → what a library call takes.

Printing a report and ``--ignore-field`` live in ``cli/report_options`` (re-exported here), which
``diff`` imports without this module's imports (the check job, httpx).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from catalog_watch.cli.report_options import ignored_fields
from catalog_watch.cli.report_options import print_report as print_report
from catalog_watch.jobs.check import CheckOptions, Recognised, recognise
from catalog_watch.jobs.quiet import source_hash
from catalog_watch.model.catalog import snapshot_folder
from catalog_watch.settings.config import Config, DiffSettings, read_config
from catalog_watch.settings.defaults import SOURCE_URLS


def with_ignored(config: Config, ignore: list[str] | None) -> Config:
    """``--ignore-field`` adds to the configured list; ``--ignore-field none`` empties it first."""
    if ignore is None:
        return config
    fields = ignored_fields(config.diff.ignore_fields, ignore)
    return dataclasses.replace(config, diff=DiffSettings(ignore_fields=fields))


def check_options(args: argparse.Namespace, *, write: bool) -> CheckOptions:
    """The options ``check`` and ``run`` share, from the command line and the config file."""
    # Without --source-type the default folder follows the type of --source (a LiteLLM file goes
    # to snapshots/litellm); a folder holding another source's snapshot refuses it (run.py).
    fetched = getattr(args, "fetched", None)  # cli/quiet_check's bytes, when it read them
    found = (
        recognise(args.source, fetched)
        if args.source and not args.source_type
        else Recognised(fetched=fetched)
    )
    kind = args.source_type or found.source_type or "models.dev"
    config, config_bytes = read_config(args.config)  # once: the settings and their hash agree
    return CheckOptions(
        source=args.source or SOURCE_URLS[kind],
        snapshots=Path(args.snapshots or snapshot_folder(kind)),
        source_type=args.source_type or found.source_type,
        folder_source=None if args.snapshots else kind,
        prefetched=found.fetched,
        compare_with=tuple(Path(p) for p in args.compare_with or ()),
        write=write,
        allow_shrink=args.allow_shrink,
        models_json=args.models_json,
        config=with_guard(with_ignored(config, args.ignore_field), args),
        now=getattr(args, "now", None),
        settings_source=source_hash(config_bytes, args.ignore_field),
    )


def with_guard(config: Config, args: argparse.Namespace) -> Config:
    if args.max_shrink is None:
        return config
    guard = dataclasses.replace(config.guard, max_shrink=args.max_shrink)
    return dataclasses.replace(config, guard=guard)
