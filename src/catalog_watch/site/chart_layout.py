"""Where a price chart's parts go, from estimated text widths, so that nothing is cut off.

No font is opened: a text's width is estimated from a per-character table of DejaVu Sans advances
(the font the SVG names first), rounded up, so an estimate is never narrower than the text the
browser draws in it or in a narrower fallback. The margins, the legend's columns and the title's
size follow from these widths; the y axis gets "nice" ticks (1, 2, 2.5 or 5 times a power of ten)
from zero to just above the highest price.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

WIDTH = 720.0
"""The picture's width in user units (the page scales the SVG to its column)."""
PANEL = 150.0
"""Height of each of the two panels."""
TOP = 46.0
"""Above the first panel: the title and the panel's own title."""
GAP = 34.0
"""Between the panels: the second panel's title."""
DATES = 88.0
"""Below the lower panel: the slanted dates and "date (UTC)"."""
LEGEND_ROW, LEGEND_PAD, SWATCH = 18.0, 10.0, 28.0
TITLE_SIZE, MIN_TITLE_SIZE, LEGEND_SIZE, TEXT_SIZE = 15.0, 8.0, 11.0, 12.0
FONT = "DejaVu Sans, Verdana, sans-serif"
MAX_COLUMNS = 4
RIGHT = 14.0
"""Right margin: room for the dot at the last run's price."""
MAX_Y_TICKS = 6
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
# DejaVu Sans advances in em, rounded up; anything not listed counts as a full em.
_NARROW = dict.fromkeys("il.,:;'|!", 0.32) | dict.fromkeys("jfrt-()[]/ ", 0.42)
_WIDE = dict.fromkeys("mwMW%@", 1.0)
_CAPITALS = dict.fromkeys("ABCDEFGHIJKLNOPQRSTUVXYZ&", 0.78)
_DEFAULT = dict.fromkeys('abcdeghknopqsuvxyz0123456789$_=+<>?#*~^"\\{}`', 0.66)
_EM = _NARROW | _WIDE | _CAPITALS | _DEFAULT


@dataclass(frozen=True, slots=True)
class Layout:
    height: float
    left: float  # the panels' left edge
    right: float  # their right edge
    top: float  # the first panel's top edge
    legend_top: float
    columns: int  # of the legend
    column_width: float
    title: str
    title_size: float


def layout(title: str, names: Sequence[str], y_labels: Sequence[str]) -> Layout:
    """Every margin for these texts; ``y_labels`` are both panels' tick labels."""
    columns, column_width = _columns(names)
    rows = -(-len(names) // columns) if names else 0
    widest = max((text_width(label, TEXT_SIZE) for label in y_labels), default=0.0)
    date = text_width("0000-00-00", TEXT_SIZE) * math.cos(math.radians(30)) + 6
    left = max(8 + TEXT_SIZE * 1.4 + 8 + widest, date)  # pad, the axis label, gap, the ticks
    legend_top = TOP + 2 * PANEL + GAP + DATES
    text, size = _fit(title)
    return Layout(
        height=legend_top + LEGEND_ROW * rows + LEGEND_PAD,
        left=left,
        right=WIDTH - RIGHT,
        top=TOP,
        legend_top=legend_top,
        columns=columns,
        column_width=column_width,
        title=text,
        title_size=size,
    )


def y_ticks(highest: float) -> list[float]:
    """Ticks from 0 to the first nice value at or above ``highest`` plus 5 %."""
    top = max(highest, 0.0) * 1.05
    if top <= 0:
        return [0.0, 1.0]
    power = 10.0 ** math.floor(math.log10(top / MAX_Y_TICKS))
    step = next(s * power for s in _STEPS if math.ceil(top / (s * power)) <= MAX_Y_TICKS)
    count = math.ceil(top / step - 1e-9)
    return [round(n * step, 10) for n in range(count + 1)]


def _columns(names: Sequence[str]) -> tuple[int, float]:
    """As many columns as fit the width (at most 4), and each column's width."""
    widest = max((text_width(name, LEGEND_SIZE) for name in names), default=0.0)
    column = SWATCH + 8 + widest + 16
    room = WIDTH - 16
    columns = max(1, min(MAX_COLUMNS, len(names), int(room // column)))
    return columns, min(column, room / columns)


def _fit(title: str) -> tuple[str, float]:
    """The title at 15, smaller down to 8 if it is long, cut with "…" past that."""
    room = WIDTH - 16
    width = text_width(title, TITLE_SIZE)
    if width <= room:
        return title, TITLE_SIZE
    size = max(MIN_TITLE_SIZE, TITLE_SIZE * room / width)
    if text_width(title, size) <= room:
        return title, size
    cut = title
    while len(cut) > 1 and text_width(cut + "…", size) > room:
        cut = cut[: len(cut) * 9 // 10]
    return cut + "…", size


@lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """An upper estimate of ``text``'s width in user units at ``size``."""
    return size * sum(_EM.get(character, 1.0) for character in text)
