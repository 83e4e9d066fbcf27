"""The git side effects of publishing: commit, push with race recovery, lease pushes, worktrees.

A thin typed wrapper over the real ``git`` binary: every call is one ``subprocess.run`` and every
failure one ``GitError`` naming the command and git's own stderr. Git never prompts
(``GIT_TERMINAL_PROMPT=0``), never opens an editor, and speaks untranslated English
(``LC_ALL=C``) so that the push verdicts below can be recognised in its output.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from catalog_watch.errors import GitError, PushRejected

Done = subprocess.CompletedProcess[str]

FALLBACK_NAME = "catalog-watch"
FALLBACK_EMAIL = "catalog-watch@users.noreply.github.com"

# The remote refused for good and will refuse again (GitHub branch protection GH006, rulesets
# GH013, any pre-receive hook): git prints "[remote rejected]", GitHub adds "remote:" lines.
_REFUSED = ("[remote rejected]", "pre-receive hook declined", "protected branch", "gh006", "gh013")
# Someone else moved the branch (git prints "! [rejected] ... (<reason>)"): a race, not a refusal.
_MOVED = ("(fetch first)", "(non-fast-forward)", "(stale info)")


@dataclass(frozen=True, slots=True)
class Git:
    """A checkout with an ``origin`` remote."""

    path: Path

    def run(self, *args: str, check: bool = True) -> str:
        """``git <args>`` in this checkout; its stdout, stripped."""
        return self._run(args, check=check).stdout.strip()

    def head(self) -> str:
        return self.run("rev-parse", "--verify", "HEAD")

    def current_branch(self) -> str:
        """The checked-out branch; commit mode pushes to it, so a detached HEAD is an error."""
        branch = self.run("branch", "--show-current")
        if not branch:
            raise GitError(
                f"HEAD is detached in {self.path} (`git branch --show-current` names no branch): "
                "commit mode needs a branch to push to; check one out first"
            )
        return branch

    def remote_sha(self, branch: str) -> str | None:
        """Where ``branch`` is on origin right now (not the local remote-tracking ref)."""
        ref = f"refs/heads/{branch}"
        for line in self.run("ls-remote", "origin", ref).splitlines():
            sha, _, name = line.partition("\t")
            if name == ref:
                return sha
        return None

    def fetch(self, branch: str) -> None:
        """Update ``origin/<branch>`` with an explicit refspec (CI clones may have none)."""
        refspec = f"+refs/heads/{branch}:refs/remotes/origin/{branch}"
        self.run("fetch", "--quiet", "--no-tags", "origin", refspec)

    def catch_up(self, branch: str) -> bool:
        """Fast-forward to ``origin/<branch>`` when the checkout is behind it (never rewrites).

        A re-run of a workflow checks out the commit the first run started from; the outbox and
        the snapshot on the branch may have moved on since. True when HEAD moved.
        """
        self.fetch(branch)
        remote = self.run("rev-parse", "--verify", f"refs/remotes/origin/{branch}")
        if remote == self.head():
            return False
        behind = self._run(("merge-base", "--is-ancestor", "HEAD", remote), check=False)
        if behind.returncode != 0:
            return False  # diverged (or ahead): the push will rebase or redo
        self.run("merge", "--quiet", "--ff-only", remote)
        return True

    def commit(self, paths: Sequence[str], message: str) -> str | None:
        """Commit what changed under ``paths`` (added, modified, deleted) and nothing else.

        Other staged or unstaged changes in the checkout stay as they were. None when nothing
        under ``paths`` changed: no empty commits.
        """
        if not paths:
            return None
        self.run("add", "--all", "--", *paths)
        if not self.run("diff", "--cached", "--name-only", "--", *paths):
            return None
        commit = (*self._identity(), "commit", "--quiet", "--file=-", "--", *paths)
        self._run(commit, stdin=message)
        return self.head()

    @contextmanager
    def worktree(self, ref: str) -> Iterator[Git]:
        """A detached checkout of ``ref`` in a temporary folder, removed on exit even on error.

        Pull-request mode builds its commit there, leaving the user's checkout untouched.
        """
        parent = Path(tempfile.mkdtemp(prefix="catalog-watch-"))
        tree = parent / "worktree"
        try:
            self.run("worktree", "add", "--quiet", "--detach", str(tree), ref)
            yield Git(tree)
        finally:
            self._run(("worktree", "remove", "--force", str(tree)), check=False)
            shutil.rmtree(parent, ignore_errors=True)
            self._run(("worktree", "prune"), check=False)

    def _identity(self) -> tuple[str, ...]:
        """``-c user.*`` for what neither git config nor the environment sets (as on CI)."""
        found = self._run(("config", "--get-regexp", r"^user\.(name|email)$"), check=False)
        keys = {line.partition(" ")[0].lower() for line in found.stdout.splitlines()}
        args: tuple[str, ...] = ()
        if "user.name" not in keys and not _env_identity("NAME"):
            args += ("-c", f"user.name={FALLBACK_NAME}")
        if "user.email" not in keys and not (_env_identity("EMAIL") or os.environ.get("EMAIL")):
            args += ("-c", f"user.email={FALLBACK_EMAIL}")
        return args

    def _run(self, args: Sequence[str], *, check: bool = True, stdin: str | None = None) -> Done:
        """Every git call goes through here (``-c user.*`` options may lead ``args``)."""
        try:
            done = subprocess.run(
                ["git", "-c", "core.editor=true", *args],
                cwd=self.path,
                input=stdin,
                env=_environment(),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                check=False,
            )
        except OSError as error:  # no git binary, or the folder does not exist
            raise GitError(f"`{_show(args)}` could not run in {self.path}: {error}") from error
        if check and done.returncode != 0:
            raise _failure(self.path, args, done)
        return done


@dataclass(frozen=True, slots=True)
class PushResult:
    """``sha`` is the commit now on the remote; None when the redo found nothing to commit."""

    sha: str | None
    attempts: int
    redone: int


def push_with_recovery(
    git: Git, branch: str, redo: Callable[[Git], str | None], *, attempts: int = 3
) -> PushResult:
    """Push HEAD to origin/<branch>, recovering from a race with another run.

    On a non-fast-forward rejection: fetch and rebase onto the new tip; if the rebase conflicts
    (both runs rewrote the snapshot, CHANGELOG or ledger), abort it, reset to origin's tip and
    let ``redo`` re-apply the run there. At most ``attempts`` pushes; PushRejected is never
    retried.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    sha: str | None = git.head()
    redone = 0
    args = ("push", "origin", f"HEAD:refs/heads/{branch}")
    for attempt in range(1, attempts + 1):
        done = _push(git, branch, args)
        if done.returncode == 0:
            return PushResult(sha=sha, attempts=attempt, redone=redone)
        if not _mentions(done, _MOVED):
            raise _failure(git.path, args, done)
        if attempt == attempts:
            break
        git.fetch(branch)
        if _rebase(git, branch):
            sha = git.head()
            if sha == git.run("rev-parse", "--verify", f"origin/{branch}"):
                sha = None  # the other run already pushed the very same change
        else:
            git.run("reset", "--quiet", "--hard", f"origin/{branch}")
            redone += 1
            sha = redo(git)
        if sha is None:
            return PushResult(sha=None, attempts=attempt, redone=redone)
    raise GitError(
        f"gave up pushing to origin/{branch} after {attempts} attempts: the branch moved before "
        "each of them (other runs pushing at the same time); the next run will try again"
    )


