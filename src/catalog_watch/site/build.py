"""``build_site``: the snapshot folder and its ledger → a static changelog site.

What it writes (every link relative, nothing fetched from the network):

* ``index.html``: every change record, newest run first, grouped by run, ``limit`` to a page
  (``index/page-2.html``... after it, see ``pager.py``);
* ``provider/<id>.html``, ``kind/<kind>.html``, ``severity/<severity>.html``: the same listing
  filtered, paged the same way, linked from the filter bar of every listing (static pages: no
  JavaScript);
* ``run/<anchor>.html``: one page per run (the feed's and the list's links); ``runs.html``, the
  list of runs;
* ``model/<slug>.html``: one page per model that had a price change anywhere in the ledger or has
  a row on the first page of ``index.html``: its price history chart, its card (``model_card``)
  and its changes;
* ``deprecations.html``: every retirement date of the catalog and of the other sources' snapshot
  folders beside it, soonest first, and ``calendar.ics``, the same as an iCalendar feed
  (``calendar_page.py``);
* ``feed.xml`` (Atom), ``style.css``, ``.nojekyll`` (GitHub Pages serves the files as they are).

Deterministic: the same snapshot, ledger and ``now`` give the same bytes (``now`` defaults to the
newest run's time, not the clock; only ``deprecations.html``, ``calendar.ics`` and, without runs,
``feed.xml`` read it). Incremental: a page that a new run does not touch keeps its bytes (the
listings are cut into pages from the oldest, the footer has no clock, a chart's axis ends at its
model's last change), and a rebuild into the same folder renders only the pages whose input
digest changed, writes only the files whose bytes changed and removes the pages it no longer
makes, and nothing else (``incremental.py``: a manifest, ``.catalog-watch-site``, of every file
and its digest; a line that leads outside the folder, an absolute path, ``..`` or a symlinked
folder, is ignored). The folder it leaves is the same bytes as a build from scratch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files as package_files
from pathlib import Path

from catalog_watch.analysis.consistency import ModelIndex
from catalog_watch.errors import ConfigError, SourceNotFound
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.settings.config import Config, reference_scenario, scenarios
from catalog_watch.site.baseline import snapshot_time
from catalog_watch.site.calendar_page import calendar_files
from catalog_watch.site.digest import fingerprint
from catalog_watch.site.extra import require_site_extra
from catalog_watch.site.feed import atom_feed
from catalog_watch.site.html import Filters
from catalog_watch.site.incremental import Pages, made, write_site
from catalog_watch.site.model_pages import model_pages
from catalog_watch.site.models import Models, slug
from catalog_watch.site.pages import (
    Context,
    first_page,
    listing_pages,
    listings_of,
    row_key,
    run_pages,
)
from catalog_watch.site.rows import record_key
from catalog_watch.site.runs import KIND_ORDER, SEVERITIES, Run, group_runs
from catalog_watch.site.runs_page import runs_pages
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, read_ledger

MAX_WORKERS = 4
"""Default number of chart processes at most (a chart is milliseconds: few are worth it)."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SiteResult:
    """What a build wrote: paths relative to ``out_dir``, sorted, and what they hold."""

    out_dir: Path
    files: tuple[str, ...]
    runs: int
    records: int
    model_pages: int
    charts: int
    total_bytes: int
    rendered: int = 0  # files rendered by this build (the others were kept as they were)
    written: int = 0  # files whose bytes changed
    removed: int = 0  # files of an earlier build this one no longer makes

    @property
    def pages(self) -> int:
        return sum(1 for name in self.files if name.endswith(".html"))


