"""A snapshot folder's files changed as one step: staged, read back, then appended and renamed in.

Every new file, and every block of bytes to add at the end of a file (the month's ledger and
changelog: a run writes its own lines, never the whole month again), is first written in full to
a staging folder beside the others (same file system), flushed to disk, and read back with the
parser the next run will use. So a full disk, an over-long name or a file that would not read
back fails before the folder is touched. Then the *intent* is written in the staging folder: the
length each appended file has before the change, the files to rename in and the ones to remove.
Then the appends are written at those lengths, the files renamed into place, one by one,
``_meta.json`` last, and the staging folder removed.

A failure while appending (a full disk) cuts the appended files back to their lengths: the
folder is as it was. A run killed after the intent leaves the staging folder with it; the next
change of the folder finishes it first (:func:`finish_interrupted`): each append written again
at its recorded length (so it is there once, never half, never twice), the files still staged
renamed in. A run in a git checkout also starts by putting the folder back as committed
(``jobs/leftovers.py``), which sets such a staging folder aside with the rest. One writer per
folder at a time: two processes changing the same folder at once are not supported.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from catalog_watch.errors import SnapshotError
from catalog_watch.store.files import write_atomic

META_FILE = "_meta.json"
STAGING_PREFIX = ".catalog-watch-staging-"
INTENT_FILE = "intent.json"  # in the staging folder, beside FILES_DIR
FILES_DIR = "files"  # the staged files and appended bytes, by their names in the folder

Check = Callable[[bytes, Path], object]


@dataclass(frozen=True, slots=True)
class FolderChange:
    """The files of one folder after a run: ``files`` to have these bytes, ``appends`` to end
    with these bytes more, ``remove`` to go.

    Names are relative to ``directory`` and may lead into a subfolder (``changelog/2026-06.md``),
    which is created as needed. ``checks`` read back a staged file (its whole bytes) or a staged
    append (the appended bytes alone)."""

    directory: Path
    files: Mapping[str, bytes]
    remove: tuple[str, ...] = ()
    checks: Mapping[str, Check] = field(default_factory=dict)  # file name → its reader
    appends: Mapping[str, bytes] = field(default_factory=dict)  # file name → bytes added


@dataclass(frozen=True, slots=True)
class Writes:
    """A part of a folder change (the ledger's, the changelog's): files replaced whole and files
    appended to, by name relative to the folder."""

    files: dict[str, bytes] = field(default_factory=dict)
    appends: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The files a write touched, relative to the folder (empty: nothing changed)."""

    written: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


@dataclass(frozen=True, slots=True)
class _Intent:
    """What the change does to the folder, recorded before it touches it."""

    appends: dict[str, int]  # name → its length before (-1: the file did not exist)
    replace: list[str]
    remove: list[str]


def apply_change(change: FolderChange) -> WriteResult:
    """Append, replace the files whose bytes differ, remove the stale ones; ``_meta.json`` last."""
    directory = change.directory
    if set(change.files) & set(change.appends):
        raise ValueError("a file is either replaced or appended to, not both")
    finish_interrupted(directory)
    wanted = {name: data for name, data in change.files.items() if _differs(directory / name, data)}
    appends = {name: data for name, data in change.appends.items() if data}
    removed = sorted(n for n in change.remove if (directory / n).exists())
    if not wanted and not appends and not removed:
        return WriteResult(written=(), removed=())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=directory))
    except OSError as error:
        raise _error(directory, error) from error
    keep = False  # the staging folder stays when the folder is left for the next change to finish
    try:
        _stage(staging / FILES_DIR, {**wanted, **appends}, change.checks, directory)
        lengths = {name: _length(directory / name) for name in appends}
        intent = _Intent(appends=lengths, replace=sorted(wanted), remove=removed)
        _write_intent(staging, intent)
        keep = True
        _append_or_undo(directory, staging, intent)
        _finish(directory, staging, intent)
    except OSError as error:
        raise _error(directory, error) from error
    finally:
        if not keep or not (staging / INTENT_FILE).exists():
            shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(written=tuple(sorted({*wanted, *appends})), removed=tuple(removed))


def _error(directory: Path, error: OSError) -> SnapshotError:
    return SnapshotError(f"{directory}: cannot write the new snapshot: {error}")


def _stage(files: Path, data: Mapping[str, bytes], checks: Mapping[str, Check], home: Path) -> None:
    """Write every file in full and read each back with its parser before any is moved in."""
    for name, content in data.items():
        path = files / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    for name in data:
        check = checks.get(name)
        if check is not None:
            check((files / name).read_bytes(), home / name)


def _write_intent(staging: Path, intent: _Intent) -> None:
    record = {"appends": intent.appends, "replace": intent.replace, "remove": intent.remove}
    # there whole or not at all
    write_atomic(staging / INTENT_FILE, json.dumps(record, sort_keys=True).encode("utf-8"))
    _sync_folder(staging)


