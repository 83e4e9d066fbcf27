"""The read-only commands (diff, inconsistencies, show, compare, history, price-at, site, health)
and the option handling ``check`` and ``run`` share. Each is a thin wrapper over a library
function; the parser is in ``cli.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from catalog_watch.errors import ConfigError, Unhealthy
from catalog_watch.settings.config import Config, DiffSettings, load_config

if TYPE_CHECKING:
    from catalog_watch.analysis.consistency import Inconsistency, ModelIndex
    from catalog_watch.jobs.check import CheckOptions
    from catalog_watch.model.report import Report

FORMATS = ("text", "markdown", "json")


def diff(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.compare import compare
    from catalog_watch.store.catalog_files import load_catalog

    config = with_ignored(load_config(args.config), args.ignore_field)
    old = load_catalog(Path(args.old), config, args.source_type)
    new = load_catalog(Path(args.new), config, args.source_type)
    print_report(compare(old, new, config, model_index_option(args.models_json)), args.format)
    return 0


def inconsistencies(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.compare import consistency_settings
    from catalog_watch.analysis.consistency import find_inconsistencies, group_offerings
    from catalog_watch.analysis.consistency_select import select_inconsistencies
    from catalog_watch.analysis.model_names import ModelNames, check_provider, no_match_message
    from catalog_watch.model.severity import Severity
    from catalog_watch.render.inconsistencies import render_inconsistencies
    from catalog_watch.store.catalog_files import load_catalog

    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    settings, index = consistency_settings(config), model_index_option(args.models_json)
    group = None
    if args.model is not None:
        names = ModelNames(group_offerings(catalog, settings, index), index)
        group = names.resolve(args.model)
        if group is None:
            suggestions = names.suggestions(args.model)
            raise ConfigError(no_match_message(args.model, suggestions, f"in {args.catalog}"))
    if args.provider is not None:
        check_provider(args.provider, catalog.providers, f"in {args.catalog}")
    found = find_inconsistencies(catalog, settings, index)
    severity = Severity(args.severity) if args.severity else None
    kept = select_inconsistencies(found, severity=severity, provider=args.provider, group=group)
    total = len(found) if len(kept) != len(found) else None
    sys.stdout.write(render_inconsistencies(kept, args.format, total))
    return 0


def show(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.compare import consistency_settings
    from catalog_watch.analysis.impact import reference_scenario, scenarios
    from catalog_watch.analysis.model_card import close_matches, model_card, no_match_message
    from catalog_watch.render.model_card import render_card
    from catalog_watch.store.catalog_files import load_catalog

    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    settings, index = consistency_settings(config), model_index_option(args.models_json)
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


def health(args: argparse.Namespace) -> int:
    """Exit 10 with the reasons when the watcher looks dead, stale or failing; 0 when healthy."""
    from catalog_watch.model.health import Health, problems
    from catalog_watch.store.snapshot import read_meta

    config = load_config(args.config)
    folder = _health_folder(args)
    health = Health.from_meta(read_meta(folder))
    settings = config.health
    found = problems(
        health,
        args.now or datetime.now(UTC),
        max_age=_max_age(args.max_age_hours, settings.max_age_hours),
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
    return Unhealthy.exit_code


def _health_folder(args: argparse.Namespace) -> Path:
    from catalog_watch.sources import source_type

    folder = (
        Path(args.snapshots)
        if args.snapshots
        else source_type(args.source_type or "models.dev").snapshots
    )
    if not folder.is_dir():  # a typo or the wrong checkout, not an outage
        raise ConfigError(
            f"{folder}: no such snapshot folder; run health in the checkout that holds the "
            "snapshots, or name the folder with --snapshots"
        )
    return folder


def _max_age(flag: float | None, configured: float) -> timedelta:
    """``--max-age-hours``, which must exceed the interval at which the watcher (reading the same
    ``[health] max_age_hours``) records an unchanged run's success, or it could only raise false
    alarms."""
    from catalog_watch.model.health import refresh_interval

    if flag is None:
        return timedelta(hours=configured)
    recorded = refresh_interval(timedelta(hours=configured))
    if timedelta(hours=flag) <= recorded:
        raise ConfigError(
            f"--max-age-hours {flag:g}: a watcher whose catalog does not change records its "
            f"success every {recorded.total_seconds() / 3600:g} hours (max_age_hours = "
            f"{configured:g}): set [health] max_age_hours = {flag:g} in the config the watcher "
            "reads, and run health without the flag"
        )
    return timedelta(hours=flag)


def history(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.history import field_matcher
    from catalog_watch.analysis.history_query import Query
    from catalog_watch.render.history import render_history
    from catalog_watch.store.history_read import load_history

    config, index = load_config(args.config), model_index_option(args.models_json)
    query = Query.configured(args.model, args.provider, config, index)
    fields = field_matcher(args.field) if args.field else None
    found = load_history(
        args.history_from,
        Path(args.repo),
        args.snapshots,
        fields=fields,
        ref=args.ref,
        select=query.select,
    )
    answer = query.history(found, args.field)
    sys.stdout.write(render_history(answer.periods, args.format, answer.why))
    if answer.why and args.format != "text":  # JSON and CSV stay data
        print(f"catalog-watch: note: {answer.why}", file=sys.stderr)
    return 0


def price_at(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.history import field_matcher
    from catalog_watch.analysis.history_query import Query
    from catalog_watch.render.history import render_price_at
    from catalog_watch.store.history_read import load_history

    config, index = load_config(args.config), model_index_option(args.models_json)
    query = Query.configured(args.model, args.provider, config, index)
    found = load_history(
        args.history_from,
        Path(args.repo),
        args.snapshots,
        fields=field_matcher("cost"),
        ref=args.ref,
        select=query.select,
    )
    answer = query.price(found, args.when)
    text = render_price_at(
        answer.rows, args.model, args.when, args.format, why=answer.why, note=answer.note
    )
    sys.stdout.write(text)
    if (answer.why or answer.note) and args.format != "text":  # JSON and CSV stay data
        print(f"catalog-watch: note: {answer.why or answer.note}", file=sys.stderr)
    return 0


def site(args: argparse.Namespace) -> int:
    from catalog_watch.site import build_site

    result = build_site(
        Path(args.out),
        snapshots=Path(args.snapshots),
        ledger=Path(args.ledger) if args.ledger else None,
        config=load_config(args.config),
        now=args.now,
        limit=args.limit,
        index=model_index_option(args.models_json),
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


def compare(args: argparse.Namespace) -> int:
    from catalog_watch.analysis.cross_source import disagreements
    from catalog_watch.render.cross_source import render_comparison
    from catalog_watch.store.catalog_files import load_catalog

    config = load_config(args.config)
    catalogs = [load_catalog(Path(path), config, None) for path in args.inputs]
    _one_per_source(args.inputs, [catalog.source for catalog in catalogs])
    found = disagreements(catalogs)
    previous = _previous_disagreements(args.since) if args.since else None
    sys.stdout.write(render_comparison(catalogs, found, previous, args.format))
    return 0


def _one_per_source(inputs: list[str], sources: list[str]) -> None:
    """``compare`` sets catalogs of different sources side by side: one, or two of the same
    source, has nothing to compare (``diff`` compares one source over time)."""
    if len(inputs) < 2:
        raise ConfigError(
            f"compare needs catalogs of two or more sources (models.dev, litellm, openrouter); "
            f"got only {inputs[0]}"
        )
    first: dict[str, str] = {}
    for path, source in zip(inputs, sources, strict=True):
        if source in first:
            raise ConfigError(
                f"{first[source]} and {path} are both {source} catalogs: compare takes one "
                f"catalog per source; to compare two {source} catalogs, use diff"
            )
        first[source] = path


def _previous_disagreements(path: Path) -> list[Inconsistency]:
    """The disagreements of an earlier ``compare --format json`` (its ``disagreements`` list),
    read like any JSON the tool takes in (``json_reader.read_upstream``: a BOM is skipped)."""
    from catalog_watch.analysis.consistency import Inconsistency
    from catalog_watch.model.severity import Severity
    from catalog_watch.sources.json_reader import read_upstream

    try:
        items = read_upstream(path.read_bytes())["disagreements"]
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


def print_report(report: Report, output_format: str) -> None:
    from catalog_watch.render import RENDERERS

    sys.stdout.write(RENDERERS[output_format](report))


def with_ignored(config: Config, ignore: list[str] | None) -> Config:
    """``--ignore-field`` adds to the configured list; ``--ignore-field none`` empties it first."""
    if ignore is None:
        return config
    fields = list(config.diff.ignore_fields)
    for name in ignore:
        fields = [] if name == "none" else [*fields, name]
    return config.model_copy(update={"diff": DiffSettings(ignore_fields=tuple(fields))})


def check_options(args: argparse.Namespace, *, write: bool) -> CheckOptions:
    """The options ``check`` and ``run`` share, from the command line and the config file."""
    from catalog_watch.jobs.check import CheckOptions, Recognised, recognise
    from catalog_watch.sources import source_type

    # Without --source-type the default folder follows the type of --source (a LiteLLM file goes
    # to snapshots/litellm); a folder holding another source's snapshot refuses it (run.py).
    found = recognise(args.source) if args.source and not args.source_type else Recognised()
    kind = source_type(args.source_type or found.source_type or "models.dev")
    return CheckOptions(
        source=args.source or kind.default_url,
        snapshots=Path(args.snapshots) if args.snapshots else kind.snapshots,
        source_type=args.source_type or found.source_type,
        folder_source=None if args.snapshots else kind.name,
        prefetched=found.fetched,
        compare_with=tuple(Path(p) for p in args.compare_with or ()),
        write=write,
        allow_shrink=args.allow_shrink,
        models_json=args.models_json,
        config=with_guard(with_ignored(load_config(args.config), args.ignore_field), args),
        now=getattr(args, "now", None),
    )


def with_guard(config: Config, args: argparse.Namespace) -> Config:
    if args.max_shrink is None:
        return config
    guard = config.guard.model_copy(update={"max_shrink": args.max_shrink})
    return config.model_copy(update={"guard": guard})


def model_index_option(models_json: str | None) -> ModelIndex | None:
    if models_json is None:
        return None
    from catalog_watch.jobs.check import model_index

    return model_index(models_json)
