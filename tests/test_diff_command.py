"""``diff`` with no config file runs on the defaults without pydantic or httpx (issue 14), and
prints exactly what the full command prints.

Each test runs the real CLI in a fresh interpreter, which reports the heavy modules it loaded;
the full command is made to run by giving it a config file that sets nothing (every setting a
default, as with no file).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from catalog_watch.analysis.compare import DEFAULTS, compare
from catalog_watch.sources.fetch import FetchOptions
from catalog_watch.sources.file_bounds import MAX_CATALOG_BYTES
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, edited, model, small_catalog, write_json

HEAVY = ("pydantic", "httpx", "httpcore", "slack_sdk", "catalog_watch.settings.config")
PROBE = f"""
import json, sys
HEAVY = {HEAVY!r}
from catalog_watch.cli.app import main
code = main(sys.argv[1:])
sys.stdout.flush()
heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY or m in HEAVY)
print("\\nHEAVY " + json.dumps(heavy), file=sys.stderr)
sys.exit(code)
"""


def cli(*args: str | Path, cwd: Path) -> tuple[int, bytes, str, list[str]]:
    """(exit code, stdout bytes, stderr without the probe's line, heavy modules loaded)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)], cwd=cwd, capture_output=True, check=False
    )
    stderr, _, heavy = done.stderr.decode("utf-8").rpartition("\nHEAVY ")
    return done.returncode, done.stdout, stderr, json.loads(heavy)


def both_ways(tmp_path: Path, *args: str | Path) -> tuple[bytes, bytes]:
    """stdout of ``diff`` with no config file (the fast path) and with an empty one (the full
    command); each run checked for what it loaded."""
    bare, configured = tmp_path / "bare", tmp_path / "configured"
    bare.mkdir(exist_ok=True)
    configured.mkdir(exist_ok=True)
    (configured / "catalog-watch.toml").write_text("# every setting a default\n")
    code, fast, err, heavy = cli("diff", *args, cwd=bare)
    assert (code, err, heavy) == (0, "", [])
    code, full, err, heavy = cli("diff", *args, cwd=configured)
    assert (code, err) == (0, "")
    assert "pydantic" in heavy  # the full command did run
    return fast, full


@pytest.mark.realdata
@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_the_real_pair_gives_the_full_commands_bytes_without_pydantic_or_httpx(
    tmp_path: Path, output_format: str
) -> None:
    old, new = MODELS_DEV / "2026-03-10.json", MODELS_DEV / "2026-06-28.json"
    fast, full = both_ways(tmp_path, old, new, "--format", output_format)
    assert fast == full
    assert len(fast) > 100_000


def test_ignored_fields_are_the_full_commands(tmp_path: Path) -> None:
    doc = small_catalog()
    new = edited(doc)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 9
    new["acme"]["models"]["fast-1"]["last_updated"] = "2030-01-01"
    new["beta"]["models"]["slow-1"] = model("slow-1")
    old_file, new_file = (
        write_json(tmp_path / "old.json", doc),
        write_json(tmp_path / "new.json", new),
    )
    for extra in ([], ["--ignore-field", "none"], ["--ignore-field", "cost.*"]):
        fast, full = both_ways(tmp_path, old_file, new_file, "--format", "json", *extra)
        assert fast == full, extra
    kept = json.loads(both_ways(tmp_path, old_file, new_file, "--format", "json")[0])
    assert {c["field"] for c in kept["changes"] if c["model"] == "fast-1"} == {"cost.input"}


def test_a_config_file_in_the_folder_is_read_by_the_full_command(tmp_path: Path) -> None:
    doc = small_catalog()
    new = edited(doc)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 9
    old_file, new_file = (
        write_json(tmp_path / "old.json", doc),
        write_json(tmp_path / "new.json", new),
    )
    (tmp_path / "catalog-watch.toml").write_text('[diff]\nignore_fields = ["cost.*"]\n')
    code, out, err, heavy = cli("diff", old_file, new_file, "--format", "json", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert "catalog_watch.settings.config" in heavy
    assert json.loads(out)["changes"] == []


def test_a_catalog_file_is_read_within_the_fetch_size_cap() -> None:
    """``store/snapshot.read_document`` holds a file to ``file_bounds.MAX_CATALOG_BYTES`` (no
    httpx to import for ``FetchOptions``): the same cap a fetch applies by default."""
    assert FetchOptions().max_bytes == MAX_CATALOG_BYTES


def test_the_analysis_caches_let_a_compared_catalog_go() -> None:
    """``identity.group_by_identity`` and ``consistency.free_providers`` remember the last
    catalogs weakly: a diff process does not carry both catalogs to its exit."""
    new_doc = edited(small_catalog())
    new_doc["acme"]["models"]["fast-1"]["cost"]["input"] = 9
    old, new = parse_catalog(small_catalog()), parse_catalog(new_doc)
    assert compare(old, new, DEFAULTS).changes
    gone = weakref.ref(old), weakref.ref(new)
    del old, new
    gc.collect()
    assert [ref() for ref in gone] == [None, None]
