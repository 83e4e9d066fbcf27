"""The changelog beside the snapshots: every run's section in its month's file, the latest first.

It lives in the source's snapshot folder (``snapshots/models.dev/CHANGELOG.md``), not at the
repository root, so that it never collides with the project's own changelog and each watched
source keeps its own.

Each run appends its section to its month's file, ``changelog/YYYY-MM.md`` (oldest run first,
so the run writes its section and nothing else; the file's head is written by the month's first
run), and rewrites ``CHANGELOG.md``, which stays small: the name of every month's file (in code
spans: nothing written here is a link GitHub would act on), then the latest runs' sections,
newest first (``LATEST_RUNS``, within ``LATEST_BYTES`` but the newest however large). So the
reviewer opens one short ``CHANGELOG.md`` with the run at the top, and a run's writes do not grow
with the history. Text in ``CHANGELOG.md`` that is not a dated run's section (a hand-written
note) is kept below the runs.

A ``CHANGELOG.md`` of an earlier layout (every section in it, newest first; or the current
month's, earlier months newest first in their files) is recognised by its intro and moved, once,
into month files oldest first. The files are computed here; the run writes them with the
snapshot as one folder change (``transaction.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from catalog_watch.store.transaction import Writes

CHANGELOG_FILE = "CHANGELOG.md"
ARCHIVE_DIR = "changelog"
LATEST_RUNS = 20
LATEST_BYTES = 100_000
TITLE = "# Model catalog changelog"
LATEST = "the latest runs, newest first"  # in the intro: CHANGELOG.md is of this layout
INTRO = f"Written by catalog-watch: {LATEST}. Every run, oldest first, in its month's file: "
MACHINE = "Machine-readable: `changes.jsonl` (this month) and `ledger/YYYY-MM.jsonl`."

KEPT = "## Kept from the earlier CHANGELOG.md"  # over a foreign preamble, kept below the runs

_SECTION = re.compile(r"^## ", re.MULTILINE)
_MONTH = re.compile(r"## (\d{4}-\d{2})-\d{2} ")
_LINKED = re.compile(rf"{ARCHIVE_DIR}/(\d{{4}}-\d{{2}})\.md\b")  # a month file named in a head

ReadArchive = Callable[[str], str | None]
"""A month file's path (``changelog/2026-06.md``) → its text, None when there is none."""


def changelog_section(heading: str, markdown: str) -> str:
    return f"## {heading}\n\n{markdown.rstrip()}\n"


def archive_path(month: str) -> str:
    """``changelog/2026-06.md``, relative to the snapshot folder."""
    return f"{ARCHIVE_DIR}/{month}.md"


def changelog_files(existing: str | None, section: str, archived: ReadArchive) -> Writes:
    """The changelog's writes when a run adds ``section``, names relative to the snapshot folder.

    ``existing`` is ``CHANGELOG.md``'s text. The run's section is appended to its month's file
    (with the file's head when ``CHANGELOG.md`` names no file of that month yet) and put first in
    ``CHANGELOG.md``. ``archived`` is read only when ``existing`` is of an earlier layout: then
    every dated section and month file is written whole, oldest first, once.
    """
    head, sections = _split(existing or "")
    if existing is not None and LATEST in head:
        months = set(_LINKED.findall(head))
        month = section_month(section)
        appends = {}
        if month is not None:
            start = "" if month in months else month_head(month)
            appends[archive_path(month)] = (start + _entry(section)).encode("utf-8")
            months.add(month)
        latest = _latest([section, *sections])
        return Writes(files={CHANGELOG_FILE: _current(months, latest).encode()}, appends=appends)
    return _migrated(head, [section, *sections], archived)


def _migrated(head: str, sections: list[str], archived: ReadArchive) -> Writes:
    """An earlier layout's ``CHANGELOG.md`` (``sections`` newest first, the run's first) and its
    month files, written whole in this layout."""
    by_month = {m: _archived(archived(archive_path(m))) for m in _LINKED.findall(head)}
    kept = [] if head.startswith(TITLE) or not head.strip() else [f"{KEPT}\n\n{head}"]
    kept += [part for part in sections if section_month(part) is None]
    for part in reversed(sections):  # oldest first
        month = section_month(part)
        if month is not None and _entry(part) not in map(_entry, by_month.setdefault(month, [])):
            by_month[month].append(part)  # a section already in its month file is not repeated
    files = {
        archive_path(month): (
            month_head(month) + "".join(_entry(p) for p in sorted(parts, key=_when))
        ).encode("utf-8")
        for month, parts in by_month.items()
    }
    latest = _latest([s for s in sections if section_month(s) is not None]) + kept
    files[CHANGELOG_FILE] = _current(set(by_month), latest).encode("utf-8")
    return Writes(files=files)


def _archived(text: str | None) -> list[str]:
    """A month file's sections, oldest first: this layout writes them so, the earliest wrote
    them newest first. A CHANGELOG.md whose intro was edited by hand is taken for an earlier
    layout, and its sections, already in their month files, must keep their order there."""
    head, parts = _split(text or "")
    return parts if "oldest run first" in head else parts[::-1]


def _when(section: str) -> str:
    """``2026-06-28 10:17``: the sort key; runs of the same minute keep their order."""
    return section[3:19]


def section_month(section: str) -> str | None:
    """``2026-06`` for a section headed ``## 2026-06-28 10:17 UTC: …``; None for another."""
    found = _MONTH.match(section)
    return found.group(1) if found else None


def month_head(month: str) -> str:
    """The head of a month's file, written by the month's first run."""
    return (
        f"{TITLE}: {month}\n\nWritten by catalog-watch, oldest run first. "
        f"The latest runs, newest first: `../{CHANGELOG_FILE}`.\n"
    )


def _entry(section: str) -> str:
    """A section as appended to a month's file: after a blank line, ending in one LF."""
    return "\n" + section.rstrip("\n") + "\n"


def _split(text: str) -> tuple[str, list[str]]:
    """The text before the first ``## `` heading, and each section from its heading on."""
    starts = [m.start() for m in _SECTION.finditer(text)]
    if not starts:
        return text, []
    ends = [*starts[1:], len(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, ends, strict=True)]


def _latest(sections: list[str]) -> list[str]:
    """The newest dated sections within ``LATEST_RUNS`` and ``LATEST_BYTES`` (the first however
    large), then every undated one."""
    dated = [part for part in sections if section_month(part) is not None]
    kept, size = dated[:1], sum(len(part.encode("utf-8")) for part in dated[:1])
    for part in dated[1:LATEST_RUNS]:
        size += len(part.encode("utf-8"))
        if size > LATEST_BYTES:
            break
        kept.append(part)
    return kept + [part for part in sections if section_month(part) is None]


def _current(months: set[str], sections: list[str]) -> str:
    links = ", ".join(f"`{archive_path(m)}`" for m in sorted(months, reverse=True))
    head = f"{TITLE}\n\n{INTRO}{links or '(none yet)'}. {MACHINE}\n\n"
    body = "".join(part.rstrip("\n") + "\n\n" for part in sections)
    return (head + body).rstrip("\n") + "\n"