def _append_or_undo(directory: Path, staging: Path, intent: _Intent) -> None:
    """Write the appends; on a failure (a full disk) cut every file back to its length."""
    try:
        _append(directory, staging, intent)
    except OSError:
        for name, length in intent.appends.items():
            _cut(directory / name, length)
        (staging / INTENT_FILE).unlink()  # undone: nothing is left for the next change to finish
        raise


def _append(directory: Path, staging: Path, intent: _Intent) -> None:
    """Each staged append written at the file's recorded length: once, whatever came after."""
    for name, length in intent.appends.items():
        data = (staging / FILES_DIR / name).read_bytes()
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        now = _length(target)
        if length > 0 and now < length:
            raise SnapshotError(f"{target}: shorter than when the interrupted write began")
        if now > max(length, 0) + len(data):  # what came after it is not ours to cut
            raise SnapshotError(
                f"{target}: longer than the interrupted write could have left it "
                f"({now} bytes; at most {max(length, 0) + len(data)}): not cut"
            )
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT, 0o666)
        try:
            os.ftruncate(descriptor, max(length, 0))
            _write_at(descriptor, data, max(length, 0))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_at(descriptor: int, data: bytes, offset: int) -> None:
    """All of ``data`` at ``offset``: a short write (a disk filling up) is continued, so that
    the call that cannot go on raises."""
    done = 0
    while done < len(data):
        done += os.pwrite(descriptor, data[done:], offset + done)


def _cut(path: Path, length: int) -> None:
    if length < 0:
        path.unlink(missing_ok=True)
    elif path.exists():
        os.truncate(path, length)


def _finish(directory: Path, staging: Path, intent: _Intent) -> None:
    """Rename in what is still staged, remove the stale files, ``_meta.json`` last; sync."""
    files = staging / FILES_DIR
    for name in (n for n in intent.replace if n != META_FILE):
        if (files / name).exists():  # a finished rename already took it
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (files / name).replace(directory / name)
    for stale in intent.remove:
        (directory / stale).unlink(missing_ok=True)
    if META_FILE in intent.replace and (files / META_FILE).exists():  # it vouches for the rest
        (files / META_FILE).replace(directory / META_FILE)
    for folder in _folders(directory, [*intent.replace, *intent.appends]):
        _sync_folder(folder)
    (staging / INTENT_FILE).unlink()


def finish_interrupted(directory: Path) -> tuple[str, ...]:
    """Finish the changes a killed run left half done in ``directory`` (see the module doc):
    the names of the files finished. A staging folder without an intent never touched the
    folder and is left to ``stale_staging``'s readers."""
    finished: list[str] = []
    for staging in stale_staging(directory):
        intent = _read_intent(staging)
        if intent is None:
            continue
        try:
            _append(directory, staging, intent)
            _finish(directory, staging, intent)
        except OSError as error:
            message = f"{directory}: cannot finish an interrupted write: {error}"
            raise SnapshotError(message) from error
        shutil.rmtree(staging, ignore_errors=True)
        finished += [*intent.appends, *intent.replace, *intent.remove]
    return tuple(sorted(set(finished)))


def _read_intent(staging: Path) -> _Intent | None:
    """The intent a killed run left, checked: it is replayed on the folder, and a staging folder
    can also arrive by a commit, so every name must stay inside the folder and every length be
    one a run records (a length is ``-1`` or more)."""
    path = staging / INTENT_FILE
    try:
        record = json.loads(path.read_bytes())
        intent = _Intent(
            appends=dict(record["appends"]), replace=record["replace"], remove=record["remove"]
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SnapshotError(f"{path}: unreadable ({error})") from error
    problem = _intent_problem(intent)
    if problem is not None:
        raise SnapshotError(f"{path}: not an intent this tool writes: {problem}")
    return intent


def _intent_problem(intent: _Intent) -> str | None:
    for length in intent.appends.values():
        if type(length) is not int or length < -1:
            return f"length {length!r} (a length is an integer, -1 or more)"
    if not (isinstance(intent.replace, list) and isinstance(intent.remove, list)):
        return "replace and remove are lists of names"
    for name in [*intent.appends, *intent.replace, *intent.remove]:
        if not _inside(name):
            return f"name {name!r} (a name is a relative path inside the folder)"
    return None


def _inside(name: object) -> bool:
    """A relative path with no ``..``, ``.`` or empty part: it cannot lead out of the folder."""
    if not isinstance(name, str) or not name or "\\" in name or "\0" in name:
        return False
    return not name.startswith("/") and all(p not in ("", ".", "..") for p in name.split("/"))


def _length(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def _folders(directory: Path, names: list[str]) -> list[Path]:
    """The folder and each subfolder a file was renamed into (``changelog/2026-06.md``)."""
    return sorted({directory, *((directory / name).parent for name in names)})


def _sync_folder(directory: Path) -> None:
    """Make the renames durable (a power cut after this keeps the new names)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def stale_staging(directory: Path) -> list[Path]:
    """Staging folders a killed run left behind."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.startswith(STAGING_PREFIX))
