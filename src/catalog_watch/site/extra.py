"""The one check that the site's optional dependencies are there, made before any work.

matplotlib (the charts), feedgen (the feed) and jinja2 (the pages' templates) are the ``site``
extra, so that the action's plain runs do not install them. Every module of the package imports
without them: each is imported only inside the function that draws (``chart``,
``chart_layout``), writes the feed (``feed.atom_feed``) or makes the template environment
(``html._environment``), which ``build_site`` reaches only after :func:`require_site_extra` has
turned their absence into one line. Those are the package's only imports inside functions.
"""

from __future__ import annotations

import importlib

from catalog_watch.errors import MissingExtra

SITE_EXTRA = ("matplotlib", "feedgen", "jinja2")
INSTALL = "pip install 'catalog-watch[site]'"


def require_site_extra() -> None:
    """Raise :class:`MissingExtra` naming what is missing and the command that installs it."""
    missing = [name for name in SITE_EXTRA if not _importable(name)]
    if missing:
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        raise MissingExtra(f"the site needs {names}, which the 'site' extra installs: {INSTALL}")


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
