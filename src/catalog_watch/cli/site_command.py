"""``site``: the static changelog site; its own module, since it needs the ``site`` extra."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from catalog_watch.jobs.evaluation import model_index
from catalog_watch.settings.config import load_config
from catalog_watch.site import build_site


def site(args: argparse.Namespace) -> int:
    result = build_site(
        Path(args.out),
        snapshots=Path(args.snapshots),
        ledger=Path(args.ledger) if args.ledger else None,
        config=load_config(args.config),
        now=args.now,
        limit=args.limit,
        index=model_index(args.models_json),
        base_url=args.base_url or _pages_url(os.environ.get("GITHUB_REPOSITORY", "")),
    )
    print(
        f"catalog-watch: site: {result.pages:,} pages ({result.model_pages:,} models, "
        f"{result.charts:,} charts), {result.total_bytes / 1e6:.1f} MB in {result.out_dir}; "
        f"{result.rendered:,} files rendered, {result.written:,} written, "
        f"{result.removed:,} removed"
    )
    return 0


def _pages_url(repository: str) -> str | None:
    """GitHub Pages' address of ``owner/repo`` (``owner.github.io`` for the user site)."""
    owner, _, name = repository.partition("/")
    if not owner or not name:
        return None
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"
