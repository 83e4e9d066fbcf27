"""A model's price history as an inline SVG chart, written from ``templates/chart.svg``.

Two panels sharing the date axis: the input price above, the output price below, each on its
own scale (an output price is typically 4-8x the input one, so one axis would flatten the input
lines). One colour per offering (provider) in both panels, USD per 1M tokens, stepping at each
run that changed the price; a dot marks the price at the last run, where the axis ends (the
``ChartJob``'s span, no margin). Lines are drawn widest first, narrowest last, so offerings at
one price stay visible as nested stripes. The legend sits below the panels, inside the picture,
in as many columns as the names leave room for; the margins follow from the texts' estimated
widths (``chart_layout.py``), so no title, price or name is cut off.

Why a template and not a plotting library: the chart is two step-line panels, a few ticks and a
legend, which is some 40 lines of markup; matplotlib drew each in 0.1-0.2 s (84 % of a site
build) and made the site extra some 100 MB. Here a chart is a few milliseconds of arithmetic and
one Jinja2 render, through the same environment as the pages: every text is
:func:`literal` and then escaped by the environment's finalize (``html.py``), so a model id
draws as the page shows it and the SVG stays well-formed. Every number is written with a fixed
number of decimals, so the same job gives the same bytes in any process.

The markup keeps the ids tests and stylesheets find: ``axes_<n>`` per panel with its frame in
``patch_<n>``, ``xtick_<n>`` per date tick (a ``<use>`` of the tick mark, the label on the lower
panel), and lines ``price-input-<provider>`` / ``price-output-<provider>`` (``-2``, ``-3`` for a
provider's further offerings in the group); provider ids are safe file names
(``snapshot.SAFE_PROVIDER_ID``), so they are safe ids too.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from catalog_watch.inert.terminal import one_line
from catalog_watch.inert.xml import xml_text
from catalog_watch.render.values import money
from catalog_watch.site.chart_layout import (
    FONT,
    GAP,
    LEGEND_ROW,
    LEGEND_SIZE,
    PANEL,
    SWATCH,
    TEXT_SIZE,
    WIDTH,
    Layout,
    layout,
    y_ticks,
)
from catalog_watch.site.html import render

PRICE_FIELDS = ("cost.input", "cost.output")
_PANELS = {"cost.input": "input", "cost.output": "output"}
_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
AUTO_TICKS = 6
"""Dates labelled when the job names none: evenly spaced, both ends included."""


@dataclass(frozen=True, slots=True)
class Series:
    """One offering's price over time: ``points`` are (start, end, value) steps, in order."""

    provider: str
    model_id: str
    field: str  # cost.input or cost.output
    points: tuple[tuple[datetime, datetime, float], ...]
    note: str = ""  # said after the line's name in the legend, e.g. "gone since 2026-06-28"
    current: bool = True  # still offered: a dot marks its price at the right edge


@dataclass(frozen=True, slots=True)
class ChartJob:
    title: str
    series: tuple[Series, ...]
    label: str  # the chart's accessible name
    span: tuple[datetime, datetime] | None = None  # the x axis; None: the data's extent
    ticks: tuple[datetime, ...] = ()  # the dates labelled on the x axis; empty: evenly spaced


PARALLEL_FROM = 64
"""Fewer charts than this are drawn in this process: starting workers would cost more."""


