"""The options ``diff``, ``check`` and ``run`` share: how a report is printed, ``--ignore-field``.

A module of its own so that each of them imports it without the others' modules: ``diff``'s
fast path no check job or httpx, ``run`` with nothing to do no comparison.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from catalog_watch.model.report import Report
from catalog_watch.render.formats import RENDERERS


def print_report(report: Report, output_format: str) -> None:
    sys.stdout.write(RENDERERS[output_format](report))


def ignored_fields(configured: Sequence[str], ignore: list[str] | None) -> tuple[str, ...]:
    """``--ignore-field`` adds to the configured list; ``--ignore-field none`` empties it first."""
    fields = list(configured)
    for name in ignore or ():
        fields = [] if name == "none" else [*fields, name]
    return tuple(fields)
