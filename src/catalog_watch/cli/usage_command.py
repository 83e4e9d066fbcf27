"""``usage``: the models a repository's code calls, resolved against a catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_watch.jobs.evaluation import model_index
from catalog_watch.jobs.usage import repository_root, scan_and_resolve
from catalog_watch.render.usage import render_usage
from catalog_watch.settings.config import load_config
from catalog_watch.store.catalog_files import load_catalog


def usage(args: argparse.Namespace) -> int:
    """Scan PATH (default: the checkout the current folder is in) and print the report."""
    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    root = Path(args.path) if args.path is not None else repository_root(Path.cwd())
    scan, resolved = scan_and_resolve(root, config, catalog, model_index(args.models_json))
    sys.stdout.write(render_usage(resolved, args.format, scan))
    return 0
