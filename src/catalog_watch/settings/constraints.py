"""Bounds on a settings field, written in ``Annotated`` metadata that pydantic reads when a config
file is validated, so the settings dataclasses need no pydantic import of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

__all__ = [
    "MAX_DAYS",
    "MAX_HOURS",
    "MAX_MINUTES",
    "AtLeastOne",
    "Bool",
    "Core",
    "Count",
    "Days",
    "Finite",
    "Hours",
    "LeadDays",
    "Minutes",
    "NonNegative",
    "Share",
]

MAX_DAYS = 3650
"""Ten years, the longest any duration setting may be: no schedule, lease or reminder needs more,
and a ``timedelta`` of it stays inside ``datetime``'s years 1 to 9999 wherever it is used."""
MAX_HOURS = MAX_DAYS * 24
MAX_MINUTES = MAX_HOURS * 60


class Core:
    """Keys merged into the core schema pydantic builds for the annotated type: ``ge``, ``gt``,
    ``le``, ``strict``, ``pattern``, ``min_length``, the names pydantic-core gives them.

    pydantic calls ``__get_pydantic_core_schema__`` on metadata it finds; ``pydantic.Field``
    would do the same but needs pydantic at import, which a run without a config file never does.
    """

    __slots__ = ("keys",)

    def __init__(self, **keys: object) -> None:
        self.keys = keys

    def __get_pydantic_core_schema__(
        self, source: object, handler: Callable[[object], dict[str, object]]
    ) -> dict[str, object]:
        schema = handler(source)
        schema.update(self.keys)
        return schema

    def __repr__(self) -> str:
        return f"Core({', '.join(f'{k}={v!r}' for k, v in self.keys.items())})"


Share = Annotated[float, Core(strict=True, ge=0, le=1)]
"""A share of a whole, 0 to 1 (``true`` is not a number here, nor is ``"0.2"``)."""
NonNegative = Annotated[float, Core(strict=True, ge=0)]
"""At least 0, ``inf`` included: only for a setting that documents ``inf`` as "never"."""
Finite = Annotated[float, Core(strict=True, ge=0, allow_inf_nan=False)]
"""At least 0 and finite: a threshold compared with, never added to a date."""
Hours = Annotated[float, Core(strict=True, gt=0, le=MAX_HOURS)]
"""A duration in hours, above 0 and at most ten years (``inf`` would crash the ``timedelta``)."""
Minutes = Annotated[float, Core(strict=True, gt=0, le=MAX_MINUTES)]
Days = Annotated[float, Core(strict=True, gt=0, le=MAX_DAYS)]
Count = Annotated[int, Core(strict=True, ge=0)]
"""A whole number of at least 0: ``1.5``, ``1.0`` and ``"3"`` are refused, not rounded."""
AtLeastOne = Annotated[int, Core(strict=True, ge=1)]
"""A whole number of at least 1: a count of runs that must happen before something does."""
LeadDays = Annotated[int, Core(strict=True, ge=0, le=MAX_DAYS)]
"""Whole days before a date, 0 to ten years: the date less the lead must still be a date."""
Bool = Annotated[bool, Core(strict=True)]
"""``true`` or ``false``: TOML has them, so ``1`` and ``"yes"`` are typos, not booleans."""