def push_force_with_lease(git: Git, branch: str, expected_remote_sha: str | None) -> str:
    """Push HEAD to ``branch``, overwriting it only if it is still at ``expected_remote_sha``.

    None expects the branch not to exist. The rolling pull request's branch is rewritten on
    every run; the lease keeps a run from overwriting a push it has not seen.
    """
    ref = f"refs/heads/{branch}"
    lease = f"--force-with-lease={ref}:{expected_remote_sha or ''}"
    args = ("push", lease, "origin", f"HEAD:{ref}")
    sha = git.head()
    done = _push(git, branch, args)
    if done.returncode == 0:
        return sha
    if _mentions(done, _MOVED):
        expected = f"at {expected_remote_sha}" if expected_remote_sha else "absent"
        raise GitError(
            f"`{_show(args)}`: the lease on origin/{branch} is stale (expected it {expected}, "
            f"someone else moved it); nothing was overwritten. Git said: {_said(done)}"
        )
    raise _failure(git.path, args, done)


def delete_remote_branch(git: Git, branch: str) -> None:
    """Delete ``branch`` on origin (the rolling PR was closed); fine if it is already gone."""
    args = ("push", "origin", "--delete", f"refs/heads/{branch}")
    done = _push(git, branch, args)
    if done.returncode != 0 and "remote ref does not exist" not in done.stderr:
        raise _failure(git.path, args, done)


def _push(git: Git, branch: str, args: Sequence[str]) -> Done:
    """Run a push; a refusal for good raises PushRejected at once, anything else is returned."""
    done = git._run(args, check=False)
    if done.returncode != 0 and _mentions(done, _REFUSED):
        raise PushRejected(
            f"`{_show(args)}`: the remote refused the push to {branch} for good (branch "
            "protection or a server hook; not retried). Commit mode cannot push to a protected "
            "branch: use --mode pull-request, which pushes to its own branch and opens a pull "
            f"request. Git said: {_said(done)}"
        )
    return done


def _rebase(git: Git, branch: str) -> bool:
    """Replay our commits onto origin/<branch>; False on a conflict, with the rebase aborted."""
    args = (*git._identity(), "rebase", "--quiet", "--no-autostash", f"origin/{branch}")
    done = git._run(args, check=False)
    if done.returncode == 0:
        return True
    if not _rebase_in_progress(git):  # refused to start (a dirty tree): not a conflict
        raise _failure(git.path, args, done)
    git.run("rebase", "--abort")
    return False


def _rebase_in_progress(git: Git) -> bool:
    names = ("rebase-merge", "rebase-apply")
    return any((git.path / git.run("rev-parse", "--git-path", name)).exists() for name in names)


def _mentions(done: Done, markers: Sequence[str]) -> bool:
    output = f"{done.stdout}\n{done.stderr}".lower()
    return any(marker in output for marker in markers)


def _env_identity(kind: str) -> bool:
    return bool(os.environ.get(f"GIT_AUTHOR_{kind}") and os.environ.get(f"GIT_COMMITTER_{kind}"))


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "LC_ALL": "C"}


def _failure(path: Path, args: Sequence[str], done: Done) -> GitError:
    return GitError(f"`{_show(args)}` failed in {path} (exit {done.returncode}): {_said(done)}")


def _said(done: Done) -> str:
    """Git's own words: its stderr (where push reports refs and hooks), else its stdout."""
    return done.stderr.strip() or done.stdout.strip() or "(git printed nothing)"


def _show(args: Sequence[str]) -> str:
    return shlex.join(["git", *args])
