"""What a killed run leaves behind, found and put right by the next run in the same checkout.

Two traces: the *run marker* (``.git/catalog-watch/run``, written when a run starts and removed
when it ends, whatever the outcome; still there means the last run was killed), and anything in
the snapshot folder that is not committed (a half-replaced folder, a staging folder, a file
someone dropped there). The committed folder is the single source of truth: such files are moved
to ``.git/catalog-watch/set-aside/<time>/`` with a notice, never committed. One thing is kept:
delivery marks in a modified ``outbox.jsonl`` (Slack accepted those messages), merged into the
committed outbox so that they are not sent again.

A marker alone cannot tell a killed run from one still running, so a run holds the checkout's
*run lock* (``flock`` on ``.git/catalog-watch/lock``, which the kernel releases when the process
ends, however it ends) before it reads the marker: a marker found under the lock is a dead run's,
and a run that cannot take the lock stops at once (``RunInProgress``) instead of taking over the
live run's claims and sending its alerts a second time.

A run killed while one of its git commands held a lock leaves git's lock file behind
(``index.lock``, a ref's ``.lock``), and every git command after it fails ("Unable to create
'.git/index.lock': File exists") until someone deletes it. Under the run lock, with the dead
run's marker found, the lock files made since that run started are its own: they are removed,
with a notice, and so are the temporary worktrees whose process is gone (``Git.stale_worktrees``).
"""

from __future__ import annotations

import fcntl
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalog_watch.errors import CatalogWatchError, RunInProgress, StateFileError
from catalog_watch.publish.git import Git
from catalog_watch.store.files import write_atomic
from catalog_watch.store.outbox import OUTBOX_FILE, Outbox, outbox_text, parse_outbox

STATE_DIR = "catalog-watch"
GIT_LOCKS = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "packed-refs.lock")
"""Lock files a killed git command leaves in the git folder (and ``refs/**/*.lock``, and the
temporary index of a ``git commit -- <paths>``, ``next-index-<pid>.lock``)."""


@dataclass(frozen=True, slots=True)
class SetAside:
    """Files moved out of the snapshot folder, and where they went."""

    paths: tuple[str, ...]
    to: Path | None
    kept_marks: int = 0  # delivery marks salvaged from a modified outbox

    def notice(self) -> str | None:
        if not self.paths:
            return None
        shown = ", ".join(self.paths[:5]) + (" …" if len(self.paths) > 5 else "")
        text = f"set aside {len(self.paths)} uncommitted file(s) from the snapshot folder: {shown}"
        text += f" (moved to {self.to}; never committed)"
        if self.kept_marks:
            text += f"; kept {self.kept_marks} Slack delivery mark(s) from the outbox"
        return text


def state_dir(git: Git) -> Path:
    return Path(git.run("rev-parse", "--absolute-git-dir")) / STATE_DIR


@contextmanager
def run_lock(git: Git, run_id: str) -> Iterator[str | None]:
    """Hold the checkout for one run: the id of a run that died here (or None) while held.

    Raises ``RunInProgress``, having touched nothing, when another live run holds it."""
    state = state_dir(git)
    path, marker = state / "lock", state / "run"
    try:
        state.mkdir(parents=True, exist_ok=True)
        lock = path.open("ab")
    except OSError as error:
        raise _cannot_lock(path, error) from None
    with lock:
        _take(lock, path, marker, git.path)
        dead = _marked(marker)
        if dead is not None:
            _clear_git_locks(state.parent, marker, dead)
            _clear_worktrees(git, dead)
        write_atomic(marker, run_id.encode("utf-8"))
        try:
            yield dead
        finally:
            marker.unlink(missing_ok=True)


def _take(lock: BinaryIO, path: Path, marker: Path, checkout: Path) -> None:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunInProgress(
            f"another catalog-watch run ({_marked(marker) or 'starting'}) is in progress in "
            f"{checkout}: this run stopped before touching anything (schedule runs so that they "
            "do not overlap, or give the workflow a concurrency group)"
        ) from None
    except OSError as error:  # a file system without locks (some network mounts)
        raise _cannot_lock(path, error) from None


