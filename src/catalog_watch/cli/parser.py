"""The ``catalog-watch`` command line as an argparse parser: every command, option and help line
(``cli/docs.py`` writes the README's option tables from it)."""

from __future__ import annotations

import argparse
import math
import operator
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import NoReturn, get_args

from catalog_watch import __version__
from catalog_watch.inert.terminal import one_line
from catalog_watch.model.catalog import DEFAULT_SNAPSHOTS
from catalog_watch.model.timestamps import parse_stamp, stamp_of
from catalog_watch.settings.constraints import AtLeastOne, Core, Days, Hours, Share
from catalog_watch.settings.defaults import DEFAULT_BRANCH, MODES, SOURCE_NAMES

FORMATS = ("text", "markdown", "json")
FORMAT_HELP = "text (terminal), markdown (changelog, PR body) or json (one object)"
CONFIG_HELP = "catalog-watch.toml (default: ./catalog-watch.toml when present)"
MODELS_JSON_HELP = "models.dev's models.json, used first to decide which offerings are one model"


MOMENT_FORMS = (
    "YYYY-MM-DD (the price as that day closed, 23:59:59 UTC) or an ISO date-time such as "
    "2026-03-01T12:00:00Z"
)


class Parser(argparse.ArgumentParser):
    """argparse with inert error lines. They echo what was typed (``unrecognized arguments: …``,
    a refused value), and they are printed before ``app.py`` guards the streams: a line feed
    in an argument would start a forged ``::error::`` line, an escape sequence would be obeyed.
    Subcommands' parsers are of the parser's own class, so theirs are inert too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def _moment(text: str) -> str:
    """A date or ISO date-time, checked here and kept as typed (it is shown back)."""
    try:
        stamp_of(text)
    except ValueError as error:  # argparse says "argument DATE: <this>"
        said = str(error)
        reason = "not an ISO date" if said.startswith("Invalid isoformat") else said
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date ({reason}); use {MOMENT_FORMS}"
        ) from None
    return text


def _history_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", help="only this provider (exact id)")
    parser.add_argument(
        "--from-git",
        dest="history_from",
        action="store_const",
        const="git",
        default="ledger",
        help="rebuild from the snapshot folder's git history (one pass) instead of changes.jsonl",
    )
    parser.add_argument("--repo", default=".", help="the git checkout (default: .)")
    parser.add_argument(
        "--snapshots",
        default=DEFAULT_SNAPSHOTS,
        help=f"the snapshot folder, relative to --repo (default: {DEFAULT_SNAPSHOTS})",
    )
    parser.add_argument("--ref", default="HEAD", help="with --from-git: the branch or commit")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--config", type=Path, metavar="FILE", help=CONFIG_HELP)
    parser.add_argument("--models-json", metavar="URL|FILE", help=MODELS_JSON_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; ``cli_docs.py`` makes the README's option tables from it."""
    parser = Parser(
        prog="catalog-watch",
        description="Watch the LLM model catalog (models.dev) for price, limit and capability "
        "changes and cross-provider inconsistencies.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    diff = subcommands.add_parser(
        "diff", help="changes between two catalogs (files or snapshot folders)"
    )
    diff.add_argument("old", metavar="OLD", help="api.json file or snapshot folder")
    diff.add_argument("new", metavar="NEW", help="api.json file or snapshot folder")
    _common(diff)
    _ignore_option(diff)

    found = subcommands.add_parser("inconsistencies", help="where providers disagree on one model")
    found.add_argument("catalog", metavar="CATALOG", help="api.json file or snapshot folder")
    found.add_argument(
        "--severity",
        choices=("high", "medium", "low", "info"),
        help="only findings of this severity or a more urgent one (high > medium > low > info)",
    )
    found.add_argument("--provider", help="only findings one of this provider's offerings is in")
    found.add_argument(
        "--model", help="only this model's findings: group key, model id or <provider>/<model id>"
    )
    _common(found)

    show = subcommands.add_parser(
        "show", help="one model across providers: prices, cheapest channel, scenario costs"
    )
    show.add_argument("model", metavar="MODEL", help="group key, model id or <provider>/<model id>")
    show.add_argument(
        "--catalog", default=DEFAULT_SNAPSHOTS, help="api.json file or snapshot folder"
    )
    _common(show)

    cross = subcommands.add_parser(
        "compare", help="where catalogs (models.dev, LiteLLM, OpenRouter) disagree on a model"
    )
    cross.add_argument("inputs", nargs="+", metavar="SNAPSHOT_OR_FILE", help="two or more catalogs")
    cross.add_argument(
        "--since", type=Path, metavar="FILE", help="an earlier `compare --format json` output"
    )
    cross.add_argument("--format", choices=FORMATS, default="text", help=FORMAT_HELP)
    _config_option(cross)

    history = subcommands.add_parser(
        "history", help="effective-dated values of a model's prices, limits and other fields"
    )
    history.add_argument(
        "model",
        nargs="?",
        metavar="MODEL",
        help="group key, model id or <provider>/<model id>, as for show (default: every model)",
    )
    history.add_argument("--field", help="a field or prefix: cost, cost.input, limit.context")
    _history_options(history)

    price = subcommands.add_parser(
        "price-at", help="what every provider charged for a model on a day"
    )
    price.add_argument("model", metavar="MODEL", help="group key or model id, as for show")
    price.add_argument(
        "when",
        metavar="DATE",
        type=_moment,
        help="YYYY-MM-DD (the price as that day closed, 23:59:59 UTC) or an ISO date-time",
    )
    _history_options(price)

    site = subcommands.add_parser("site", help="build the static changelog site (GitHub Pages)")
    site.add_argument("out", nargs="?", default="_site", metavar="OUT_DIR", help="default: _site")
    site.add_argument(
        "--snapshots", default=DEFAULT_SNAPSHOTS, metavar="DIR", help="the snapshot folder"
    )
    site.add_argument("--ledger", metavar="FILE", help="default: <snapshots>/changes.jsonl")
    site.add_argument("--limit", type=int, default=500, metavar="N", help="rows per listing page")
    site.add_argument(
        "--base-url", metavar="URL", help="the site's address (default: from GITHUB_REPOSITORY)"
    )
    site.add_argument("--models-json", metavar="URL|FILE", help=MODELS_JSON_HELP)
    _config_option(site)
    _now_option(site, "build time (default: the newest run's)")

    health = subcommands.add_parser(
        "health", help="exit non-zero when the watcher is stale or failing"
    )
    health.add_argument(
        "--snapshots", metavar="DIR", help="the snapshot folder (default: snapshots/<source type>)"
    )
    health.add_argument(
        "--source-type", choices=SOURCE_NAMES, help="the source whose default folder to judge"
    )
    _config_option(health)
    health.add_argument(
        "--max-age-hours",
        type=_number_like(Hours, "[health] max_age_hours"),
        metavar="HOURS",
        help="a last success older is unhealthy (default: [health] max_age_hours, 48)",
    )
    health.add_argument(
        "--max-unchanged-days",
        type=_number_like(Days, "[health] max_unchanged_days"),
        metavar="DAYS",
        help="a catalog unchanged longer is suspicious (default: [health], 30)",
    )
    health.add_argument(
        "--failures",
        type=_number_like(AtLeastOne, "[health] failures"),
        metavar="N",
        help="consecutive failures allowed (default 3)",
    )
    _now_option(health, "the time to judge at (default: now)")

    used = subcommands.add_parser(
        "usage", help="the models a repository's code calls, resolved against the catalog"
    )
    used.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="the folder to scan (default: the repository root, else .)",
    )
    used.add_argument(
        "--catalog",
        default=DEFAULT_SNAPSHOTS,
        metavar="FILE_OR_SNAPSHOT_FOLDER",
        help="a catalog file or snapshot folder",
    )
    _common(used)

    calendar = subcommands.add_parser(
        "deprecations", help="retirement dates from every catalog, by date (an .ics feed too)"
    )
    calendar.add_argument(
        "--used", action="store_true", help="only the models the repository's code uses"
    )
    calendar.add_argument(
        "--catalog",
        nargs="+",
        action="extend",
        metavar="FILE_OR_SNAPSHOT_FOLDER",
        help=f"catalog files or snapshot folders (default: {DEFAULT_SNAPSHOTS} and "
        "snapshots/litellm, snapshots/openrouter where they exist)",
    )
    calendar.add_argument(
        "--format",
        choices=(*FORMATS, "ics"),
        default="text",
        help=f"{FORMAT_HELP}, or ics (an iCalendar feed; needs the site extra and --output)",
    )
    calendar.add_argument(
        "--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout"
    )
    _config_option(calendar)
    calendar.add_argument("--models-json", metavar="URL|FILE", help=MODELS_JSON_HELP)
    _now_option(
        calendar,
        "the day dates are judged at and the .ics is stamped with, ISO 8601 (default: now)",
    )

    lint = subcommands.add_parser(
        "lint", help="annotate the model ids a change adds: unknown, deprecated, retiring, costly"
    )
    lint.add_argument(
        "--base",
        metavar="REF",
        help="what the change is compared with (default: origin/$GITHUB_BASE_REF on a pull "
        "request, else origin/HEAD, else main); the diff starts at its merge base with HEAD",
    )
    lint.add_argument(
        "--catalog",
        default=DEFAULT_SNAPSHOTS,
        metavar="FILE_OR_SNAPSHOT_FOLDER",
        help="a catalog file or snapshot folder",
    )
    lint.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (a path:line:col: level: message line per finding) or json",
    )
    lint.add_argument(
        "--source-type", choices=SOURCE_NAMES, help="the catalog's source (default: recognised)"
    )
    _config_option(lint)
    lint.add_argument("--models-json", metavar="URL|FILE", help=MODELS_JSON_HELP)
    lint.add_argument(
        "--github-actions",
        action="store_true",
        help="annotations and step summary (automatic when GITHUB_ACTIONS=true)",
    )
    _now_option(lint, "the day retirement dates are judged at, ISO 8601 (default: now)")

    check = subcommands.add_parser("check", help="fetch, diff against the snapshots, report")
    _source_options(check)
    check.add_argument("--write", action="store_true", help="write the new snapshot")
    _now_option(
        check, "the run's time, ISO 8601 (default: now; rejections are dated and aged by it)"
    )

    run = subcommands.add_parser(
        "run", help="the whole job: check, write snapshot/CHANGELOG/ledger, commit or open a PR"
    )
    _source_options(run)
    run.add_argument("--mode", choices=MODES, default="dry-run", help="default: dry-run")
    run.add_argument(
        "--branch", default=DEFAULT_BRANCH, metavar="BRANCH", help="pull-request mode's branch"
    )
    run.add_argument(
        "--base", metavar="BRANCH", help="pull-request mode's base branch (default: current)"
    )
    run.add_argument("--token", metavar="TOKEN", help="GitHub token (default: $GITHUB_TOKEN)")
    run.add_argument(
        "--changes-json", type=Path, metavar="FILE", help="also write the JSON report here"
    )
    run.add_argument(
        "--report-markdown", type=Path, metavar="FILE", help="also write the markdown report here"
    )
    run.add_argument(
        "--slack-webhook-url", metavar="URL", help="incoming webhook (default: $SLACK_WEBHOOK_URL)"
    )
    run.add_argument("--slack-token", metavar="TOKEN", help="bot token (default: $SLACK_TOKEN)")
    run.add_argument(
        "--slack-channel", metavar="CHANNEL", help="bot channel (default: $SLACK_CHANNEL)"
    )
    run.add_argument(
        "--github-actions",
        action="store_true",
        help="write outputs, step summary and annotations (automatic when GITHUB_ACTIONS=true)",
    )
    _now_option(run, "the run's time, ISO 8601 (default: now; for reproducible runs)")
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-type",
        choices=SOURCE_NAMES,
        help="models.dev, litellm or openrouter (default: recognised from the document)",
    )
    parser.add_argument(
        "--source", metavar="URL|FILE", help="the catalog (default: the source type's own URL)"
    )
    parser.add_argument(
        "--compare-with",
        action="append",
        metavar="DIR",
        help="another source's snapshot folder: new and resolved disagreements with it alert too",
    )
    parser.add_argument(
        "--snapshots",
        metavar="DIR",
        help="this source's snapshot folder (default: snapshots/<source type>)",
    )
    parser.add_argument(
        "--allow-shrink", action="store_true", help="accept a catalog that lost a lot"
    )
    parser.add_argument(
        "--max-shrink",
        type=_number_like(Share, "[guard] max_shrink"),
        metavar="SHARE",
        help="share of offerings that may vanish (default: [guard] max_shrink, 0.2)",
    )
    _common(parser)
    _ignore_option(parser)


