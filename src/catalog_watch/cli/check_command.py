"""``check``: fetch, compare with the snapshot folder, print the report, write it with --write.

Apart from ``run`` (``run_commands.py``) so that a check loads neither git, Slack nor the
GitHub Actions outputs.
"""

from __future__ import annotations

import argparse
import sys

from catalog_watch.cli.options import check_options, print_report
from catalog_watch.cli.quiet_check import aside, local_catalog_hint, not_modified
from catalog_watch.jobs.check import check as run_check


def check(args: argparse.Namespace) -> int:
    options = check_options(args, write=args.write)
    with local_catalog_hint(args):
        result = run_check(options)
    if result.not_modified or result.report is None:
        print(not_modified(options.source), file=aside(args))
        return 0
    print_report(result.report, args.format)
    if result.written is not None and result.written.changed:
        written = len(result.written.written) + len(result.written.removed)
        print(f"wrote {written} file(s) under {options.snapshots}", file=sys.stderr)
    return 0
