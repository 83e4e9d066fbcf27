"""``catalog-watch run``: the whole job, from fetch to a commit or a rolling pull request.

The catalog is fetched once; everything after that is "apply the run to a tree": write the
snapshot, a CHANGELOG section and ledger lines into a folder, then commit. Commit mode applies it
to the checkout, pull-request mode to a throw-away worktree of the base branch, dry-run to a
temporary copy. Because applying is a function of (tree, fetched catalog), a push that lost a race
can redo it on the new tip without fetching again.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from catalog_watch.catalog import JSON
from catalog_watch.changelog import CHANGELOG_FILE, write_changelog
from catalog_watch.config import DEFAULT_BRANCH
from catalog_watch.fetch import FetchResult
from catalog_watch.ledger import LEDGER_FILE, append_ledger, ledger_records
from catalog_watch.publish.git import Git, push_force_with_lease, push_with_recovery
from catalog_watch.publish.github import (
    GitHubClient,
    GitHubSettings,
    Label,
    PullRequestResult,
    close_rolling_pull,
    fit_body,
    upsert_rolling_pull,
)
from catalog_watch.render.headline import headline
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.pull_request import (
    LABELS,
    commit_message,
    pull_body,
    pull_labels,
    pull_title,
)
from catalog_watch.report import Report
from catalog_watch.run import CheckOptions, evaluate, fetch_for, fetch_since
from catalog_watch.snapshot import META_FILE, write_snapshot

Mode = Literal["dry-run", "commit", "pull-request"]


@dataclass(frozen=True, slots=True)
class JobOptions:
    check: CheckOptions  # ``check.snapshots`` is relative to the repository root
    mode: Mode = "dry-run"
    repo: Path = Path()
    branch: str = DEFAULT_BRANCH
    base: str | None = None
    token: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying the run to a tree wrote."""

    report: Report
    paths: tuple[str, ...]  # relative to the tree root, to stage
    message: str


@dataclass(frozen=True, slots=True)
class JobResult:
    report: Report | None
    not_modified: bool = False
    applied: Applied | None = None
    commit_sha: str | None = None
    pull: PullRequestResult | None = None
    preview: str = ""  # dry-run: what would be committed and sent


def run_job(options: JobOptions) -> JobResult:
    git = Git(options.repo)
    if options.mode == "pull-request":
        return _pull_request(git, options)
    fetched = fetch_for(options.repo / options.check.snapshots, options.check)
    if fetched.not_modified:
        return JobResult(report=None, not_modified=True)
    if options.mode == "commit":
        return _commit(git, fetched, options)
    return _dry_run(fetched, options)


def apply_run(root: Path, fetched: FetchResult, options: JobOptions, commit: str | None) -> Applied:
    """Write snapshot, CHANGELOG section and ledger lines under ``root`` (nothing if unchanged)."""
    snapshots = root / options.check.snapshots
    outcome = evaluate(snapshots, fetched, options.check)
    message = commit_message(outcome.report)
    if outcome.unchanged:
        return Applied(report=outcome.report, paths=(), message=message)
    write_snapshot(snapshots, outcome.files, outcome.meta)
    now = _now(options)
    heading = f"{now:%Y-%m-%d %H:%M} UTC: {headline(outcome.report)}"
    write_changelog(snapshots / CHANGELOG_FILE, heading, render_markdown(outcome.report))
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    append_ledger(
        snapshots / LEDGER_FILE, ledger_records(outcome.report, time=stamp, commit=commit)
    )
    return Applied(report=outcome.report, paths=(str(options.check.snapshots),), message=message)


def _commit(git: Git, fetched: FetchResult, options: JobOptions) -> JobResult:
    branch = git.current_branch()
    applied = apply_run(options.repo, fetched, options, git.head())
    sha = git.commit(applied.paths, applied.message) if applied.paths else None
    if sha is None:
        return JobResult(report=applied.report, applied=applied)

    def redo(tip: Git) -> str | None:
        again = apply_run(tip.path, fetched, options, tip.head())
        return tip.commit(again.paths, again.message) if again.paths else None

    pushed = push_with_recovery(git, branch, redo)
    return JobResult(report=applied.report, applied=applied, commit_sha=pushed.sha)


