"""The git side effects of publishing: commit, push with race recovery, lease pushes, worktrees.

A thin typed wrapper over the real ``git`` binary: every call is one ``subprocess.run`` and every
failure one ``GitError`` naming the command and git's own stderr. Git never prompts
(``GIT_TERMINAL_PROMPT=0``), never opens an editor, and speaks untranslated English
(``LC_ALL=C``) so that the push verdicts below can be recognised in its output.

The rules a push follows:

* **Races are retried.** A push rejected because the branch moved (``fetch first``,
  ``non-fast-forward``) or because another push held the ref at the same moment (``cannot lock
  ref``, ``failed to update ref``, ``incorrect old value provided``, ``unable to update local
  ref``) fetches, replays the local commits onto origin's new tip and pushes again.
* **Refusals are permanent.** Branch protection (GH006), rulesets (GH013), "protected branch" and
  a server hook that declines without a lock message raise ``PushRejected`` at once.
* **The user's commits are never reset away.** The tool's own commits are the one a run just made
  and, among older unpushed ones, those whose subject starts with ``catalog-watch``
  (``is_tool_commit``) and which touch only the paths the tool owns. When replaying conflicts
  outside those paths, nothing is rewritten and ``GitError`` says which files to resolve. When
  it conflicts only inside them, the tool's commits are set aside, the user's own commits are
  replayed in order on origin's tip (a conflict there: ``GitError``, HEAD unchanged) and the run
  is redone on top.
* **Nothing the tool committed stays behind.** ``Git.sync``, at the start of a run, pushes the
  tool's commits an earlier run left unpushed (killed after its commit, or its push failed), or
  drops them when origin has changed the same owned files since (the run recomputes them).
* **Uncommitted changes stay as they are.** Replays happen in a temporary worktree; the
  checkout is moved onto the result with a two-way ``read-tree`` that keeps staged and unstaged
  changes byte for byte, and refuses (``GitError``, nothing changed) when one of them is in a
  file the incoming commits change.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from catalog_watch import __version__
from catalog_watch.errors import GitError, PushRejected
from catalog_watch.inert.git import commit_text

Done = subprocess.CompletedProcess[str]

FALLBACK_NAME = "catalog-watch"
FALLBACK_EMAIL = "catalog-watch@users.noreply.github.com"
TOOL_PREFIX = "catalog-watch"
TOOL_TRAILER = "Catalog-Watch-Commit"  # every commit the tool makes carries it
SUBJECT_LIMIT = 72  # characters of a commit subject (git's and GitHub's one-line views)
_LOG_FORMAT = f"--format=%H%x1f%s%x1f%(trailers:key={TOOL_TRAILER},valueonly,separator=%x2c)%x1e"

# The remote refused for good and will refuse again. Protection markers win over everything;
# "[remote rejected]" and a declining hook count only when no ref-lock race is mentioned.
_PROTECTED = ("protected branch", "gh006", "gh013")
_REFUSED = ("[remote rejected]", "pre-receive hook declined")
# Someone else moved the branch (git prints "! [rejected] ... (<reason>)"): a race, not a refusal.
_MOVED = ("(fetch first)", "(non-fast-forward)", "(stale info)")
# Another push updated the ref at the same moment ("! [remote rejected] main -> main (cannot lock
# ref ...)", or the remote's "error: cannot lock ref" with "(failed to update ref)"): a race too.
_LOCKED = (
    "cannot lock ref",
    "failed to update ref",
    "incorrect old value provided",
    "unable to update local ref",
)

SyncOutcome = Literal["up-to-date", "fast-forwarded", "pushed", "dropped", "kept"]


def short_subject(message: str) -> str:
    """``message`` with a subject of at most ``SUBJECT_LIMIT`` characters.

    A longer first line is cut at the last clause (``, ``) or word boundary that fits, marked
    with "…", and given whole as the body's first paragraph, above the rest of the body: the
    one-line log (``git log --oneline``, GitHub's commit list) stays readable, nothing is lost.
    """
    first, _, rest = message.partition("\n")
    if len(first) <= SUBJECT_LIMIT:
        return message
    body = f"{first}\n\n{rest.lstrip(chr(10))}" if rest.strip() else first
    return f"{_cut(first, SUBJECT_LIMIT - 1)}…\n\n{body.rstrip()}"


def _cut(line: str, width: int) -> str:
    """The longest start of ``line`` within ``width`` that ends after a clause (``, ``), else at
    a word boundary; a cut that would lose more than half the width is made mid-word."""
    clause = line.rfind(", ", 0, width)
    if clause >= width // 2:
        return line[: clause + 2]
    space = line.rfind(" ", 0, width + 1)
    return line[:space] if space >= width // 2 else line[:width]


def is_tool_commit(subject: str, trailer: str = "") -> bool:
    """A commit catalog-watch made: its ``Catalog-Watch-Commit`` trailer, or (commits made before
    the trailer existed) its subject: ``catalog-watch`` then ``:``, space or end.

    Recovery also requires such a commit to touch only the owned paths before it drops one.
    """
    if trailer.strip():
        return True
    rest = subject.removeprefix(TOOL_PREFIX)
    return rest != subject and (not rest or rest[0] in ": ")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    subject: str
    trailer: str = ""

    @property
    def tool(self) -> bool:
        return is_tool_commit(self.subject, self.trailer)


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
        the snapshot on the branch may have moved on since. True when HEAD moved. ``sync`` does
        this and also pushes what earlier runs left unpushed.
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
        found = self.run("log", "--reverse", _LOG_FORMAT, f"refs/remotes/origin/{branch}..HEAD")
        return _commits(found)

    def sync(self, branch: str, *, owned: Sequence[str], attempts: int = 3) -> SyncResult:
        """Bring the checkout level with ``origin/<branch>`` before a run; push what is left over.

        Fetch, then: level → ``up-to-date``; behind only → fast-forward (uncommitted changes
        kept) → ``fast-forwarded``; ahead or diverged with commits of the tool (a run killed
        after its commit, or whose push failed) → push them with ``push_with_recovery``'s rules
        → ``pushed``. When they conflict with origin only inside ``owned``, the stale tool
        commits are dropped (the run that follows recomputes snapshot, CHANGELOG and ledger from
        the new tip; an outbox delivery mark dropped this way means those alerts may be sent
        again), the user's own commits are replayed on origin's tip, nothing is pushed →
        ``dropped`` (also when origin already had their change). Ahead with the user's own
        commits only → nothing pushed or rewritten → ``kept``. A push, as every commit-mode push,
        sends HEAD: the user's own commits on the branch go with the tool's. A conflict outside
        ``owned`` raises GitError as in ``push_with_recovery``.
        """
        self.fetch(branch)
        onto = self.run("rev-parse", "--verify", f"refs/remotes/origin/{branch}")
        if onto == self.head():
            return SyncResult(branch=branch, outcome="up-to-date")
        unpushed = self.unpushed(branch)
        if not unpushed:
            _move_to(self, onto, f"onto origin/{branch}")
            return SyncResult(branch=branch, outcome="fast-forwarded", sha=onto)
        tool = tuple(c for c in unpushed if _droppable(self, c, owned))
        if not tool:
            return SyncResult(branch=branch, outcome="kept", unpushed=unpushed)
        ours = frozenset(c.sha for c in tool)
        if not _is_ancestor(self, onto, "HEAD"):
            ours, _ = _recover(self, branch, _drop_stale, owned=owned, ours=ours)
        pushed = _publish(self, branch, _drop_stale, owned, attempts, ours).sha if ours else None
        return SyncResult(
            branch=branch,
            outcome="pushed" if pushed else "dropped",
            unpushed=unpushed,
            tool=tool,
            sha=pushed,
        )

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
        parent = Path(tempfile.mkdtemp(prefix="catalog-watch-"))
        tree = parent / "worktree"
        try:
            self.run("worktree", "add", "--quiet", "--detach", str(tree), ref)
            yield Git(tree)
        finally:
            self._run(("worktree", "remove", "--force", str(tree)), check=False)
            shutil.rmtree(parent, ignore_errors=True)
            self._run(("worktree", "prune"), check=False)

    def _tracked(self, path: str) -> bool:
        return bool(self.run("--literal-pathspecs", "ls-files", "--cached", "--", path))

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


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What ``Git.sync`` did. ``unpushed``: the commits ahead of origin it found (after its
    fetch), oldest first; ``tool``: those it took for the tool's (to push, or to drop);
    ``sha``: origin's tip it pushed or fast-forwarded to."""

    branch: str
    outcome: SyncOutcome
    unpushed: tuple[Commit, ...] = field(default=())
    tool: tuple[Commit, ...] = field(default=())
    sha: str | None = None

    def notice(self) -> str | None:
        """One line for the run's log; None when there was nothing to do or only to catch up."""
        listed = describe(self.unpushed)
        if self.outcome == "pushed":
            return f"pushed {_count(self.unpushed)} left unpushed on {self.branch}: {listed}"
        if self.outcome == "dropped":
            return (
                f"dropped {_count(self.tool, 'catalog-watch commit')} left unpushed on "
                f"{self.branch}: "
                f"origin/{self.branch} already has their change or changed the same files since, "
                f"and this run recomputes them from there ({listed})"
            )
        if self.outcome == "kept":
            return (
                f"{_count(self.unpushed)} of yours ahead of origin/{self.branch}, not pushed by "
                f"this step: {listed}"
            )
        return None


def sync(git: Git, branch: str, *, owned: Sequence[str], attempts: int = 3) -> str | None:
    """``git.sync(...)`` as the run's log line (``SyncResult.notice``): None when nothing
    was left over."""
    return git.sync(branch, owned=owned, attempts=attempts).notice()


def describe(commits: Sequence[Commit]) -> str:
    """``1a2b3c4d5e6f catalog-watch: health; 7a8b9c0d1e2f fix typo`` for a log line."""
    return "; ".join(f"{c.sha[:12]} {c.subject}" for c in commits)


def _count(items: Sequence[object], noun: str = "commit") -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def push_with_recovery(
    git: Git,
    branch: str,
    redo: Callable[[Git], str | None],
    *,
    owned: Sequence[str] = (),
    attempts: int = 3,
) -> PushResult:
    """Push HEAD, the run's commit, to origin/<branch>, recovering from races with other pushes.

    ``owned``: the paths the tool writes (files or folders, relative to the checkout). On a
    moved branch or a ref-lock race: fetch and replay the commits ahead of origin onto its new
    tip. A conflict in a path outside ``owned`` raises GitError, rewriting nothing. A conflict
    only inside ``owned``: drop the run's commit and older unpushed tool commits, replay the
    user's own commits in order on origin's tip (a conflict: GitError, HEAD unchanged), then
    ``redo(git)`` in this checkout must re-apply the run and commit it (its sha) or return None
    (then the user's replayed commits stay local). Uncommitted changes are kept throughout. At
    most ``attempts`` pushes; PushRejected is never retried. With ``owned`` empty every conflict
    is outside it: nothing is ever redone.
    """
    return _publish(git, branch, redo, owned, attempts, frozenset({git.head()}))


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
    if _mentions(done, _MOVED) or _mentions(done, _LOCKED):
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


# -- recovery ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Replayed:
    tip: str
    moved: dict[str, str]  # old sha -> new sha; a commit whose change origin has is absent


@dataclass(frozen=True, slots=True)
class _Conflict:
    commit: Commit
    paths: tuple[str, ...]


def _publish(
    git: Git,
    branch: str,
    redo: Callable[[Git], str | None],
    owned: Sequence[str],
    attempts: int,
    ours: frozenset[str],
) -> PushResult:
    """Push HEAD until it lands; ``ours``: the tool's commits in it that must reach origin."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    redone = 0
    args = ("push", "origin", f"HEAD:refs/heads/{branch}")
    for attempt in range(1, attempts + 1):
        done = _push(git, branch, args)
        if done.returncode == 0:
            return PushResult(sha=git.head(), attempts=attempt, redone=redone)
        if not (_mentions(done, _MOVED) or _mentions(done, _LOCKED)):
            raise _failure(git.path, args, done)
        if attempt == attempts:
            break
        git.fetch(branch)
        ours, redid = _recover(git, branch, redo, owned=owned, ours=ours)
        redone += redid
        if not ours:  # origin already has the change, or the redo found nothing to commit
            return PushResult(sha=None, attempts=attempt, redone=redone)
    raise GitError(
        f"gave up pushing to origin/{branch} after {attempts} attempts: the branch moved or was "
        "locked by another push before each of them (other runs pushing at the same time); the "
        "next run will try again"
    )


def _recover(
    git: Git,
    branch: str,
    redo: Callable[[Git], str | None],
    *,
    owned: Sequence[str],
    ours: frozenset[str],
) -> tuple[frozenset[str], int]:
    """Put HEAD on the fetched ``origin/<branch>``; the tool's commits left to push, redos."""
    remote = f"origin/{branch}"
    owned = _roots(git, owned)
    onto = git.run("rev-parse", "--verify", f"refs/remotes/{remote}")
    if _is_ancestor(git, onto, "HEAD"):
        return ours, 0  # a lock race that did not move the branch: push again as is
    commits = _replayable(git, onto)
    replayed = _replay(git, onto, commits)
    if isinstance(replayed, _Replayed):
        _move_to(git, replayed.tip, f"onto {remote}")
        return frozenset(replayed.moved[sha] for sha in ours if sha in replayed.moved), 0
    outside = [path for path in replayed.paths if not _inside(path, owned)]
    if outside:
        raise GitError(
            f"cannot push to {remote}: commit {_name(replayed.commit)} conflicts with {remote} "
            f"in {', '.join(outside)}, outside the paths catalog-watch writes; nothing was "
            f"pushed or rewritten and your commits are still on the branch: run `git pull "
            f"--rebase origin {branch}`, resolve the conflict, then run catalog-watch again"
        )
    keep = [c for c in commits if c.sha not in ours and not _droppable(git, c, owned)]
    rebuilt = _replay(git, onto, keep)
    if isinstance(rebuilt, _Conflict):
        raise GitError(
            f"cannot push to {remote}: your commit {_name(rebuilt.commit)} conflicts with "
            f"{remote} in {', '.join(rebuilt.paths)}; nothing was pushed or rewritten (HEAD is "
            f"still {git.head()[:12]}): run `git pull --rebase origin {branch}`, resolve the "
            "conflict, then run catalog-watch again"
        )
    _move_to(git, rebuilt.tip, f"onto {remote}")
    sha = redo(git)
    return (frozenset({sha}) if sha else frozenset()), 1


def _drop_stale(git: Git) -> str | None:
    """Sync's redo: the stale tool commits stay dropped; the run that follows recomputes."""
    return None


def _replayable(git: Git, onto: str) -> list[Commit]:
    """The commits HEAD has and ``onto`` lacks, oldest first, as ``git rebase`` would replay
    them: no merges, none whose patch ``onto`` already has."""
    found = git.run(
        "log",
        "--reverse",
        "--right-only",
        "--cherry-pick",
        "--no-merges",
        _LOG_FORMAT,
        f"{onto}...HEAD",
    )
    return list(_commits(found))


def _replay(git: Git, onto: str, commits: Sequence[Commit]) -> _Replayed | _Conflict:
    """Cherry-pick ``commits`` in order onto ``onto`` in a temporary worktree (the checkout and
    its uncommitted changes are not touched); the first conflict stops it, aborted."""
    if not commits:
        return _Replayed(tip=onto, moved={})
    moved: dict[str, str] = {}
    with git.worktree(onto) as tree:
        pick = (*git._identity(), "cherry-pick", "--allow-empty", "--allow-empty-message")
        for commit in commits:
            done = tree._run((*pick, commit.sha), check=False)
            if done.returncode == 0:
                moved[commit.sha] = tree.head()
                continue
            if not _picking(tree):  # refused to start: not a conflict
                raise _failure(tree.path, (*pick, commit.sha), done)
            listed = tree.run("diff", "-z", "--name-only", "--diff-filter=U")
            conflicted = [path for path in listed.split("\0") if path]
            unchanged = tree._run(("diff", "--cached", "--quiet"), check=False).returncode == 0
            if not conflicted and unchanged:
                tree.run("cherry-pick", "--skip")  # origin already has this change
                continue
            tree.run("cherry-pick", "--abort")
            return _Conflict(commit=commit, paths=tuple(conflicted) or ("(unknown)",))
        return _Replayed(tip=tree.head(), moved=moved)


def _move_to(git: Git, new: str, where: str) -> None:
    """Move HEAD (and its branch) to ``new`` keeping staged and unstaged changes as they are;
    refuse, changing nothing, when one is in a file that differs between HEAD and ``new``."""
    old = git.head()
    if new == old:
        return
    git._run(("update-index", "-q", "--refresh"), check=False)  # a rewrite with the same bytes
    done = git._run(("read-tree", "-m", "-u", old, new), check=False)
    if done.returncode != 0:
        files = sorted(set(re.findall(r"'([^']+)'", done.stderr)))
        named = ", ".join(files) if files else _said(done)
        raise GitError(
            f"cannot move the checkout {where}: your uncommitted changes to {named} would be "
            f"overwritten by the commits from origin; nothing was changed (HEAD is still "
            f"{old[:12]}): commit or stash them, then run catalog-watch again"
        )
    git.run("update-ref", "-m", f"catalog-watch: moved {where}", "HEAD", new, old)


def _droppable(git: Git, commit: Commit, owned: Sequence[str]) -> bool:
    """An older tool commit recovery may drop: its subject says so and it touches only
    ``owned`` (a user's commit that happens to start with ``catalog-watch`` elsewhere stays)."""
    if not commit.tool:
        return False
    touched = git.run(
        "diff-tree", "-z", "--no-commit-id", "--name-only", "-r", "--root", commit.sha
    )
    roots = _roots(git, owned)
    return all(_inside(path, roots) for path in touched.split("\0") if path)


def _roots(git: Git, owned: Sequence[str]) -> tuple[str, ...]:
    """``owned`` as git names paths: relative to the checkout, ``/``-separated, no ``./``."""
    roots = []
    for name in owned:
        path = Path(name)
        if path.is_absolute():
            try:
                path = path.resolve().relative_to(git.path.resolve())
            except ValueError:
                continue  # outside the checkout: owns nothing in it
        roots.append(path.as_posix().removeprefix("./").rstrip("/"))
    return tuple(roots)


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(root in ("", ".") or path == root or path.startswith(f"{root}/") for root in roots)


def _is_ancestor(git: Git, older: str, newer: str) -> bool:
    return git._run(("merge-base", "--is-ancestor", older, newer), check=False).returncode == 0


def _picking(git: Git) -> bool:
    return (git.path / git.run("rev-parse", "--git-path", "CHERRY_PICK_HEAD")).exists()


def _commits(log: str) -> tuple[Commit, ...]:
    rows = (record.strip("\n").split("\x1f") for record in log.split("\x1e") if record.strip())
    return tuple(Commit(*[*row, "", ""][:3]) for row in rows)


def _name(commit: Commit) -> str:
    return f"{commit.sha[:12]} ({commit.subject!r})"


# -- pushes and errors ---------------------------------------------------------------------------


def _push(git: Git, branch: str, args: Sequence[str]) -> Done:
    """Run a push; a refusal for good raises PushRejected at once, anything else is returned."""
    done = git._run(args, check=False)
    if done.returncode != 0 and _refused(done):
        raise PushRejected(
            f"`{_show(args)}`: the remote refused the push to {branch} for good (branch "
            "protection or a server hook; not retried). Commit mode cannot push to a protected "
            "branch: use --mode pull-request, which pushes to its own branch and opens a pull "
            f"request. Git said: {_said(done)}"
        )
    return done


def _refused(done: Done) -> bool:
    """Protection markers always; a rejection or declining hook unless a lock race explains it."""
    if _mentions(done, _PROTECTED):
        return True
    return _mentions(done, _REFUSED) and not _mentions(done, _LOCKED)


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
