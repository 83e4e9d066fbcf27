"""How much a change or an inconsistency matters to someone who pays for LLM calls."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """Ordered from most to least urgent; ``rank`` sorts them (0 = most urgent)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}
