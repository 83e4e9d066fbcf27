"""Which files a usage scan reads: tracked files, minus vendored and generated ones, bounded.

``git ls-files`` lists what the repository tracks, so ``.gitignore`` is respected the way git
itself reads it (nested files, negations, ``info/exclude``). Outside a git checkout the folder is
walked and every ``.gitignore`` on the way is applied with ``pathspec``'s git-compatible rules
(``scan/walk.py``, loaded only then: a run's scan is always in a checkout).
Vendored and generated folders and lockfiles are left out by name whatever git says: they hold
other people's model ids, not the repository's own choices.

A listed file is read only when it is a regular file reached without a symbolic link
(:func:`read_listed`): a tracked link may point outside the repository (``../secrets.env``,
``/proc/self/environ``), and a named pipe or a device would hang the scan. A link to a file of
the repository is not needed: that file is listed, and scanned, at its own path.
"""

from __future__ import annotations

import errno
import fnmatch
import importlib
import os
import stat
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "SKIPPED_DIRS",
    "SKIPPED_FILES",
    "Listing",
    "NotRead",
    "language_of",
    "list_files",
    "read_listed",
]

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "bower_components",
        "vendor",
        "third_party",
        "third-party",
        "dist",
        "build",
        "out",
        "target",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
        ".next",
        ".nuxt",
        ".yarn",
        ".gradle",
        "Pods",
        "coverage",
    }
)
"""Folder names never entered: dependencies, virtual environments, build output, caches."""

SKIPPED_FILES = (
    "*.min.js",
    "*.min.mjs",
    "*.bundle.js",
    "*.map",
    "*_pb2.py",
    "*.pb.go",
    "*.generated.*",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "Gemfile.lock",
    "composer.lock",
    "Cargo.lock",
    "go.sum",
)
"""File name patterns never read: minified or generated code, lockfiles."""

_LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".rb": "ruby",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
}


def language_of(path: str) -> str | None:
    """The scanner a file goes to, by its name (``.env``, ``.env.example`` are ``env``)."""
    name = PurePosixPath(path).name
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    return _LANGUAGES.get(PurePosixPath(name).suffix.lower())


@dataclass(frozen=True, slots=True)
class Listing:
    """The files to read (POSIX, relative to the root, sorted) and how they were listed."""

    files: tuple[str, ...]
    how: str  # "git" or "walk"
    excluded: int


def list_files(root: Path, paths: Sequence[str] = (), exclude: Sequence[str] = ()) -> Listing:
    """The scannable files under ``root``: tracked ones in a git checkout, else a walk.

    ``paths`` keeps only files under these relative paths or matching these globs; ``exclude``
    drops files matching these globs (or under these folders). Both use POSIX separators.
    """
    tracked = _git_files(root)
    how = "git" if tracked is not None else "walk"
    listed = tracked if tracked is not None else list(_walk(root))
    kept: list[str] = []
    excluded = 0
    for path in sorted(set(listed)):
        if language_of(path) is None:
            continue
        if _vendored(path) or not _selected(path, paths) or _matches(path, exclude):
            excluded += 1
            continue
        kept.append(path)
    return Listing(files=tuple(kept), how=how, excluded=excluded)


def _git_files(root: Path) -> list[str] | None:
    """``git ls-files`` under ``root`` (relative to it), or None when it is not in a checkout."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--", "."],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name and _present(root / name)]


def _present(file: Path) -> bool:
    """Tracked and in the work tree as something other than a folder (a submodule): a link or a
    pipe stays listed, for :func:`read_listed` to refuse with its reason."""
    try:
        return not stat.S_ISDIR(os.lstat(file).st_mode)
    except OSError:  # deleted, or a parent replaced by a file
        return False


def _vendored(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if any(part in SKIPPED_DIRS for part in parts[:-1]):
        return True
    return any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in SKIPPED_FILES)


def _selected(path: str, paths: Sequence[str]) -> bool:
    return not paths or _matches(path, paths)


def _matches(path: str, patterns: Sequence[str]) -> bool:
    """``path`` is one of ``patterns``, under one of them, or matches one as a glob."""
    for pattern in patterns:
        clean = pattern.strip("/")
        if not clean or clean == ".":
            return True
        if path == clean or path.startswith(clean + "/") or fnmatch.fnmatchcase(path, clean):
            return True
    return False


WALK = "catalog_watch.scan.walk"
"""The walk outside a checkout, loaded by name: it alone needs ``pathspec`` (30 ms to import)."""


def _walk(root: Path) -> Iterable[str]:
    walk: Callable[[Path], Iterable[str]] = importlib.import_module(WALK).walk
    return walk(root)


class NotRead(Exception):
    """A listed file the scan does not read, and why (the reason its ``Skipped`` says)."""


_LINK = "a symbolic link, not followed"
_KINDS = (
    (stat.S_ISLNK, _LINK),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
    (stat.S_ISCHR, "a device, not a regular file"),
    (stat.S_ISBLK, "a device, not a regular file"),
)


def read_listed(root: Path, path: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (POSIX, relative) under ``root``, never through a
    symbolic link; :class:`NotRead` for a link, a pipe, a device or a file over ``max_bytes``,
    ``OSError`` when it cannot be read.

    Each folder on the way, then the file, is checked with ``lstat`` and opened relative to the
    one before with ``O_NOFOLLOW`` (the file also ``O_NONBLOCK``) and checked again with
    ``fstat``: one swapped for a link or a FIFO after the check neither leads out nor hangs."""
    fd = _open_beneath(root, PurePosixPath(path).parts)
    try:
        info = os.fstat(fd)
        _refuse_unless(stat.S_ISREG, info.st_mode, "not a regular file")
        if info.st_size > max_bytes:
            raise NotRead(f"larger than {max_bytes:,} bytes")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew since fstat
        raise NotRead(f"larger than {max_bytes:,} bytes")
    return data


def _open_beneath(root: Path, parts: Sequence[str]) -> int:
    """A descriptor of ``root/parts...``, each part opened in the folder before it (the root
    itself as given: the user named it, link or not)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for depth, part in enumerate(parts[:-1], 1):
            try:
                inner = _open_at(fd, part, stat.S_ISDIR, "not a folder", os.O_DIRECTORY)
            except NotRead as error:
                raise NotRead(f"under {'/'.join(parts[:depth])}: {error}") from None
            os.close(fd)
            fd = inner
        return _open_at(fd, parts[-1], stat.S_ISREG, "not a regular file", os.O_NONBLOCK)
    finally:
        os.close(fd)


def _open_at(
    folder: int, name: str, kind: Callable[[int], bool], otherwise: str, flags: int
) -> int:
    """``name`` in the open ``folder``, refused (:class:`NotRead`) unless ``kind`` holds."""
    _refuse_unless(kind, os.lstat(name, dir_fd=folder).st_mode, otherwise)
    try:
        return os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | flags, dir_fd=folder)
    except OSError as error:  # O_NOFOLLOW met a link swapped in since lstat
        if error.errno in (errno.ELOOP, errno.EMLINK):
            raise NotRead(_LINK) from None
        raise


def _refuse_unless(kind: Callable[[int], bool], mode: int, otherwise: str) -> None:
    if not kind(mode):
        raise NotRead(next((why for test, why in _KINDS if test(mode)), otherwise))
