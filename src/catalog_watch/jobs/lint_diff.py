"""The lines a change adds, read from ``git diff --unified=0 --full-index`` output as bytes.

Lines end at a line feed only (a form feed, CR or U+2028 in an added line is content, never a
header); inside a hunk its ``@@`` header's counts say how many lines are its own, so an added
line reading ``+++ b/x`` or ``@@`` is content too. Names are read as git writes them: C-quoted
(escapes and octal bytes) or, when they hold a space, followed by a tab; bytes that are not
UTF-8 are kept as surrogates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ChangedFile", "DiffReader", "diff_files", "parse_diff", "read_diff"]

_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(rb"[0-7]{3}")
_ESCAPES = dict(zip(b"abtnvfr", b"\a\b\t\n\v\f\r", strict=True))  # C escapes → bytes


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """A file the diff adds lines to, as HEAD has it: its path (the bytes of a name that is not
    UTF-8 kept as surrogates), its blob and mode (``index`` line), the added line numbers."""

    path: str
    blob: str | None
    mode: str | None
    lines: frozenset[int]


def parse_diff(text: str | bytes) -> dict[str, frozenset[int]]:
    """Path → added line numbers, from ``git diff --unified=0`` output (deleted files and
    binary files have none; a hunk ``+c,0`` only removes lines)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return {file.path: file.lines for file in diff_files(data)}


def diff_files(data: bytes) -> list[ChangedFile]:
    """The files ``git diff --unified=0 --full-index`` output adds lines to. Lines end at a line
    feed only (a form feed or CR in an added line is content); inside a hunk its header's counts
    say how many lines are its own, so an added line reading ``+++ b/x`` or ``@@`` is content."""
    return read_diff(data).done()


def read_diff(data: bytes) -> DiffReader:
    """The reader after one pass: its files, and whether a file was binary to git."""
    reader = DiffReader()
    for line in data.split(b"\n"):
        reader.feed(line)
    return reader


@dataclass(slots=True)
class DiffReader:
    """One pass over a diff: headers between hunks, each hunk's lines counted off its header."""

    files: list[ChangedFile] = field(default_factory=list)
    path: str | None = None
    blob: str | None = None
    mode: str | None = None
    lines: set[int] = field(default_factory=set)
    old: int = 0  # lines of the current hunk still to come, on each side
    new: int = 0
    at: int = 0  # the new side's number for the next added or context line
    binary: bool = False  # a file had no hunks: "Binary files a/x and b/x differ"

    def feed(self, line: bytes) -> None:
        if self.old > 0 or self.new > 0:
            self._content(line)
        elif line.startswith(b"diff --git "):
            self._finish()
        elif line.startswith(b"+++ "):
            self.path = _target(line[4:])
        elif line.startswith(b"@@ "):
            self._hunk(line)
        elif line.startswith((b"new file mode ", b"new mode ")):
            self.mode = line.rpartition(b" ")[2].decode("ascii", "replace")
        elif line.startswith(b"index "):
            ids, _, mode = line[6:].partition(b" ")
            self.blob = ids.partition(b"..")[2].decode("ascii", "replace") or None
            self.mode = mode.decode("ascii", "replace") or self.mode
        elif line.startswith(b"Binary files "):
            self.binary = True

    def done(self) -> list[ChangedFile]:
        self._finish()
        return self.files

    def _hunk(self, line: bytes) -> None:
        found = _HUNK.match(line)
        if found is not None:
            self.old, self.at, self.new = (int(found[n] or b"1") for n in (1, 2, 3))

    def _content(self, line: bytes) -> None:
        mark = line[:1]
        if mark == b"+" and self.new > 0:
            self.lines.add(self.at)
            self.at, self.new = self.at + 1, self.new - 1
        elif mark == b"-" and self.old > 0:
            self.old -= 1
        elif mark in (b" ", b""):  # context (empty: diff.suppressBlankEmpty)
            self.at, self.old, self.new = self.at + 1, max(self.old - 1, 0), max(self.new - 1, 0)
        elif mark != b"\\":  # "\ No newline at end of file" belongs to the line before
            self.old = self.new = 0  # not a diff line: the hunk ended before it
            self.feed(line)

    def _finish(self) -> None:
        if self.path is not None and self.lines:
            self.files.append(ChangedFile(self.path, self.blob, self.mode, frozenset(self.lines)))
        self.path, self.blob, self.mode, self.lines = None, None, None, set()


def _target(label: bytes) -> str | None:
    """``b/path`` from a ``+++`` line → ``path``; None for ``/dev/null``. Git C-quotes a name
    with a control character, quote or backslash (``"b/a\\tb.py"``, octal for other bytes) and
    ends a label that holds a space with a tab."""
    name = _unquote(label) if label.startswith(b'"') else label.removesuffix(b"\t")
    if name is None or not name.startswith(b"b/"):
        return None
    return name[2:].decode("utf-8", "surrogateescape")


def _unquote(label: bytes) -> bytes | None:
    """The bytes of a C-quoted name (``"b/a\\nb.py"``), None when it is not one."""
    out, i = bytearray(), 1
    while i < len(label):
        byte = label[i]
        if byte == ord('"'):
            return bytes(out) if label[i + 1 :] in (b"", b"\t") else None
        if byte == ord("\\") and i + 1 < len(label):
            escaped = label[i + 1]
            if _OCTAL.fullmatch(label, i + 1, i + 4):
                out.append(int(label[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(_ESCAPES.get(escaped, escaped))
            i += 2
            continue
        out.append(byte)
        i += 1
    return None
