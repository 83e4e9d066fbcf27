"""``catalog-watch inconsistencies``: the current disagreements of one catalog."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from catalog_watch.consistency import Inconsistency
from catalog_watch.inert.markdown import code, text
from catalog_watch.inert.terminal import lines as terminal_lines


def render_inconsistencies(found: Sequence[Inconsistency], output_format: str) -> str:
    if output_format == "json":
        body = {"inconsistencies": [item.to_json() for item in found]}
        return json.dumps(body, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    by_severity = Counter(item.severity.value for item in found)
    counts = ", ".join(f"{count} {severity}" for severity, count in sorted(by_severity.items()))
    if output_format == "markdown":
        lines = [f"**{len(found):,} inconsistencies** ({counts})", ""]
        lines += [f"- **{i.severity.value}** {code(i.model)}: {text(i.describe())}" for i in found]
    else:
        lines = [f"{len(found):,} inconsistencies ({counts})"]
        lines += [f"[{i.severity.value}] {i.model}: {i.describe()}" for i in found]
    return terminal_lines(lines)
