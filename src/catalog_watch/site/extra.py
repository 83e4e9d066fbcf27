"""The one check that the site's optional dependencies are there, made before any work.

feedgen (the feed), jinja2 (the pages' and the charts' templates) and icalendar (the
deprecation calendar's ``.ics``) are the ``site`` extra, so that the action's plain runs do not
install them. Every module of the package imports without them: each is imported only inside
the function that writes the feed (``feed.atom_feed``) or makes the template environment
(``html._environment``), which ``build_site`` reaches only after
:func:`require_site_extra` has turned their absence into one line; ``render/calendar.py`` imports
icalendar at its top when it is there, and ``deprecations --format ics`` checks it with
:func:`require_ics` first.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from catalog_watch.errors import MissingExtra

SITE_EXTRA = ("feedgen", "jinja2", "icalendar")
INSTALL = "pip install 'catalog-watch[site]'"


def require_site_extra() -> None:
    """Raise :class:`MissingExtra` naming what is missing and the command that installs it."""
    _require(SITE_EXTRA, "the site needs")


def require_ics() -> None:
    """``--format ics``: icalendar, or one line naming the extra that installs it."""
    _require(("icalendar",), "--format ics needs")


def _require(names: Sequence[str], needs: str) -> None:
    missing = [name for name in names if not _importable(name)]
    if missing:
        names_ = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        raise MissingExtra(f"{needs} {names_}, which the 'site' extra installs: {INSTALL}")


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
