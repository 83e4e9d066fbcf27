"""One finding of ``catalog-watch lint``: plain data, so that ``analysis/lint.py`` (which finds
them) and ``render/lint.py`` (which words the report) can both use it without a cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from catalog_watch.model.catalog import JSON

__all__ = ["LINT_KINDS", "LintFinding", "LintKind", "LintLevel"]

LintKind = Literal["unknown", "deprecated", "retiring", "expensive"]
LintLevel = Literal["error", "warning"]
LINT_KINDS: tuple[LintKind, ...] = ("unknown", "deprecated", "retiring", "expensive")


@dataclass(frozen=True, slots=True)
class LintFinding:
    """A model id a pull request adds or changes, and what is wrong with it.

    Attributes:
        path, line, column: where to annotate (1-based; a changed line of the pull request).
        kind: ``unknown`` (resolves to nothing), ``deprecated`` (status deprecated or retired),
            ``retiring`` (a retirement date within the lead time) or ``expensive``.
        id: the model id as written in the code.
        message: the finding in one sentence (``render/lint.py`` words it).
        level: ``error`` when the configuration's ``[lint] errors`` names the kind, else
            ``warning``.
    """

    path: str
    line: int
    column: int
    kind: LintKind
    id: str
    message: str
    level: LintLevel

    def to_json(self) -> dict[str, JSON]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "id": self.id,
            "message": self.message,
            "level": self.level,
        }
