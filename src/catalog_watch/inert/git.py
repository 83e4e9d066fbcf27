"""Catalog text in a commit message: no reference GitHub would act on, no control character.

GitHub links ``#1``, ``@user`` and URLs in commit messages, and a commit on the default branch
that says ``fixes #1`` closes issue 1. The tool's messages quote catalog text only through
one-line values (``health_run.first_line``), so no catalog line break can reach the message and
forge the ``Catalog-Watch-Commit`` trailer that tells the tool's own commits apart.
"""

from __future__ import annotations

from catalog_watch.inert.markdown import without_references
from catalog_watch.inert.terminal import shown


def commit_text(message: str) -> str:
    """``message`` with references defused and control characters spelled out, line by line."""
    return without_references(shown(message))
