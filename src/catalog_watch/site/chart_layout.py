"""Where a price chart's parts go, measured from their text, so that nothing is cut off.

matplotlib's ``bbox_inches="tight"`` finds the same by drawing the whole figure once more, which
doubled the time of each chart; here only the strings that can reach an edge are measured (the
title, the y tick labels, the legend's names; the dates have a fixed format), with the font the
SVG names, and the margins and the legend's columns follow from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

WIDTH = 9.0
"""The figure's width in inches (the page scales the SVG to its column)."""
PANELS = 4.3
"""Inches for the two panels and the space between them."""
TOP = 0.55
"""Inches above the panels: the title and the first panel's own title."""
DATES = 0.9
"""Inches below the panels for the slanted dates and "date (UTC)"."""
LEGEND_ROW = 0.22
"""Inches per row of the legend, which sits below the dates."""
LEGEND_PAD = 0.15
TITLE_SIZE, MIN_TITLE_SIZE, LEGEND_SIZE, TEXT_SIZE = 12.0, 6.0, 8.0, 10.0
FONT = "DejaVu Sans"
MAX_COLUMNS = 4


@dataclass(frozen=True, slots=True)
class Layout:
    height: float  # inches
    left: float  # subplot parameters: fractions of the figure
    right: float
    bottom: float
    top: float
    columns: int  # of the legend
    title: str
    title_size: float


def legend_layout(names: Sequence[str]) -> tuple[int, float]:
    """The legend's columns (as many as fit the width, at most 4) and the figure's height."""
    columns = _columns(names)
    rows = -(-len(names) // columns)
    return columns, TOP + PANELS + DATES + LEGEND_PAD + LEGEND_ROW * rows


def layout(title: str, names: Sequence[str], y_labels: Sequence[str]) -> Layout:
    """The margins for these texts; ``y_labels`` are both panels' tick labels."""
    columns, height = legend_layout(names)
    widest = max((_width(label, TEXT_SIZE) for label in y_labels), default=0.0)
    left = (0.15 + 0.2 + 0.1 + widest / 72) / WIDTH  # pad, the axis label, the ticks, labels
    text, size = _fit(title)
    return Layout(
        height=height,
        left=left,
        right=1 - 0.3 / WIDTH,
        bottom=(height - TOP - PANELS) / height,
        top=1 - TOP / height,
        columns=columns,
        title=text,
        title_size=size,
    )


def _columns(names: Sequence[str]) -> int:
    """matplotlib's legend: per entry a 2 em line, 0.8 em gap and the name; 2 em between
    columns; 0.4 em of border padding each side (em = the legend's font size)."""
    em = LEGEND_SIZE
    widest = max((_width(name, LEGEND_SIZE) for name in names), default=0.0)
    room = WIDTH * 72 - 20
    for columns in range(min(MAX_COLUMNS, max(1, len(names))), 1, -1):
        if columns * (2.8 * em + widest) + (columns - 1) * 2 * em + 0.8 * em <= room:
            return columns
    return 1


def _fit(title: str) -> tuple[str, float]:
    """The title at 12 pt, smaller down to 6 pt if it is long, cut with "…" past that."""
    room = WIDTH * 72 * 0.96
    width = _width(title, TITLE_SIZE)
    if width <= room:
        return title, TITLE_SIZE
    size = max(MIN_TITLE_SIZE, TITLE_SIZE * room / width)
    if _width(title, size) <= room:
        return title, size
    cut = title
    while len(cut) > 1 and _width(cut + "…", size) > room:
        cut = cut[: len(cut) * 9 // 10]
    return cut + "…", size


@lru_cache(maxsize=4096)
def _width(text: str, size: float) -> float:
    """The width of ``text`` in points, in :data:`FONT` at ``size`` points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    properties = FontProperties(family=FONT, size=size)
    width, _height, _descent = text_to_path.get_text_width_height_descent(
        text, properties, ismath=False
    )
    return float(width)
