"""``--format json``: one object, keys sorted, for outside tools and the later pipeline steps."""

from __future__ import annotations

import json

from catalog_watch.report import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
