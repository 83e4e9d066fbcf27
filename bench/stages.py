"""Time the steps of one ``catalog-watch diff OLD NEW --format json``, in a fresh process.

``bench_diff.py`` runs this file as a child; by hand: ``.venv/bin/python bench/stages.py OLD NEW
[--profile]``. It prints a JSON list of [step, seconds]; ``--profile`` adds a cProfile of the
steps on stderr. It imports nothing before ``catalog_watch.cli.app`` (only ``sys`` and ``time``,
which the interpreter has loaded anyway), so the first lap is what the console script pays for its
imports. Like ``catalog_watch.cli.app.main``, it turns the cyclic GC off after those imports.
"""

from __future__ import annotations

import sys
import time

_laps: list[tuple[str, float]] = []
_last = time.perf_counter()


def lap(name: str) -> None:
    global _last
    now = time.perf_counter()
    _laps.append((name, now - _last))
    _last = now


def pipeline(old_path: str, new_path: str) -> None:
    """What ``catalog_watch.cli.app._diff`` and ``compare.compare`` do, one timer per step."""
    import gc
    from pathlib import Path

    import catalog_watch.cli.app  # noqa: F401  (what the console script imports first)

    lap("import catalog_watch.cli.app")
    gc.disable()
    from catalog_watch.analysis.compare import consistency_settings
    from catalog_watch.analysis.consistency import find_inconsistencies
    from catalog_watch.analysis.diff import diff_catalogs
    from catalog_watch.model.report import build_report
    from catalog_watch.render import RENDERERS
    from catalog_watch.settings.config import load_config
    from catalog_watch.sources.models_dev import parse_catalog
    from catalog_watch.store.snapshot import read_document

    lap("import compare, render (lazy in the CLI)")
    config = load_config(None)
    documents = [read_document(Path(old_path)), read_document(Path(new_path))]
    lap("read + json.loads (2 files)")
    share = config.guard.max_rejected_share
    old, new = (parse_catalog(d, max_rejected_share=share) for d in documents)
    lap("validate (pydantic, 2 catalogs)")
    settings = consistency_settings(config)
    found = [find_inconsistencies(c, settings, None) for c in (old, new)]
    lap("find_inconsistencies (2 catalogs)")
    had_deepdiff = "deepdiff" in sys.modules
    changes = diff_catalogs(old, new, config.diff.ignore_fields)
    imported = not had_deepdiff and "deepdiff" in sys.modules
    lap("diff_catalogs (incl. deepdiff import)" if imported else "diff_catalogs")
    report = build_report(old, new, changes, found[0], found[1])
    lap("build_report (incl. schema drift)")
    RENDERERS["json"](report)
    lap("render json")
    # the locals (documents, catalogs, report) are freed when this returns: the next lap


def main() -> int:
    old, new = sys.argv[1], sys.argv[2]
    if "--profile" in sys.argv[3:]:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(pipeline, old, new)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
    else:
        pipeline(old, new)
    lap("free the catalogs and the report (return)")
    import json

    print(json.dumps(_laps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
