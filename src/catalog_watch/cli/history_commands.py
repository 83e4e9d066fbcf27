"""``history`` and ``price-at``: a model's effective-dated values, from the ledger or from git."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_watch.analysis.history import field_matcher
from catalog_watch.analysis.history_query import Query
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.render.history import render_history, render_price_at
from catalog_watch.settings.config import load_config
from catalog_watch.store.history_read import load_history


def history(args: argparse.Namespace) -> int:
    config, index = load_config(args.config), model_index(args.models_json)
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
    config, index = load_config(args.config), model_index(args.models_json)
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
