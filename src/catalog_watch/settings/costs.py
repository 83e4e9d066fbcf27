"""The ``[costs]`` section of ``catalog-watch.toml``: the workloads to price and the team's usage.

Plain frozen dataclasses, the one settings model the cost functions take: ``config.py``
validates the TOML tables straight into them (pydantic reads ``__pydantic_config__``, so a typo
is refused), and the checks and defaults below are the only ones. ``analysis/`` imports this
module, not pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from catalog_watch.model.catalog import JSON

__all__ = ["DEFAULT_SCENARIOS", "REFERENCE_SCENARIO", "CostSettings", "Scenario", "Usage"]


@dataclass(frozen=True, slots=True, init=False)
class Scenario:
    """A workload: ``count`` requests (or documents, PRs...) of the given size each.

    ``cached_input_tokens`` are part of ``input_tokens`` (the share of the prompt served from the
    provider's cache).

    >>> Scenario("RAG answer", 1000, "requests", 5000, 500).per
    'per 1,000 requests'
    """

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    name: str
    count: int
    unit: str = "requests"  # the default a TOML table without ``unit`` gets
    input_tokens: int  # type: ignore[misc]  # required after a default: see __init__
    output_tokens: int  # type: ignore[misc]
    cached_input_tokens: int = 0

    def __init__(
        self,
        name: str,
        count: int,
        unit: str,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
    ) -> None:
        """Written out because the order (name, count, unit, tokens) reads as a sentence while
        a TOML table may leave ``unit`` out; pydantic fills the fields and calls
        ``__post_init__`` itself, so the defaults above are the TOML's."""
        for name_, value in (
            ("name", name),
            ("count", count),
            ("unit", unit),
            ("input_tokens", input_tokens),
            ("output_tokens", output_tokens),
            ("cached_input_tokens", cached_input_tokens),
        ):
            object.__setattr__(self, name_, value)
        self.__post_init__()

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a scenario needs a name")
        if self.count <= 0:
            raise ValueError(f"scenario {self.name!r}: count must be positive")
        if min(self.input_tokens, self.output_tokens, self.cached_input_tokens) < 0:
            raise ValueError(f"scenario {self.name!r}: token counts cannot be negative")
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError(
                f"scenario {self.name!r}: cached_input_tokens is part of input_tokens "
                "and cannot exceed it"
            )

    @property
    def per(self) -> str:
        return f"per {self.count:,} {self.unit}"

    def to_json(self) -> dict[str, JSON]:
        return {
            "name": self.name,
            "count": self.count,
            "unit": self.unit,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
        }


DEFAULT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("RAG answer", 1_000, "requests", 5_000, 500),
    Scenario("Support ticket triage", 10_000, "requests", 1_000, 100),
    Scenario("Data extraction", 1_000, "documents", 2_000, 500),
    Scenario("Code review", 1_000, "PRs", 8_000, 1_000),
    Scenario("Agent step", 1_000, "steps", 12_000, 600),
)
REFERENCE_SCENARIO = DEFAULT_SCENARIOS[0]
"""The scenario that ranks channels ("cheapest channel") unless told otherwise: RAG answer."""


@dataclass(frozen=True, slots=True)
class Usage:
    """A team's monthly usage of one offering (``provider`` and its own ``model`` id).

    ``cache_read_tokens`` are part of ``input_tokens``, as in :class:`Scenario`. Monthly totals say
    nothing about the size of each prompt, so usage is priced at the base prices: long-context
    tiers are not applied.
    """

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0

    def __post_init__(self) -> None:
        if min(self.input_tokens, self.output_tokens, self.cache_read_tokens) < 0:
            raise ValueError(f"usage of {self.label}: token counts cannot be negative")
        if self.cache_read_tokens > self.input_tokens:
            raise ValueError(
                f"usage of {self.label}: cache_read_tokens is part of input_tokens "
                "and cannot exceed it"
            )

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.model}"


@dataclass(frozen=True, slots=True)
class CostSettings:
    """``[costs]``: the scenarios priced and the one that ranks the cheapest channel.

    ``scenario`` holds the ``[[costs.scenario]]`` tables as written; :attr:`scenarios` is what is
    priced: the standard five (one of the same name replaced in place), then the others; with
    ``replace_standard``, the configured ones only.
    """

    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    reference_scenario: str | None = None
    replace_standard: bool = False
    scenario: tuple[Scenario, ...] = ()
    usage: tuple[Usage, ...] = ()

    def __post_init__(self) -> None:
        names = [s.name for s in self.scenario]
        if len(names) != len(set(names)):
            raise ValueError(f"scenario names must be unique, got {names}")
        if self.replace_standard and not self.scenario:
            raise ValueError("replace_standard = true needs at least one [[costs.scenario]]")
        known = [s.name for s in self.scenarios]
        if self.reference_scenario is not None and self.reference_scenario not in known:
            raise ValueError(
                f"reference_scenario {self.reference_scenario!r} is not a scenario; "
                f"the scenarios are: {', '.join(known)}"
            )

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        if self.replace_standard:
            return self.scenario
        mine = {s.name: s for s in self.scenario}
        standard = tuple(mine.pop(s.name, s) for s in DEFAULT_SCENARIOS)
        return standard + tuple(mine.values())

    @property
    def reference(self) -> Scenario:
        chosen = self.scenarios
        wanted = self.reference_scenario
        return next((s for s in chosen if s.name == wanted), chosen[0])
