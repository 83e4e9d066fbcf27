"""`catalog-watch site OUT_DIR` on a repository the action ran in twice, and its refusals."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import feedparser
import pytest

from catalog_watch.cli.app import main
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests import browser
from tests.factories import MODELS_DEV, small_catalog
from tests.runs import repo_run_twice  # noqa: F401  (the fixture "repo")


def test_site_command_writes_index_model_pages_and_feed(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["site", str(repo / "_site")]) == 0
    assert "catalog-watch: site:" in capsys.readouterr().out
    index = browser.parse((repo / "_site" / "index.html").read_text()).text
    assert "cost.input" in index and "$2.50" in index and "$3.00" in index
    assert any((repo / "_site" / "model").glob("*m1*.html"))
    feed = feedparser.parse((repo / "_site" / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 1  # the baseline run records no change
    assert feed.entries[0].title.startswith("models.dev: 1 price change")


def _snapshots(root: Path) -> Path:
    folder = root / "snapshots"
    write_snapshot(folder, provider_files(parse_catalog(small_catalog())), {})
    return folder


def test_site_refuses_limit_0_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "_site"
    argv = ["site", str(out), "--snapshots", str(_snapshots(tmp_path)), "--limit", "0"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--limit 0" in err and "at least 1" in err
    assert not out.exists()  # refused before anything was written


def test_site_names_the_extra_to_install_when_feedgen_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "feedgen", None)  # what Python does for a missing module
    out = tmp_path / "_site"
    assert main(["site", str(out), "--snapshots", str(_snapshots(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "feedgen" in err and err.rstrip().endswith("pip install 'catalog-watch[site]'")
    assert not out.exists()


@pytest.mark.realdata
def test_only_the_site_needs_feedgen() -> None:
    """Every module imports, and ``check`` runs, with the site extra absent."""
    script = (
        "import sys, importlib, pkgutil\n"
        "sys.modules.update(feedgen=None)\n"
        "import catalog_watch\n"
        "for found in pkgutil.walk_packages(catalog_watch.__path__, 'catalog_watch.'):\n"
        "    importlib.import_module(found.name)\n"
        "from catalog_watch.cli.app import main\n"
        f"sys.exit(main(['check', '--source', {str(MODELS_DEV / '2026-03-10.json')!r},"
        " '--snapshots', sys.argv[1]]))\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", script, folder], capture_output=True, text=True, check=False
        )
    assert done.returncode == 0, done.stderr[-2000:]


def test_site_names_jinja2_when_it_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    out = tmp_path / "_site"
    assert main(["site", str(out), "--snapshots", str(_snapshots(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "jinja2" in err and "matplotlib" not in err
    assert not out.exists()


def test_every_module_imports_without_the_site_extra() -> None:
    """The templates' jinja2 (and markupsafe) too: imported only when a page is rendered."""
    script = (
        "import sys, importlib, pkgutil\n"
        "sys.modules.update(feedgen=None, jinja2=None, markupsafe=None)\n"
        "import catalog_watch\n"
        "for found in pkgutil.walk_packages(catalog_watch.__path__, 'catalog_watch.'):\n"
        "    importlib.import_module(found.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
