"""A model's price history as an inline SVG chart, drawn with matplotlib's SVG backend.

Two panels sharing the date axis: the input price above, the output price below, each on its
own scale (an output price is typically 4-8x the input one, so one axis would flatten the input
lines). One colour per offering (provider) in both panels, USD per 1M tokens, stepping at each
run that changed the price; a dot marks the price at the last run, where the axis ends (the
``ChartJob``'s span, no margin). Lines are drawn widest first, narrowest last, so offerings at
one price stay visible as nested stripes. The legend sits below the panels, in as many columns
as the names leave room for; the margins follow from the measured texts (``chart_layout.py``),
so no title, price or name is cut off. No pyplot, so no global figure state: a ``Figure`` is
drawn on an explicit ``FigureCanvasSVG`` inside an ``rc_context`` that makes the bytes
reproducible:

* ``svg.hashsalt`` fixed: the clip-path and marker ids are hashes salted with a uuid4 otherwise;
* ``savefig(metadata={"Date": None, ...})``: no timestamp (nor any other Dublin Core metadata);
* ``svg.fonttype = "none"``: text stays ``<text>`` (searchable, testable, small), the browser
  draws it in a local font;
* ``text.parse_math = False``: a ``$`` in a model id is a dollar sign, not mathtext;
* every text drawn is :func:`literal`: controls spelled out (``\\u001b``), characters XML forbids
  replaced, so a model id draws as the page shows it and the SVG stays well-formed.

The XML prologue, DOCTYPE and namespace declarations are dropped so the SVG sits in the HTML
page (the HTML parser knows ``<svg>`` and ``xlink:href``) without a single ``http://`` in it.
Lines carry ids ``price-input-<provider>`` / ``price-output-<provider>`` (``-2``, ``-3`` for a
provider's further offerings in the group) so tests and stylesheets can find them; provider ids
are safe file names (``snapshot.SAFE_PROVIDER_ID``), so they are safe ids too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from catalog_watch.inert.terminal import one_line
from catalog_watch.inert.xml import html_text, xml_text
from catalog_watch.render.values import money
from catalog_watch.site.chart_layout import LEGEND_SIZE, WIDTH, layout, legend_layout

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_METADATA_BLOCK = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


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
    ticks: tuple[
        datetime, ...
    ] = ()  # the dates labelled on the x axis; empty: chosen by matplotlib


PARALLEL_FROM = 8
"""Fewer charts than this are drawn in this process: starting workers would cost more."""


def render_charts(jobs: Sequence[ChartJob], workers: int = 1) -> list[str]:
    """Every chart, in order; with ``workers`` > 1, drawn by that many processes (each chart is
    independent and deterministic, so the bytes do not depend on who drew it)."""
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        return [price_chart(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(price_chart, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def price_chart(job: ChartJob) -> str:
    """The chart as an ``<svg>`` element (no XML prologue)."""
    import matplotlib as mpl

    with mpl.rc_context(
        {
            "svg.hashsalt": "catalog-watch",
            "svg.fonttype": "none",
            "text.parse_math": False,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "font.size": 10.0,
            "axes.titley": 1.0,  # a fixed title position: else matplotlib lays the axes out twice
        }
    ):
        document = _draw(job)
    return _inline(document, job.label)


def _draw(job: ChartJob) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    ids = _line_ids(job.series)
    names = _names(job.series, ids)
    figure = Figure(figsize=(WIDTH, legend_layout(list(names.values()))[1]))
    FigureCanvasSVG(figure)
    panels = figure.subplots(2, 1, sharex=True)
    colours = {key: _PALETTE[n % len(_PALETTE)] for n, key in enumerate(ids)}
    widths = {key: _width(n, len(ids)) for n, key in enumerate(ids)}
    for item in job.series:
        key = (item.provider, item.model_id)
        _line(panels[PRICE_FIELDS.index(item.field)], item, ids[key], colours[key], widths[key])
    for field, axes in zip(PRICE_FIELDS, panels, strict=True):
        _decorate(axes, f"{_PANELS[field]} price", last=field == PRICE_FIELDS[-1], job=job)
    y_labels = [label for axes in panels for label in _y_labels(axes)]
    place = layout(literal(job.title), list(names.values()), y_labels)
    figure.suptitle(place.title, fontsize=place.title_size)
    _legend(figure, names, colours, widths, place.columns)
    figure.subplots_adjust(
        left=place.left, right=place.right, bottom=place.bottom, top=place.top, hspace=0.25
    )
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    return buffer.getvalue()


def _line(axes: Axes, item: Series, name: str, colour: str, width: float) -> None:
    """One offering's steps, with a dot at its price at the last run if it is still offered."""
    xs, ys = _steps(item.points)
    (line,) = axes.plot([_day(x) for x in xs], ys, color=colour, linewidth=width)
    line.set_gid(f"price-{_PANELS[item.field]}-{name}")
    if item.current and item.points:
        _, end, value = item.points[-1]
        axes.plot([_day(end)], [value], "o", color=colour, markersize=4, clip_on=False)


