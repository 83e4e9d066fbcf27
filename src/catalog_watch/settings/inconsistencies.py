"""The ``[inconsistencies]`` section of ``catalog-watch.toml``: the one settings model the checks
take. A plain frozen dataclass, so ``import catalog_watch.analysis.consistency`` stays free of
pydantic (about 200 ms); ``config.py`` validates the TOML table straight into it, so the defaults
and bounds below are the only ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["ConsistencySettings"]


@dataclass(frozen=True, slots=True)
class ConsistencySettings:
    """Thresholds for ``find_inconsistencies`` (all ratios are "times", not percent).

    Args:
        context_tolerance: relative gap under which two windows are the same (0.05: 128000 and
            131072 are one window, 120000 and 131072 are not).
        price_ratio: an offering this many times above or below the group median is a spread.
        unit_error_ratio: this far off the median is a unit error. 100, not 1000, because the
            real mistral-nemo error ($20/$40 against $0.02-0.15) is 1000x the cheapest offering
            but only 133x/267x the *median*; genuine market spreads on 2026-06 stay under 25x
            (the only other cases past 30x, evroc's voxtral-small at $0.0023, look like slips).
        aliases: ``"<provider>/<model id>"`` or a bare normalized id -> group key.
        window_high_ratio: a window disagreement this large (max/min) is HIGH, below it MEDIUM.
        high_price_ratio: a price spread this large is HIGH, below it MEDIUM.
    """

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}
    """Read by pydantic when ``config.py`` validates the TOML table: a typo is refused."""

    context_tolerance: float = 0.05
    price_ratio: float = 3.0
    unit_error_ratio: float = 100.0
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    window_high_ratio: float = 2.0
    high_price_ratio: float = 10.0

    def __post_init__(self) -> None:
        if not 0 <= self.context_tolerance < 1:
            raise ValueError(f"context_tolerance must be in [0, 1), got {self.context_tolerance:g}")
        for name in _RATIOS:
            value = getattr(self, name)
            if not value > 1:
                raise ValueError(f"{name} must be above 1, got {value:g}")


_RATIOS = ("price_ratio", "unit_error_ratio", "window_high_ratio", "high_price_ratio")
