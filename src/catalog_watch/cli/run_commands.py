"""``run``: the action's job (fetch, commit, publish, Slack) and what it tells GitHub Actions."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from catalog_watch.analysis.watch_rules import active_mutes
from catalog_watch.cli.options import check_options, print_report
from catalog_watch.cli.quiet_check import aside, local_catalog_hint
from catalog_watch.errors import (
    CatalogWatchError,
    ConfigError,
    message_line,
)
from catalog_watch.inert.terminal import one_line
from catalog_watch.jobs.action_outputs import annotate, job_outputs
from catalog_watch.jobs.delivery_types import Delivery
from catalog_watch.jobs.run import JobOptions, JobResult, run_job
from catalog_watch.model.report import Report
from catalog_watch.publish.actions import ActionsRuntime
from catalog_watch.publish.secrets import unsafe, unsafe_message
from catalog_watch.render.formats import RENDERERS
from catalog_watch.settings.config import Config, Mute
from catalog_watch.settings.slack import SlackSettings

FORK_NOTE = " (secrets are empty on forks)"
"""What slack-sdk settings say about a missing secret in a workflow; not said on a laptop."""


def run(args: argparse.Namespace) -> int:
    runtime = ActionsRuntime.from_environ(force=args.github_actions)
    token = args.token or os.environ.get("GITHUB_TOKEN") or None
    if runtime is not None and token:
        runtime.mask(token)
    try:
        return _run_job(args, runtime, token)
    except CatalogWatchError as error:
        if runtime is not None:
            runtime.error(message_line(error), title=f"catalog-watch: {type(error).__name__}")
        raise
    finally:
        if runtime is not None:
            runtime.flush_annotations()


def _run_job(args: argparse.Namespace, runtime: ActionsRuntime | None, token: str | None) -> int:
    check = check_options(args, write=False)
    options = JobOptions(
        check=check,
        slack=_slack_settings(args, check.config, actions=runtime is not None),
        mode=args.mode,
        repo=Path.cwd(),
        branch=args.branch,
        base=args.base,
        token=token,
        env=dict(os.environ),
        now=args.now,
    )
    for name, option, _ in REPORT_FILES:
        if (path := getattr(args, name)) is not None:
            _require_writable(path, option)
    with local_catalog_hint(args):
        result = run_job(options)
    if result.report is None:
        print(
            f"{options.check.source}: not modified since the last snapshot (HTTP 304)",
            file=aside(args),
        )
    else:
        mutes = active_mutes(check.config, options.moment.date())
        _publish_locally(result.report, args, runtime, mutes)
    aside(args).write(result.preview)  # --format json: stdout holds the JSON object alone
    for notice in result.notices:
        print(f"catalog-watch: notice: {notice}", file=sys.stderr)
        if runtime is not None:
            runtime.notice(notice, title="catalog-watch")
    if result.delivery is not None:
        _report_delivery(result.delivery, runtime)
    return _finish(result, args, runtime)


REPORT_FILES = (
    ("changes_json", "--changes-json", "json"),
    ("report_markdown", "--report-markdown", "markdown"),
)
"""The report files ``run`` writes: (argument, option, renderer)."""


def _require_writable(path: Path, option: str) -> None:
    """Refuse (exit 2) a report file the run could not write, before it commits anything: a
    folder in its place, a file where one of its folders would be, a folder it may not write
    in, or one it may not look into."""
    try:
        if path.is_dir():
            raise ConfigError(f"{option} {path}: a folder, not a file")
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # the missing folders are made when the file is written
        if not folder.is_dir():
            raise ConfigError(f"{option} {path}: {folder} is not a folder")
        target = path if path.exists() else folder
    except OSError as error:
        raise ConfigError(f"{option} {path}: {error.strerror or error}") from error
    if not os.access(target, os.W_OK):
        raise ConfigError(f"{option} {path}: not writable")


def _finish(result: JobResult, args: argparse.Namespace, runtime: ActionsRuntime | None) -> int:
    """The step outputs, then the exit code. Both come after the push and the Slack delivery:
    a refused delivery wins (its alerts wait for the next run); outputs the runner could not
    take fail the step (exit 11), since later steps would act on none of them."""
    unwritten = None
    if runtime is not None:
        outputs = job_outputs(
            result, changes_json=args.changes_json, report_markdown=args.report_markdown
        )
        if (problem := runtime.set_outputs(outputs)) is not None:
            unwritten = f"{problem}; the run finished, but later steps get none of its outputs"
    if result.delivery is not None and result.delivery.errors:
        if unwritten is not None and runtime is not None:
            print(f"catalog-watch: error: {one_line(unwritten)}", file=sys.stderr)
            runtime.error(unwritten, title="catalog-watch: step outputs")
        raise result.delivery.errors[0]
    if unwritten is not None:
        raise CatalogWatchError(unwritten)
    return 0


def outside_actions(text: str, *, actions: bool) -> str:
    """A notice written for workflows, as said on a laptop (no word about forks' secrets)."""
    return text if actions else text.replace(FORK_NOTE, "")


def _slack_settings(
    args: argparse.Namespace, config: Config, *, actions: bool
) -> SlackSettings | None:
    """Slack from flags and environment; None (with a notice) when nothing is configured."""

    settings = SlackSettings.from_env(
        os.environ,
        webhook_url=args.slack_webhook_url,
        token=args.slack_token,
        channel=args.slack_channel,
    )
    routed = [rule.webhook_env for rule in config.watch if rule.webhook_env]
    for name in routed:  # refused before the run commits anything, like SLACK_WEBHOOK_URL
        if unsafe(os.environ.get(name, "").strip()):
            raise ConfigError(unsafe_message(f"webhook {name}"))
    if settings.webhook_url or settings.token or any(os.environ.get(n) for n in routed):
        return settings
    print(
        f"catalog-watch: notice: {outside_actions(str(settings.missing()), actions=actions)}",
        file=sys.stderr,
    )
    return None


def _report_delivery(delivery: Delivery, runtime: ActionsRuntime | None) -> None:
    """Say what went to Slack, what was skipped, and what has been pending too long."""
    print(
        f"Slack: {len(delivery.delivered)} alert(s) delivered, {delivery.pending} pending",
        file=sys.stderr,
    )
    for notice in delivery.notices:
        shown = outside_actions(notice, actions=runtime is not None)
        print(f"catalog-watch: notice: {shown}", file=sys.stderr)
        if runtime is not None:
            runtime.notice(notice, title="Slack skipped")
    if delivery.overdue:
        oldest = min(entry.created for entry in delivery.overdue)
        warning = f"{len(delivery.overdue)} alert(s) still undelivered, the oldest since {oldest}"
        print(f"catalog-watch: warning: {warning}", file=sys.stderr)
        if runtime is not None:
            runtime.warning(warning, title="Slack alerts pending", urgent=True)


def _publish_locally(
    report: Report,
    args: argparse.Namespace,
    runtime: ActionsRuntime | None,
    mutes: Sequence[Mute] = (),
) -> None:
    """The report on stdout, in the files the action asked for, and in the step summary; no
    annotation for an inconsistency one of ``mutes`` silences."""

    for name, option, renderer in REPORT_FILES:
        if (path := getattr(args, name)) is not None:
            _write_report(path, option, RENDERERS[renderer](report))
    if runtime is None:
        print_report(report, args.format)
        return

    with runtime.group("catalog-watch report"):
        print_report(report, args.format)
    if (problem := runtime.append_summary(RENDERERS["markdown"](report))) is not None:
        print(f"catalog-watch: warning: {one_line(problem)}", file=sys.stderr)
    annotate(runtime, report, mutes=mutes)


def _write_report(path: Path, option: str, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{option} {path}: cannot write: {error.strerror or error}") from error
