"""The deprecation calendar on the site: ``deprecations.html`` (read back by Chromium), linked
from every page's header, and ``calendar.ics`` beside it, from the snapshot folder and the
LiteLLM snapshot folder next to it."""

from __future__ import annotations

import posixpath
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.settings.config import Config
from catalog_watch.site import build_site
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.sources.registry import parse_source
from catalog_watch.store.ledger import LEDGER_FILE, append_ledger, ledger_records
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests import browser
from tests.factories import document, model, provider, tree_bytes
from tests.test_deprecations import litellm_entry

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
OPUS = "claude-opus-4-20250514"
EVIL = "evil/<b>&\"x'"


def models_dev(price: float) -> dict[str, Any]:
    return document(
        provider("anthropic", model(OPUS, cost={"input": price, "output": 75})),
        provider("google", model("gemini-2.0-flash", status="deprecated")),
        provider("acme", model("m1")),
    )


def litellm() -> dict[str, Any]:
    return {
        OPUS: litellm_entry("anthropic", "2026-05-14"),
        "gemini/gemini-2.0-flash": litellm_entry("gemini", "2026-06-01"),
        EVIL: litellm_entry("xai", "2026-05-20"),
    }


@pytest.fixture(scope="module", name="site")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run that raised Opus's price (so it has a model page), LiteLLM's folder beside."""
    root = tmp_path_factory.mktemp("calendar")
    snapshots = root / "snapshots" / "models.dev"
    before, after = parse_catalog(models_dev(15)), parse_catalog(models_dev(20))
    write_snapshot(snapshots, provider_files(before), {})
    report = compare(before, after, Config())
    append_ledger(
        snapshots / LEDGER_FILE,
        ledger_records(report, time="2026-04-30T08:00:00Z", commit="c" * 40),
    )
    write_snapshot(snapshots, provider_files(after), {})
    other = parse_source(litellm(), "litellm", max_rejected_share=0.5)
    write_snapshot(root / "snapshots" / "litellm", provider_files(other), {"source": "litellm"})
    build_site(root / "out", snapshots=snapshots, now=NOW, workers=1)
    return root / "out"


def test_the_calendar_page_lists_the_retirements_soonest_first(site: Path, tmp_path: Path) -> None:
    dom = browser.parse(browser.dump_dom(site / "deprecations.html", tmp_path / "profile"))
    assert dom.find("h1").text == "Model retirements"
    rows = [
        {td.classes[0]: td.text.strip() for td in row.find_all("td")}
        for row in dom.find_all("tr", "retirement")
    ]
    assert [(r["when"], r["model"], r["relative"], r["source"], r["status"]) for r in rows] == [
        ("2026-05-14", f"anthropic/{OPUS}", "retires in 13 days", "LiteLLM", "scheduled"),
        ("2026-05-20", "xai/" + EVIL, "retires in 19 days", "LiteLLM", "scheduled"),
        ("2026-06-01", "google/gemini-2.0-flash", "retires in 31 days", "LiteLLM", "deprecated"),
    ]
    opus = dom.find_all("tr", "retirement")[0].find("td", "model").find("a")
    assert opus.attrs["href"] == f"model/{OPUS}.html"
    assert (site / opus.attrs["href"]).is_file()
    subscribe = dom.find("a", "ics")
    assert subscribe.attrs["href"] == "calendar.ics" and (site / "calendar.ics").is_file()
    raw = (site / "deprecations.html").read_text("utf-8")
    assert "<b>&" not in raw and "&lt;b&gt;&amp;" in raw


def test_every_page_links_the_calendar_from_its_header(site: Path) -> None:
    pages = [name for name in tree_bytes(site) if name.endswith(".html")]
    assert "deprecations.html" in pages and f"model/{OPUS}.html" in pages
    for name in pages:
        header = browser.parse((site / name).read_text("utf-8")).find("header")
        link = header.find("a", "calendar")
        assert link.text == "Retirements"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), link.attrs["href"]))
        assert target == "deprecations.html", name


def test_the_site_feed_is_stamped_with_the_build_time_and_rebuilds_the_same(
    site: Path, tmp_path: Path
) -> None:
    feed = icalendar.Calendar.from_ical((site / "calendar.ics").read_bytes())
    events = list(feed.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [
        date(2026, 5, 14),
        date(2026, 5, 20),
        date(2026, 6, 1),
    ]
    assert {e.decoded("dtstamp") for e in events} == {NOW}
    assert str(events[0]["uid"]) == f"anthropic/{OPUS}/2026-05-14@catalog-watch"
    snapshots = site.parent / "snapshots" / "models.dev"
    build_site(tmp_path / "again", snapshots=snapshots, now=NOW, workers=1)
    for name in ("deprecations.html", "calendar.ics"):
        assert (tmp_path / "again" / name).read_bytes() == (site / name).read_bytes()
