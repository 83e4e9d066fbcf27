"""The tool's commits: how they are marked (a trailer, a subject), their subject cut to fit, and
the one ``git log`` format they are read back with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TOOL_PREFIX = "catalog-watch"
TOOL_TRAILER = "Catalog-Watch-Commit"  # every commit the tool makes carries it
SUBJECT_LIMIT = 72  # characters of a commit subject (git's and GitHub's one-line views)
LOG_FORMAT = f"--format=%H%x1f%s%x1f%(trailers:key={TOOL_TRAILER},valueonly,separator=%x2c)%x1e"


def short_subject(message: str) -> str:
    """``message`` with a subject of at most ``SUBJECT_LIMIT`` characters.

    A longer first line is cut at the last clause (``, ``) or word boundary that fits, marked
    with "…", and given whole as the body's first paragraph, above the rest of the body: the
    one-line log (``git log --oneline``, GitHub's commit list) stays readable, nothing is lost.
    """
    first, _, rest = message.partition("\n")
    if len(first) <= SUBJECT_LIMIT:
        return message
    body = f"{first}\n\n{rest.lstrip(chr(10))}" if rest.strip() else first
    return f"{_cut(first, SUBJECT_LIMIT - 1)}…\n\n{body.rstrip()}"


def _cut(line: str, width: int) -> str:
    """The longest start of ``line`` within ``width`` that ends after a clause (``, ``), else at
    a word boundary; a cut that would lose more than half the width is made mid-word."""
    clause = line.rfind(", ", 0, width)
    if clause >= width // 2:
        return line[: clause + 2]
    space = line.rfind(" ", 0, width + 1)
    return line[:space] if space >= width // 2 else line[:width]


def is_tool_commit(subject: str, trailer: str = "") -> bool:
    """A commit catalog-watch made: its ``Catalog-Watch-Commit`` trailer, or (commits made before
    the trailer existed) its subject: ``catalog-watch`` then ``:``, space or end.

    Recovery also requires such a commit to touch only the owned paths before it drops one.
    """
    if trailer.strip():
        return True
    rest = subject.removeprefix(TOOL_PREFIX)
    return rest != subject and (not rest or rest[0] in ": ")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    subject: str
    trailer: str = ""

    @property
    def tool(self) -> bool:
        return is_tool_commit(self.subject, self.trailer)


def parse_log(log: str) -> tuple[Commit, ...]:
    rows = (record.strip("\n").split("\x1f") for record in log.split("\x1e") if record.strip())
    return tuple(Commit(*[*row, "", ""][:3]) for row in rows)


def _name(commit: Commit) -> str:
    return f"{commit.sha[:12]} ({commit.subject!r})"


def describe(commits: Sequence[Commit]) -> str:
    """``1a2b3c4d5e6f catalog-watch: health; 7a8b9c0d1e2f fix typo`` for a log line."""
    return "; ".join(f"{c.sha[:12]} {c.subject}" for c in commits)
