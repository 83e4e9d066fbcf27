"""``CHANGELOG.md`` beside the snapshots: one dated section per run, newest first.

It lives in the source's snapshot folder (``snapshots/models.dev/CHANGELOG.md``), not at the
repository root, so that it never collides with the project's own changelog and each watched
source keeps its own.
"""

from __future__ import annotations

from pathlib import Path

from catalog_watch.files import write_atomic

CHANGELOG_FILE = "CHANGELOG.md"
TITLE = "# Model catalog changelog"
INTRO = "Written by catalog-watch, newest run first. Machine-readable: `changes.jsonl`."


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


def write_changelog(path: Path, heading: str, markdown: str) -> None:
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    text = add_section(existing, changelog_section(heading, markdown))
    write_atomic(path, text.encode("utf-8"))
