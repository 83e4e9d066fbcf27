"""`catalog-watch site OUT_DIR` on a repository the action ran in twice."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from catalog_watch.cli import main
from tests.test_history_cli import repo  # noqa: F401  (the fixture)


def test_site_command_writes_index_model_pages_and_feed(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["site", str(repo / "_site")]) == 0
    assert "catalog-watch: site:" in capsys.readouterr().out
    index = (repo / "_site" / "index.html").read_text()
    assert "cost.input" in index and "$2.50" in index and "$3.00" in index
    assert any((repo / "_site" / "model").glob("*m1*.html"))
    feed = feedparser.parse((repo / "_site" / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 1  # the baseline run records no change
    assert feed.entries[0].title.startswith("models.dev: 1 price change")
