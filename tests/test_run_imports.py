"""What ``run`` loads: a run with nothing to do never imports the code scan (PyYAML, pathspec)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import small_catalog, write_json
from tests.git_repos import clone, fresh_origin, isolate_git, subjects

PROBE = """
import json, sys
from catalog_watch.cli.app import main
code = main(sys.argv[1:])
scan = sorted(m for m in sys.modules if m.split(".")[0] in ("yaml", "pathspec")
              or m.startswith("catalog_watch.scan") or m == "catalog_watch.jobs.usage")
print("\\nLOADED " + json.dumps(scan), file=sys.stderr)
sys.exit(code)
"""


def run(repo: Path, catalog: Path) -> tuple[str, list[str]]:
    """``run --mode commit`` in its own process: (stdout, scan modules it loaded)."""
    command = [sys.executable, "-c", PROBE, "run", "--mode", "commit", "--source", str(catalog)]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    stderr, _, loaded = done.stderr.rpartition("\nLOADED ")
    assert done.returncode == 0, stderr
    return done.stdout, json.loads(loaded)


def test_a_run_with_nothing_to_do_loads_no_code_scan_and_a_changed_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    doc = small_catalog()
    catalog = write_json(tmp_path / "api.json", doc)
    _, loaded = run(repo, catalog)  # the baseline: a parsed catalog, scanned
    assert "catalog_watch.jobs.usage" in loaded
    out, loaded = run(repo, catalog)  # the same bytes: unchanged from the hashes alone
    assert "no changes" in out
    assert loaded == []
    doc["acme"]["models"]["big-1"]["cost"]["input"] = 4
    write_json(catalog, doc)
    out, loaded = run(repo, catalog)
    assert "big-1" in out
    assert {"catalog_watch.jobs.usage", "catalog_watch.scan", "yaml", "pathspec"} <= set(loaded)
    assert len(subjects(repo)) == 3  # initial, baseline, the price change
