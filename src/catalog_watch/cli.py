"""``catalog-watch``: argparse in front of the library functions; errors become exit codes.

Exit codes: 0 success (with or without changes), 2 bad usage or config, 3 fetch failed,
4 catalog refused, 5 shrink guard refused, 6 damaged snapshot folder, 7 git or push failed,
8 GitHub API refused, 9 Slack delivery failed, 10 unhealthy (``health``).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_watch import __version__
from catalog_watch.config import DEFAULT_BRANCH, MODES, Config, DiffSettings, load_config
from catalog_watch.errors import CatalogWatchError, ConfigError
from catalog_watch.sources import SOURCE_NAMES

if TYPE_CHECKING:
    from catalog_watch.actions import ActionsRuntime
    from catalog_watch.consistency import Inconsistency, ModelIndex
    from catalog_watch.notify import Delivery
    from catalog_watch.publish.slack import SlackSettings
    from catalog_watch.report import Report
    from catalog_watch.run import CheckOptions

FORMATS = ("text", "markdown", "json")


def main(argv: Sequence[str] | None = None) -> int:
    # A short-lived process that builds a few hundred thousand small objects and frees them at
    # exit: the cyclic GC only costs time here (about a third of a diff's wall time).
    gc.disable()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.command(args))
    except CatalogWatchError as error:
        print(f"catalog-watch: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def _diff(args: argparse.Namespace) -> int:
    from catalog_watch.compare import compare, load_catalog

    config = _with_ignored(load_config(args.config), args.ignore_field)
    old = load_catalog(Path(args.old), config, args.source_type)
    new = load_catalog(Path(args.new), config, args.source_type)
    _print(compare(old, new, config, _index(args.models_json)), args.format)
    return 0


def _inconsistencies(args: argparse.Namespace) -> int:
    from catalog_watch.compare import consistency_settings, load_catalog
    from catalog_watch.consistency import find_inconsistencies
    from catalog_watch.render.inconsistencies import render_inconsistencies

    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    found = find_inconsistencies(catalog, consistency_settings(config), _index(args.models_json))
    sys.stdout.write(render_inconsistencies(found, args.format))
    return 0


def _show(args: argparse.Namespace) -> int:
    from catalog_watch.compare import consistency_settings, load_catalog
    from catalog_watch.impact import reference_scenario, scenarios
    from catalog_watch.model_card import close_matches, model_card, no_match_message
    from catalog_watch.render.model_card import render_card

    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    settings, index = consistency_settings(config), _index(args.models_json)
    card = model_card(
        catalog,
        args.model,
        settings,
        index,
        scenarios=scenarios(config),
        reference=reference_scenario(config),
    )
    if card is None:
        raise ConfigError(
            no_match_message(args.model, close_matches(catalog, args.model, settings, index))
        )
    sys.stdout.write(render_card(card, args.format))
    return 0


def _health(args: argparse.Namespace) -> int:
    """Exit 10 with the reasons when the watcher looks dead, stale or failing; 0 when healthy."""
    from datetime import timedelta

    from catalog_watch.health import Health, problems
    from catalog_watch.snapshot import read_snapshot
    from catalog_watch.sources import source_type

    config = load_config(args.config)
    folder = (
        Path(args.snapshots)
        if args.snapshots
        else source_type(args.source_type or "models.dev").snapshots
    )
    snapshot = read_snapshot(folder)
    health = Health.from_meta(snapshot.meta if snapshot else None)
    settings = config.health
    found = problems(
        health,
        args.now or datetime.now(UTC),
        max_age=timedelta(hours=args.max_age_hours or settings.max_age_hours),
        max_unchanged=timedelta(days=args.max_unchanged_days or settings.max_unchanged_days),
        max_failures=args.failures or settings.failures,
    )
    if not found:
        print(
            f"{folder}: healthy: last successful fetch {health.last_success}, "
            f"last change {health.last_change}, {health.consecutive_failures} failures in a row"
        )
        return 0
    for problem in found:
        print(f"{folder}: unhealthy: {problem}", file=sys.stderr)
    return 10


def _history(args: argparse.Namespace) -> int:
    from catalog_watch.history import field_matcher, filter_periods, load_history
    from catalog_watch.render.history import render_history

    fields = field_matcher(args.field) if args.field else None
    periods = load_history(
        args.history_from, Path(args.repo), args.snapshots, fields=fields, ref=args.ref
    )
    periods = filter_periods(periods, model=args.model, provider=args.provider)
    sys.stdout.write(render_history(periods, args.format))
    return 0


def _price_at(args: argparse.Namespace) -> int:
    from catalog_watch.history import field_matcher, load_history, price_at
    from catalog_watch.render.history import render_price_at

    periods = load_history(
        args.history_from,
        Path(args.repo),
        args.snapshots,
        fields=field_matcher("cost"),
        ref=args.ref,
    )
    rows = price_at(periods, args.model, args.when, provider=args.provider)
    sys.stdout.write(render_price_at(rows, args.model, args.when, args.format))
    return 0


def _moment(text: str) -> str:
    """A date or ISO date-time, checked here and kept as typed (it is shown back)."""
    from catalog_watch.history import moment

    moment(text)  # a ValueError makes argparse report an invalid value
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
        default="snapshots/models.dev",
        help="the snapshot folder, relative to --repo (default: snapshots/models.dev)",
    )
    parser.add_argument("--ref", default="HEAD", help="with --from-git: the branch or commit")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")


def _site(args: argparse.Namespace) -> int:
    from catalog_watch.site import build_site

    result = build_site(
        Path(args.out),
        snapshots=Path(args.snapshots),
        ledger=Path(args.ledger) if args.ledger else None,
        config=load_config(args.config),
        now=args.now,
        limit=args.limit,
        index=_index(args.models_json),
        base_url=args.base_url or _pages_url(os.environ.get("GITHUB_REPOSITORY", "")),
    )
    print(
        f"catalog-watch: site: {result.pages:,} pages ({result.model_pages:,} models, "
        f"{result.charts:,} charts), {result.total_bytes / 1e6:.1f} MB in {result.out_dir}"
    )
    return 0


def _pages_url(repository: str) -> str | None:
    """GitHub Pages' address of ``owner/repo`` (``owner.github.io`` for the user site)."""
    owner, _, name = repository.partition("/")
    if not owner or not name:
        return None
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def _compare(args: argparse.Namespace) -> int:
    from catalog_watch.compare import load_catalog
    from catalog_watch.cross_source import disagreements
    from catalog_watch.render.cross_source import render_comparison

    config = load_config(args.config)
    catalogs = [load_catalog(Path(path), config, None) for path in args.inputs]
    found = disagreements(catalogs)
    previous = _previous_disagreements(args.since) if args.since else None
    sys.stdout.write(render_comparison(catalogs, found, previous, args.format))
    return 0


