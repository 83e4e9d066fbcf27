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
from catalog_watch.jobs.action_outputs import annotate, job_outputs
from catalog_watch.jobs.delivery_types import Delivery
from catalog_watch.jobs.run import JobOptions, run_job
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
    if runtime is not None:
        outputs = job_outputs(
            result, changes_json=args.changes_json, report_markdown=args.report_markdown
        )
        runtime.set_outputs(outputs)
    if result.delivery is not None and result.delivery.errors:
        raise result.delivery.errors[0]
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

    for path, renderer in ((args.changes_json, "json"), (args.report_markdown, "markdown")):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(RENDERERS[renderer](report), encoding="utf-8")
    if runtime is None:
        print_report(report, args.format)
        return

    with runtime.group("catalog-watch report"):
        print_report(report, args.format)
    runtime.append_summary(RENDERERS["markdown"](report))
    annotate(runtime, report, mutes=mutes)
