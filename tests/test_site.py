"""The static changelog site (``catalog_watch.site``), rendered in real headless Chromium.

The main input is real: the 2026-03-10 catalog as a snapshot folder committed to git on its
date (the baseline), the run to 2026-06-28 (``compare`` + ``ledger_records``, 8,495 records,
committed too) and a second, hand-made run on 2026-07-15 (vercel's
gemini-3.1-flash-image-preview output $3.00 → $2.50, openai's gpt-4o input $2.50 → $3.00 and a
model whose id holds ``<b>&"'``). Figures were checked by hand in 2026-06-28.json (see also
test_model_card.py).
The small synthetic builds at the end cover the edges (no ledger, relative feed links, stale
pages).
"""

from __future__ import annotations

import copy
import html
import os
import posixpath
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.model_card import model_card
from catalog_watch.model.catalog import Catalog
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.settings.config import Config, reference_scenario, scenarios
from catalog_watch.site import SiteResult, build_site
from catalog_watch.site.chart import PARALLEL_FROM, ChartJob, Series, render_charts
from catalog_watch.site.models import Models, slug
from catalog_watch.site.series import MAX_LINES
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, append_ledger, ledger_records, read_ledger
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests import browser
from tests.factories import MODELS_DEV, edited, small_catalog, tree_bytes

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ATOM = "{http://www.w3.org/2005/Atom}"
BASE_URL = "https://example.github.io/catalog-watch/"
NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
LIMIT = 1000
PREVIEW = "gemini-3-1-flash-image-preview"
PREVIEW_ID = "google/gemini-3.1-flash-image-preview"
EVIL_ID = "evil/<b>&\"x'"
EVIL_KEY = "<b>&\"x'"
BASELINE = "2026-03-10T18:53:42Z"
JUNE, JULY = "2026-06-28T23:09:44Z", "2026-07-15T06:00:00Z"
PROVIDERS = ["302ai", "fastrouter", "google", "kilo", "openrouter", "vercel"]


@dataclass(frozen=True)
class Built:
    snapshots: Path
    out: Path
    result: SiteResult
    catalog: Catalog
    commits: tuple[str, str]  # what the June and the July run were measured from

    @property
    def anchors(self) -> tuple[str, str]:
        """The July and June runs' anchors (newest first, as the pages list them)."""
        june, july = (commit[:12] for commit in self.commits)
        return f"run-20260715T060000Z-{july}", f"run-20260628T230944Z-{june}"


def commit_snapshots(snapshots: Path, when: str) -> str:
    """Commit the snapshot folder as a run would, dated ``when``; its sha."""
    dates = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    environment = {
        **os.environ,
        **dates,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "catalog-watch",
        "GIT_AUTHOR_EMAIL": "catalog-watch@example.com",
        "GIT_COMMITTER_NAME": "catalog-watch",
        "GIT_COMMITTER_EMAIL": "catalog-watch@example.com",
    }
    for command in (
        ["git", "init", "--quiet"],
        ["git", "add", "--all", "."],
        ["git", "commit", "--quiet", "--message", f"snapshot {when}"],
    ):
        subprocess.run(command, cwd=snapshots, env=environment, check=True)
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=snapshots,
        env=environment,
        check=True,
        text=True,
        capture_output=True,
    )
    return done.stdout.strip()


def _july(june: Catalog) -> Catalog:
    document = copy.deepcopy(june.to_document())
    vercel = document["vercel"]["models"]
    vercel[PREVIEW_ID]["cost"]["output"] = 2.5
    vercel[EVIL_ID] = {
        **copy.deepcopy(vercel[PREVIEW_ID]),
        "id": EVIL_ID,
        "name": "<script>x</script>",
    }
    document["openai"]["models"]["gpt-4o"]["cost"]["input"] = 3.0
    return parse_catalog(document)


def _write_runs(snapshots: Path) -> tuple[Catalog, tuple[str, str]]:
    """March as the baseline snapshot, the real run to June, then the hand-made July run, each
    committed; the folder ends holding the July catalog, as the job leaves it."""
    config = Config()
    write_snapshot(
        snapshots, provider_files(load_catalog(MODELS_DEV / "2026-03-10.json", config)), {}
    )
    commits = []
    june = load_catalog(MODELS_DEV / "2026-06-28.json", config)
    for when, catalog in ((JUNE, june), (JULY, _july(june))):
        commits.append(commit_snapshots(snapshots, BASELINE if when == JUNE else JUNE))
        report = compare(load_catalog(snapshots, config), catalog, config)
        records = ledger_records(report, time=when, commit=commits[-1])
        append_ledger(snapshots / LEDGER_FILE, records)
        write_snapshot(snapshots, provider_files(catalog), {})
    return load_catalog(snapshots, config), (commits[0], commits[1])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("site")
    snapshots = root / "snapshots" / "models.dev"
    catalog, commits = _write_runs(snapshots)
    out = root / "site"
    result = build_site(
        out, snapshots=snapshots, now=NOW, limit=LIMIT, base_url=BASE_URL, workers=2
    )
    return Built(snapshots, out, result, catalog, commits)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


DOM_PAGES = (
    "index.html",
    f"model/{PREVIEW}.html",
    "kind/price_changed.html",
    "provider/vercel.html",
)
"""The pages whose DOM after loading the tests read, dumped in one Chromium run."""


@pytest.fixture(scope="module")
def doms(
    built: Built, profile: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, browser.Node]:
    pages = [built.out / page for page in DOM_PAGES]
    dumped = browser.dump_doms(pages, profile, tmp_path_factory.mktemp("dump"))
    return {page: browser.parse(dom) for page, dom in zip(DOM_PAGES, dumped, strict=True)}


