"""``catalog-watch compare``: where sources disagree, in words, markdown or JSON."""

from __future__ import annotations

from collections.abc import Sequence

from catalog_watch.analysis.consistency import compare_inconsistencies
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.json_text import json_output
from catalog_watch.render.inconsistency_line import Markup, inconsistency_line


def render_comparison(
    catalogs: Sequence[Catalog],
    found: Sequence[Inconsistency],
    previous: Sequence[Inconsistency] | None,
    output_format: str,
) -> str:
    appeared, resolved = (
        compare_inconsistencies(previous, found) if previous is not None else ([], [])
    )
    sources = {
        c.source: {"providers": len(c.providers), "offerings": c.offering_count} for c in catalogs
    }
    if output_format == "json":
        body = {
            "sources": sources,
            "disagreements": [i.to_json() for i in found],
            "appeared": [i.to_json() for i in appeared],
            "resolved": [i.to_json() for i in resolved],
        }
        return json_output(body)
    names = ", ".join(sources)
    head = f"{len(found):,} disagreements between {names}"
    markup: Markup = "markdown" if output_format == "markdown" else "text"
    lines = [f"**{head}**", ""] if markup == "markdown" else [head]
    for title, items in (("new since the last comparison", appeared), ("resolved", resolved)):
        if items:
            lines += [
                "",
                f"{title} ({len(items)}):",
                *(inconsistency_line(i, markup) for i in items),
            ]
    if previous is not None:
        lines += ["", "all current disagreements:"]
    lines += [inconsistency_line(i, markup) for i in found]
    return terminal_lines(lines)