def _clear_git_locks(git_dir: Path, marker: Path, dead: str) -> None:
    """Remove the git lock files made since the dead run wrote ``marker``: the run lock says
    that run is gone, and with it the git commands it ran (a lock that git made for someone
    else in this checkout since then would be removed too: runs are unattended)."""
    started = marker.stat().st_mtime
    found = [git_dir / name for name in GIT_LOCKS] + sorted(git_dir.glob("next-index-*.lock"))
    found += sorted((git_dir / "refs").rglob("*.lock"))
    removed = []
    for lock in found:
        try:
            if lock.stat().st_mtime >= started:
                lock.unlink()
                removed.append(lock.relative_to(git_dir).as_posix())
        except FileNotFoundError:
            continue
    if removed:
        print(
            f"catalog-watch: notice: removed git's lock file(s) {', '.join(removed)} left by "
            f"the run that was killed ({dead}) in {git_dir}",
            file=sys.stderr,
        )


def _clear_worktrees(git: Git, dead: str) -> None:
    """Remove the temporary worktrees whose run is gone (pull-request mode builds its commit in
    one, a push race replays in one): each holds a checkout's worth of files."""
    stale = git.stale_worktrees()
    for tree in stale:
        git.remove_worktree(tree)
    if stale:
        print(
            f"catalog-watch: notice: removed {len(stale)} temporary worktree(s) left by the run "
            f"that was killed ({dead}): {', '.join(str(tree.parent) for tree in stale)}",
            file=sys.stderr,
        )


def _cannot_lock(path: Path, error: OSError) -> CatalogWatchError:
    return CatalogWatchError(f"{path}: cannot lock the checkout: {error.strerror}")


def unfinished_run(git: Git) -> str | None:
    """The id of the run that started here and never ended, if any."""
    return _marked(state_dir(git) / "run")


def _marked(marker: Path) -> str | None:
    """The id in the marker; "unknown" when there is one but its id cannot be read."""
    try:
        return marker.read_text(encoding="utf-8").strip() or "unknown"
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        # Read as an empty marker is, not as a missing one: the marker being there is the
        # record that a run was killed, its text only names the run. Under the run lock that
        # run is gone, so its git locks are cleared and it is counted as not finished; taking
        # it for no marker would leave those locks failing every git command, unreported.
        return "unknown"


def set_aside(git: Git, folder: str, stamp: str) -> SetAside:
    """Put the snapshot folder back as committed; move what differed out of the work tree."""
    dirty = _dirty_paths(git, folder)
    if not dirty:
        return SetAside(paths=(), to=None)
    target = state_dir(git) / "set-aside" / stamp.replace(":", "")
    outbox_path = f"{folder}/{OUTBOX_FILE}"
    local_outbox = _read(git.path / outbox_path) if outbox_path in dirty else None
    for rel in dirty:
        source = git.path / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    # Unstaged first: a file the killed run had added (the first ledger, a new provider) is not
    # in HEAD, so ``checkout HEAD`` would leave it staged, and the next commit would take it.
    git.run("reset", "--quiet", "--", folder)
    if git.run("ls-tree", "--name-only", "HEAD", "--", folder, check=False):
        git.run("checkout", "HEAD", "--", folder)
    git.run("clean", "--quiet", "--force", "-d", "--", folder)
    kept = _keep_delivery_marks(git.path / outbox_path, local_outbox)
    return SetAside(paths=tuple(dirty), to=target, kept_marks=kept)


def _dirty_paths(git: Git, folder: str) -> list[str]:
    """Modified, deleted, staged or untracked paths under ``folder`` (ignored ones excepted)."""
    out = git._run(("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", folder)).stdout
    paths = []
    records = iter(out.split("\0"))
    for record in records:
        if not record:
            continue
        status, path = record[:2], record[3:]
        if "R" in status or "C" in status:
            next(records, None)  # the rename's source follows
        paths.append(path)
    return sorted(set(paths))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _keep_delivery_marks(path: Path, local: str | None) -> int:
    """Merge the delivered marks of the uncommitted outbox into the committed one."""
    if local is None:
        return 0
    try:
        theirs = parse_outbox(local, where=f"{path} (uncommitted)")
        committed_text = _read(path) or ""
        ours = parse_outbox(committed_text, where=str(path))
    except StateFileError:
        return 0  # a damaged uncommitted outbox holds nothing we can trust
    known = ours.ids()
    merged = Outbox(tuple(e for e in ours.merge(theirs).entries if e.id in known))
    before = {e.id for e in ours.entries if not e.open}
    after = {e.id for e in merged.entries if not e.open}
    gained = len(after - before)
    if gained:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, outbox_text(merged).encode("utf-8"))
    return gained
