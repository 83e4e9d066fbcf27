"""``run --mode pull-request``: one rolling pull request from a fixed branch into the base.

Each run rebuilds the branch from the base's tip in a throw-away worktree (the checkout is left
alone), so the pull request always shows "base → catalog now", whether it is created or updated.
The branch's outbox is carried over first, so alerts already delivered from the branch are not
sent again; the branch is force-pushed with a lease, and only when its catalog changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from catalog_watch.analysis.usage import UsedModels
from catalog_watch.errors import CatalogWatchError, ConfigError, StaleLease
from catalog_watch.jobs.check import fetch_since
from catalog_watch.jobs.health import first_line
from catalog_watch.jobs.reverts import undo_alerted
from catalog_watch.jobs.steps import (
    Applied,
    JobOptions,
    JobResult,
    apply_run,
    deliver_through,
    health_writer,
    write_reminders,
)
from catalog_watch.model.meta import Meta
from catalog_watch.model.report import Report
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.publish.git import Git, push_force_with_lease
from catalog_watch.publish.github import (
    GitHubClient,
    GitHubSettings,
    Label,
    PullRequestResult,
    close_rolling_pull,
    fit_body,
    upsert_rolling_pull,
)
from catalog_watch.render.pull_request import LABELS, pull_body, pull_labels, pull_title
from catalog_watch.render.values import count
from catalog_watch.settings.defaults import DEFAULT_BRANCH
from catalog_watch.store.changelog import CHANGELOG_FILE
from catalog_watch.store.outbox import OUTBOX_FILE, Outbox, parse_outbox, read_outbox, write_outbox
from catalog_watch.store.snapshot import META_FILE, parse_meta, read_snapshot


def run_pull_request(git: Git, options: JobOptions, run_id: str) -> JobResult:
    base = _base_branch(git, options)
    git.fetch(base)
    remote_sha = git.remote_sha(options.branch)
    if remote_sha is not None:
        git.fetch(options.branch)
    with (
        git.worktree(f"origin/{base}") as tree,
        GitHubClient(GitHubSettings.from_env(options.env, options.token)) as client,
    ):
        try:
            return _run_in(tree, client, options, run_id, base, remote_sha)
        except Exception as error:
            _record_failure(git, tree, options, run_id, error)
            raise


def _base_branch(git: Git, options: JobOptions) -> str:
    """The base, once ``--branch`` (and ``--base``) are names git can push and the branch is not
    the base: the mode pushes only its own branch and leaves the merge to a person, and with
    ``--branch main`` it would force-push the catalog onto main and open a PR from main to main.
    """
    for flag, name in (("--branch", options.branch), ("--base", options.base)):
        if name is not None:
            _require_branch_name(git, flag, name)
    base = options.base or git.current_branch()
    if options.branch == base:
        raise ConfigError(
            f"--branch {options.branch}: that is the base branch; pull-request mode pushes its "
            f"own branch for a person to merge: give another --branch (default: {DEFAULT_BRANCH})"
        )
    return base


def _require_branch_name(git: Git, flag: str, name: str) -> None:
    """Refuse what ``git check-ref-format --branch`` refuses (``a..b``, ``x.lock``, ``-x``, a
    space) or expands (``@{-1}``), and the names it takes that are no plain branch: ``HEAD`` and
    ``@`` name the checked-out commit, ``refs/heads/main`` would be pushed as
    ``refs/heads/refs/heads/main``."""
    checked = git.run("check-ref-format", "--branch", name, check=False)
    if checked != name or name in ("HEAD", "@") or name.startswith("refs/"):
        raise ConfigError(
            f"{flag} {name!r}: not a branch name (`git check-ref-format --branch` refuses it, or "
            f"it names a ref, not a branch): give a plain name such as {DEFAULT_BRANCH}"
        )


def _run_in(
    tree: Git,
    client: GitHubClient,
    options: JobOptions,
    run_id: str,
    base: str,
    remote_sha: str | None,
) -> JobResult:
    """The run on a worktree of the base: build the branch, push it, upsert the PR, deliver."""
    fetched = fetch_since(_branch_meta(tree, options, remote_sha), options.check)
    if fetched.not_modified:  # nothing new since the branch (or base) was written
        return _deliver_only(
            tree, options, run_id, remote_sha, JobResult(report=None, not_modified=True)
        )
    base_ids = read_outbox(tree.path / options.check.snapshots / OUTBOX_FILE).ids()
    _carry_outbox(tree, options, remote_sha)
    applied = apply_run(tree.path, fetched, options, tree.head())
    if not applied.paths:
        comment = f"The {applied.report.source} catalog is back to the state of `{base}`."
        closed = close_rolling_pull(client, head=options.branch, base=base, comment=comment)
        result = JobResult(report=applied.report, applied=applied, pull=closed)
        return _back_to_base(tree, options, run_id, remote_sha, base_ids, result)
    if _same_snapshot(tree, options, remote_sha):
        pull = _upsert(client, applied, options, base)
        result = JobResult(report=applied.report, applied=applied, commit_sha=remote_sha, pull=pull)
        return _deliver_only(tree, options, run_id, remote_sha, result)
    tree.commit(applied.paths, applied.message)
    sha = push_force_with_lease(tree, options.branch, remote_sha)
    pull = _upsert(client, applied, options, base)
    result = JobResult(report=applied.report, applied=applied, commit_sha=sha, pull=pull)
    return _deliver_on_branch(tree, options, run_id, sha, result)


def _back_to_base(
    tree: Git,
    options: JobOptions,
    run_id: str,
    remote_sha: str | None,
    base_ids: set[str],
    result: JobResult,
) -> JobResult:
    """The catalog is the base's again: on the branch, queue one alert per alerted change now
    undone (``reverts.py``), then deliver what the branch's outbox holds."""
    if options.slack is None or remote_sha is None:
        return result
    now = read_snapshot(tree.path / options.check.snapshots)  # the base's: the catalog now
    tree.run("reset", "--quiet", "--hard", remote_sha)
    path = tree.path / options.check.snapshots / OUTBOX_FILE
    before = read_outbox(path)
    after = undo_alerted(
        before,
        base_ids=base_ids,
        document=now.document if now is not None else {},
        created=utc_stamp(options.moment),
    )
    saver = BranchSaver(tree, options, remote_sha)
    if after != before:
        saver.save(_undone_message(before, after), lambda _: _write_outbox(path, after))
    return _deliver_on_branch(tree, options, run_id, saver.sha, result)


