"""A snapshot folder's files replaced as one step: staged, read back, then renamed in.

Every new file is first written in full to a staging folder beside the others (same file
system), flushed to disk, and read back with the parser the next run will use; only then are the
files renamed into place, one by one, ``_meta.json`` last. So a full disk, an over-long name or a
file that would not read back fails before the folder is touched, and a kill during the renames
leaves a folder the next run recognises as unfinished (its files differ from the commit) and
puts back as committed (``set_aside.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from catalog_watch.errors import SnapshotError

META_FILE = "_meta.json"
STAGING_PREFIX = ".catalog-watch-staging-"

Check = Callable[[bytes, Path], object]


@dataclass(frozen=True, slots=True)
class FolderChange:
    """The files of one folder after a run: ``files`` to have these bytes, ``remove`` to go.

    Names are relative to ``directory`` and may lead into a subfolder (``changelog/2026-06.md``),
    which is created as needed."""

    directory: Path
    files: Mapping[str, bytes]
    remove: tuple[str, ...] = ()
    checks: Mapping[str, Check] = field(default_factory=dict)  # file name → its reader


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The files a write touched, relative to the folder (empty: nothing changed)."""

    written: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def apply_change(change: FolderChange) -> WriteResult:
    """Replace the files whose bytes differ and remove the stale ones, ``_meta.json`` last."""
    directory = change.directory
    wanted = {name: data for name, data in change.files.items() if _differs(directory / name, data)}
    removed = tuple(sorted(n for n in change.remove if (directory / n).exists()))
    if not wanted and not removed:
        return WriteResult(written=(), removed=())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=directory))
    except OSError as error:
        raise SnapshotError(f"{directory}: cannot write the new snapshot: {error}") from error
    try:
        _stage(staging, wanted, change.checks)
        for name in sorted(n for n in wanted if n != META_FILE):
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).replace(directory / name)
        for stale in removed:
            (directory / stale).unlink()
        if META_FILE in wanted:  # last: it vouches for the files above
            (staging / META_FILE).replace(directory / META_FILE)
        for folder in _folders(directory, wanted):
            _sync_folder(folder)
    except OSError as error:
        raise SnapshotError(f"{directory}: cannot write the new snapshot: {error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(written=tuple(sorted(wanted)), removed=removed)


def _stage(staging: Path, files: Mapping[str, bytes], checks: Mapping[str, Check]) -> None:
    """Write every file in full and read each back with its parser before any is moved in."""
    for name, data in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    for name in files:
        check = checks.get(name)
        if check is not None:
            check((staging / name).read_bytes(), staging.parent / name)


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def _folders(directory: Path, names: Mapping[str, bytes]) -> list[Path]:
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
