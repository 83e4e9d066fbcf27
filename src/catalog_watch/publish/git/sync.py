"""Before a run: bring the checkout level with origin, pushing (or dropping) the tool's commits
that an earlier run left unpushed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from catalog_watch.publish.git.command import Git
from catalog_watch.publish.git.commits import Commit, describe
from catalog_watch.publish.git.push import publish
from catalog_watch.publish.git.recovery import drop_stale, droppable, is_ancestor, move_to, recover

SyncOutcome = Literal["up-to-date", "fast-forwarded", "pushed", "dropped", "kept"]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What ``sync_with_origin`` did. ``unpushed``: the commits ahead of origin it found (after its
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


def sync_with_origin(
    git: Git, branch: str, *, owned: Sequence[str], attempts: int = 3
) -> SyncResult:
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
    git.fetch(branch)
    onto = git.run("rev-parse", "--verify", f"refs/remotes/origin/{branch}")
    if onto == git.head():
        return SyncResult(branch=branch, outcome="up-to-date")
    unpushed = git.unpushed(branch)
    if not unpushed:
        move_to(git, onto, f"onto origin/{branch}")
        return SyncResult(branch=branch, outcome="fast-forwarded", sha=onto)
    tool = tuple(c for c in unpushed if droppable(git, c, owned))
    if not tool:
        return SyncResult(branch=branch, outcome="kept", unpushed=unpushed)
    ours = frozenset(c.sha for c in tool)
    if not is_ancestor(git, onto, "HEAD"):
        ours, _ = recover(git, branch, drop_stale, owned=owned, ours=ours)
    pushed = publish(git, branch, drop_stale, owned, attempts, ours).sha if ours else None
    return SyncResult(
        branch=branch,
        outcome="pushed" if pushed else "dropped",
        unpushed=unpushed,
        tool=tool,
        sha=pushed,
    )


def sync(git: Git, branch: str, *, owned: Sequence[str], attempts: int = 3) -> str | None:
    """``sync_with_origin(...)`` as the run's log line (``SyncResult.notice``): None when nothing
    was left over."""
    return sync_with_origin(git, branch, owned=owned, attempts=attempts).notice()


def _count(items: Sequence[object], noun: str = "commit") -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
