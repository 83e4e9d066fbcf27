"""The one check that the site's optional dependencies are there, made before any work.

matplotlib (the charts) and feedgen (the feed) are the ``site`` extra, so that the action's
plain runs do not install them; every other module imports them lazily, inside the function
that draws or writes, and :func:`require_site_extra` turns their absence into one line.
"""

from __future__ import annotations

import importlib

from catalog_watch.errors import MissingExtra

SITE_EXTRA = ("matplotlib", "feedgen")
INSTALL = "pip install 'catalog-watch[site]'"


def require_site_extra() -> None:
    """Raise :class:`MissingExtra` naming what is missing and the command that installs it."""
    missing = [name for name in SITE_EXTRA if not _importable(name)]
    if missing:
        names = " and ".join(missing)
        raise MissingExtra(f"the site needs {names}, which the 'site' extra installs: {INSTALL}")


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
