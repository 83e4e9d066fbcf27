"""``deprecations``: the retirement dates of the catalogs, by date; ``--used`` keeps the models
the repository's code uses; ``--format ics`` writes the iCalendar feed (the ``site`` extra),
and a note on stderr for each unusable date it cannot hold (the other formats list it)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from catalog_watch.errors import ConfigError
from catalog_watch.inert.terminal import one_line
from catalog_watch.jobs.deprecation_alerts import default_catalogs, load_calendar
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.jobs.usage import repository_root, used_models
from catalog_watch.render.calendar import render_calendar
from catalog_watch.render.deprecations import Places, render_deprecations, unusable_words
from catalog_watch.settings.config import load_config
from catalog_watch.site.extra import require_ics
from catalog_watch.store.files import write_atomic


def deprecations(args: argparse.Namespace) -> int:
    """Print (or write to ``--output``) the calendar."""
    if args.format == "ics" and args.output is None:
        raise ConfigError(
            "--format ics writes a file (its lines end in CR LF, which the terminal guard "
            "would spell out): give --output FILE"
        )
    if args.format == "ics":
        require_ics()
    config = load_config(args.config)
    now = (args.now or datetime.now(UTC)).astimezone(UTC)
    root = repository_root(Path.cwd())
    paths = [Path(p) for p in args.catalog] if args.catalog else default_catalogs(root)
    index = model_index(args.models_json)
    calendar = load_calendar(paths, config, index, now.date())
    items = list(calendar.items)
    places: Places | None = None
    if args.used:
        used = used_models(root, config, calendar.catalogs[0], index)
        items = [item for item in items if used.is_used(item.provider, item.model_id)]
        places = {(i.provider, i.model_id): used.places_of(i.provider, i.model_id) for i in items}
    if args.format == "ics":
        data = render_calendar(
            items, stamp=args.now or calendar.as_of or _midnight(now), places=places
        )
        for item in items:
            if item.unusable is not None:
                print(f"catalog-watch: note: {one_line(unusable_words(item))}", file=sys.stderr)
    else:
        data = render_deprecations(items, args.format, today=now.date(), places=places).encode()
    if args.output is None:
        sys.stdout.write(data.decode())
    else:
        write_atomic(args.output, data)
    return 0


def _midnight(now: datetime) -> datetime:
    """The start of the day: a calendar made without data of its own time is the same all day."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)
