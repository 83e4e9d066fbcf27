"""``diff``, ``inconsistencies``, ``show`` and ``compare``: catalogs in, a report on stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_watch.analysis.compare import compare as compare_catalogs
from catalog_watch.analysis.consistency import (
    Inconsistency,
    find_inconsistencies,
    group_offerings,
)
from catalog_watch.analysis.consistency_select import select_inconsistencies
from catalog_watch.analysis.cross_source import disagreements
from catalog_watch.analysis.model_card import close_matches, model_card
from catalog_watch.analysis.model_names import ModelNames, check_provider, no_match_message
from catalog_watch.cli.options import print_report, with_ignored
from catalog_watch.errors import ConfigError
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.model.severity import Severity
from catalog_watch.render.cross_source import render_comparison
from catalog_watch.render.inconsistencies import render_inconsistencies
from catalog_watch.render.model_card import render_card
from catalog_watch.settings.config import load_config, reference_scenario, scenarios
from catalog_watch.sources.json_reader import read_upstream
from catalog_watch.store.catalog_files import load_catalog


def diff(args: argparse.Namespace) -> int:
    config = with_ignored(load_config(args.config), args.ignore_field)
    old = load_catalog(Path(args.old), config, args.source_type)
    new = load_catalog(Path(args.new), config, args.source_type)
    print_report(compare_catalogs(old, new, config, model_index(args.models_json)), args.format)
    return 0


def inconsistencies(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    settings, index = config.inconsistencies, model_index(args.models_json)
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
    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    settings, index = config.inconsistencies, model_index(args.models_json)
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


def compare(args: argparse.Namespace) -> int:
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
