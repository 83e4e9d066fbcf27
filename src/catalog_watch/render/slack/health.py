"""A failure streak or its end as one Slack message."""

from __future__ import annotations

from catalog_watch.inert.slack import escape_mrkdwn
from catalog_watch.model.alerts import HEALTH_FAILURE, Alert, Streak
from catalog_watch.model.links import Links
from catalog_watch.model.severity import Severity
from catalog_watch.render.slack.blocks import (
    NAME,
    NO_LINKS,
    Message,
    cut,
    fallback,
    header_block,
    links_blocks,
    reference,
    section_block,
)
from catalog_watch.render.slack.lines import EMOJI
from catalog_watch.render.values import count

_ERROR = 500  # a failed run's error line


def render_health(alert: Alert, links: Links = NO_LINKS) -> Message:
    """A failure streak or its end, news first: the header says what happened ("models.dev: the
    last 3 runs failed"), the first line gives the error, then the link to the failed run."""
    source = cut(alert.source, NAME)
    streak = Streak.from_json(alert.extra.get("streak"))
    if streak is None:  # queued before alerts carried their streak: the detail has the words
        news = "runs are failing" if alert.kind == HEALTH_FAILURE else "runs succeed again"
        lines = [escape_mrkdwn(cut(alert.detail, _ERROR))] if alert.detail else []
        title = f"{source}: {news}"
        text = alert.detail or title
    elif alert.kind == HEALTH_FAILURE:
        title, lines = f"{source}: {_failed_runs(streak.failures)}", _failure_lines(streak)
        text = f"{title}: {cut(streak.error, _ERROR)}"
    else:
        failures = count(streak.failures, "failure", "failures")
        title = text = f"{source}: runs succeed again after {failures}"
        lines = [
            f":large_green_circle: Failing since {_when(streak)}; the last error: "
            + escape_mrkdwn(cut(streak.error, _ERROR))
        ]
    blocks = [header_block(title), *([section_block("\n".join(lines))] if lines else [])]
    return Message(fallback(text), blocks + links_blocks(links), (alert.id,))


def _failed_runs(failures: int) -> str:
    return "the last run failed" if failures == 1 else f"the last {failures:,} runs failed"


def _failure_lines(streak: Streak) -> list[str]:
    lines = [f"{EMOJI[Severity.HIGH]} {escape_mrkdwn(cut(streak.error, _ERROR))}"]
    lines.append(f"Failing since {_when(streak)}.")
    if streak.run_url:
        lines.append(reference(streak.run_url, "failed run"))
    return lines


def _when(streak: Streak) -> str:
    """``2026-11-25T02:17:00Z`` as ``2026-11-25 02:17 UTC``."""
    stamp = streak.since
    if len(stamp) == 20 and stamp[10] == "T" and stamp.endswith(":00Z"):
        return escape_mrkdwn(f"{stamp[:10]} {stamp[11:16]} UTC")
    return escape_mrkdwn(stamp)
