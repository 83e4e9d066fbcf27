"""A static changelog site for GitHub Pages, built from the snapshot folder and its ledger.

``build_site(out_dir, snapshots=...)`` writes ``index.html`` (recent changes by run), filtered
pages per provider, kind and severity, a page per run and per model (price history chart, card,
inconsistencies), an Atom ``feed.xml`` and ``style.css``. See ``build.py``.
"""

from catalog_watch.site.build import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