@pytest.fixture(scope="module")
def index_dom(doms: dict[str, browser.Node]) -> browser.Node:
    return doms["index.html"]


@pytest.fixture(scope="module")
def model_dom(doms: dict[str, browser.Node]) -> browser.Node:
    return doms[f"model/{PREVIEW}.html"]


PHONE_PAGES = (
    "index.html",
    "index/page-8.html",
    "runs.html",
    "provider/vercel.html",
    "model/gpt-4o.html",
    f"model/{PREVIEW}.html",
)
"""The pages laid out at a phone's width, in one Chromium run."""


LONG_ID = "an-extremely-long-model-identifier-that-no-title-line-holds-" * 2 + "v1"


def _extreme_site(root: Path) -> Path:
    """A chart at its limits: a 124-character model id, 12 offerings with long provider ids,
    a price over $1,000 that rose at T1; its model page."""
    before = edited(small_catalog())
    record = {**before["acme"]["models"]["fast-1"], "id": LONG_ID}
    for n in range(12):
        name = f"provider-with-a-rather-long-id-{n:02d}"
        before[name] = {**before["beta"], "id": name, "models": {LONG_ID: record}}
    after = edited(before)
    after["provider-with-a-rather-long-id-00"]["models"][LONG_ID]["cost"]["input"] = 1234.5
    _one_run_site(root, before, after)
    return root / "out" / "model" / f"{slug(LONG_ID)}.html"


def _one_run_site(root: Path, before: dict[str, Any], after: dict[str, Any]) -> None:
    """``before`` as the snapshot, one run at T1 to ``after``, the site built in root/out."""
    snapshots = root / "snapshots"
    write_snapshot(snapshots, provider_files(parse_catalog(before)), {})
    report = compare(parse_catalog(before), parse_catalog(after), Config())
    append_ledger(snapshots / LEDGER_FILE, ledger_records(report, time=T1, commit="c" * 40))
    write_snapshot(snapshots, provider_files(parse_catalog(after)), {})
    build_site(root / "out", snapshots=snapshots, workers=1)