def _undone_message(before: Outbox, after: Outbox) -> str:
    told = len(after.ids() - before.ids())
    if told:
        return f"catalog-watch: {count(told, 'change', 'changes')} undone, back to the base"
    dropped = count(len(before.ids() - after.ids()), "unsent alert", "unsent alerts")
    return f"catalog-watch: drop {dropped} of undone changes"


def _write_outbox(path: Path, outbox: Outbox) -> None:
    write_outbox(path, outbox)


def _record_failure(
    git: Git, tree: Git, options: JobOptions, run_id: str, error: Exception
) -> None:
    """Count the failure in the branch's health (the base gets no commits in this mode).

    Without a branch there is nowhere to keep the streak; the failed workflow run shows it.
    """
    sha = git.remote_sha(options.branch)
    if sha is None:
        return
    try:
        git.fetch(options.branch)
        tree.run("reset", "--quiet", "--hard", sha)
        saver = BranchSaver(tree, options, sha)
        saver.save(
            f"catalog-watch: run failed: {first_line(error)}", health_writer(options).failure(error)
        )
        if options.slack is not None:
            # This run may have had a message accepted whose mark it could not save: its own
            # claims are as uncertain as a dead run's, looked up in Slack before any is re-sent.
            deliver_through(saver, options, run_id, run_id, commit=saver.sha)
    except (CatalogWatchError, OSError) as also:
        print(
            f"catalog-watch: notice: could not record the failed run: {first_line(also)}",
            file=sys.stderr,
        )


def _upsert(
    client: GitHubClient, applied: Applied, options: JobOptions, base: str
) -> PullRequestResult:
    report = applied.report
    labels = [Label(name, *LABELS[name]) for name in pull_labels(report)]
    return upsert_rolling_pull(
        client,
        head=options.branch,
        base=base,
        title=pull_title(report),
        body=fitted_body(report, options, applied.used),
        labels=labels,
    )


def _deliver_only(
    tree: Git, options: JobOptions, run_id: str, remote_sha: str | None, result: JobResult
) -> JobResult:
    """No new catalog: queue on the branch the retirement reminders due now (a reminder is due
    for days, not only when the catalog changes), then deliver what its outbox holds. Without a
    branch (the catalog is the base's) there is no outbox to keep them in."""
    if options.slack is None or remote_sha is None:
        return result
    tree.run("reset", "--quiet", "--hard", remote_sha)
    saver = BranchSaver(tree, options, remote_sha)
    saver.save("catalog-watch: retirement reminders", partial(write_reminders, options=options))
    return _deliver_on_branch(tree, options, run_id, saver.sha, result)


