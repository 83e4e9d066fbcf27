"""A run's folder change is one step, and a killed run's leftovers never reach a commit."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inotify_simple import INotify, flags

from catalog_watch.errors import SnapshotError
from catalog_watch.jobs.leftovers import run_lock, set_aside, unfinished_run
from catalog_watch.publish.git import Git
from catalog_watch.store.outbox import Outbox, outbox_text, read_outbox
from catalog_watch.store.transaction import (
    FolderChange,
    apply_change,
    finish_interrupted,
    stale_staging,
)
from tests.factories import alert
from tests.git_repos import fresh_origin, git, isolate_git

FOLDER = "snapshots/models.dev"


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def refuse(data: bytes, path: Path) -> None:
    raise SnapshotError(f"{path}: would not read back")


def test_a_file_that_would_not_read_back_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    apply_change(FolderChange(folder, {"a.json": b"{}\n", "_meta.json": b"{}\n"}))
    before = snapshot_bytes(folder)
    change = FolderChange(
        folder,
        {"a.json": b'{"new": 1}\n', "b.json": b"{}\n", "_meta.json": b'{"m": 2}\n'},
        remove=("a.json",),
        checks={"b.json": refuse},
    )
    with pytest.raises(SnapshotError, match="would not read back"):
        apply_change(change)
    assert snapshot_bytes(folder) == before
    assert stale_staging(folder) == []


def test_unchanged_files_are_not_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    apply_change(FolderChange(folder, {"a.json": b"1\n", "b.json": b"2\n", "_meta.json": b"m\n"}))
    result = apply_change(
        FolderChange(folder, {"a.json": b"1\n", "_meta.json": b"n\n"}, remove=("b.json",))
    )
    assert result.written == ("_meta.json",)
    assert result.removed == ("b.json",)
    assert snapshot_bytes(folder) == {"_meta.json": b"n\n", "a.json": b"1\n"}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, where the test may mount one (root, mount allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_fails_before_the_folder_is_touched(small_disk: Path) -> None:
    folder = small_disk / "snap"
    apply_change(FolderChange(folder, {"a.json": b"old\n", "_meta.json": b"old meta\n"}))
    before = snapshot_bytes(folder)
    big = {"a.json": b"new\n", "b.json": b"x" * 400_000, "_meta.json": b"new meta\n"}
    with pytest.raises(SnapshotError, match="cannot write the new snapshot"):
        apply_change(FolderChange(folder, big))
    assert snapshot_bytes(folder) == before
    assert stale_staging(folder) == []


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Git:
    isolate_git(monkeypatch, tmp_path / "home")
    origin = fresh_origin(tmp_path)
    path = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(origin), str(path))
    (path / FOLDER).mkdir(parents=True)
    (path / FOLDER / "acme.json").write_text('{"id": "acme"}\n')
    (path / FOLDER / "_meta.json").write_text('{"format": 1}\n')
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "snapshot")
    return Git(path)


def test_leftovers_in_the_snapshot_folder_are_set_aside_never_kept(repo: Git) -> None:
    folder = repo.path / FOLDER
    committed = snapshot_bytes(folder)
    (folder / "acme.json").write_text('{"id": "acme", "half": true}\n')
    (folder / "_meta.json").unlink()
    (folder / "notes.txt").write_text("OPENAI_API_KEY=sk-live-1234\n")
    (folder / ".catalog-watch-staging-x1").mkdir()
    (folder / ".catalog-watch-staging-x1" / "acme.json").write_text("{}")
    aside = set_aside(repo, FOLDER, "2026-11-25T10:17:00Z")
    assert snapshot_bytes(folder) == committed
    assert sorted(p.name for p in folder.iterdir()) == ["_meta.json", "acme.json"]
    assert aside.to is not None
    assert (aside.to / FOLDER / "notes.txt").read_text() == "OPENAI_API_KEY=sk-live-1234\n"
    assert f"{FOLDER}/notes.txt" in aside.paths
    assert "never committed" in (aside.notice() or "")
    assert repo.run("status", "--porcelain") == ""


def test_a_file_the_killed_run_had_staged_as_new_is_set_aside_and_unstaged(repo: Git) -> None:
    """A run killed between its ``git add`` and its commit: a file new to the folder (the first
    ledger, a new provider) is staged, not in HEAD; the next commit must not take it."""
    folder = repo.path / FOLDER
    (folder / "changes.jsonl").write_text('{"kind": "price_changed"}\n')
    (folder / "acme.json").write_text('{"id": "acme", "new": true}\n')
    git(repo.path, "add", "--all")
    aside = set_aside(repo, FOLDER, "2026-11-25T10:17:00Z")
    assert f"{FOLDER}/changes.jsonl" in aside.paths
    assert not (folder / "changes.jsonl").exists()
    assert repo.run("status", "--porcelain") == ""  # nothing staged, nothing left over


def test_git_locks_a_killed_run_left_are_removed_by_the_next_and_others_kept(
    repo: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    git_dir = repo.path / ".git"
    old_lock = git_dir / "refs" / "heads" / "old.lock"
    old_lock.write_text("")
    os.utime(old_lock, (1_000_000, 1_000_000))  # made before the killed run started
    (git_dir / "catalog-watch").mkdir()
    (git_dir / "catalog-watch" / "run").write_text("run-1")  # run-1 started, then was killed
    (git_dir / "index.lock").write_text("")  # in its git add
    (git_dir / "next-index-123.lock").write_text("")  # in its git commit -- <paths>
    with run_lock(repo, "run-2") as dead:
        assert dead == "run-1"
        assert not (git_dir / "index.lock").exists()
        assert not (git_dir / "next-index-123.lock").exists()
        assert old_lock.exists()
    err = capsys.readouterr().err
    assert "removed git's lock file(s) index.lock, next-index-123.lock" in err
    assert "(run-1)" in err
    repo.run("add", "--all")  # git works again


# Makes a temporary worktree the way a run does, says where, and is SIGKILLed inside it.
KILLED_IN_WORKTREE = """
import os, signal, sys
from pathlib import Path
from catalog_watch.publish.git import Git
with Git(Path(sys.argv[1])).worktree("HEAD") as tree:
    print(tree.path, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_worktrees_a_killed_run_left_are_removed_by_the_next_and_a_live_ones_kept(
    repo: Git, capsys: pytest.CaptureFixture[str]
) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_IN_WORKTREE, str(repo.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    left = Path(killed.stdout.strip())
    assert (left / FOLDER / "acme.json").is_file()  # a checkout's worth of files
    (repo.path / ".git" / "catalog-watch").mkdir()
    (repo.path / ".git" / "catalog-watch" / "run").write_text("run-1")  # and its marker
    with repo.worktree("HEAD") as live, run_lock(repo, "run-2") as dead:
        assert dead == "run-1"
        assert not left.parent.exists()
        assert (live.path / FOLDER / "acme.json").is_file()  # this process still works in it
        listed = repo.run("worktree", "list", "--porcelain")
        assert f"worktree {live.path}\n" in listed + "\n"
        assert str(left) not in listed
    err = capsys.readouterr().err
    assert (
        f"removed 1 temporary worktree(s) left by the run that was killed (run-1): {left.parent}"
        in err
    )
    assert repo.run("worktree", "list", "--porcelain").count("worktree ") == 1


def test_a_clean_folder_sets_nothing_aside(repo: Git) -> None:
    assert set_aside(repo, FOLDER, "2026-11-25T10:17:00Z").notice() is None


def test_delivery_marks_of_an_uncommitted_outbox_are_kept(repo: Git) -> None:
    outbox = repo.path / FOLDER / "outbox.jsonl"
    pending = Outbox().add([alert(1), alert(2)], created="2026-11-25T10:00:00Z")
    outbox.write_text(outbox_text(pending))
    git(repo.path, "add", "--all")
    git(repo.path, "commit", "--quiet", "-m", "pending")
    delivered = pending.mark_delivered(["id1"], when="2026-11-25T10:01:00Z")
    delivered = delivered.add([alert(3)], created="2026-11-25T10:01:00Z")
    outbox.write_text(outbox_text(delivered))
    aside = set_aside(repo, FOLDER, "2026-11-25T10:17:00Z")
    assert aside.kept_marks == 1
    kept = read_outbox(outbox)
    assert [e.alert.id for e in kept.entries] == ["id1", "id2"]  # the uncommitted id3 is not
    assert [a.id for a in kept.pending] == ["id2"]


def test_the_run_marker_tells_the_next_run_that_this_one_died(repo: Git) -> None:
    assert unfinished_run(repo) is None
    with run_lock(repo, "run-1") as dead:
        assert dead is None
        assert unfinished_run(repo) == "run-1"  # what the next run finds if this one is killed
    assert unfinished_run(repo) is None


def test_a_read_only_folder_is_a_one_line_error(small_disk: Path) -> None:
    folder = small_disk / "snap"
    apply_change(FolderChange(folder, {"a.json": b"old\n"}))
    remount = ["mount", "-o", "remount,ro", str(small_disk)]
    if subprocess.run(remount, capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only here")
    with pytest.raises(SnapshotError, match="cannot write the new snapshot"):
        apply_change(FolderChange(folder, {"a.json": b"new\n"}))
    assert (folder / "a.json").read_bytes() == b"old\n"


# -- Appends: a run writes its own lines, never the whole month again (issue 14) ---------------


def test_an_append_writes_only_its_bytes_beside_the_files_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    apply_change(FolderChange(folder, {"a.json": b"old\n"}, appends={"log": b"one\n"}))
    result = apply_change(
        FolderChange(folder, {"a.json": b"new\n"}, appends={"log": b"two\n", "sub/m.md": b"x\n"})
    )
    assert result.written == ("a.json", "log", "sub/m.md")
    assert (folder / "log").read_bytes() == b"one\ntwo\n"
    assert (folder / "sub" / "m.md").read_bytes() == b"x\n"
    assert snapshot_bytes(folder) == {"a.json": b"new\n", "log": b"one\ntwo\n"}


def test_an_append_is_read_back_alone_and_a_refusal_leaves_the_folder_as_it_was(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "snap"
    apply_change(FolderChange(folder, {"a.json": b"old\n"}, appends={"log": b"one\n"}))
    before = snapshot_bytes(folder)
    seen: list[bytes] = []

    def refuse_after_looking(data: bytes, path: Path) -> None:
        seen.append(data)
        refuse(data, path)

    change = FolderChange(
        folder,
        {"a.json": b"new\n"},
        appends={"log": b"two\n"},
        checks={"log": refuse_after_looking},
    )
    with pytest.raises(SnapshotError, match="log: would not read back"):
        apply_change(change)
    assert seen == [b"two\n"]
    assert snapshot_bytes(folder) == before
    assert stale_staging(folder) == []


def test_a_disk_that_fills_during_the_append_cuts_the_file_back(small_disk: Path) -> None:
    folder = small_disk / "snap"
    apply_change(FolderChange(folder, {"a.json": b"old\n"}, appends={"log": b"one\n"}))
    before = snapshot_bytes(folder)
    block = b"y" * 64 * 1024
    filler = small_disk / "filler"
    # fill the disk, then free room for the staging alone
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(block)
            handle.flush()
    os.truncate(filler, filler.stat().st_size - len(block) - 16 * 1024)
    with pytest.raises(SnapshotError, match="cannot write the new snapshot"):
        apply_change(FolderChange(folder, {"a.json": b"new\n"}, appends={"log": block}))
    assert snapshot_bytes(folder) == before
    assert stale_staging(folder) == []


# The child is SIGKILLed after its append and before its renames: its second append is to a
# FIFO nobody reads, whose open blocks; the append before it is seen done by inotify.
_KILLED_CHILD = """
import sys
from pathlib import Path
from catalog_watch.store.transaction import FolderChange, apply_change
files = {"acme.json": b"new\\n", "_meta.json": b"new meta\\n"}
appends = {"changes.jsonl": b"line 2\\n", "gate": b"x"}
apply_change(FolderChange(Path(sys.argv[1]), files, appends=appends))
"""


def killed_after_its_append(folder: Path) -> None:
    """Run the change in a child and SIGKILL it once ``changes.jsonl`` is appended."""
    os.mkfifo(folder / "gate")
    with INotify() as watch:
        watch.add_watch(folder, flags.CLOSE_WRITE)
        child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD, str(folder)])
        try:
            names: set[str] = set()
            while "changes.jsonl" not in names and child.poll() is None:
                names |= {event.name for event in watch.read(timeout=30_000)}
            assert "changes.jsonl" in names, "the child never appended"
        finally:
            child.kill()
            child.wait(timeout=30)


def test_a_change_killed_after_its_append_is_finished_once_by_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "snap"
    apply_change(
        FolderChange(
            folder,
            {"acme.json": b"old\n", "_meta.json": b"old meta\n"},
            appends={"changes.jsonl": b"line 1\n"},
        )
    )
    killed_after_its_append(folder)
    assert (folder / "changes.jsonl").read_bytes() == b"line 1\nline 2\n"  # appended ...
    assert (folder / "acme.json").read_bytes() == b"old\n"  # ... and nothing renamed in
    assert len(stale_staging(folder)) == 1
    (folder / "gate").unlink()
    (folder / "gate").write_bytes(b"")  # the FIFO's place: a plain file, empty as recorded
    os.truncate(folder / "changes.jsonl", len(b"line 1\nli"))  # as if cut mid-append

    result = apply_change(FolderChange(folder, {"acme.json": b"new\n"}))  # the next change
    assert result.written == ()  # the interrupted one had already written acme.json
    assert snapshot_bytes(folder) == {
        "_meta.json": b"new meta\n",
        "acme.json": b"new\n",
        "changes.jsonl": b"line 1\nline 2\n",  # once: neither half nor twice
        "gate": b"x",
    }
    assert stale_staging(folder) == []
    assert finish_interrupted(folder) == ()
