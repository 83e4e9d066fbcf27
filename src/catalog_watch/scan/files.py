"""Which files a usage scan reads: tracked files, minus vendored and generated ones, bounded.

``git ls-files`` lists what the repository tracks, so ``.gitignore`` is respected the way git
itself reads it (nested files, negations, ``info/exclude``). Outside a git checkout the folder is
walked and every ``.gitignore`` on the way is applied with ``pathspec``'s git-compatible rules
(``scan/walk.py``, loaded only then: a run's scan is always in a checkout).
Vendored and generated folders and lockfiles are left out by name whatever git says: they hold
other people's model ids, not the repository's own choices.
"""

from __future__ import annotations

import fnmatch
import importlib
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["SKIPPED_DIRS", "SKIPPED_FILES", "Listing", "language_of", "list_files"]

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
    return [name for name in names if name and (root / name).is_file()]


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