def render_charts(jobs: Sequence[ChartJob], workers: int = 1) -> list[str]:
    """Every chart, in order; with ``workers`` > 1, drawn by that many processes (each chart is
    independent and deterministic, so the bytes do not depend on who drew it)."""
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        return [price_chart(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(price_chart, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


@dataclass(frozen=True, slots=True)
class Tick:
    id: str
    x: str
    y: str
    label: str  # empty: a mark only (the upper panel)
    grid: str  # the grid line's path


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    path: str
    colour: str
    width: str
    dot: tuple[str, str] | None  # the price at the last run


@dataclass(frozen=True, slots=True)
class Panel:
    id: str
    patch: str
    frame: str  # the frame's path
    title: str
    title_y: str
    axis_label: tuple[str, str]  # x, y of the rotated "USD per 1M tokens"
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    swatch: str
    colour: str
    width: str
    name: str
    x: str
    y: str


Key = tuple[str, str]


def price_chart(job: ChartJob) -> str:
    """The chart as an ``<svg>`` element (no XML prologue)."""
    ids = _line_ids(job.series)
    names = _names(job.series, ids)
    colours = {key: _PALETTE[n % len(_PALETTE)] for n, key in enumerate(ids)}
    widths = {key: _width(n, len(ids)) for n, key in enumerate(ids)}
    highest = {
        field: max((v for s in job.series if s.field == field for *_, v in s.points), default=0.0)
        for field in PRICE_FIELDS
    }
    ticks = {field: y_ticks(highest[field]) for field in PRICE_FIELDS}
    labels = [money(value) for field in PRICE_FIELDS for value in ticks[field]]
    place = layout(literal(job.title), list(names.values()), labels)
    start, end = job.span or _extent(job.series)
    dates = list(job.ticks) or _auto_ticks(start, end)
    scale = _Scale(start, end, place.left, place.right)
    panels = []
    for n, field in enumerate(PRICE_FIELDS):
        top = place.top + n * (PANEL + GAP)
        lines = tuple(
            _line(s, ids, colours, widths, scale, top, ticks[field][-1])
            for s in job.series
            if s.field == field
        )
        panels.append(
            _panel(n, field, place, top, ticks[field], dates, scale, lines, len(PRICE_FIELDS))
        )
    return render(
        "chart.svg",
        label=one_line(job.label),
        width=_n(WIDTH),
        height=_n(place.height),
        font=FONT,
        text_size=_n(TEXT_SIZE),
        title=place.title,
        title_size=_n(place.title_size),
        title_x=_n(WIDTH / 2),
        title_y=_n(8 + place.title_size),
        panels=panels,
        x_label=(_n((place.left + place.right) / 2), _n(place.legend_top - 10)),
        legend=_legend(names, colours, widths, place),
        legend_size=_n(LEGEND_SIZE),
    )


@dataclass(frozen=True, slots=True)
class _Scale:
    start: datetime
    end: datetime
    left: float
    right: float

    def x(self, moment: datetime) -> float:
        total = (self.end - self.start).total_seconds() or 1.0
        share = (moment - self.start).total_seconds() / total
        return self.left + (self.right - self.left) * share


def _panel(
    n: int,
    field: str,
    place: Layout,
    top: float,
    ticks: Sequence[float],
    dates: Sequence[datetime],
    scale: _Scale,
    lines: tuple[Line, ...],
    count: int,
) -> Panel:
    bottom, last = top + PANEL, n == count - 1
    y_of = _y(top, ticks[-1])
    y_marks = tuple(
        Tick(
            id=f"ytick_{n * 100 + k + 1}",
            x=_n(place.left - 4),
            y=_n(y_of(value)),
            label=money(value),
            grid=f"M {_n(place.left)} {_n(y_of(value))} H {_n(place.right)}",
        )
        for k, value in enumerate(ticks)
    )
    x_marks = tuple(
        Tick(
            id=f"xtick_{n * 100 + k + 1}",
            x=_n(scale.x(moment)),
            y=_n(bottom),
            label=f"{moment:%Y-%m-%d}" if last else "",
            grid=f"M {_n(scale.x(moment))} {_n(top)} V {_n(bottom)}",
        )
        for k, moment in enumerate(dates)
    )
    left, right = _n(place.left), _n(place.right)
    return Panel(
        id=f"axes_{n + 1}",
        patch=f"patch_{n + 1}",
        frame=f"M {left} {_n(top)} H {right} V {_n(bottom)} H {left} Z",
        title=f"{_PANELS[field]} price",
        title_y=_n(top - 6),
        axis_label=(_n(8 + TEXT_SIZE), _n(top + PANEL / 2)),
        y_ticks=y_marks,
        x_ticks=x_marks,
        lines=tuple(sorted(lines, key=lambda line: -float(line.width))),
    )


def _line(
    item: Series,
    ids: dict[Key, str],
    colours: dict[Key, str],
    widths: dict[Key, float],
    scale: _Scale,
    top: float,
    highest: float,
) -> Line:
    """One offering's steps, with a dot at its price at the last run if it is still offered."""
    key = (item.provider, item.model_id)
    y_of = _y(top, highest)
    parts: list[str] = []
    previous: datetime | None = None
    for start, end, value in item.points:
        y = _n(y_of(value))
        verb = "L" if previous == start else "M"
        parts.append(f"{verb} {_n(scale.x(start))} {y} L {_n(scale.x(end))} {y}")
        previous = end
    dot = None
    if item.current and item.points:
        _, end, value = item.points[-1]
        dot = (_n(scale.x(end)), _n(y_of(value)))
    return Line(
        id=f"price-{_PANELS[item.field]}-{ids[key]}",
        path=" ".join(parts),
        colour=colours[key],
        width=_n(widths[key]),
        dot=dot,
    )


def _legend(
    names: dict[Key, str], colours: dict[Key, str], widths: dict[Key, float], place: Layout
) -> list[Entry]:
    used = place.columns * place.column_width
    first = (WIDTH - used) / 2
    entries = []
    for n, (key, name) in enumerate(names.items()):
        x = first + (n % place.columns) * place.column_width
        y = place.legend_top + (n // place.columns) * LEGEND_ROW + LEGEND_ROW / 2
        entries.append(
            Entry(
                swatch=f"M {_n(x)} {_n(y)} H {_n(x + SWATCH)}",
                colour=colours[key],
                width=_n(widths[key]),
                name=name,
                x=_n(x + SWATCH + 8),
                y=_n(y + LEGEND_SIZE * 0.36),
            )
        )
    return entries


def _y(top: float, highest: float) -> _YScale:
    return _YScale(top, highest or 1.0)


@dataclass(frozen=True, slots=True)
class _YScale:
    top: float
    highest: float

    def __call__(self, value: float) -> float:
        return self.top + PANEL * (1 - value / self.highest)


def _extent(series: Sequence[Series]) -> tuple[datetime, datetime]:
    points = [p for s in series for p in s.points]
    return min(p[0] for p in points), max(p[1] for p in points)


def _auto_ticks(start: datetime, end: datetime) -> list[datetime]:
    step = (end - start) / (AUTO_TICKS - 1)
    ticks: list[datetime] = []
    for n in range(AUTO_TICKS):
        moment = start + step * n
        if not ticks or f"{moment:%Y-%m-%d}" != f"{ticks[-1]:%Y-%m-%d}":
            ticks.append(moment)
    return ticks


def _n(number: float) -> str:
    """A coordinate: two decimals, no ``-0.00``."""
    text = f"{number:.2f}"
    return "0.00" if text == "-0.00" else text


def _names(series: Sequence[Series], ids: dict[Key, str]) -> dict[Key, str]:
    """Each offering's name in the legend, in line order: ``vercel``, ``x (gone since ...)``."""
    first = {(s.provider, s.model_id): s for s in reversed(series)}
    return {
        key: literal(f"{name} ({first[key].note})" if first[key].note else name)
        for key, name in ids.items()
    }


def _width(position: int, count: int) -> float:
    """Earlier lines wider: offerings at the same price show as nested stripes, not one line."""
    if count <= 1:
        return 2.0
    return 1.5 + 3.0 * (count - 1 - position) / (count - 1)


def _line_ids(series: Sequence[Series]) -> dict[Key, str]:
    """``vercel``, or ``vercel-2`` for a provider's second offering in the chart."""
    ids: dict[Key, str] = {}
    seen: dict[str, int] = {}
    for item in series:
        key = (item.provider, item.model_id)
        if key not in ids:
            seen[item.provider] = seen.get(item.provider, 0) + 1
            count = seen[item.provider]
            ids[key] = item.provider if count == 1 else f"{item.provider}-{count}"
    return ids


def literal(text: str) -> str:
    """Catalog text as a chart draws it: one line, no control, nothing XML forbids."""
    return xml_text(one_line(text))
