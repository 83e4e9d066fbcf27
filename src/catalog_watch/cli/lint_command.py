"""``lint``: the model ids a change adds, judged against a catalog; exit 12 on an error."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from catalog_watch.analysis.lint import LintRules
from catalog_watch.errors import LintFailed
from catalog_watch.jobs.evaluation import model_index
from catalog_watch.jobs.lint import default_base, lint_changes, publish_lint
from catalog_watch.publish.actions import ActionsRuntime
from catalog_watch.publish.git import Git
from catalog_watch.render.lint import render_lint
from catalog_watch.render.values import count
from catalog_watch.settings.config import load_config, reference_scenario
from catalog_watch.store.catalog_files import load_catalog


def lint(args: argparse.Namespace) -> int:
    """Print the findings (annotations and a summary table too in Actions); ``LintFailed``
    when one is an error."""
    config = load_config(args.config)
    catalog = load_catalog(Path(args.catalog), config, args.source_type)
    repo = Path.cwd()
    base = args.base or default_base(Git(repo), os.environ)
    now: datetime = args.now or datetime.now(UTC)
    rules = LintRules(
        today=now.date(),
        errors=frozenset(config.lint.errors),
        lead_days=config.lint.lead_days,
        expensive_ratio=config.lint.expensive_ratio,
        reference=reference_scenario(config),
    )
    index = model_index(args.models_json)
    run = lint_changes(repo, base, catalog, rules, config.inconsistencies, index)
    sys.stdout.write(render_lint(run.findings, args.format, base=base))
    runtime = ActionsRuntime.from_environ(force=args.github_actions)
    if runtime is not None:
        publish_lint(runtime, run)
    errors = sum(f.level == "error" for f in run.findings)
    if errors:
        kinds = sorted({f.kind for f in run.findings if f.level == "error"})
        raise LintFailed(
            f"lint: {count(errors, 'finding is an error', 'findings are errors')} "
            f"({', '.join(kinds)}; [lint] errors in the configuration decides which kinds fail)"
        )
    return 0
