"""``check`` when nothing changed, answered before the settings, analysis and Slack are imported.

The hourly check usually fetches the body it already has, or a 304. ``app.py`` runs
:func:`check` first (``app.FAST_PATHS``); it reads ``_meta.json`` and the provider files' hash
(``jobs/quiet.py``), and either prints the unchanged report or hands the fetched bytes on to the
full command (``cli/check_command.py``), which then does not fetch again. It answers only
where the snapshot folder is known without parsing the catalog: ``--snapshots``,
``--source-type``, or a URL; a local file of unknown type is recognised by the full command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from catalog_watch.errors import FetchError
from catalog_watch.jobs.quiet import (
    folder_that_stored,
    quiet_report,
    settings_key,
    settings_source,
    settled,
    source_of_url,
    stored_validators,
)
from catalog_watch.model.catalog import snapshot_folder
from catalog_watch.render.formats import RENDERERS
from catalog_watch.settings.defaults import SOURCE_URLS
from catalog_watch.sources.fetch import fetch_catalog, is_url


def check(args: argparse.Namespace) -> int | None:
    """The exit code when the catalog is unchanged or not modified; None for the full command,
    with what was fetched in ``args.fetched``."""
    if args.compare_with or args.models_json:
        return None  # other inputs decide the report: the full command reads them
    target = _target(args)
    settings = settings_source(args.config, args.ignore_field)
    found = settled(target[0]) if target is not None and settings is not None else None
    if target is None or settings is None or found is None:
        return None
    _, source, source_type = target
    meta = found[0]
    with local_catalog_hint(args):
        fetched = fetch_catalog(source, stored_validators(meta, source), parse=False)
    if fetched.not_modified:
        print(not_modified(source), file=aside(args))
        return 0
    report = quiet_report(meta, fetched.body, settings_key(settings, None), source_type)
    if report is None:
        args.fetched = fetched
        return None
    sys.stdout.write(RENDERERS[args.format](report))
    return 0


def _target(args: argparse.Namespace) -> tuple[Path, str, str | None] | None:
    """(snapshot folder, source, source type) as ``cli/options.check_options`` picks them, when
    known without parsing the catalog; a local file's type is not (its shape tells it)."""
    name = args.source_type
    if name is None and args.source is not None:
        if is_url(args.source):
            name = source_of_url(args.source) or folder_that_stored(args.source)
        elif not args.snapshots:
            return None
    kind = name or "models.dev"
    folder = Path(args.snapshots) if args.snapshots else Path(snapshot_folder(kind))
    return folder, args.source or SOURCE_URLS[kind], name


def not_modified(source: str) -> str:
    """What ``check`` says of a 304."""
    return f"{source}: not modified since the last snapshot (HTTP 304); nothing to do"


def aside(args: argparse.Namespace) -> TextIO:
    """Where text beside the report goes: stderr when stdout is a JSON document for ``jq``."""
    return sys.stderr if args.format == "json" else sys.stdout


@contextmanager
def local_catalog_hint(args: argparse.Namespace) -> Iterator[None]:
    """On a laptop, a failed fetch of the default URL (no network) says how to run on a file."""
    try:
        yield
    except FetchError as error:
        actions = os.environ.get("GITHUB_ACTIONS") == "true" or getattr(
            args, "github_actions", False
        )
        raise with_local_hint(error, default_source=args.source is None, actions=actions) from error


def with_local_hint(error: FetchError, *, default_source: bool, actions: bool) -> FetchError:
    if not default_source or actions:
        return error
    return FetchError(
        f"{error}; without network, --source FILE runs catalog-watch on a local catalog "
        "(a saved api.json)"
    )
