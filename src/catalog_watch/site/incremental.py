"""Write only what changed: each file's input digest in a manifest, a page rendered again only
when its digest (or its file) changed, a file written only when its bytes did.

The manifest, ``.catalog-watch-site``, is plain text: a first line naming the
:func:`digest.fingerprint` of the code that built the site, then one line per file,
``path<TAB>digest<TAB>size<TAB>charts``, sorted. It is the same bytes for the same inputs (no
clock, no modification time), so a rebuild's folder equals a build from scratch, manifest
included. A rebuild keeps a file untouched when the manifest gives it the digest this build
computes and the file is there at the size the manifest says; every other file is rendered, and
written when its bytes differ from the file's. A manifest that is missing, of another
fingerprint or unreadable makes every page render (a full build); a line without a digest (a
hand-written path, a damaged line) still names a file of ours, so a rebuild removes it when no
longer made. Before writing any page the manifest is rewritten without the digests of the pages
about to change, so a build killed halfway leaves a manifest that trusts only what is on disk;
a rebuild with nothing new writes nothing, the manifest neither.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog_watch.site.digest import digest

MANIFEST = ".catalog-watch-site"
HEADER = "catalog-watch site manifest 2"

Rendered = tuple[bytes, int]
"""A file's bytes and how many charts it draws."""


@dataclass(frozen=True, slots=True)
class Pages:
    """Files one renderer makes: each path's input digest, and the function that renders the
    paths asked for (a batch: the model pages share one history pass and the chart workers)."""

    digests: Mapping[str, str]
    render: Callable[[Sequence[str]], Mapping[str, Rendered]]


def made(files: Mapping[str, bytes]) -> Pages:
    """Files already rendered (the feed, the calendar, the stylesheet): their digest is their
    bytes' own, so an unchanged one is not written again."""
    return Pages(
        {name: digest(data) for name, data in files.items()},
        lambda names: {name: (files[name], 0) for name in names},
    )


@dataclass(frozen=True, slots=True)
class Entry:
    digest: str
    size: int
    charts: int


@dataclass(frozen=True, slots=True)
class Manifest:
    paths: tuple[str, ...]  # every file a previous build named, trusted or not
    entries: dict[str, Entry] = field(default_factory=dict)  # only when its fingerprint is ours


@dataclass(frozen=True, slots=True)
class Written:
    """What a build left in the folder: every file with its entry, and what it did."""

    entries: dict[str, Entry]
    rendered: int
    written: int
    removed: int


def write_site(out_dir: Path, parts: Sequence[Pages], fingerprint: str) -> Written:
    """Bring ``out_dir`` to the files of ``parts`` (see the module docstring)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    before = read_manifest(out_dir / MANIFEST, fingerprint)
    wanted = {path: hashed for part in parts for path, hashed in part.digests.items()}
    entries = {
        path: entry
        for path, hashed in wanted.items()
        if (entry := before.entries.get(path)) is not None
        and entry.digest == hashed
        and _size(out_dir / path) == entry.size
    }
    stale = [path for path in wanted if path not in entries]
    if stale:  # what a build killed halfway leaves: every path, digests only for kept files
        pending = {**dict.fromkeys(before.paths), **dict.fromkeys(wanted), **entries}
        _write_manifest(out_dir, fingerprint, pending)
    written = 0
    for part in parts:
        asked = [path for path in part.digests if path not in entries]
        for path, (data, charts) in part.render(asked).items() if asked else ():
            written += _put(out_dir / path, data)
            entries[path] = Entry(wanted[path], len(data), charts)
    removed = _remove(out_dir, set(before.paths) - wanted.keys())
    _write_manifest(out_dir, fingerprint, entries)
    return Written(dict(sorted(entries.items())), len(stale), written, removed)


def read_manifest(path: Path, fingerprint: str) -> Manifest:
    """The previous build's manifest; its digests only if ``fingerprint`` built it."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:  # missing (a first build), or not a file
        return Manifest(())
    trusted = bool(lines) and lines[0] == f"{HEADER} {fingerprint}"
    entries: dict[str, Entry] = {}
    paths = []
    for line in lines[1:] if lines and lines[0].startswith(HEADER) else lines:
        name, *rest = line.split("\t")
        paths.append(name)
        entry = _entry(rest) if trusted else None
        if entry is not None:
            entries[name] = entry
    return Manifest(tuple(paths), entries)


def _entry(fields: Sequence[str]) -> Entry | None:
    """A line's digest, size and charts; None for a damaged line. The counts only as
    :func:`_write_manifest` writes them, ASCII digits: ``isdigit`` passes ``²``, which ``int``
    refuses, and ``int`` refuses 5,000 digits (no count we write has more than 20)."""
    if len(fields) != 3 or not all(_is_count(count) for count in fields[1:]):
        return None
    return Entry(fields[0], int(fields[1]), int(fields[2]))


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdecimal() and len(text) <= 20


def _write_manifest(out_dir: Path, fingerprint: str, entries: Mapping[str, Entry | None]) -> None:
    lines = [f"{HEADER} {fingerprint}"]
    for name, entry in sorted(entries.items()):
        lines.append(
            name if entry is None else f"{name}\t{entry.digest}\t{entry.size}\t{entry.charts}"
        )
    _put(out_dir / MANIFEST, "".join(f"{line}\n" for line in lines).encode("utf-8"))


def _replace(path: Path, data: bytes) -> None:
    """``data`` written beside ``path`` and renamed over it: a reader sees the old or the new.
    The temporary file is named for this process and made like any other (the umask's mode,
    which ``mkstemp``'s 0600 is not: a web server must read the pages)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a killed build of the same process id
    try:
        with temporary.open("xb") as handle:  # exclusive: never through a planted link
            handle.write(data)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _put(path: Path, data: bytes) -> int:
    """Write ``data`` unless the file holds it already; 1 if written. A new file replaces the
    old one (a symlink too: never written through), so a server reading the folder never sees
    half a page, and a copy of the site made with hard links keeps its own bytes."""
    if _size(path) == len(data) and path.read_bytes() == data:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, data)
    return 1


def _remove(out_dir: Path, names: set[str]) -> int:
    """Remove the files a previous build made and this one did not, and the folders they leave
    empty (only files the manifest names: a folder shared with other files keeps them)."""
    removed = 0
    for name in sorted(names):
        stale = _inside(out_dir, name)
        if stale is None:
            continue
        stale.unlink()
        removed += 1
        folder = stale.parent
        while folder != out_dir and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed


def _inside(out_dir: Path, name: str) -> Path | None:
    """The regular file a manifest line names, if it lies inside ``out_dir``; else None.

    The manifest is a file in a folder others may write to: an absolute path, a ``..``, or a
    folder that is a symlink to elsewhere must never make a rebuild delete outside the site.
    """
    relative = Path(name)
    if not name or "\0" in name or relative.is_absolute() or ".." in relative.parts:
        return None
    path = out_dir / relative
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path if path.resolve().is_relative_to(out_dir.resolve()) else None
    except (OSError, ValueError):  # a name the file system refuses (too long, undecodable)
        return None
