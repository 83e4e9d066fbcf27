"""Reading a snapshot folder's history out of git in one pass: one ``git log --raw`` for the
commits and the provider blobs they touched, one ``git cat-file --batch`` for the blobs' bytes.
Never a checkout per commit: a repository with months of hourly snapshots stays cheap to read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from catalog_watch.errors import GitError, SnapshotError
from catalog_watch.model.catalog import JSON
from catalog_watch.model.timestamps import utc_stamp
from catalog_watch.publish.git import Git


def provider_document(data: bytes, where: str) -> JSON:
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
