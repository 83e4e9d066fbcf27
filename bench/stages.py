"""Time the steps of one ``catalog-watch diff OLD NEW --format json``, in a fresh process.

``bench_diff.py`` runs this file as a child; by hand: ``.venv/bin/python bench/stages.py OLD NEW
[--profile]``. It prints a JSON list of [step, seconds]; ``--profile`` adds a cProfile of the
steps on stderr. The steps copy ``compare.compare``: after the timing, the report they built is
checked against ``compare``'s own (exit 1 and a message if they differ, so a copy that drifted
cannot time the wrong thing unseen; ``tests/test_bench_stages.py`` runs it).

It imports nothing before ``catalog_watch.cli.app`` (only ``sys`` and ``time``, which the
interpreter has loaded anyway), so the first lap is what the console script pays for its imports.
Like ``catalog_watch.cli.app.main``, it turns the cyclic GC off after those imports.
"""

from __future__ import annotations

import sys
import time

_laps: list[tuple[str, float]] = []
_last = time.perf_counter()
_output: list[str] = []  # the report's JSON, kept for the check after the laps


def lap(name: str) -> None:
    global _last
    now = time.perf_counter()
    _laps.append((name, now - _last))
    _last = now


def pipeline(old_path: str, new_path: str) -> None:
    """What ``catalog_watch.cli.diff_command.diff_without_config`` (``diff`` with no config file)
    and ``compare.compare`` do, one timer per step: every step of the command is a lap (the laps
    add up to the whole call)."""
    import gc
    from pathlib import Path

    import catalog_watch.cli.app

    lap("import catalog_watch.cli.app")
    gc.disable()
    import catalog_watch.cli.diff_command  # noqa: F401  (the diff command's own imports)
    from catalog_watch.analysis.compare import _with_costs, build_report, default_settings
    from catalog_watch.analysis.consistency import changed_groups, find_inconsistencies
    from catalog_watch.analysis.diff import diff_catalogs
    from catalog_watch.model.json_text import json_output
    from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
    from catalog_watch.sources.registry import parse_source
    from catalog_watch.store.snapshot import read_document

    lap("import the diff command (lazy in the CLI)")
    config = default_settings()
    lap("settings (no config file: the defaults)")
    documents = [read_document(Path(old_path)), read_document(Path(new_path))]
    lap("read + parse JSON (2 files)")
    share = DEFAULT_MAX_REJECTED_SHARE
    old, new = (parse_source(d, None, max_rejected_share=share) for d in documents)
    lap("validate (2 catalogs)")
    settings = config.inconsistencies
    found = find_inconsistencies(new, settings, None)  # no other sources: none across them
    lap("inconsistencies of the new catalog (all: the current count)")
    keys = changed_groups(old, new, settings, None)
    lap("groups a change touches")
    old_found = find_inconsistencies(old, settings, None, keys)
    new_found = [i for i in found if i.model in keys]
    lap("inconsistencies of the old catalog (touched groups)")
    had_deepdiff = "deepdiff" in sys.modules
    changes = diff_catalogs(old, new, config.diff.ignore_fields)
    imported = not had_deepdiff and "deepdiff" in sys.modules
    lap("diff_catalogs (incl. deepdiff import)" if imported else "diff_catalogs")
    changes = _with_costs(changes, old, new, settings, config, None)
    lap("cost impact + cheapest channel")
    report = build_report(old, new, changes, old_found, new_found, current=found)
    lap("build_report (incl. schema drift)")
    document = report.to_json()
    lap("report.to_json")
    _output.append(json_output(document))
    lap("json_output (orjson)")
    sys.stdout.flush()
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
    return 0 if _same_as_compare(old, new) else 1


def _same_as_compare(old_path: str, new_path: str) -> bool:
    """The steps' report is the one ``compare`` gives for the same files (untimed)."""
    from pathlib import Path

    from catalog_watch.analysis.compare import compare, default_settings
    from catalog_watch.model.json_text import json_output
    from catalog_watch.settings.defaults import DEFAULT_MAX_REJECTED_SHARE
    from catalog_watch.sources.registry import parse_source
    from catalog_watch.store.snapshot import read_document

    share = DEFAULT_MAX_REJECTED_SHARE
    old, new = (
        parse_source(read_document(Path(p)), None, max_rejected_share=share)
        for p in (old_path, new_path)
    )
    expected = json_output(compare(old, new, default_settings()).to_json())
    if _output == [expected]:
        return True
    print("stages.py: the timed steps no longer build compare()'s report", file=sys.stderr)
    return False


if __name__ == "__main__":
    sys.exit(main())
