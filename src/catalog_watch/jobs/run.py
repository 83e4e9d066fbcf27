"""``catalog-watch run``: the whole job, as one transaction on the committed snapshot folder.

The sequence, the same in every publishing mode: start from the committed state (leftovers of a
killed run set aside, the tool's unpushed commits pushed) → fetch → apply the run to the tree
(snapshot, CHANGELOG, ledger and pending alerts computed in memory, staged, read back, renamed
in: ``store/transaction.py``) → commit → push → claim the pending alerts → deliver, saving each
accepted message → health. The mode is a *saver* (``CommitSaver`` in ``commit_mode.py``; the
pull-request mode's in ``pull_request.py``; ``dry_run.py`` saves nothing): it applies a change to
its tree, commits and pushes it, and on a lost race applies it again on the new tip. Because
applying is a function of (tree, fetched catalog), a push that lost a race redoes the run without
fetching again.

Every failure, whatever its cause, is recorded in the failure streak (``jobs/health.py``); a run
that was killed is counted by the next run in the same checkout (``jobs/leftovers.py``), and a
run that finds another one still running in its checkout stops before it touches anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace

from catalog_watch.jobs.check import fetch_for, require_folder
from catalog_watch.jobs.commit_mode import CommitSaver, commit_mode
from catalog_watch.jobs.leftovers import run_lock
from catalog_watch.jobs.steps import JobOptions, JobResult, new_run_id
from catalog_watch.publish.git import Git
from catalog_watch.sources.fetch import FetchResult

__all__ = ["JobOptions", "JobResult", "run_job"]

DRY_RUN = "catalog_watch.jobs.dry_run"
"""The dry run previews every Slack payload, so it renders them (``jobs/delivery.py``): imported
by name in that mode only, so that the hourly run loads no Slack code unless it sends."""
PULL_REQUEST = "catalog_watch.jobs.pull_request"
"""The rolling pull request and the GitHub REST client, imported by name in that mode only."""


def run_job(options: JobOptions) -> JobResult:
    # One moment for the whole run: its change commit, its health and its alerts agree on the
    # time (a clock read at each step can tick over a second between two of them).
    options = replace(options, now=options.moment)
    require_folder(options.repo / options.check.snapshots)  # before commit mode sets aside any
    if options.mode == "dry-run":
        dry_run: Callable[[FetchResult, JobOptions], JobResult]
        dry_run = importlib.import_module(DRY_RUN).dry_run
        return dry_run(fetch_for(options.repo / options.check.snapshots, options.check), options)
    git = Git(options.repo)
    run_id = new_run_id(options.env)
    with run_lock(git, run_id) as dead:
        if options.mode == "pull-request":
            pull_request: Callable[[Git, JobOptions, str], JobResult]
            pull_request = importlib.import_module(PULL_REQUEST).run_pull_request
            return pull_request(git, options, run_id)
        return commit_mode(CommitSaver(git, git.current_branch(), options), options, run_id, dead)
