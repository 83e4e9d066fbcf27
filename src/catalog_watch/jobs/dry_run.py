"""``run --mode dry-run``: the run applied to a scratch copy; what would be committed and sent."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from catalog_watch.inert.terminal import one_line, shown
from catalog_watch.jobs.delivery import preview_pending
from catalog_watch.jobs.pull_request import fitted_body
from catalog_watch.jobs.steps import Applied, JobOptions, JobResult, apply_run
from catalog_watch.model.json_text import json_output
from catalog_watch.model.links import Links
from catalog_watch.render.pull_request import pull_labels, pull_title
from catalog_watch.sources.fetch import FetchResult


def dry_run(fetched: FetchResult, options: JobOptions) -> JobResult:
    with tempfile.TemporaryDirectory(prefix="catalog-watch-dry-run-") as scratch:
        root = Path(scratch)
        source = options.repo / options.check.snapshots
        if source.is_dir():
            shutil.copytree(source, root / options.check.snapshots)
        if fetched.not_modified:
            applied = None
            written: list[str] = []
        else:
            applied = apply_run(root, fetched, options, None)
            written = _changed_files(source, root / options.check.snapshots)
        payloads = preview_pending(root / options.check.snapshots, Links())
    lines = ["dry run: nothing was written, committed, pushed or sent."]
    lines += _commit_preview(applied, written, options) + _slack_preview(payloads, options)
    report = applied.report if applied else None
    return JobResult(
        report=report,
        not_modified=fetched.not_modified,
        applied=applied,
        preview="\n".join(lines) + "\n",
    )


def _commit_preview(applied: Applied | None, written: list[str], options: JobOptions) -> list[str]:
    if applied is None or not applied.paths:
        return ["nothing to commit: the snapshot is up to date."]
    report = applied.report
    return [
        "would commit:",
        *(f"  {path}" for path in written),
        f"message: {applied.message}",
        "pull request title:",
        f"  {pull_title(report)}",
        "pull request labels:",
        f"  {', '.join(pull_labels(report)) or '(none)'}",
        "pull request body:",
        "",
        fitted_body(report, options, applied.used),
    ]


def _slack_preview(payloads: list[tuple[str, dict[str, object]]], options: JobOptions) -> list[str]:
    """Each payload as JSON under its destination; the destination (a config or outbox value)
    kept on its line and the JSON's text shown inert (orjson writes U+2028 and the bidi
    controls as they are), as every terminal sink does."""
    if options.slack is None:
        return ["Slack: not configured (no SLACK_WEBHOOK_URL or SLACK_TOKEN + SLACK_CHANNEL)."]
    lines = [f"Slack: would send {len(payloads)} message(s):"]
    for destination, payload in payloads:
        lines.append(f"--- to {one_line(destination)}")
        lines.append(shown(json_output(payload, indent=True).rstrip("\n")))
    return lines


def _changed_files(before: Path, after: Path) -> list[str]:
    """The files under the folder (subfolders too) that the run would add, change or remove."""
    names = _files_under(after) | _files_under(before)
    changed = []
    for name in sorted(names):
        old, new = before / name, after / name
        if not new.exists() or not old.exists() or old.read_bytes() != new.read_bytes():
            changed.append(str(before / name))
    return changed


def _files_under(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