def _previous_disagreements(path: Path) -> list[Inconsistency]:
    """The disagreements of an earlier ``compare --format json`` (its ``disagreements`` list)."""
    import json

    from catalog_watch.consistency import Inconsistency
    from catalog_watch.severity import Severity

    try:
        items = json.loads(path.read_text(encoding="utf-8"))["disagreements"]
        return [
            Inconsistency(
                i["id"], i["kind"], i["model"], i["field"], i["values"], Severity(i["severity"])
            )
            for i in items
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{path}: not the JSON output of catalog-watch compare ({error})"
        ) from None


def _check(args: argparse.Namespace) -> int:
    from catalog_watch.run import check

    options = _check_options(args, write=args.write)
    result = check(options)
    if result.not_modified or result.report is None:
        print(f"{options.source}: not modified since the last snapshot (HTTP 304); nothing to do")
        return 0
    _print(result.report, args.format)
    if result.written is not None and result.written.changed:
        written = len(result.written.written) + len(result.written.removed)
        print(f"wrote {written} file(s) under {args.snapshots}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from catalog_watch.actions import ActionsRuntime

    runtime = ActionsRuntime.from_environ(force=args.github_actions)
    token = args.token or os.environ.get("GITHUB_TOKEN") or None
    if runtime is not None and token:
        runtime.mask(token)
    try:
        return _run_job(args, runtime, token)
    except CatalogWatchError as error:
        if runtime is not None:
            runtime.error(str(error), title=f"catalog-watch: {type(error).__name__}")
        raise


def _run_job(args: argparse.Namespace, runtime: ActionsRuntime | None, token: str | None) -> int:
    from catalog_watch.job import JobOptions, run_job

    check = _check_options(args, write=False)
    options = JobOptions(
        check=check,
        slack=_slack_settings(args, check.config),
        mode=args.mode,
        repo=Path.cwd(),
        branch=args.branch,
        base=args.base,
        token=token,
        env=dict(os.environ),
        now=args.now,
    )
    result = run_job(options)
    if result.report is None:
        print(f"{options.check.source}: not modified since the last snapshot (HTTP 304)")
    else:
        _publish_locally(result.report, args, runtime)
    sys.stdout.write(result.preview)
    if result.delivery is not None:
        _report_delivery(result.delivery, runtime)
    if runtime is not None:
        from catalog_watch.action_outputs import job_outputs

        outputs = job_outputs(
            result, changes_json=args.changes_json, report_markdown=args.report_markdown
        )
        runtime.set_outputs(outputs)
    if result.delivery is not None and result.delivery.errors:
        raise result.delivery.errors[0]
    return 0


def _slack_settings(args: argparse.Namespace, config: Config) -> SlackSettings | None:
    """Slack from flags and environment; None (with a notice) when nothing is configured."""
    from catalog_watch.publish.slack import SlackSettings

    settings = SlackSettings.from_env(
        os.environ,
        webhook_url=args.slack_webhook_url,
        token=args.slack_token,
        channel=args.slack_channel,
    )
    routed = any(rule.webhook_env and os.environ.get(rule.webhook_env) for rule in config.watch)
    if settings.webhook_url or settings.token or routed:
        return settings
    print(f"catalog-watch: notice: {settings.missing()}", file=sys.stderr)
    return None


def _report_delivery(delivery: Delivery, runtime: ActionsRuntime | None) -> None:
    """Say what went to Slack, what was skipped, and what has been pending too long."""
    print(
        f"Slack: {len(delivery.delivered)} alert(s) delivered, {delivery.pending} pending",
        file=sys.stderr,
    )
    for notice in delivery.notices:
        print(f"catalog-watch: notice: {notice}", file=sys.stderr)
        if runtime is not None:
            runtime.notice(notice, title="Slack skipped")
    if delivery.overdue:
        oldest = min(entry.created for entry in delivery.overdue)
        warning = f"{len(delivery.overdue)} alert(s) still undelivered, the oldest since {oldest}"
        print(f"catalog-watch: warning: {warning}", file=sys.stderr)
        if runtime is not None:
            runtime.warning(warning, title="Slack alerts pending")


def _publish_locally(
    report: Report, args: argparse.Namespace, runtime: ActionsRuntime | None
) -> None:
    """The report on stdout, in the files the action asked for, and in the step summary."""
    from catalog_watch.render import RENDERERS

    for path, renderer in ((args.changes_json, "json"), (args.report_markdown, "markdown")):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(RENDERERS[renderer](report), encoding="utf-8")
    if runtime is None:
        _print(report, args.format)
        return
    from catalog_watch.action_outputs import annotate

    with runtime.group("catalog-watch report"):
        _print(report, args.format)
    runtime.append_summary(RENDERERS["markdown"](report))
    annotate(runtime, report)


def _print(report: Report, output_format: str) -> None:
    from catalog_watch.render import RENDERERS

    sys.stdout.write(RENDERERS[output_format](report))


def _with_ignored(config: Config, ignore: list[str] | None) -> Config:
    """``--ignore-field`` adds to the configured list; ``--ignore-field none`` empties it first."""
    if ignore is None:
        return config
    fields = list(config.diff.ignore_fields)
    for name in ignore:
        fields = [] if name == "none" else [*fields, name]
    return config.model_copy(update={"diff": DiffSettings(ignore_fields=tuple(fields))})


def _check_options(args: argparse.Namespace, *, write: bool) -> CheckOptions:
    """The options ``check`` and ``run`` share, from the command line and the config file."""
    from catalog_watch.run import CheckOptions
    from catalog_watch.sources import source_type

    kind = source_type(args.source_type or "models.dev")
    return CheckOptions(
        source=args.source or kind.default_url,
        snapshots=Path(args.snapshots) if args.snapshots else kind.snapshots,
        source_type=args.source_type,
        compare_with=tuple(Path(p) for p in args.compare_with or ()),
        write=write,
        allow_shrink=args.allow_shrink,
        models_json=args.models_json,
        config=_with_guard(_with_ignored(load_config(args.config), args.ignore_field), args),
    )


def _with_guard(config: Config, args: argparse.Namespace) -> Config:
    if args.max_shrink is None:
        return config
    guard = config.guard.model_copy(update={"max_shrink": args.max_shrink})
    return config.model_copy(update={"guard": guard})


def _index(models_json: str | None) -> ModelIndex | None:
    if models_json is None:
        return None
    from catalog_watch.run import model_index

    return model_index(models_json)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="catalog-watch",
        description="Watch the LLM model catalog (models.dev) for price, limit and capability "
        "changes and cross-provider inconsistencies.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="name", required=True, metavar="COMMAND")

    diff = commands.add_parser(
        "diff", help="changes between two catalogs (files or snapshot folders)"
    )
    diff.add_argument("old", metavar="OLD", help="api.json file or snapshot folder")
    diff.add_argument("new", metavar="NEW", help="api.json file or snapshot folder")
    _common(diff)
    _ignore_option(diff)
    diff.set_defaults(command=_diff)

    found = commands.add_parser("inconsistencies", help="where providers disagree on one model")
    found.add_argument("catalog", metavar="CATALOG", help="api.json file or snapshot folder")
    _common(found)
    found.set_defaults(command=_inconsistencies)

    show = commands.add_parser(
        "show", help="one model across providers: prices, cheapest channel, scenario costs"
    )
    show.add_argument("model", metavar="MODEL", help="group key, model id or <provider>/<model id>")
    show.add_argument(
        "--catalog", default="snapshots/models.dev", help="api.json file or snapshot folder"
    )
    _common(show)
    show.set_defaults(command=_show)

    cross = commands.add_parser(
        "compare", help="where catalogs (models.dev, LiteLLM, OpenRouter) disagree on a model"
    )
    cross.add_argument("inputs", nargs="+", metavar="SNAPSHOT_OR_FILE", help="two or more catalogs")
    cross.add_argument("--since", type=Path, help="an earlier `compare --format json` output")
    cross.add_argument("--format", choices=FORMATS, default="text")
    cross.add_argument("--config", type=Path, help="catalog-watch.toml")
    cross.set_defaults(command=_compare)

    history = commands.add_parser(
        "history", help="effective-dated values of a model's prices, limits and other fields"
    )
    history.add_argument(
        "model", nargs="?", metavar="MODEL", help="model id, or the part after its last '/'"
    )
    history.add_argument("--field", help="a field or prefix: cost, cost.input, limit.context")
    _history_options(history)
    history.set_defaults(command=_history)

    price = commands.add_parser("price-at", help="what every provider charged for a model on a day")
    price.add_argument("model", metavar="MODEL", help="model id (as for history)")
    price.add_argument(
        "when",
        metavar="DATE",
        type=_moment,
        help="YYYY-MM-DD (the price as that day closed, 23:59:59 UTC) or an ISO date-time",
    )
    _history_options(price)
    price.set_defaults(command=_price_at)

    site = commands.add_parser("site", help="build the static changelog site (GitHub Pages)")
    site.add_argument("out", nargs="?", default="_site", metavar="OUT_DIR", help="default: _site")
    site.add_argument("--snapshots", default="snapshots/models.dev", help="the snapshot folder")
    site.add_argument("--ledger", help="default: <snapshots>/changes.jsonl")
    site.add_argument("--limit", type=int, default=500, help="rows per listing page")
    site.add_argument("--base-url", help="the site's address (default: from GITHUB_REPOSITORY)")
    site.add_argument("--models-json", help="models.json file or URL, for grouping")
    site.add_argument("--config", type=Path, help="catalog-watch.toml")
    site.add_argument("--now", type=_utc_time, help="build time (default: the newest run's)")
    site.set_defaults(command=_site)

    health = commands.add_parser(
        "health", help="exit non-zero when the watcher is stale or failing"
    )
    health.add_argument(
        "--snapshots", help="the snapshot folder (default: snapshots/<source type>)"
    )
    health.add_argument("--source-type", choices=SOURCE_NAMES)
    health.add_argument("--config", type=Path, help="catalog-watch.toml")
    health.add_argument("--max-age-hours", type=float, help="default from [health], 48")
    health.add_argument("--max-unchanged-days", type=float, help="default from [health], 30")
    health.add_argument("--failures", type=int, help="consecutive failures allowed, default 3")
    health.add_argument("--now", type=_utc_time, help="the time to judge at (default: now)")
    health.set_defaults(command=_health)

    check = commands.add_parser("check", help="fetch, diff against the snapshots, report")
    _source_options(check)
    check.add_argument("--write", action="store_true", help="write the new snapshot")
    check.set_defaults(command=_check)

    run = commands.add_parser(
        "run", help="the whole job: check, write snapshot/CHANGELOG/ledger, commit or open a PR"
    )
    _source_options(run)
    run.add_argument("--mode", choices=MODES, default="dry-run", help="default: dry-run")
    run.add_argument("--branch", default=DEFAULT_BRANCH, help="pull-request mode's branch")
    run.add_argument("--base", help="pull-request mode's base branch (default: current branch)")
    run.add_argument("--token", help="GitHub token (default: $GITHUB_TOKEN)")
    run.add_argument("--changes-json", type=Path, help="also write the JSON report here")
    run.add_argument("--report-markdown", type=Path, help="also write the markdown report here")
    run.add_argument("--slack-webhook-url", help="incoming webhook (default: $SLACK_WEBHOOK_URL)")
    run.add_argument("--slack-token", help="bot token (default: $SLACK_TOKEN)")
    run.add_argument("--slack-channel", help="bot channel (default: $SLACK_CHANNEL)")
    run.add_argument(
        "--github-actions",
        action="store_true",
        help="write outputs, step summary and annotations (automatic when GITHUB_ACTIONS=true)",
    )
    run.add_argument(
        "--now",
        type=_utc_time,
        help="the run's time, ISO 8601 (default: now; for reproducible runs)",
    )
    run.set_defaults(command=_run)
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-type",
        choices=SOURCE_NAMES,
        help="models.dev, litellm or openrouter (default: recognised from the document)",
    )
    parser.add_argument("--source", help="URL or file (default: the source type's own URL)")
    parser.add_argument(
        "--compare-with",
        action="append",
        metavar="DIR",
        help="another source's snapshot folder: new and resolved disagreements with it alert too",
    )
    parser.add_argument(
        "--snapshots", help="this source's snapshot folder (default: snapshots/<source type>)"
    )
    parser.add_argument(
        "--allow-shrink", action="store_true", help="accept a catalog that lost a lot"
    )
    parser.add_argument(
        "--max-shrink", type=float, help="share of offerings that may vanish (default 0.2)"
    )
    _common(parser)
    _ignore_option(parser)


def _utc_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text")
    if not any(action.dest == "source_type" for action in parser._actions):
        parser.add_argument(
            "--source-type", choices=SOURCE_NAMES, help="the inputs' source (default: recognised)"
        )
    parser.add_argument(
        "--config", type=Path, help="catalog-watch.toml (default: ./catalog-watch.toml)"
    )
    parser.add_argument(
        "--models-json", help="models.dev models.json (URL or file) to group offerings by"
    )


def _ignore_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignore-field",
        action="append",
        metavar="F",
        help="field (or glob) to ignore, repeatable; adds to the defaults (last_updated); "
        "'none' clears the list",
    )


if __name__ == "__main__":
    sys.exit(main())