def build_site(
    out_dir: Path,
    *,
    snapshots: Path,
    ledger: Path | None = None,
    config: Config | None = None,
    now: datetime | None = None,
    limit: int = 500,
    index: ModelIndex | None = None,
    base_url: str | None = None,
    workers: int | None = None,
) -> SiteResult:
    """Build the site into ``out_dir`` (created if needed); see the module docstring.

    ``ledger`` defaults to ``snapshots/changes.jsonl``, where none means no run yet; one given
    must be a file (a mistyped path would publish an empty changelog). ``index`` is a
    models.json index for grouping; ``base_url`` (the site's address) makes the feed's links
    absolute; ``workers`` processes draw the charts (default: one per CPU, at most
    :data:`MAX_WORKERS`; the bytes are the same for any number).
    """
    if limit < 1:
        raise ConfigError(f"site --limit {limit}: a page holds at least 1 row (give 1 or more)")
    if ledger is not None:
        _require_ledger(ledger)
    require_site_extra()
    config = config or Config()
    catalog = load_catalog(snapshots, config)
    records = read_ledger(ledger or snapshots / LEDGER_FILE)
    runs = group_runs(records)
    moment = now or (runs[0].time if runs else EPOCH)
    models = Models(
        catalog,
        _ledger_offerings(records),
        settings=config.inconsistencies,
        index=index,
        scenarios=scenarios(config),
        reference=reference_scenario(config),
    )
    context = _context(runs, models, limit, catalog.source)
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    baseline = snapshot_time(snapshots, runs[-1].commit) if runs else None
    base = "" if base_url is None else base_url.rstrip("/") + "/"
    files = calendar_files(snapshots, catalog, records, config, index, moment, context)
    files["feed.xml"] = atom_feed(
        runs, source=catalog.source, updated=moment, base_url=base, key_of=models.key_of
    )
    files["style.css"] = package_files("catalog_watch.site").joinpath("style.css").read_bytes()
    files[".nojekyll"] = b""
    parts = [
        *_listings(runs, context),
        model_pages(runs, records, models, context, baseline, workers),
        made(files),
    ]
    written = write_site(out_dir, parts, fingerprint())
    entries = written.entries
    return SiteResult(
        out_dir=out_dir,
        files=tuple(entries),
        runs=len(runs),
        records=sum(len(run.records) for run in runs),
        model_pages=len(context.pages),
        charts=sum(entry.charts for entry in entries.values()),
        total_bytes=sum(entry.size for entry in entries.values()),
        rendered=written.rendered,
        written=written.written,
        removed=written.removed,
    )


def _require_ledger(ledger: Path) -> None:
    """A ledger named by the caller exists as a file: exit 2 naming it, never an empty site."""
    if not ledger.exists():
        raise SourceNotFound(f"site --ledger {ledger}: no such file")
    if not ledger.is_file():
        raise ConfigError(f"site --ledger {ledger}: not a file (the ledger is changes.jsonl)")


def _context(runs: Sequence[Run], models: Models, limit: int, source: str) -> Context:
    records = [record for run in runs for record in run.records]
    providers = sorted({str(r["provider"]) for r in records if isinstance(r.get("provider"), str)})
    kinds = {str(r.get("kind")) for r in records}
    severities = {str(r.get("severity")) for r in records}
    filters = Filters(
        providers={p: f"provider/{slug(p)}.html" for p in providers},
        kinds={k: f"kind/{slug(k)}.html" for k in _ordered(kinds, KIND_ORDER)},
        severities={s: f"severity/{slug(s)}.html" for s in _ordered(severities, SEVERITIES)},
    )
    groups = {id(r): record_key(r, models.key_of) for r in records}
    on_index = {groups[id(r)] for _, rs in first_page(runs, limit) for r in rs}
    priced = {groups[id(r)] for r in records if r.get("kind") == "price_changed"}
    pages = {key: f"model/{slug(key)}.html" for key in sorted(k for k in on_index | priced if k)}
    keys = {
        id(record): row_key(token, pages.get(groups[id(record)] or "", ""))
        for run in runs
        for record, token in zip(run.records, run.tokens, strict=True)
    }
    return Context(
        filters=filters,
        pages=pages,
        key_of=models.key_of,
        limit=limit,
        source=source,
        keys=keys,
        groups=groups,
    )


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


def _listings(runs: Sequence[Run], context: Context) -> list[Pages]:
    source = context.source
    pages = [
        listing_pages(
            [(run, run.records) for run in runs],
            path="index.html",
            title=f"{source} catalog changes",
            template="listing_index.html",
            context=context,
        )
    ]
    filters = context.filters
    titles = {
        **{p: f"Changes at {name}" for name, p in filters.providers.items()},
        **{p: f"{name.replace('_', ' ')} records" for name, p in filters.kinds.items()},
        **{p: f"{name} severity records" for name, p in filters.severities.items()},
    }
    shown = listings_of(runs, filters)
    for path, title in titles.items():
        pages.append(
            listing_pages(
                shown.get(path, []),
                path=path,
                title=title,
                template="listing_filter.html",
                context=context,
            )
        )
    pages += [run_pages(run, context) for run in runs]
    pages.append(runs_pages(runs, context))
    return pages


def _ledger_offerings(records: Iterable[LedgerLine]) -> list[tuple[str, str]]:
    return sorted(
        {
            (str(r["provider"]), str(r["model"]))
            for r in records
            if isinstance(r.get("provider"), str) and isinstance(r.get("model"), str)
        }
    )