LEASE_ATTEMPTS = 5
"""Lease pushes a save tries before it gives up (each after another run moved the branch)."""


@dataclass(slots=True)
class BranchSaver:
    """Pull-request mode's saver: commit on the rolling branch, push with a lease (a CAS)."""

    tree: Git
    options: JobOptions
    sha: str  # where the branch is on origin, as far as this run knows

    @property
    def root(self) -> Path:
        return self.tree.path

    def save(self, message: str, apply: Callable[[Path], None]) -> bool:
        """Apply, commit, push with the lease. When another run moved the branch meanwhile (it
        rebuilt it for a new catalog), apply again on its tip: every change saved here (a claim,
        a delivered mark, a health record) is a function of the tree, and a mark left unsaved
        would have the next run send the alert again."""
        branch = self.options.branch
        for _ in range(LEASE_ATTEMPTS - 1):
            try:
                return self._save_once(message, apply)
            except StaleLease:
                moved = self.tree.remote_sha(branch)
                if moved is None:  # the pull request was closed: the branch is gone
                    raise
                self.tree.fetch(branch)
                self.tree.run("reset", "--quiet", "--hard", moved)
                self.sha = moved
        return self._save_once(message, apply)

    def _save_once(self, message: str, apply: Callable[[Path], None]) -> bool:
        apply(self.tree.path)
        if self.tree.commit((str(self.options.check.snapshots),), message) is None:
            return False
        self.sha = push_force_with_lease(self.tree, self.options.branch, self.sha)
        return True


def _deliver_on_branch(
    tree: Git, options: JobOptions, run_id: str, sha: str, result: JobResult
) -> JobResult:
    if options.slack is None:
        return result
    pull_url = result.pull.pull.url if result.pull and result.pull.pull else None
    saver = BranchSaver(tree, options, sha)
    delivery = deliver_through(saver, options, run_id, None, commit=sha, pull_url=pull_url)
    return replace(result, delivery=delivery)


def _carry_outbox(tree: Git, options: JobOptions, remote_sha: str | None) -> None:
    """Merge the branch's outbox into the base's before the run adds its alerts."""
    if remote_sha is None:
        return
    path = tree.path / options.check.snapshots / OUTBOX_FILE
    text = tree.run("show", f"{remote_sha}:{options.check.snapshots}/{OUTBOX_FILE}", check=False)
    if not text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_outbox(path, read_outbox(path).merge(parse_outbox(text)))


def _branch_meta(tree: Git, options: JobOptions, remote_sha: str | None) -> Meta | None:
    """The ``_meta.json`` whose ETag to send: the branch's when there is one, else the base's."""
    path = f"{options.check.snapshots}/{META_FILE}"
    text = tree.run("show", f"{remote_sha or 'HEAD'}:{path}", check=False)
    try:
        return parse_meta(text.encode(), Path(path)) if text else None
    except CatalogWatchError:
        return None  # an unreadable meta only costs an unconditional fetch


def _same_snapshot(tree: Git, options: JobOptions, remote_sha: str | None) -> bool:
    """True when the branch already holds this exact catalog: no force-push, no churn.

    ``_meta.json`` holds the content hash, so comparing it compares the whole catalog; its
    ``health`` part (the time of the last success) is left out, as it differs between any two
    runs of the same catalog.
    """
    if remote_sha is None:
        return False
    path = f"{options.check.snapshots}/{META_FILE}"
    theirs = tree.run("show", f"{remote_sha}:{path}", check=False)
    ours = (tree.path / path).read_text(encoding="utf-8")
    return bool(theirs) and _without_health(ours) == _without_health(theirs)


def _without_health(meta: str) -> object:
    try:
        parsed = json.loads(meta)
    except ValueError:
        return meta
    if isinstance(parsed, dict):
        parsed.pop("health", None)
    return parsed


def fitted_body(report: Report, options: JobOptions, used: UsedModels | None = None) -> str:
    changelog = f"{options.check.snapshots}/{CHANGELOG_FILE}"
    pointer = f"\n\n… cut to fit GitHub's limit: see `{changelog}` on branch `{options.branch}`.\n"
    body = pull_body(report, changelog_path=changelog, branch=options.branch, used=used)
    return fit_body(body, pointer=pointer)
