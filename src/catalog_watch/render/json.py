"""``--format json``: one object, keys sorted, for outside tools and the later pipeline steps."""

from __future__ import annotations

from catalog_watch.model.json_text import json_output
from catalog_watch.model.report import Report


def render_json(report: Report) -> str:
    """Compact, on one line: the C encoder is three times faster than the indenting one."""
    return json_output(report.to_json())
