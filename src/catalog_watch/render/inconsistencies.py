"""``catalog-watch inconsistencies``: the current disagreements of one catalog."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.json_text import json_output
from catalog_watch.render.inconsistency_line import inconsistency_line


def render_inconsistencies(
    found: Sequence[Inconsistency], output_format: str, total: int | None = None
) -> str:
    """``total``: how many there were before ``--severity``/``--provider``/``--model`` kept
    ``found`` (the header then reads ``3 of 1,494 inconsistencies``)."""
    if output_format == "json":
        body = {"inconsistencies": [item.to_json() for item in found]}
        return json_output(body)
    count = f"{len(found):,}" if total is None else f"{len(found):,} of {total:,}"
    counts = _by_severity(found)
    if output_format == "markdown":
        lines = [f"**{count} inconsistencies** ({counts})", ""]
        lines += [inconsistency_line(item, "markdown") for item in found]
    else:
        lines = [f"{count} inconsistencies ({counts})"]
        lines += [inconsistency_line(item) for item in found]
    return terminal_lines(lines)


def _by_severity(found: Sequence[Inconsistency]) -> str:
    """``3 high, 1 low``: most urgent first, as the list is."""
    seen = Counter(item.severity for item in found)
    ordered = sorted(seen, key=lambda severity: severity.rank)
    return ", ".join(f"{seen[severity]:,} {severity.value}" for severity in ordered)
