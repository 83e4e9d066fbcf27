"""Files of a folder outside a git checkout, as the ``.gitignore`` files on the way leave them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pathspec

from catalog_watch.scan.files import SKIPPED_DIRS, NotRead, read_listed

__all__ = ["walk"]

MAX_GITIGNORE_BYTES = 1 << 20
"""A larger ``.gitignore`` is not applied (no real one comes near: they are a few KB)."""


def walk(root: Path) -> Iterable[str]:
    """Every file under ``root`` that no ``.gitignore`` on its way ignores. Folder links are
    not entered; file links, pipes and devices are listed, for ``read_listed`` to refuse."""
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root).as_posix()
        here = "" if here == "." else here
        specs = [(base, spec) for base, spec in specs if _under(here, base)]
        if ".gitignore" in files:
            lines = _ignore_lines(root, _join(here, ".gitignore"))
            specs.append((here, pathspec.GitIgnoreSpec.from_lines(lines)))
        dirs[:] = sorted(
            d for d in dirs if d not in SKIPPED_DIRS and not _ignored(_join(here, d) + "/", specs)
        )
        for name in sorted(files):
            path = _join(here, name)
            if not _ignored(path, specs):
                yield path


def _ignore_lines(root: Path, path: str) -> list[str]:
    """A ``.gitignore``'s lines; none when it is a link (git does not follow one either), a pipe
    or unreadable."""
    try:
        data = read_listed(root, path, MAX_GITIGNORE_BYTES)
    except (NotRead, OSError):
        return []
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff").splitlines()


def _ignored(path: str, specs: Sequence[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    """The verdict of the deepest ``.gitignore`` with a pattern for ``path`` (negations win)."""
    verdict = False
    for base, spec in specs:
        relative = path[len(base) + 1 :] if base else path
        include = spec.check_file(relative).include
        if include is not None:
            verdict = include
    return verdict


def _under(path: str, base: str) -> bool:
    return not base or path == base or path.startswith(base + "/")


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name
