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
from catalog_watch.cli.diff_command import one_source
from catalog_watch.cli.options import print_report, with_ignored
from catalog_watch.errors import ConfigError
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.model.catalog import JSONObject, JSONValue
from catalog_watch.model.inconsistency import inconsistency_kind
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
    one_source(args.old, old, args.new, new)
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
    read like any JSON the tool takes in (``json_reader.read_upstream``: a BOM is skipped). The
    file is the user's to edit: every key the report reads is checked here, with its type."""
    try:
        document = read_upstream(path.read_bytes())
    except (OSError, ValueError) as error:
        raise _not_compare_output(path, str(error)) from None
    items = document.get("disagreements") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise _not_compare_output(path, 'no "disagreements" list')
    return [_previous_disagreement(path, n, item) for n, item in enumerate(items)]


def _previous_disagreement(path: Path, n: int, item: JSONValue) -> Inconsistency:
    """Disagreement ``n`` of the earlier output, or the error naming it and the key at fault."""
    where = f"disagreement {n}"
    if not isinstance(item, dict):
        raise _not_compare_output(path, f"{where} is {_a(item)}, not an object")
    finding, model, field = (_string(path, where, item, key) for key in ("id", "model", "field"))
    kind = inconsistency_kind(_key(path, where, item, "kind"))
    if kind is None:
        why = '"kind" is no kind of finding catalog-watch writes'
        raise _not_compare_output(path, f"{where}: {why}")
    values = _key(path, where, item, "values")
    if not isinstance(values, dict):
        raise _not_compare_output(path, f'{where}: "values" is {_a(values)}, not an object')
    severity = _key(path, where, item, "severity")
    if not isinstance(severity, str) or severity not in _SEVERITIES:
        why = f'"severity" is not one of {", ".join(_SEVERITIES)}'
        raise _not_compare_output(path, f"{where}: {why}")
    return Inconsistency(finding, kind, model, field, values, Severity(severity))


_SEVERITIES = tuple(severity.value for severity in Severity)


def _key(path: Path, where: str, item: JSONObject, key: str) -> JSONValue:
    if key not in item:
        raise _not_compare_output(path, f'{where} has no "{key}"')
    return item[key]


def _string(path: Path, where: str, item: JSONObject, key: str) -> str:
    """``id`` matches findings across the two runs; ``model`` and ``field`` are in the words."""
    value = _key(path, where, item, key)
    if not isinstance(value, str):
        raise _not_compare_output(path, f'{where}: "{key}" is {_a(value)}, not a string')
    return value


def _a(value: JSONValue) -> str:
    """What a value is, in JSON's words: ``a number``, ``a list``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    words = ((str, "a string"), (list, "a list"), (dict, "an object"))
    return next((a for kind, a in words if isinstance(value, kind)), "a number")


def _not_compare_output(path: Path, why: str) -> ConfigError:
    return ConfigError(f"{path}: not the JSON output of catalog-watch compare ({why})")