@pytest.fixture(scope="module")
def phone(
    built: Built, profile: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """The real pages and the extreme chart's page, laid out at 390 px in one Chromium run."""
    work = tmp_path_factory.mktemp("measure")
    pages = [built.out / page for page in PHONE_PAGES] + [_extreme_site(work / "extreme")]
    measured = browser.measure(pages, profile, work)
    return dict(zip([*PHONE_PAGES, "extreme"], measured, strict=True))


def cells(row: browser.Node) -> dict[str, str]:
    return {td.classes[0]: td.text.strip() for td in row.find_all("td")}


def change_rows(dom: browser.Node) -> list[dict[str, str]]:
    return [cells(row) for row in dom.find_all("tr", "row")]


# -- The real site in Chromium ---------------------------------------------------------------


@pytest.mark.realdata
def test_index_lists_runs_newest_first_with_their_commit_headlines(
    index_dom: browser.Node, built: Built
) -> None:
    runs = index_dom.find_all("section", "run")
    assert [run.attrs["id"] for run in runs] == list(built.anchors)
    july, june = (" ".join(run.find("h2").text.split()) for run in runs)
    assert july == (
        "2026-07-15 06:00 UTC models.dev: 2 price changes, 1 model added, "
        "1 cheapest channel changed"
    )
    assert june.startswith(
        "2026-06-28 23:09 UTC models.dev: 809 price changes, 407 limit changes, "
        "1,859 capability changes"
    )
    assert "2,488 models added, 942 models removed" in june
    assert runs[1].find("p", "inconsistencies").text == "668 inconsistencies appeared, 393 resolved"
    # the front holds the newest rows not yet in a full page of 1,000 (pages count from the
    # oldest): the July run whole (4 rows), then the newest 495 of June's
    assert [len(run.find_all("tr", "row")) for run in runs] == [4, 495]
    assert index_dom.find("p", "count").text == "The newest 499 of 8,499 records, newest run first."


@pytest.fixture(scope="module")
def index_pages(built: Built) -> list[browser.Node]:
    """The index's pages, parsed once for the tests that read them all."""
    return _pages_from(built.out / "index.html")


def _pages_from(first: Path) -> list[browser.Node]:
    """A listing's pages, followed from its page 1 by the pager's "older" links."""
    pages, path = [], first
    while True:
        page = browser.parse(path.read_text())
        pages.append(page)
        older = [a for a in page.find_all("a") if a.attrs.get("rel") == "next"]
        if not older:
            return pages
        path = (path.parent / older[0].attrs["href"]).resolve()


@pytest.mark.realdata
def test_index_pages_hold_every_record_once_newest_first(
    built: Built, index_pages: list[browser.Node]
) -> None:
    pages = index_pages
    assert len(pages) == 9  # 8,499 records: the front, then 8 full pages of 1,000
    counts = [len(page.find_all("tr", "row")) for page in pages]
    assert counts == [499] + [LIMIT] * 8
    oldest = "Records 1 to 1,000, counted from the oldest; newest first."
    assert pages[-1].find("p", "count").text == oldest
    # numbered from the oldest, so a page keeps its number (and its bytes) as runs come
    assert pages[4].find("h1").text == "models.dev catalog changes (page 5)"
    numbers = [a.text for a in pages[4].find("nav", "pager").find_all("a")]
    assert numbers == ["← newer", "newest", "8", "7", "6", "4", "3", "2", "1", "older →"]
    # the June run goes on over pages 2 to 9, its section marked continued, its id only once
    later = [page.find("section", "run") for page in pages[1:]]
    assert all("id" not in s.attrs and "(continued)" in s.find("h2").text for s in later)
    ledger = read_ledger(built.snapshots / LEDGER_FILE)
    kinds = [cells(row)["kind"] for page in pages for row in page.find_all("tr", "row")]
    assert sorted(kinds) == sorted(str(r["kind"]).replace("_", " ") for r in ledger)


@pytest.mark.realdata
def test_runs_page_lists_every_run_linked_to_its_page(built: Built) -> None:
    page = browser.parse((built.out / "runs.html").read_text())
    rows = page.find("table", "runs").find_all("tr", "run-row")
    assert [row.find("a").attrs["href"] for row in rows] == [
        f"run/{anchor}.html" for anchor in built.anchors
    ]
    assert [cells(row)["records"] for row in rows] == ["4", "8,495"]
    assert cells(rows[0])["headline"].startswith("models.dev: 2 price changes")
    index = browser.parse((built.out / "index.html").read_text())
    assert index.find("header", "site").find("a", "runs").attrs["href"] == "runs.html"
    june = _pages_from(built.out / f"run/{built.anchors[1]}.html")  # the run's own pages
    assert sum(len(p.find_all("tr", "row")) for p in june) == 8495


@pytest.mark.realdata
def test_pages_fit_a_phone_and_ids_wrap_only_after_a_separator(
    phone: dict[str, dict[str, Any]],
) -> None:
    for name, page in phone.items():
        assert page["width"] == 390, name
        assert page["scrollWidth"] <= page["width"], f"{name} is wider than the screen"
        ids = [cell for cell in page["cells"] if cell["id"]]  # page_measure.js: isId
        assert ids or name == "runs.html", name
        inside = [
            (cell["text"], pair)
            for cell in ids
            for pair in cell["wraps"]
            if pair[0] not in "/._:@-" and " " not in pair
        ]
        assert inside == [], name
    # the phone wrapped some ids: the check above had breaks to look at
    assert any(cell["wraps"] for page in phone.values() for cell in page["cells"])


@pytest.mark.realdata
def test_inconsistency_rows_write_prices_in_dollars_and_counts_with_separators(
    built: Built,
) -> None:
    page = browser.parse((built.out / "kind" / "inconsistency_appeared.html").read_text())
    changes = [cells(row)["change"] for row in page.find_all("tr", "row")]
    windows = [c for c in changes if c.startswith("appeared: limit.context varies: ")]
    prices = [c for c in changes if c.startswith("appeared: cost.input varies: ")]
    assert windows and prices
    assert all(re.search(r"varies: \d{1,3}(,\d{3})+ \(", c) for c in windows), windows[:3]
    assert all(re.search(r"varies: \$\d", c) for c in prices), prices[:3]
    assert not [c for c in changes if re.search(r"(?:: |, )\d{5,} \(", c)]  # no "131072 ("


@pytest.mark.realdata
def test_index_row_of_a_real_price_cut(index_pages: list[browser.Node]) -> None:
    """June's rows of the preview model, on whichever of the index's pages holds them."""
    pages = index_pages
    june = [
        row
        for page in pages
        for section in page.find_all("section", "run")
        if "2026-06-28" in section.find("h2").text
        for row in section.find_all("tr", "row")
    ]
    rows = [
        row
        for row in june
        if cells(row)["provider"] == "vercel"
        and cells(row)["model"] == PREVIEW_ID
        and cells(row)["field"] == "cost.output"
    ]
    assert len(rows) == 1
    assert cells(rows[0]) == {
        "dir": "▼",
        "kind": "price changed",
        "provider": "vercel",
        "model": PREVIEW_ID,
        "field": "cost.output",
        "change": "$60.00 → $3.00",
        "pct": "-95 %",
        "severity": "low",
    }
    assert rows[0].find("a").attrs["href"] == f"../model/{PREVIEW}.html"  # from index/
    # the rise on the same model reads the other way
    rise = next(
        cells(row)
        for row in june
        if cells(row)["model"] == PREVIEW_ID and cells(row)["field"] == "cost.input"
    )
    assert (rise["dir"], rise["change"], rise["pct"], rise["severity"]) == (
        "▲",
        "$0.25 → $0.50",
        "+100 %",
        "high",
    )


@pytest.mark.realdata
def test_index_filter_bar_links_static_pages(index_dom: browser.Node, built: Built) -> None:
    bar = index_dom.find("nav", "filters")
    links = {a.text: a.attrs["href"] for a in bar.find_all("a")}
    assert links["price changed"] == "kind/price_changed.html"
    assert links["inconsistency appeared"] == "kind/inconsistency_appeared.html"
    assert links["high"] == "severity/high.html"
    assert links["vercel"] == "provider/vercel.html"
    assert links["all changes"] == "index.html"
    assert len(bar.find("details").find_all("a")) == 144  # every provider of the ledger
    for href in links.values():
        assert (built.out / href).is_file(), href


@pytest.mark.realdata
def test_filtered_pages_hold_only_their_rows(built: Built, doms: dict[str, browser.Node]) -> None:
    kind = doms["kind/price_changed.html"]
    rows = change_rows(kind)
    assert len(rows) == 811  # 809 in June, 2 in July: all of them, under the limit
    assert {row["kind"] for row in rows} == {"price changed"}
    assert kind.find("p", "count").text == "811 records."
    current = [a.text for a in kind.find("nav").find_all("a") if "aria-current" in a.attrs]
    assert current == ["price changed"]

    vercel = doms["provider/vercel.html"]
    rows = change_rows(vercel)
    assert rows[0]["change"] == "$3.00 → $2.50"  # July first
    assert {r["provider"] for r in rows if not r["kind"].startswith("inconsistency")} == {"vercel"}
    # and the inconsistencies that name a vercel offering (their values' keys)
    ledger = read_ledger(built.snapshots / LEDGER_FILE)
    own = [r for r in ledger if r.get("provider") == "vercel"]
    named = [
        r
        for r in ledger
        if str(r["kind"]).startswith("inconsistency")
        and any(label.startswith("vercel/") for label in r["values"])
    ]
    assert (len(own), len(named)) == (630, 321)
    assert len(rows) == 951 and vercel.find("p", "count").text == "951 records."
    assert len([r for r in rows if r["kind"].startswith("inconsistency")]) == 321
    assert any(r["change"] == "$60.00 → $3.00" and r["pct"] == "-95 %" for r in rows)


@pytest.mark.realdata
def test_model_page_chart_has_axes_and_one_line_per_provider(model_dom: browser.Node) -> None:
    svg = model_dom.find("svg", "chart")
    texts = [" ".join(t.text.split()) for t in svg.find_all("text")]
    assert f"{PREVIEW}: price per 1M tokens" in texts
    assert {"input price", "output price", "date (UTC)"} <= set(texts)
    assert texts.count("USD per 1M tokens") == 2
    assert len([t for t in texts if re.fullmatch(r"20\d\d-\d\d-\d\d", t)]) >= 3
    assert "$60.00" in texts and "$0.50" in texts  # y tick labels in the site's money format
    ids = sorted(
        g.attrs["id"] for g in svg.find_all("g") if g.attrs.get("id", "").startswith("price-")
    )
    assert ids == sorted(
        [f"price-input-{p}" for p in PROVIDERS] + [f"price-output-{p}" for p in PROVIDERS]
    )
    assert set(PROVIDERS) <= set(texts)  # the legend
    # vercel's output line steps 60 → 3 → 2.5: three levels, so more vertices than a flat line
    vercel = svg.find_all("g")
    path = next(g for g in vercel if g.attrs.get("id") == "price-output-vercel").find("path")
    assert path.attrs["d"].count("L") > next(
        g for g in vercel if g.attrs.get("id") == "price-output-google"
    ).find("path").attrs["d"].count("L")


@pytest.mark.realdata
def test_gpt_4o_chart_draws_the_raised_price_first_and_no_provider_that_is_gone(
    built: Built,
) -> None:
    page = browser.parse((built.out / "model" / "gpt-4o.html").read_text())
    lines = _line_ids(page)
    assert lines[0] == "openai"  # its input price rose $2.50 → $3.00 in July
    card = model_card(built.catalog, "gpt-4o")
    assert card is not None
    offered = {o.provider for o in card.offerings}
    # aihubmix, firmware and github-copilot dropped gpt-4o in June with unchanged prices
    assert not {"aihubmix", "firmware", "github-copilot"} & set(lines)
    assert all(line in offered or line.rsplit("-", 1)[0] in offered for line in lines)
    caption = " ".join(page.find("figcaption").text.split())
    assert "Lines start at the baseline snapshot (2026-03-10)" in caption
    assert "No longer offered" not in caption
    left_out = len(card.offerings) - len(lines)
    assert f"Not drawn: {left_out} offerings offered now with unchanged prices" in caption


@pytest.mark.realdata
def test_chart_legend_is_inside_the_picture_and_the_axis_ends_at_the_models_last_change(
    phone: dict[str, dict[str, Any]],
) -> None:
    for name in ("model/gpt-4o.html", f"model/{PREVIEW}.html", "extreme"):
        (chart,) = phone[name]["charts"]
        frame = chart["box"]
        outside = [
            text["text"]
            for text in chart["texts"]
            if text["left"] < frame["left"] - 0.5
            or text["right"] > frame["right"] + 0.5
            or text["top"] < frame["top"] - 0.5
            or text["bottom"] > frame["bottom"] + 0.5
        ]
        assert outside == [], name  # nothing drawn beyond the picture's edge: no clipped name
        for axes in chart["axes"]:
            assert axes["ticks"][-1]["x"] == pytest.approx(axes["frame"]["right"], abs=1.0)
        labels = [tick["label"] for tick in chart["axes"][-1]["ticks"]]
        if name != "extreme":
            # the baseline, then the runs up to the last that changed the model: July here
            assert labels == ["2026-03-10", "2026-06-28", "2026-07-15"], name
    extreme = [text["text"] for text in phone["extreme"]["charts"][0]["texts"]]
    assert "$1,200.00" in extreme or "$1,250.00" in extreme  # the widest price label is drawn
    assert any(text.startswith(LONG_ID[:40]) for text in extreme)  # the title, shrunk or cut


@pytest.mark.realdata
def test_a_chart_of_a_model_the_last_run_did_not_touch_ends_at_its_own_last_change(
    built: Built,
) -> None:
    """claude-opus-4-6 changed in June, not in July: its axis stops at June, so July's run
    left its page as it was (the incremental rebuild keeps it)."""
    page = browser.parse((built.out / "model" / "claude-opus-4-6.html").read_text())
    dates = [t for t in _chart_texts(page) if re.fullmatch(r"\d{4}-\d\d-\d\d", t)]
    assert dates == ["2026-03-10", "2026-06-28"]
    caption = " ".join(page.find("figcaption").text.split())
    assert "ends at the last run that recorded a change of this model (2026-06-28)" in caption


@pytest.mark.realdata
def test_model_page_pricing_table_and_inconsistencies(
    model_dom: browser.Node, built: Built
) -> None:
    table = model_dom.find("table", "pricing")
    rows = [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    assert rows == [
        [
            "302ai",
            "gemini-3.1-flash-image-preview",
            "$0.50",
            "$60.00",
            "-",
            "131,072",
            "32,768",
            "2026-02-27",
            "$32.50",
        ],
        [
            "fastrouter",
            PREVIEW_ID,
            "$0.50",
            "$3.00",
            "-",
            "65,536",
            "65,536",
            "2026-02-26",
            "$4.00",
        ],
        [
            "google",
            "gemini-3.1-flash-image-preview",
            "$0.50",
            "$60.00",
            "-",
            "65,536",
            "65,536",
            "2026-02-26",
            "$32.50",
        ],
        ["kilo", PREVIEW_ID, "$0.50", "$3.00", "-", "65,536", "65,536", "2026-02-26", "$4.00"],
        [
            "openrouter",
            PREVIEW_ID,
            "$0.50",
            "$3.00",
            "-",
            "131,072",
            "32,768",
            "2026-02-26",
            "$4.00",
        ],
        [
            "vercel",
            PREVIEW_ID,
            "$0.50",
            "$2.50",
            "$0.05",
            "131,072",
            "32,768",
            "2026-02-26",
            "$3.75",
        ],
    ]
    assert model_dom.find("p", "cheapest").text == (
        f"Cheapest channel: vercel/{PREVIEW_ID} at $3.75 per 1,000 requests (RAG answer)"
    )
    items = model_dom.find("ul", "inconsistencies").find_all("li")
    severities = [li.find("span").text for li in items]
    assert severities == ["high", "high", "high", "low", "low"]
    words = [li.text.split(" ", 1)[1] for li in items]
    card = model_card(built.catalog, PREVIEW)
    assert card is not None
    assert words == [describe(item, units=True) for item in card.inconsistencies]
    # token counts with thousands separators, as the pricing table writes them
    assert words[0].startswith(
        "limit.context varies: 131,072 (302ai/gemini-3.1-flash-image-preview"
    )
    # the model's own changes, newest run first
    changes = change_rows(model_dom)
    assert changes[0]["change"] == "$3.00 → $2.50"
    assert any(r["change"] == "$60.00 → $3.00" for r in changes)


@pytest.mark.realdata
def test_screenshots_are_real_pngs(built: Built, profile: Path) -> None:
    for page, name in (
        ("index.html", "site-index.png"),
        (f"model/{PREVIEW}.html", "site-model.png"),
    ):
        png = browser.screenshot(built.out / page, ARTIFACTS / name, profile)
        data = png.read_bytes()
        assert data.startswith(browser.PNG_SIGNATURE)
        assert len(data) > 50_000, f"{name}: {len(data)} bytes looks like a blank page"


# -- The real site, read from the files ------------------------------------------------------


def assert_atom(document: bytes) -> ET.Element:
    """RFC 4287's required structure: feed id/title/updated and author (here on the feed, so
    entries need none); every entry exactly one id, title and updated; RFC 3339 times; ids
    unique; an entry without content would need an alternate link (ours have both)."""
    root = ET.fromstring(document)
    assert root.tag == f"{ATOM}feed"
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert stamp.fullmatch(root.findtext(f"{ATOM}updated", ""))
    author = root.find(f"{ATOM}author")
    assert author is not None and author.findtext(f"{ATOM}name")
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert stamp.fullmatch(entry.findtext(f"{ATOM}updated", ""))
        assert entry.findtext(f"{ATOM}title", "").strip()
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html" and content.text
        links = entry.findall(f"{ATOM}link")
        assert [link.get("rel", "alternate") for link in links] == ["alternate"]
        ids.append(entry.findtext(f"{ATOM}id", ""))
    assert len(ids) == len(set(ids))
    assert all(
        re.fullmatch(r"[a-z][a-z0-9+.-]*:\S+", i) for i in [*ids, root.findtext(f"{ATOM}id", "")]
    )
    return root


@pytest.mark.realdata
def test_feed_one_entry_per_run(built: Built) -> None:
    import feedparser  # type: ignore[import-untyped]

    document = (built.out / "feed.xml").read_bytes()
    assert_atom(document)
    feed = feedparser.parse(document)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "models.dev catalog changes"
    assert feed.feed.id == "tag:catalog-watch,2026:models.dev"
    assert feed.feed.author == "catalog-watch"
    assert feed.feed.link == f"{BASE_URL}index.html"
    selves = [link.href for link in feed.feed.links if link.rel == "self"]
    assert selves == [f"{BASE_URL}feed.xml"]  # absolute: the site's address is known
    assert feed.feed.updated_parsed[:6] == (2026, 7, 15, 6, 0, 0)  # the newest run, not the clock
    entries = feed.entries
    assert len(entries) == 2
    assert entries[0].title == (
        "models.dev: 2 price changes, 1 model added, 1 cheapest channel changed"
    )
    assert entries[1].title.startswith("models.dev: 809 price changes, 407 limit changes")
    assert [e.link for e in entries] == [
        f"{BASE_URL}run/{built.anchors[0]}.html",
        f"{BASE_URL}run/{built.anchors[1]}.html",
    ]
    assert [e.updated_parsed[:6] for e in entries] == [
        (2026, 7, 15, 6, 0, 0),
        (2026, 6, 28, 23, 9, 44),
    ]
    assert [e.id for e in entries] == [
        f"tag:catalog-watch,2026:models.dev/run/{JULY}/{built.commits[1]}",
        f"tag:catalog-watch,2026:models.dev/run/{JUNE}/{built.commits[0]}",
    ]
    july = entries[0].content[0].value
    assert f"▼ vercel {PREVIEW_ID}: cost.output $3.00 → $2.50 (-16.67 %) [low]" in july
    assert "evil/&lt;b&gt;&amp;&quot;x&#x27;" in july  # escaped inside the HTML content
    june = entries[1].content[0].value
    assert june.count("<li>") == 50 and "… and 8,445 more records" in june
    for entry in entries:  # the link is a page of the site
        assert (built.out / entry.link.removeprefix(BASE_URL)).is_file()


def test_build_is_deterministic(tmp_path: Path) -> None:
    """Two builds of one small site (a baseline in git, two runs, a chart drawn by the workers)
    are the same bytes: shown on the small catalog, the real one's build takes a minute."""
    snapshots = _runs_repo(tmp_path, *_beta_cut_then_gone(), baseline="2025-12-01T09:00:00Z")
    options: dict[str, Any] = {"now": NOW, "limit": LIMIT, "base_url": BASE_URL, "workers": 2}
    result = build_site(tmp_path / "first", snapshots=snapshots, **options)
    again = build_site(tmp_path / "again", snapshots=snapshots, **options)
    assert result.charts > 0
    first, second = tree_bytes(tmp_path / "first"), tree_bytes(tmp_path / "again")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert again.files == result.files


@pytest.mark.realdata
def test_result_counts(built: Built) -> None:
    result = built.result
    assert (result.runs, result.records) == (2, 8499)
    assert result.model_pages == len([f for f in result.files if f.startswith("model/")])
    # price history (the models with a price change) plus the models on index.html
    assert 150 < result.model_pages < 400
    assert 0 < result.charts <= result.model_pages
    firsts = 1 + 144 + 14 + 4 + 2 + 1 + 1  # index, providers, kinds, severities, runs,
    # runs.html, deprecations.html
    first_pages = [f for f in result.files if f.endswith(".html") and "/page-" not in f]
    assert len(first_pages) == firsts + result.model_pages
    # the further pages of a listing sit in a folder named after its first page, numbered
    # without a gap: from 1 (the oldest) for a listing that grows, from 2 for a run's own
    further: dict[str, list[int]] = {}
    for name in result.files:
        if "/page-" in name:
            stem, number = name.removesuffix(".html").rsplit("/page-", 1)
            further.setdefault(f"{stem}.html", []).append(int(number))
    assert further and set(further) <= set(first_pages)
    for first, numbers in further.items():
        start = 2 if first.startswith("run/") else 1
        assert sorted(numbers) == list(range(start, start + len(numbers))), first
    assert result.pages == len(first_pages) + sum(map(len, further.values()))
    assert result.total_bytes == sum(len(b) for b in tree_bytes(built.out).values()) - len(
        (built.out / ".catalog-watch-site").read_bytes()
    )


@pytest.mark.realdata
def test_catalog_strings_are_escaped(built: Built, index_dom: browser.Node) -> None:
    pages = {
        name: data.decode()
        for name, data in tree_bytes(built.out).items()
        if name.endswith(".html")
    }
    raw = pages["index.html"]
    assert "evil/<wbr>&lt;b&gt;&amp;&quot;x&#x27;" in raw  # may wrap after the /, nowhere else
    for name, text in pages.items():
        assert "<b>&" not in text, name
        assert "<script" not in text.lower(), name
    cell = next(td for td in index_dom.find_all("td", "model") if td.text.startswith("evil/"))
    assert cell.text == EVIL_ID  # the browser reads back exactly the id
    page = f"model/{slug(EVIL_KEY)}.html"
    assert re.fullmatch(r"model/b-x-[0-9a-f]{10}\.html", page)
    assert cell.find("a").attrs["href"] == page
    h1 = browser.parse(pages[page]).find("h1")
    assert h1.text == EVIL_KEY


START_TAG = re.compile(
    r"<([a-zA-Z][^\s/>]*)((?:\s*[^\s/>=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>"
)
ATTRIBUTE = re.compile(r"([^\s/>=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
RESOURCE = ("href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href")
RESOURCE += ("background",)  # the attributes that load or link something
FORBIDDEN = frozenset({"script", "img", "iframe", "object", "embed", "video", "audio"})
Link = tuple[str, str, str, str]  # page, tag, attribute, value (tag and attribute in lower case)


@pytest.fixture(scope="module")
def links(built: Built) -> list[Link]:
    """Every resource attribute of every page's start tags (and each forbidden tag, as one
    with no attribute), as html.parser reads them, at regex speed: one pass for two tests."""
    found = []
    for name, data in tree_bytes(built.out).items():
        if not name.endswith(".html"):
            continue
        for tag, attributes in START_TAG.findall(data.decode()):
            tag = tag.lower()
            if tag in FORBIDDEN:
                found.append((name, tag, "", ""))
            for attribute, *quoted in ATTRIBUTE.findall(attributes):
                if attribute.lower() in RESOURCE:
                    value = html.unescape(next((q for q in quoted if q), ""))
                    found.append((name, tag, attribute.lower(), value))
    return found


@pytest.mark.realdata
def test_no_external_references(built: Built, links: list[Link]) -> None:
    """Only relative links, plus the documented anchor to https://models.dev in the footer."""
    absolute = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
    allowed = {("a", "https://models.dev"), ("link", "data:,")}
    for name, tag, _, value in links:
        assert tag not in FORBIDDEN, name
        if absolute.match(value):
            assert (tag, value) in allowed, (name, value)
    for name, data in tree_bytes(built.out).items():
        text = data.decode()
        if name.endswith(".html"):
            # the chart's clip paths are url(#id): fragments of the page itself
            assert not re.search(r"url\(\s*['\"]?(?!#)", text) and "@import" not in text, name
        elif name == "style.css":
            assert "url(" not in text and "@import" not in text and "http" not in text
        elif name == "feed.xml":
            hrefs = [e.get("href", "") for e in ET.fromstring(data).iter() if e.get("href")]
            assert hrefs and all(h.startswith(BASE_URL) for h in hrefs)


def test_every_relative_link_leads_to_a_page_of_the_site(built: Built, links: list[Link]) -> None:
    """Links from pages deeper in the tree (``index/page-2.html``) resolve from where they are."""
    files = set(tree_bytes(built.out))
    broken = []
    seen = 0
    for name, tag, attribute, value in links:
        if tag != "a" or attribute != "href" or "://" in value:
            continue
        target = value.partition("#")[0]
        if not target:
            continue
        seen += 1
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if resolved not in files:
            broken.append((name, value))
    assert seen > 1000  # the pager's, the rows' and the filter bar's links were all seen
    assert not broken, broken[:10]


@pytest.mark.realdata
def test_cards_are_model_cards_of_the_whole_catalog(built: Built) -> None:
    """The fast path (a card of the group's own offerings, inconsistencies from one pass over
    the whole catalog) gives exactly what model_card gives on the whole catalog."""
    config = Config()
    settings, chosen, reference = (
        config.inconsistencies,
        scenarios(config),
        reference_scenario(config),
    )
    models = Models(
        built.catalog, [], settings=settings, index=None, scenarios=chosen, reference=reference
    )
    for key in [PREVIEW, "claude-opus-4-6", "gpt-4o", "mistral-nemo", "deepseek-v3-2", EVIL_KEY]:
        whole = model_card(built.catalog, key, settings, scenarios=chosen, reference=reference)
        assert whole is not None and whole.offerings, key
        assert models.card(key) == whole, key
    assert models.card("no-such-model") is None


# -- Small synthetic sites: the edges --------------------------------------------------------

T1, T2 = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"


def _small_repo(root: Path, price: float | None = None) -> Path:
    """The small catalog as a snapshot; with ``price``, one run at T1 changes acme/fast-1's
    input price to it."""
    snapshots = root / "snapshots"
    before = parse_catalog(small_catalog())
    if price is None:
        write_snapshot(snapshots, provider_files(before), {})
        return snapshots
    document = edited(small_catalog())
    document["acme"]["models"]["fast-1"]["cost"]["input"] = price
    after = parse_catalog(document)
    report = compare(before, after, Config())
    snapshots.mkdir(parents=True)
    append_ledger(snapshots / LEDGER_FILE, ledger_records(report, time=T1, commit="a" * 40))
    write_snapshot(snapshots, provider_files(after), {})
    return snapshots


def _runs_repo(root: Path, *runs: tuple[str, dict[str, Any]], baseline: str | None) -> Path:
    """The small catalog as the baseline (committed to git on ``baseline`` unless None), then
    one run per (time, catalog), each measured from the commit of the snapshot before it."""
    snapshots = root / "snapshots"
    write_snapshot(snapshots, provider_files(parse_catalog(small_catalog())), {})
    when = baseline
    for time, document in runs:
        commit = commit_snapshots(snapshots, when) if when is not None else "a" * 40
        report = compare(load_catalog(snapshots, Config()), parse_catalog(document), Config())
        append_ledger(snapshots / LEDGER_FILE, ledger_records(report, time=time, commit=commit))
        write_snapshot(snapshots, provider_files(parse_catalog(document)), {})
        when = time if baseline is not None else None
    return snapshots


def _beta_cut_then_gone() -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """T1: beta/fast-1's input price $2.50 → $2.00; T2: beta drops fast-1."""
    cut = edited(small_catalog())
    cut["beta"]["models"]["fast-1"]["cost"]["input"] = 2.0
    gone = edited(cut)
    gone["beta"]["models"]["slow-1"] = {**gone["beta"]["models"].pop("fast-1"), "id": "slow-1"}
    return (T1, cut), (T2, gone)


def _chart_texts(page: browser.Node) -> list[str]:
    return [" ".join(t.text.split()) for t in page.find("svg", "chart").find_all("text")]


def _line_ids(page: browser.Node, field: str = "input") -> list[str]:
    prefix = f"price-{field}-"
    return [
        g.attrs["id"].removeprefix(prefix)
        for g in page.find("svg", "chart").find_all("g")
        if g.attrs.get("id", "").startswith(prefix)
    ]


def test_a_gone_offering_whose_price_changed_is_drawn_and_said_to_be_gone(tmp_path: Path) -> None:
    snapshots = _runs_repo(tmp_path, *_beta_cut_then_gone(), baseline=None)
    build_site(tmp_path / "out", snapshots=snapshots, workers=1)
    page = browser.parse((tmp_path / "out" / "model" / "fast-1.html").read_text())
    assert _line_ids(page) == ["beta", "acme"]  # the changed offering first, then the current
    assert "beta (gone since 2026-02-01)" in _chart_texts(page)  # the legend says so
    caption = " ".join(page.find("figcaption").text.split())
    assert "No longer offered: beta (gone since 2026-02-01)." in caption
    assert "Not drawn" not in caption  # nothing was left out
    # no git: the baseline's date is unknown, and the caption says so instead of guessing
    assert "Lines start before the first run (2026-01-01)" in caption
    dates = [t for t in _chart_texts(page) if re.fullmatch(r"\d{4}-\d\d-\d\d", t)]
    assert dates == ["2026-01-01", "2026-02-01"]  # a tick per run, the axis ends at the last


def test_chart_starts_at_the_baseline_snapshot_committed_to_git(tmp_path: Path) -> None:
    snapshots = _runs_repo(tmp_path, *_beta_cut_then_gone(), baseline="2025-12-01T09:00:00Z")
    build_site(tmp_path / "out", snapshots=snapshots, workers=1)
    page = browser.parse((tmp_path / "out" / "model" / "fast-1.html").read_text())
    caption = " ".join(page.find("figcaption").text.split())
    assert "Lines start at the baseline snapshot (2025-12-01)" in caption
    dates = [t for t in _chart_texts(page) if re.fullmatch(r"\d{4}-\d\d-\d\d", t)]
    assert dates == ["2025-12-01", "2026-01-01", "2026-02-01"]


def test_chart_leaves_out_unchanged_offerings_beyond_the_line_limit_and_counts_them(
    tmp_path: Path,
) -> None:
    many = edited(small_catalog())
    fast = many["acme"]["models"]["fast-1"]
    for n in range(MAX_LINES + 2):  # 12 more unchanged offerings of fast-1
        many[f"p{n:02d}"] = {**many["beta"], "id": f"p{n:02d}", "models": {"fast-1": fast}}
    base = edited(many)
    changed = edited(many)
    changed["p11"]["models"]["fast-1"] = {**fast, "cost": {"input": 1.0, "output": 10}}
    _one_run_site(tmp_path, base, changed)
    page = browser.parse((tmp_path / "out" / "model" / "fast-1.html").read_text())
    lines = _line_ids(page)
    assert lines[0] == "p11" and len(lines) == MAX_LINES  # the changed one, though last by name
    caption = " ".join(page.find("figcaption").text.split())
    offered = MAX_LINES + 2 + 2  # p00..p11, acme, beta
    assert (
        f"Not drawn: {offered - MAX_LINES} offerings offered now with unchanged prices" in caption
    )


def test_a_site_without_a_ledger(tmp_path: Path) -> None:
    snapshots = _small_repo(tmp_path)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    result = build_site(tmp_path / "out", snapshots=snapshots, now=now, workers=1)
    assert (result.runs, result.records, result.model_pages, result.charts) == (0, 0, 0, 0)
    index = browser.parse((tmp_path / "out" / "index.html").read_text())
    assert index.find("p", "empty").text == "No change recorded yet."
    root = assert_atom((tmp_path / "out" / "feed.xml").read_bytes())
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == "2026-03-01T00:00:00+00:00"


def test_feed_links_are_relative_without_a_base_url(tmp_path: Path) -> None:
    snapshots = _small_repo(tmp_path, price=3.0)
    build_site(tmp_path / "out", snapshots=snapshots, workers=1)
    root = assert_atom((tmp_path / "out" / "feed.xml").read_bytes())
    hrefs = sorted(e.get("href", "") for e in root.iter() if e.get("href"))
    # no rel="self": a relative address of the feed itself means nothing (README: --base-url)
    assert hrefs == ["index.html", "run/run-20260101T000000Z-aaaaaaaaaaaa.html"]
    for href in hrefs:
        assert (tmp_path / "out" / href).is_file()


def test_small_model_page_chart_steps_at_the_run(tmp_path: Path) -> None:
    snapshots = _small_repo(tmp_path, price=3.0)
    result = build_site(tmp_path / "out", snapshots=snapshots, workers=1)
    assert result.model_pages == 1 and result.charts == 1
    page = browser.parse((tmp_path / "out" / "model" / "fast-1.html").read_text())
    ids = sorted(
        g.attrs["id"] for g in page.find_all("g") if g.attrs.get("id", "").startswith("price-")
    )
    assert ids == ["price-input-acme", "price-input-beta", "price-output-acme", "price-output-beta"]
    prices = [
        [td.text for td in tr.find_all("td")][:4]
        for tr in page.find("table", "pricing").find_all("tr")[1:]
    ]
    assert prices == [["acme", "fast-1", "$3.00", "$10.00"], ["beta", "fast-1", "$2.50", "$10.00"]]
    row = change_rows(page)[0]
    assert (row["dir"], row["change"], row["pct"]) == ("▲", "$2.50 → $3.00", "+20 %")


def test_rebuild_removes_its_stale_pages_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    snapshots = _small_repo(tmp_path / "one", price=3.0)
    build_site(out, snapshots=snapshots, workers=1)
    (out / "keep.txt").write_text("not ours")
    assert (out / "model" / "fast-1.html").is_file()
    build_site(out, snapshots=_small_repo(tmp_path / "two"), workers=1)  # no ledger: no pages
    assert not (out / "model" / "fast-1.html").exists()
    assert not (out / "run").exists() or not any((out / "run").iterdir())
    assert (out / "keep.txt").read_text() == "not ours"
    assert (out / "index.html").is_file()


def test_charts_are_the_same_bytes_drawn_here_or_by_workers() -> None:
    start, change, end = datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)
    jobs = [
        ChartJob(
            title=f"model-{n} <&>",
            series=(
                Series(
                    "acme", f"m{n}", "cost.input", ((start, change, 1.0), (change, end, 1.0 + n))
                ),
                Series("acme", f"m{n}", "cost.output", ((start, end, 4.0),)),
                Series("beta", f"m{n}", "cost.input", ((start, end, 2.0),)),
            ),
            label=f"chart {n}",
        )
        for n in range(PARALLEL_FROM)
    ]
    here, there = render_charts(jobs, workers=1), render_charts(jobs, workers=2)
    assert here == there
    assert len(set(here)) == len(jobs)  # each chart its own picture
    assert all(svg.startswith('<svg class="chart" role="img" aria-label="chart ') for svg in here)
    assert "model-0 &lt;&amp;&gt;" in here[0] and "http" not in "".join(here)


def test_slugs_are_safe_and_distinct() -> None:
    assert slug("gemini-2-5-flash") == "gemini-2-5-flash"
    assert slug("claude-v2:1") != slug("claude-v2-1")
    for key in ("claude-v2:1", "openrouter/auto", "<b>&\"x'", "..", "a" * 300, "Ünïcode"):
        name = slug(key)
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) and len(name) <= 100, key
        assert ".." not in name and "/" not in name


def test_a_windows_device_name_never_becomes_a_page_name() -> None:
    for key in ("con", "nul", "com1", "lpt9", "aux"):
        assert slug(key) != key and slug(key).startswith(f"{key}-"), key
