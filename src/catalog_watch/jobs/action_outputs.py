"""What ``catalog-watch run`` tells the GitHub Actions runner: outputs, summary, annotations.

The runner side (file formats, escaping) is ``actions.py``; this module decides the content.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from catalog_watch.analysis.watch_rules import muted_inconsistency
from catalog_watch.jobs.run import JobResult
from catalog_watch.model.report import Report
from catalog_watch.publish.actions import ActionsRuntime
from catalog_watch.render.headline import drift_words
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.settings.config import Mute


def job_outputs(
    result: JobResult, *, changes_json: Path | None, report_markdown: Path | None
) -> dict[str, str]:
    report = result.report
    pull = result.pull.pull if result.pull is not None else None
    changed = result.applied is not None and bool(result.applied.paths)
    return {
        "changed": "true" if changed else "false",
        "change-count": str(len(report.changes)) if report else "0",
        "max-severity": _max_severity(report),
        "changes-json": str(changes_json) if changes_json else "",
        "report-markdown": str(report_markdown) if report_markdown else "",
        "pr-number": str(pull.number) if pull else "",
        "pr-url": pull.url if pull else "",
        "commit-sha": result.commit_sha or "",
    }


def annotate(runtime: ActionsRuntime, report: Report, *, mutes: Sequence[Mute] = ()) -> None:
    """Warnings for what a maintainer should look at: schema drift, rejected records, new
    inconsistencies, in that order (the runtime keeps all of a step's annotations in budget).
    An inconsistency one of ``mutes`` silences (``policy.active_mutes``) is not annotated: it
    was acknowledged."""
    if report.drift:
        runtime.warning(drift_words(report.drift), title=f"{report.source} schema drift")
    for rejection in report.rejections:
        runtime.warning(str(rejection), title="Record rejected, last good value kept")
    for item in report.appeared:
        if muted_inconsistency(item, mutes):
            continue
        runtime.warning(describe(item), title=f"New inconsistency: {item.model}")


def _max_severity(report: Report | None) -> str:
    severity = report.max_severity if report else None
    return severity.value if severity else "none"
