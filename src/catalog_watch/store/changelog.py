"""``CHANGELOG.md`` beside the snapshots: one dated section per run, newest first.

It lives in the source's snapshot folder (``snapshots/models.dev/CHANGELOG.md``), not at the
repository root, so that it never collides with the project's own changelog and each watched
source keeps its own.

``CHANGELOG.md`` holds the current month: the first run of a later month moves the sections of
earlier months, once, to one file per month, ``changelog/YYYY-MM.md`` (newest run first there
too), linked from the head of ``CHANGELOG.md``; no run touches a month file again. So a run
rewrites one month of sections however long the history, and the reviewer still opens one
readable ``CHANGELOG.md``. The files are computed here as text; the run writes them with the
snapshot as one folder change (``transaction.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

CHANGELOG_FILE = "CHANGELOG.md"
ARCHIVE_DIR = "changelog"
SPLIT_BYTES = 1_000_000
"""A ``limit`` that keeps earlier months in ``CHANGELOG.md`` up to half of the 2 MB up to which
GitHub renders a markdown file (the split before issue 14); runs use 0, a split at each month."""
TITLE = "# Model catalog changelog"
INTRO = (
    "Written by catalog-watch, newest run first. Machine-readable: `changes.jsonl` "
    "(this month) and `ledger/YYYY-MM.jsonl`."
)

_SECTION = re.compile(r"^## ", re.MULTILINE)
_MONTH = re.compile(r"## (\d{4}-\d{2})-\d{2} ")
_LINKED = re.compile(rf"\]\({ARCHIVE_DIR}/(\d{{4}}-\d{{2}})\.md\)")

ReadArchive = Callable[[str], str | None]
"""An archive file's path (``changelog/2026-06.md``) → its text, None when there is none."""


def changelog_section(heading: str, markdown: str) -> str:
    return f"## {heading}\n\n{markdown.rstrip()}\n"


def add_section(existing: str | None, section: str) -> str:
    """Put ``section`` first, under the title; keep everything that was there."""
    if not existing or not existing.startswith(TITLE):
        body = existing or ""
        return f"{TITLE}\n\n{INTRO}\n\n{section}\n{body}".rstrip("\n") + "\n"
    head, _, rest = existing.partition("\n## ")
    rest = f"## {rest}" if rest else ""
    return f"{head.rstrip()}\n\n{section}\n{rest}".rstrip("\n") + "\n"


def archive_path(month: str) -> str:
    """``changelog/2026-06.md``, relative to the snapshot folder."""
    return f"{ARCHIVE_DIR}/{month}.md"


def changelog_files(
    existing: str | None, section: str, archived: ReadArchive, *, limit: int = 0
) -> dict[str, str]:
    """The changelog's files after a run adds ``section``, relative to the snapshot folder.

    ``CHANGELOG.md`` always; when it would pass ``limit`` bytes (0: when it holds a month before
    ``section``'s), also the month files that take the sections of months before ``section``'s
    (merged above what ``archived`` holds, which is read only for a month that moves).
    """
    text = add_section(existing, section)
    month = section_month(section)
    if len(text.encode("utf-8")) <= limit or month is None:
        return {CHANGELOG_FILE: text}
    head, sections = _split(text)
    moved, kept = _by_month(sections, before=month)
    if not moved:
        return {CHANGELOG_FILE: text}
    files = {archive_path(m): _archive(m, parts, archived(archive_path(m))) for m, parts in moved}
    months = sorted({*_LINKED.findall(head), *(m for m, _ in moved)}, reverse=True)
    files[CHANGELOG_FILE] = _joined(_head(months), kept)
    return files


def section_month(section: str) -> str | None:
    """``2026-06`` for a section headed ``## 2026-06-28 10:17 UTC: …``; None for another."""
    found = _MONTH.match(section)
    return found.group(1) if found else None


def _split(text: str) -> tuple[str, list[str]]:
    """The text before the first ``## `` heading, and each section from its heading on."""
    starts = [m.start() for m in _SECTION.finditer(text)]
    if not starts:
        return text, []
    ends = [*starts[1:], len(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, ends, strict=True)]


def _by_month(sections: list[str], *, before: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The sections of months before ``before``, grouped by month; and the others, in order."""
    moved: dict[str, list[str]] = {}
    kept: list[str] = []
    for part in sections:
        month = section_month(part)
        if month is not None and month < before:
            moved.setdefault(month, []).append(part)
        else:
            kept.append(part)
    return list(moved.items()), kept


def _head(months: list[str]) -> str:
    links = ", ".join(f"[{m}]({archive_path(m)})" for m in months)
    return f"{TITLE}\n\n{INTRO}\n\nEarlier months: {links}.\n\n"


def _archive(month: str, parts: list[str], existing: str | None) -> str:
    """A month's file: the sections moved now above those it already has."""
    before = _split(existing)[1] if existing else []
    head = (
        f"{TITLE}: {month}\n\nWritten by catalog-watch, newest run first. "
        f"Later runs: [CHANGELOG.md](../{CHANGELOG_FILE}).\n\n"
    )
    return _joined(head, [*parts, *before])


def _joined(head: str, sections: list[str]) -> str:
    body = "".join(part.rstrip("\n") + "\n\n" for part in sections)
    return (head + body).rstrip("\n") + "\n"