def _pull_request(git: Git, options: JobOptions) -> JobResult:
    base = options.base or git.current_branch()
    git.fetch(base)
    remote_sha = git.remote_sha(options.branch)
    if remote_sha is not None:
        git.fetch(options.branch)
    with git.worktree(f"origin/{base}") as tree:
        fetched = fetch_since(_pr_meta(tree, options, remote_sha), options.check)
        if fetched.not_modified:  # nothing new since the PR branch (or base) was written
            return JobResult(report=None, not_modified=True)
        applied = apply_run(tree.path, fetched, options, tree.head())
        with GitHubClient(GitHubSettings.from_env(options.env, options.token)) as client:
            if not applied.paths:
                comment = f"The {applied.report.source} catalog is back to the state of `{base}`."
                closed = close_rolling_pull(client, head=options.branch, base=base, comment=comment)
                return JobResult(report=applied.report, applied=applied, pull=closed)
            sha = tree.commit(applied.paths, applied.message)
            if not _same_snapshot(tree, options, remote_sha):
                sha = push_force_with_lease(tree, options.branch, remote_sha)
            else:
                sha = remote_sha
            pull = _upsert(client, applied.report, options, base)
    return JobResult(report=applied.report, applied=applied, commit_sha=sha, pull=pull)


def _upsert(
    client: GitHubClient, report: Report, options: JobOptions, base: str
) -> PullRequestResult:
    labels = [Label(name, *LABELS[name]) for name in pull_labels(report)]
    return upsert_rolling_pull(
        client,
        head=options.branch,
        base=base,
        title=pull_title(report),
        body=_fitted_body(report, options),
        labels=labels,
    )


def _fitted_body(report: Report, options: JobOptions) -> str:
    changelog = f"{options.check.snapshots}/{CHANGELOG_FILE}"
    pointer = f"\n\n… cut to fit GitHub's limit: see `{changelog}` on branch `{options.branch}`.\n"
    body = pull_body(report, changelog_path=changelog, branch=options.branch)
    return fit_body(body, pointer=pointer)


def _pr_meta(tree: Git, options: JobOptions, remote_sha: str | None) -> dict[str, JSON] | None:
    """The ``_meta.json`` whose ETag to send: the PR branch's when there is one, else the base's."""
    path = f"{options.check.snapshots}/{META_FILE}"
    text = tree.run("show", f"{remote_sha or 'HEAD'}:{path}", check=False)
    try:
        meta = json.loads(text) if text else None
    except ValueError:
        return None  # an unreadable meta only costs an unconditional fetch
    return meta if isinstance(meta, dict) else None


def _same_snapshot(tree: Git, options: JobOptions, remote_sha: str | None) -> bool:
    """True when the PR branch already holds this exact catalog: no force-push, no churn."""
    if remote_sha is None:
        return False
    path = f"{options.check.snapshots}/{META_FILE}"
    return tree.run("rev-parse", f"HEAD:{path}") == tree.run(
        "rev-parse", f"{remote_sha}:{path}", check=False
    )


def _dry_run(fetched: FetchResult, options: JobOptions) -> JobResult:
    with tempfile.TemporaryDirectory(prefix="catalog-watch-dry-run-") as scratch:
        root = Path(scratch)
        source = options.repo / options.check.snapshots
        if source.is_dir():
            shutil.copytree(source, root / options.check.snapshots)
        applied = apply_run(root, fetched, options, None)
        written = _changed_files(source, root / options.check.snapshots)
    report = applied.report
    lines = ["dry run: nothing was written, committed, pushed or sent."]
    if applied.paths:
        lines += [
            "would commit:",
            *(f"  {path}" for path in written),
            f"message: {applied.message}",
        ]
        lines += ["pull request title:", f"  {pull_title(report)}", "pull request labels:"]
        lines += [f"  {', '.join(pull_labels(report)) or '(none)'}", "pull request body:", ""]
        lines.append(_fitted_body(report, options))
    else:
        lines.append("nothing to commit: the snapshot is up to date.")
    return JobResult(report=report, applied=applied, preview="\n".join(lines) + "\n")


def _changed_files(before: Path, after: Path) -> list[str]:
    names = {p.name for p in after.iterdir()} | (
        {p.name for p in before.iterdir()} if before.is_dir() else set()
    )
    changed = []
    for name in sorted(names):
        old, new = before / name, after / name
        if not new.exists() or not old.exists() or old.read_bytes() != new.read_bytes():
            changed.append(str(before / name))
    return changed


def _now(options: JobOptions) -> datetime:
    return (options.now or datetime.now(UTC)).astimezone(UTC)
