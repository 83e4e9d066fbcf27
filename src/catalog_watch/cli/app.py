"""``catalog-watch``: the parser (``parser.py``) in front of the command functions; errors → exit
codes.

Exit codes, each an ``exit_code`` of ``errors.py``: 0 success (with or without changes), 2 bad usage
or config, 3 fetch failed, 4 catalog refused, 5 shrink guard refused, 6 damaged snapshot folder,
7 git or push failed, 8 GitHub API refused, 9 Slack delivery failed, 10 unhealthy (``health``),
11 another catalog-watch error (the base class), 12 a lint finding is an error (``lint``), 130
interrupted. 1 is only Python's own, for an uncaught exception (a bug).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from catalog_watch.cli.parser import build_parser
from catalog_watch.errors import CatalogWatchError, Interrupted, message_line
from catalog_watch.inert.actions_log import guarded_streams
from catalog_watch.inert.terminal import one_line

COMMANDS = {
    "diff": "catalog_watch.cli.catalog_commands:diff",
    "inconsistencies": "catalog_watch.cli.catalog_commands:inconsistencies",
    "show": "catalog_watch.cli.catalog_commands:show",
    "compare": "catalog_watch.cli.catalog_commands:compare",
    "history": "catalog_watch.cli.history_commands:history",
    "price-at": "catalog_watch.cli.history_commands:price_at",
    "site": "catalog_watch.cli.site_command:site",
    "health": "catalog_watch.cli.health_command:health",
    "check": "catalog_watch.cli.check_command:check",
    "run": "catalog_watch.cli.run_commands:run",
    "usage": "catalog_watch.cli.usage_command:usage",
    "lint": "catalog_watch.cli.lint_command:lint",
    "deprecations": "catalog_watch.cli.deprecations_command:deprecations",
}
"""Command → the function that runs it. The command line's lazy seam: a command imports only what
it needs (``health`` never loads matplotlib or slack-sdk; ``--help`` loads neither analysis nor
pydantic)."""


FAST_PATHS = {
    "check": "catalog_watch.cli.quiet_check:check",
    "diff": "catalog_watch.cli.diff_command:diff_without_config",
}
"""Command → a function tried before it: its exit code, or None to run the command. ``check``
answers a catalog that did not change from ``_meta.json`` alone, before the command's imports
(pydantic, the analysis) are paid for; ``diff`` with no config file runs on the defaults,
without pydantic and httpx."""


def command_function(name: str) -> Callable[[argparse.Namespace], int]:
    module, _, function = COMMANDS[name].partition(":")
    found: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return found


def _function(where: str) -> Callable[[argparse.Namespace], int | None]:
    module, _, function = where.partition(":")
    found: Callable[[argparse.Namespace], int | None] = getattr(
        importlib.import_module(module), function
    )
    return found


def run_command(args: argparse.Namespace) -> int:
    """The command's fast path when it has one and it answers, else the command."""
    if args.name in FAST_PATHS and (code := _function(FAST_PATHS[args.name])(args)) is not None:
        return code
    return int(command_function(args.name)(args))


def main(argv: Sequence[str] | None = None) -> int:
    # A short-lived process that builds a few hundred thousand small objects and frees them at
    # exit: the cyclic GC only costs time here (about a third of a diff's wall time). An
    # in-process caller (the tests: ``main([...])``) gets its collector back on the way out. Run
    # as the process's own command line (no ``argv``: the console script), it stays off, or the
    # interpreter's collection at exit would walk every object the command left (0.1 s of a
    # 0.7 s ``history``).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting and argv is not None:
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    actions = os.environ.get("GITHUB_ACTIONS") == "true" or getattr(args, "github_actions", False)
    with guarded_streams(actions=actions):
        try:
            return run_command(args)
        except CatalogWatchError as error:
            print(f"catalog-watch: error: {one_line(message_line(error))}", file=sys.stderr)
            return error.exit_code
        except KeyboardInterrupt:
            return Interrupted.exit_code


if __name__ == "__main__":
    sys.exit(main())
