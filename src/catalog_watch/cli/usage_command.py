"""``usage``: the models a repository's code calls, resolved against a catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_watch.errors import ConfigError
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.jobs.usage import repository_root, scan_and_resolve
from catalog_watch.render.usage import render_usage
from catalog_watch.settings.config import load_config
from catalog_watch.store.catalog_files import load_catalog


def usage(args: argparse.Namespace) -> int:
    """Scan PATH (default: the checkout the current folder is in) and print the report."""
    config = load_config(args.config)
    root = scanned_folder(args.path)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    scan, resolved = scan_and_resolve(root, config, catalog, model_index(args.models_json))
    sys.stdout.write(render_usage(resolved, args.format, scan))
    return 0


def scanned_folder(path: str | None) -> Path:
    """The folder PATH names, else the checkout of the current folder; a usage error (exit 2)
    for a PATH that is no folder, which would otherwise read as "0 model uses"."""
    if path is None:
        return repository_root(Path.cwd())
    folder = Path(path)
    try:
        if folder.is_dir():
            return folder
        there = folder.exists()
    except OSError as error:
        raise ConfigError(f"usage {path}: {error.strerror or error}") from error
    if there:
        raise ConfigError(
            f"usage {path}: a file, not a folder (PATH is the folder to scan; "
            "[usage] paths picks files in it)"
        )
    raise ConfigError(f"usage {path}: no such folder")
