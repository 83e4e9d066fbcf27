"""Putting HEAD on origin's new tip after a race: replay in a temporary worktree, set the tool's
own commits aside when only the owned paths conflict, and move the checkout keeping uncommitted
changes byte for byte (the rules are in the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalog_watch.errors import GitError
from catalog_watch.publish.git.command import Git, failure, said
from catalog_watch.publish.git.commits import LOG_FORMAT, Commit, parse_log


@dataclass(frozen=True, slots=True)
class _Replayed:
    tip: str
    moved: dict[str, str]  # old sha -> new sha; a commit whose change origin has is absent


@dataclass(frozen=True, slots=True)
class _Conflict:
    commit: Commit
    paths: tuple[str, ...]


def recover(
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
    if is_ancestor(git, onto, "HEAD"):
        return ours, 0  # a lock race that did not move the branch: push again as is
    commits = _replayable(git, onto)
    replayed = _replay(git, onto, commits)
    if isinstance(replayed, _Replayed):
        move_to(git, replayed.tip, f"onto {remote}")
        return frozenset(replayed.moved[sha] for sha in ours if sha in replayed.moved), 0
    outside = [path for path in replayed.paths if not _inside(path, owned)]
    if outside:
        raise GitError(
            f"cannot push to {remote}: commit {_name(replayed.commit)} conflicts with {remote} "
            f"in {', '.join(outside)}, outside the paths catalog-watch writes; nothing was "
            f"pushed or rewritten and your commits are still on the branch: run `git pull "
            f"--rebase origin {branch}`, resolve the conflict, then run catalog-watch again"
        )
    keep = [c for c in commits if c.sha not in ours and not droppable(git, c, owned)]
    rebuilt = _replay(git, onto, keep)
    if isinstance(rebuilt, _Conflict):
        raise GitError(
            f"cannot push to {remote}: your commit {_name(rebuilt.commit)} conflicts with "
            f"{remote} in {', '.join(rebuilt.paths)}; nothing was pushed or rewritten (HEAD is "
            f"still {git.head()[:12]}): run `git pull --rebase origin {branch}`, resolve the "
            "conflict, then run catalog-watch again"
        )
    move_to(git, rebuilt.tip, f"onto {remote}")
    sha = redo(git)
    return (frozenset({sha}) if sha else frozenset()), 1


def drop_stale(git: Git) -> str | None:
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
        LOG_FORMAT,
        f"{onto}...HEAD",
    )
    return list(parse_log(found))


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
                raise failure(tree.path, (*pick, commit.sha), done)
            listed = tree.run("diff", "-z", "--name-only", "--diff-filter=U")
            conflicted = [path for path in listed.split("\0") if path]
            unchanged = tree._run(("diff", "--cached", "--quiet"), check=False).returncode == 0
            if not conflicted and unchanged:
                tree.run("cherry-pick", "--skip")  # origin already has this change
                continue
            tree.run("cherry-pick", "--abort")
            return _Conflict(commit=commit, paths=tuple(conflicted) or ("(unknown)",))
        return _Replayed(tip=tree.head(), moved=moved)


def move_to(git: Git, new: str, where: str) -> None:
    """Move HEAD (and its branch) to ``new`` keeping staged and unstaged changes as they are;
    refuse, changing nothing, when one is in a file that differs between HEAD and ``new``."""
    old = git.head()
    if new == old:
        return
    git._run(("update-index", "-q", "--refresh"), check=False)  # a rewrite with the same bytes
    done = git._run(("read-tree", "-m", "-u", old, new), check=False)
    if done.returncode != 0:
        files = sorted(set(re.findall(r"'([^']+)'", done.stderr)))
        named = ", ".join(files) if files else said(done)
        raise GitError(
            f"cannot move the checkout {where}: your uncommitted changes to {named} would be "
            f"overwritten by the commits from origin; nothing was changed (HEAD is still "
            f"{old[:12]}): commit or stash them, then run catalog-watch again"
        )
    git.run("update-ref", "-m", f"catalog-watch: moved {where}", "HEAD", new, old)


def droppable(git: Git, commit: Commit, owned: Sequence[str]) -> bool:
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


def is_ancestor(git: Git, older: str, newer: str) -> bool:
    return git._run(("merge-base", "--is-ancestor", older, newer), check=False).returncode == 0


def _picking(git: Git) -> bool:
    return (git.path / git.run("rev-parse", "--git-path", "CHERRY_PICK_HEAD")).exists()


def _name(commit: Commit) -> str:
    return f"{commit.sha[:12]} ({commit.subject!r})"
