"""Pushes: HEAD to the branch with race recovery, a lease push for the rolling pull request's
branch, a branch deleted; and how git's words tell a race from a refusal for good."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalog_watch.errors import GitError, PushRejected, StaleLease
from catalog_watch.publish.git.command import Done, Git, failure, said, show
from catalog_watch.publish.git.recovery import recover

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


@dataclass(frozen=True, slots=True)
class PushResult:
    """``sha`` is the commit now on the remote; None when the redo found nothing to commit."""

    sha: str | None
    attempts: int
    redone: int


def push_with_recovery(
    git: Git,
    branch: str,
    redo: Callable[[Git], str | None],
    *,
    owned: Sequence[str] = (),
    attempts: int = 3,
    head: str | None = None,
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
    is outside it: nothing is ever redone. ``head``: HEAD's sha when the caller has it (the
    commit it just made), sparing a ``git rev-parse``.
    """
    head = head or git.head()
    return publish(git, branch, redo, owned, attempts, frozenset({head}), head)


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
        raise StaleLease(
            f"`{show(args)}`: the lease on origin/{branch} is stale (expected it {expected}, "
            f"someone else moved it); nothing was overwritten. Git said: {said(done)}"
        )
    raise failure(git.path, args, done)


def delete_remote_branch(git: Git, branch: str) -> None:
    """Delete ``branch`` on origin (the rolling PR was closed); fine if it is already gone."""
    args = ("push", "origin", "--delete", f"refs/heads/{branch}")
    done = _push(git, branch, args)
    if done.returncode != 0 and "remote ref does not exist" not in done.stderr:
        raise failure(git.path, args, done)


def publish(
    git: Git,
    branch: str,
    redo: Callable[[Git], str | None],
    owned: Sequence[str],
    attempts: int,
    ours: frozenset[str],
    head: str | None = None,
) -> PushResult:
    """Push HEAD until it lands; ``ours``: the tool's commits in it that must reach origin;
    ``head``: HEAD's sha if known (a recovery moves HEAD and forgets it)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    redone = 0
    args = ("push", "origin", f"HEAD:refs/heads/{branch}")
    for attempt in range(1, attempts + 1):
        done = _push(git, branch, args)
        if done.returncode == 0:
            return PushResult(sha=head or git.head(), attempts=attempt, redone=redone)
        if not (_mentions(done, _MOVED) or _mentions(done, _LOCKED)):
            raise failure(git.path, args, done)
        if attempt == attempts:
            break
        git.fetch(branch)
        ours, redid = recover(git, branch, redo, owned=owned, ours=ours)
        redone, head = redone + redid, None
        if not ours:  # origin already has the change, or the redo found nothing to commit
            return PushResult(sha=None, attempts=attempt, redone=redone)
    raise GitError(
        f"gave up pushing to origin/{branch} after {attempts} attempts: the branch moved or was "
        "locked by another push before each of them (other runs pushing at the same time); the "
        "next run will try again"
    )


def _push(git: Git, branch: str, args: Sequence[str]) -> Done:
    """Run a push; a refusal for good raises PushRejected at once, anything else is returned."""
    done = git._run(args, check=False)
    if done.returncode != 0 and _refused(done):
        raise PushRejected(
            f"`{show(args)}`: the remote refused the push to {branch} for good (branch "
            "protection or a server hook; not retried). Commit mode cannot push to a protected "
            "branch: use --mode pull-request, which pushes to its own branch and opens a pull "
            f"request. Git said: {said(done)}"
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
