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
newest run's time, not the clock). A manifest, ``.catalog-watch-site``, lists the files written,
so a rebuild into the same folder removes the pages it no longer makes and nothing else: a
manifest line that leads outside the folder (an absolute path, ``..``, a symlinked folder) is
ignored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files as package_files
from pathlib import Path

from catalog_watch.analysis.consistency import ModelIndex
from catalog_watch.errors import ConfigError
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.settings.config import Config, reference_scenario, scenarios
from catalog_watch.site.baseline import snapshot_time
from catalog_watch.site.calendar_page import calendar_files
from catalog_watch.site.extra import require_site_extra
from catalog_watch.site.feed import atom_feed
from catalog_watch.site.html import Filters
from catalog_watch.site.model_pages import model_pages
from catalog_watch.site.models import Models, slug
from catalog_watch.site.pages import Context, first_page, listing_pages, listings_of, run_pages
from catalog_watch.site.rows import record_key
from catalog_watch.site.runs import KIND_ORDER, SEVERITIES, Run, group_runs
from catalog_watch.site.runs_page import runs_pages
from catalog_watch.store.catalog_files import load_catalog
from catalog_watch.store.ledger import LEDGER_FILE, read_ledger

MANIFEST = ".catalog-watch-site"
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

    ``ledger`` defaults to ``snapshots/changes.jsonl``; ``index`` is a models.json index for
    grouping; ``base_url`` (the site's address) makes the feed's links absolute; ``workers``
    processes draw the charts (default: one per CPU, at most :data:`MAX_WORKERS`; the bytes are
    the same for any number).
    """
    if limit < 1:
        raise ConfigError(f"site --limit {limit}: a page holds at least 1 row (give 1 or more)")
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
    context = _context(runs, models, limit, moment, catalog.source)
    out: dict[str, bytes] = {}
    for path, text in _listings(runs, context).items():
        out[path] = text.encode("utf-8")
    charts = 0
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    baseline = snapshot_time(snapshots, runs[-1].commit) if runs else None
    drawn = model_pages(runs, records, models, context, baseline, workers)
    for path, (text, charted) in drawn.items():
        out[path] = text.encode("utf-8")
        charts += charted
    out.update(calendar_files(snapshots, catalog, records, config, index, moment, context))
    base = "" if base_url is None else base_url.rstrip("/") + "/"
    out["feed.xml"] = atom_feed(
        runs, source=catalog.source, updated=moment, base_url=base, key_of=models.key_of
    )
    out["style.css"] = package_files("catalog_watch.site").joinpath("style.css").read_bytes()
    out[".nojekyll"] = b""
    _write(out_dir, out)
    return SiteResult(
        out_dir=out_dir,
        files=tuple(sorted(out)),
        runs=len(runs),
        records=sum(len(run.records) for run in runs),
        model_pages=len(context.pages),
        charts=charts,
        total_bytes=sum(len(data) for data in out.values()),
    )


def _context(
    runs: Sequence[Run], models: Models, limit: int, moment: datetime, source: str
) -> Context:
    records = [record for run in runs for record in run.records]
    providers = sorted({str(r["provider"]) for r in records if isinstance(r.get("provider"), str)})
    kinds = {str(r.get("kind")) for r in records}
    severities = {str(r.get("severity")) for r in records}
    filters = Filters(
        providers={p: f"provider/{slug(p)}.html" for p in providers},
        kinds={k: f"kind/{slug(k)}.html" for k in _ordered(kinds, KIND_ORDER)},
        severities={s: f"severity/{slug(s)}.html" for s in _ordered(severities, SEVERITIES)},
    )
    shown = first_page(runs, limit)
    on_index = {record_key(r, models.key_of) for _, rs in shown for r in rs}
    priced = {record_key(r, models.key_of) for r in records if r.get("kind") == "price_changed"}
    keys = sorted(key for key in on_index | priced if key)
    return Context(
        filters=filters,
        pages={key: f"model/{slug(key)}.html" for key in keys},
        key_of=models.key_of,
        limit=limit,
        generated=f"the snapshot and ledger as of {moment:%Y-%m-%d %H:%M} UTC",
        source=source,
    )


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


def _listings(runs: Sequence[Run], context: Context) -> dict[str, str]:
    source = context.source
    pages = listing_pages(
        [(run, run.records) for run in runs],
        path="index.html",
        title=f"{source} catalog changes",
        template="listing_index.html",
        context=context,
    )
    filters = context.filters
    titles = {
        **{p: f"Changes at {name}" for name, p in filters.providers.items()},
        **{p: f"{name.replace('_', ' ')} records" for name, p in filters.kinds.items()},
        **{p: f"{name} severity records" for name, p in filters.severities.items()},
    }
    shown = listings_of(runs, filters)
    for path, title in titles.items():
        pages.update(
            listing_pages(
                shown.get(path, []),
                path=path,
                title=title,
                template="listing_filter.html",
                context=context,
            )
        )
    for run in runs:
        pages.update(run_pages(run, context))
    pages.update(runs_pages(runs, context))
    return pages


def _ledger_offerings(records: Iterable[LedgerLine]) -> list[tuple[str, str]]:
    return sorted(
        {
            (str(r["provider"]), str(r["model"]))
            for r in records
            if isinstance(r.get("provider"), str) and isinstance(r.get("model"), str)
        }
    )


def _write(out_dir: Path, out: Mapping[str, bytes]) -> None:
    """Write every file whose bytes differ; remove what the previous build made and this one
    did not (only files its manifest lists: a folder shared with other files keeps them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / MANIFEST
    before = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    for name in sorted(set(before) - out.keys()):
        stale = _inside(out_dir, name)
        if stale is not None:
            stale.unlink()
    for name, data in sorted(out.items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    manifest.write_text("".join(f"{name}\n" for name in sorted(out)), encoding="utf-8")


def _inside(out_dir: Path, name: str) -> Path | None:
    """The regular file a manifest line names, if it lies inside ``out_dir``; else None.

    The manifest is a file in a folder others may write to: an absolute path, a ``..``, or a
    folder that is a symlink to elsewhere must never make a rebuild delete outside the site.
    """
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts or relative.drive:
        return None
    path = out_dir / relative
    root = out_dir.resolve()
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
        return None
    return path