"""``[health] failures``'s bounds (``settings/config.py``, which is too heavy to import here)."""
_BOUNDS: Mapping[str, tuple[Callable[[float, float], bool], str]] = {
    "ge": (operator.ge, "at least"),
    "gt": (operator.gt, "above"),
    "le": (operator.le, "at most"),
    "lt": (operator.lt, "below"),
}


def _number_like(annotated: object, key: str) -> Callable[[str], float]:
    """An argparse type taking what the config ``key`` of type ``annotated`` (a
    ``settings/constraints`` alias) takes, finite: a flag replaces the key, so ``--max-shrink
    nan`` or ``5`` must not turn the guard off, nor ``--max-age-hours inf`` crash ``health``."""
    kind, *metadata = get_args(annotated)
    given = {k: v for meta in metadata if isinstance(meta, Core) for k, v in meta.keys.items()}
    bounds = [
        (test, f"{word} {bound:g}", bound)
        for name, (test, word) in _BOUNDS.items()
        if isinstance(bound := given.get(name), int | float)
    ]
    wanted = f"{'a whole number' if kind is int else 'a number'} " + " and ".join(
        said for _, said, _ in bounds
    )

    def number(text: str) -> float:
        try:
            value: float = kind(text)
        except ValueError:
            value = math.nan
        finite = kind is int or math.isfinite(value)  # an int past 1e308 has no float
        if not finite or not all(test(value, bound) for test, _, bound in bounds):
            raise argparse.ArgumentTypeError(f"{text!r}: expected {wanted} (as for {key})")
        return value

    return number


def _now_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--now TIME``: the moment a command acts as of (reproducible runs, tests)."""
    parser.add_argument("--now", type=_utc_time, metavar="TIME", help=help)


def _utc_time(text: str) -> datetime:
    try:
        return parse_stamp(text)
    except ValueError:  # argparse says "argument --now: <this>"
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time such as 2026-11-25T10:17:00Z"
        ) from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help=FORMAT_HELP)
    if not any(action.dest == "source_type" for action in parser._actions):
        parser.add_argument(
            "--source-type", choices=SOURCE_NAMES, help="the inputs' source (default: recognised)"
        )
    _config_option(parser)
    parser.add_argument("--models-json", metavar="URL|FILE", help=MODELS_JSON_HELP)


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help=CONFIG_HELP)


def _ignore_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignore-field",
        action="append",
        metavar="FIELD",
        help="field (or glob) to ignore; adds to the defaults (last_updated); "
        "'none' clears the list",
    )
