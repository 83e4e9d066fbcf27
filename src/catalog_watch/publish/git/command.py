"""The one wrapper over the real ``git`` binary, for publishing and for reading history.

Every call is one subprocess and every failure one ``GitError`` naming the command and git's own
stderr. Git never prompts (``GIT_TERMINAL_PROMPT=0``), never opens an editor, speaks untranslated
English (``LC_ALL=C``) so that push verdicts can be recognised in its output, and names paths
unquoted (``core.quotePath=false``) so that messages show them as they are."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from catalog_watch import __version__
from catalog_watch.errors import GitError
from catalog_watch.inert.git import commit_text
from catalog_watch.publish.git.commits import (
    LOG_FORMAT,
    TOOL_TRAILER,
    Commit,
    parse_log,
    short_subject,
)

Done = subprocess.CompletedProcess[str]

FALLBACK_NAME = "catalog-watch"
FALLBACK_EMAIL = "catalog-watch@users.noreply.github.com"
_OPTIONS = ("-c", "core.editor=true", "-c", "core.quotePath=false")

WORKTREE_PREFIX = "catalog-watch-"
"""A temporary worktree is ``<tmp>/catalog-watch-<pid>-<random>/worktree``: the pid of the
process that made it tells a later run whether it is gone (:meth:`Git.stale_worktrees`)."""
_WORKTREE_FOLDER = re.compile(re.escape(WORKTREE_PREFIX) + r"(\d+)-\w+")


@dataclass(frozen=True, slots=True)
class Git:
    """A repository or checkout (publishing needs one with an ``origin`` remote)."""

    path: Path
    # The ``-c user.*`` options of its commits, looked up on the first (a run commits several
    # times: once for the snapshot, once per Slack delivery mark).
    _identity_memo: list[tuple[str, ...]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )

    def run(self, *args: str, check: bool = True) -> str:
        """``git <args>`` in this checkout; its stdout, stripped."""
        return self._run(args, check=check).stdout.strip()

    def run_bytes(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        """``git <args>`` with its output as bytes: no decoding and no newline translation (a
        diff line may hold a lone CR, a name bytes that are not UTF-8)."""
        process = self.pipe(*args)
        out, err = process.communicate()
        if check and process.returncode != 0:
            words = (out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
            raise failure(self.path, args, Done(args, process.returncode, *words))
        return subprocess.CompletedProcess(args, process.returncode, out, err)

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
        ``sync_with_origin`` does this and also pushes what earlier runs left unpushed.
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

    def unpushed(self, branch: str) -> tuple[Commit, ...]:
        """The commits on HEAD that ``origin/<branch>`` lacks, oldest first (no fetch: the
        remote-tracking ref as the last fetch left it). For the run's log line."""
        found = self.run("log", "--reverse", LOG_FORMAT, f"refs/remotes/origin/{branch}..HEAD")
        return parse_log(found)

    def commit(self, paths: Sequence[str], message: str) -> str | None:
        """Commit what changed at ``paths`` (added, modified, deleted) and nothing else.

        ``paths`` are literal (no globs): exact files or folders. Paths that neither exist nor
        are tracked are skipped. Other staged or unstaged changes in the checkout, also in the
        same folder, stay as they were. None when nothing at ``paths`` changed: no empty commits.
        ``message`` may quote the catalog: it goes through ``inert.git.commit_text``; a first
        line over ``SUBJECT_LIMIT`` characters is cut for the subject (``short_subject``).
        """
        present = tuple(p for p in paths if os.path.lexists(self.path / p) or self._tracked(p))
        if not present:
            return None
        literal = ("--literal-pathspecs",)
        self._run((*literal, "add", "--all", "--", *present))
        if not self.run("--literal-pathspecs", "diff", "--cached", "--name-only", "--", *present):
            return None
        commit = (*self._identity(), *literal, "commit", "--quiet", "--file=-", "--", *present)
        text = short_subject(commit_text(message.rstrip()))
        self._run(commit, stdin=f"{text}\n\n{TOOL_TRAILER}: {__version__}\n")
        return self.head()

    @contextmanager
    def worktree(self, ref: str) -> Iterator[Git]:
        """A detached checkout of ``ref`` in a temporary folder, removed on exit even on error.

        Pull-request mode builds its commit there, leaving the user's checkout untouched.
        """
        parent = Path(tempfile.mkdtemp(prefix=f"{WORKTREE_PREFIX}{os.getpid()}-"))
        tree = parent / "worktree"
        try:
            self.run("worktree", "add", "--quiet", "--detach", str(tree), ref)
            yield Git(tree)
        finally:
            self.remove_worktree(tree)

    def remove_worktree(self, tree: Path) -> None:
        """Unregister a temporary worktree (a locked one too: an ``add`` killed half-way) and
        delete its folder."""
        self._run(("worktree", "remove", "--force", "--force", str(tree)), check=False)
        shutil.rmtree(tree.parent, ignore_errors=True)
        self._run(("worktree", "prune"), check=False)

    def stale_worktrees(self) -> list[Path]:
        """The temporary worktrees of this repository whose process is gone: a run killed while
        it worked in one left it registered, and a checkout's worth of files in the temp folder."""
        listing = self.run("worktree", "list", "--porcelain", check=False)
        lines = listing.splitlines()
        trees = [
            Path(line.removeprefix("worktree ")) for line in lines if line.startswith("worktree ")
        ]
        return [tree for tree in trees if tree.name == "worktree" and _maker_gone(tree.parent)]

    def pipe(self, *args: str) -> subprocess.Popen[bytes]:
        """``git <args>`` left running, its input and output piped as bytes (``cat-file
        --batch``): the caller writes and reads, then ends it with ``communicate()``."""
        try:
            return subprocess.Popen(
                ["git", *_OPTIONS, *args],
                cwd=self.path,
                env=_environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:  # no git binary, or the folder does not exist
            raise GitError(f"`{show(args)}` could not run in {self.path}: {error}") from error

    def _tracked(self, path: str) -> bool:
        return bool(self.run("--literal-pathspecs", "ls-files", "--cached", "--", path))

    def _identity(self) -> tuple[str, ...]:
        """``-c user.*`` for what neither git config nor the environment sets (as on CI)."""
        if not self._identity_memo:
            self._identity_memo.append(self._look_up_identity())
        return self._identity_memo[0]

    def _look_up_identity(self) -> tuple[str, ...]:
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
                ["git", *_OPTIONS, *args],
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
            raise GitError(f"`{show(args)}` could not run in {self.path}: {error}") from error
        if check and done.returncode != 0:
            raise failure(self.path, args, done)
        return done


def _env_identity(kind: str) -> bool:
    return bool(os.environ.get(f"GIT_AUTHOR_{kind}") and os.environ.get(f"GIT_COMMITTER_{kind}"))


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "LC_ALL": "C"}


def failure(path: Path, args: Sequence[str], done: Done) -> GitError:
    return GitError(f"`{show(args)}` failed in {path} (exit {done.returncode}): {said(done)}")


def said(done: Done) -> str:
    """Git's own words: its stderr (where push reports refs and hooks), else its stdout."""
    return done.stderr.strip() or done.stdout.strip() or "(git printed nothing)"


def show(args: Sequence[str]) -> str:
    return shlex.join(["git", *args])


def _maker_gone(folder: Path) -> bool:
    """``folder`` is a temporary worktree's, and the process that made it no longer runs."""
    made = _WORKTREE_FOLDER.fullmatch(folder.name)
    if made is None:
        return False
    try:
        os.kill(int(made.group(1)), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # EPERM: alive, another user's
        return False
    return False
