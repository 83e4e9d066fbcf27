"""Bounds on a settings field, written in ``Annotated`` metadata that pydantic reads when a config
file is validated, so the settings dataclasses need no pydantic import of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

__all__ = ["Bool", "Core", "Count", "NonNegative", "Positive", "Share"]


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
Positive = Annotated[float, Core(strict=True, gt=0)]
Count = Annotated[int, Core(strict=True, ge=0)]
"""A whole number of at least 0: ``1.5``, ``1.0`` and ``"3"`` are refused, not rounded."""
Bool = Annotated[bool, Core(strict=True)]
"""``true`` or ``false``: TOML has them, so ``1`` and ``"yes"`` are typos, not booleans."""
