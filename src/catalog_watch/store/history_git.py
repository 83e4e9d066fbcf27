"""Reading a snapshot folder's history out of git in one pass: one ``git log --raw`` for the
commits and the provider blobs they touched, one ``git cat-file --batch`` for the blobs' bytes.
Never a checkout per commit: a repository with months of hourly snapshots stays cheap to read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from catalog_watch.errors import GitError, SnapshotError
from catalog_watch.model.catalog import JSON
from catalog_watch.model.timestamps import read_stamp, utc_stamp
from catalog_watch.publish.git import Git


def provider_document(data: bytes, where: str) -> JSON:
    """A provider file's JSON (orjson: a walk parses one per touched file and commit; the few
    texts it refuses that ``json`` reads, such as an integer past 64 bits, go to ``json``)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            document = json.loads(data)
        except ValueError as error:
            raise SnapshotError(f"{where}: not valid JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("models"), dict):
        raise SnapshotError(f"{where}: not a provider snapshot (no 'models' object)")
    return document


Commit = tuple[str, str, dict[str, str | None]]
"""(sha, UTC time, provider id → its new blob, None when the file was deleted)."""


def commits_touching(repo: Path, folder: str, ref: str) -> list[Commit]:
    """(sha, UTC time, provider id → new blob, None if deleted), oldest first: one git log."""
    log = ("log", "--reverse", "--first-parent", "--diff-merges=first-parent", "--raw")
    options = ("--no-abbrev", "--no-renames", "--relative", "--format=%x01%H %cI")
    out = Git(repo).run(*log, *options, ref, "--", folder)  # a failure: GitError, git's words
    commits: list[Commit] = []
    for line in out.splitlines():
        if line.startswith("\x01"):
            sha, _, stamp = line[1:].partition(" ")
            commits.append((sha, utc_stamp(stamp), {}))
        elif line.startswith(":") and commits:
            meta, _, path = line.partition("\t")
            name = path.removeprefix(f"{folder}/")
            if name != path and "/" not in name and name.endswith(".json") and name[0] != "_":
                blob = meta.split()[3]
                commits[-1][2][name[:-5]] = None if set(blob) == {"0"} else blob
    return commits


@contextmanager
def blob_reader(repo: Path) -> Iterator[Callable[[str], bytes]]:
    """One ``git cat-file --batch`` process: write ``<blob>\\n``, read its header and bytes."""
    process = Git(repo).pipe("cat-file", "--batch")
    stdin, stdout = process.stdin, process.stdout
    if stdin is None or stdout is None:  # both are pipes: Git.pipe asks for them
        process.kill()
        process.wait()
        raise GitError(f"`git cat-file --batch` in {repo}: started without its pipes")

    def read(blob: str) -> bytes:
        stdin.write(f"{blob}\n".encode())
        stdin.flush()
        header = stdout.readline().decode("utf-8", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            raise GitError(f"`git cat-file --batch` in {repo}: no blob {blob}: {header}")
        data = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after the content
        return data

    try:
        yield read
    finally:
        process.communicate()  # closes its input: git reads EOF and exits


CACHE_VERSION = 1
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_KINDS = frozenset({"added", "removed", "changed"})
Event = tuple[str, str, str, str, str | None, JSON, JSON]
"""(UTC time, "added" | "removed" | "changed", provider, model, field, old, new)."""


@dataclass(frozen=True, slots=True)
class CacheHead:
    """Where a cached walk stopped: the commit, its clock, the first commit's time, every
    provider's blob then, and the byte length of the events written up to it."""

    tip: str
    last: str
    begins: str | None
    state: dict[str, str]
    size: int


def resolve_commit(repo: Path, ref: str) -> str | None:
    """The commit ``ref`` names, None when it names none (the walk then says why, git's words)."""
    try:
        found = Git(repo).run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    except GitError:
        return None
    return found or None


def descends(repo: Path, old: str, new: str) -> bool:
    """``new`` holds ``old`` in its history: the cache can be extended, not rebuilt."""
    return Git(repo).run("merge-base", old, new, check=False) == old


def cache_folder(repo: Path, folder: str) -> Path | None:
    """``.git/catalog-watch/history-cache/<folder's hash>``: local state, never committed (a
    cache keyed by commits is rebuilt from them; committing it would add a file per run)."""
    try:
        common = Git(repo).run("rev-parse", "--git-common-dir", check=False)
    except GitError:
        return None
    if not common:
        return None
    key = hashlib.sha256(f"{CACHE_VERSION}:{folder}".encode()).hexdigest()[:16]
    return (repo / common) / "catalog-watch" / "history-cache" / key


def read_cache(directory: Path) -> tuple[CacheHead, list[Event]] | None:
    """The cached walk, or None when it is missing or unreadable (it is then rebuilt)."""
    try:
        head = _head(json.loads((directory / "head.json").read_bytes()))
        if head is None:
            return None
        with (directory / "events.jsonl").open("rb") as file:
            data = file.read(head.size)
        if len(data) != head.size:
            return None
        stamps: set[str] = set()
        return head, [_event(line, stamps) for line in data.splitlines()]
    except (OSError, ValueError, TypeError):
        return None


def _head(data: object) -> CacheHead | None:
    """The head if each value has the type and form its readers take for granted; else None,
    a rebuild: a wrong one fails later instead (a query comparing times, a blob git lacks)."""
    if not isinstance(data, dict) or data.keys() != CacheHead.__dataclass_fields__.keys():
        return None
    head = CacheHead(**data)
    state, size = head.state, head.size
    fine = (
        _is_id(head.tip)
        and (head.last == "" or _is_stamp(head.last))
        and (head.begins is None or _is_stamp(head.begins))
        and isinstance(state, dict)
        and all(_is_id(blob) for blob in state.values())
        and isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 0
    )
    return head if fine else None


def _is_id(value: object) -> bool:
    """A full commit or blob id, as git prints it (SHA-1 or SHA-256)."""
    return isinstance(value, str) and _OBJECT_ID.fullmatch(value) is not None


def _is_stamp(value: object) -> bool:
    """A time as ``utc_stamp`` writes it: the walk and the queries compare times as text."""
    when = read_stamp(value)
    return when is not None and utc_stamp(when) == value


def _event(line: bytes, stamps: set[str]) -> Event:
    """One cached event as the replay takes it (ValueError: the cache is rebuilt); ``stamps``:
    the times already checked (a commit's events share one)."""
    event = json.loads(line)
    at, kind, provider, model, field, old, new = event
    if at not in stamps:
        if not _is_stamp(at):
            raise ValueError("not a cached event time")
        stamps.add(at)
    if (
        type(event) is not list
        or kind not in _KINDS
        or type(provider) is not str
        or type(model) is not str
        or (field is not None and type(field) is not str)
    ):
        raise ValueError("not a cached event")
    return (at, kind, provider, model, field, old, new)


def write_cache(directory: Path, head: CacheHead, events: Sequence[Event], *, append: bool) -> None:
    """Append ``events`` (or start afresh), then the head that covers them: a run cut short
    leaves a head that still counts only the bytes it wrote. A read-only .git: no cache."""
    lines = b"".join(json.dumps(event).encode() + b"\n" for event in events)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "events.jsonl"
        if append:
            with path.open("r+b") as file:
                file.truncate(head.size - len(lines))
                file.seek(0, os.SEEK_END)
                file.write(lines)
        else:
            path.write_bytes(lines)
        head_json = json.dumps(
            {f: getattr(head, f) for f in CacheHead.__dataclass_fields__}, sort_keys=True
        )
        partial = directory / "head.json.partial"
        partial.write_text(head_json, encoding="utf-8")
        partial.replace(directory / "head.json")
    except OSError:
        return
