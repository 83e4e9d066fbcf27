"""The git side effects of publishing: commit, push with race recovery, lease pushes, worktrees.

A thin typed wrapper over the real ``git`` binary: every call is one git process and every
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
* **Nothing the tool committed stays behind.** ``sync_with_origin``, at the start of a run, pushes
  the tool's commits an earlier run left unpushed (killed after its commit, or its push failed), or
  drops them when origin has changed the same owned files since (the run recomputes them).
* **Uncommitted changes stay as they are.** Replays happen in a temporary worktree; the
  checkout is moved onto the result with a two-way ``read-tree`` that keeps staged and unstaged
  changes byte for byte, and refuses (``GitError``, nothing changed) when one of them is in a
  file the incoming commits change.

The modules: ``command`` (the ``Git`` wrapper, which the history reader in ``store/`` uses too),
``commits`` (the tool's commits: trailer, subject, log format), ``push``, ``recovery``, ``sync``.
"""

from __future__ import annotations

from catalog_watch.publish.git.command import FALLBACK_EMAIL, FALLBACK_NAME, Git
from catalog_watch.publish.git.commits import (
    SUBJECT_LIMIT,
    TOOL_PREFIX,
    TOOL_TRAILER,
    Commit,
    describe,
    is_tool_commit,
    short_subject,
)
from catalog_watch.publish.git.push import (
    PushResult,
    delete_remote_branch,
    push_force_with_lease,
    push_with_recovery,
)
from catalog_watch.publish.git.sync import SyncOutcome, SyncResult, sync, sync_with_origin

__all__ = [
    "FALLBACK_EMAIL",
    "FALLBACK_NAME",
    "SUBJECT_LIMIT",
    "TOOL_PREFIX",
    "TOOL_TRAILER",
    "Commit",
    "Git",
    "PushResult",
    "SyncOutcome",
    "SyncResult",
    "delete_remote_branch",
    "describe",
    "is_tool_commit",
    "push_force_with_lease",
    "push_with_recovery",
    "short_subject",
    "sync",
    "sync_with_origin",
]