def _y_labels(axes: Axes) -> list[str]:
    """The y tick labels matplotlib will draw, in the site's money format."""
    low, high = axes.get_ylim()
    return [money(float(tick)) for tick in axes.get_yticks() if low <= tick <= high]


Key = tuple[str, str]


def _names(series: Sequence[Series], ids: dict[Key, str]) -> dict[Key, str]:
    """Each offering's name in the legend, in line order: ``vercel``, ``x (gone since ...)``."""
    first = {(s.provider, s.model_id): s for s in reversed(series)}
    return {
        key: literal(f"{name} ({first[key].note})" if first[key].note else name)
        for key, name in ids.items()
    }


def _legend(
    figure: Figure,
    names: dict[Key, str],
    colours: dict[Key, str],
    widths: dict[Key, float],
    columns: int,
) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=colours[key], lw=widths[key], label=name)
        for key, name in names.items()
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.02),
        ncols=columns,
        fontsize=LEGEND_SIZE,
    )


def _decorate(axes: Axes, title: str, *, last: bool, job: ChartJob) -> None:
    from matplotlib.ticker import FuncFormatter

    axes.set_title(title, fontsize=10, loc="left")
    axes.set_ylabel("USD per 1M tokens")
    axes.set_ylim(bottom=0)
    if job.span is not None:  # no margin: the axis ends at the last run
        axes.set_xlim(_day(job.span[0]), _day(job.span[1]))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: money(float(value))))
    axes.grid(True, color="#dddddd", linewidth=0.6)
    if last:
        _date_axis(axes, job.ticks)


def _date_axis(axes: Axes, ticks: Sequence[datetime]) -> None:
    """Dates under the lower panel: ``ticks`` when given (the baseline and the runs), else
    matplotlib's choice; slanted so that they never overlap."""
    from matplotlib.dates import AutoDateLocator, DateFormatter

    axes.set_xlabel("date (UTC)")
    if ticks:
        axes.set_xticks([_day(tick) for tick in ticks])
    else:
        axes.xaxis.set_major_locator(AutoDateLocator(maxticks=8))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    for text in axes.get_xticklabels():
        text.set_rotation(30)
        text.set_horizontalalignment("right")


def _day(moment: datetime) -> float:
    """A date as matplotlib's axis number (days since its epoch)."""
    from matplotlib.dates import date2num

    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _width(position: int, count: int) -> float:
    """Earlier lines wider: offerings at the same price show as nested stripes, not one line."""
    if count <= 1:
        return 2.0
    return 1.5 + 3.0 * (count - 1 - position) / (count - 1)


def _line_ids(series: Sequence[Series]) -> dict[tuple[str, str], str]:
    """``vercel``, or ``vercel-2`` for a provider's second offering in the chart."""
    ids: dict[tuple[str, str], str] = {}
    seen: dict[str, int] = {}
    for item in series:
        key = (item.provider, item.model_id)
        if key not in ids:
            seen[item.provider] = seen.get(item.provider, 0) + 1
            count = seen[item.provider]
            ids[key] = item.provider if count == 1 else f"{item.provider}-{count}"
    return ids


def _steps(
    points: Sequence[tuple[datetime, datetime, float]],
) -> tuple[list[datetime], list[float]]:
    """Flat segments, joined where one period ends as the next starts, broken by NaN between."""
    xs: list[datetime] = []
    ys: list[float] = []
    for start, end, value in points:
        if xs and xs[-1] != start:
            xs.append(xs[-1])
            ys.append(float("nan"))
        xs += [start, end]
        ys += [value, value]
    return xs, ys


def literal(text: str) -> str:
    """Catalog text as a chart draws it: one line, no control, nothing XML forbids."""
    return xml_text(one_line(text))


def _inline(document: str, label: str) -> str:
    svg = _METADATA_BLOCK.sub("", _PROLOGUE.sub("", document, count=1), count=1)
    root, rest = svg.split(">", 1)  # the root start tag: its namespaces and fixed size go
    root = _SIZE.sub(r"\1", _NAMESPACES.sub("", root), count=1)
    attributes = f'<svg class="chart" role="img" aria-label="{html_text(one_line(label))}"'
    return (root.replace("<svg", attributes, 1) + ">" + rest).rstrip() + "\n"
