"""What ``catalog-watch lint`` finds in the model ids a pull request adds or changes. Pure.

The uses come from a scan of the changed files' new text (``scan.scan_source``) and the lines
come from the diff; this module keeps the uses on added lines, resolves them
(``analysis/usage.resolve_uses``) and judges each one:

* **unknown**: the id resolves to nothing in the catalog (the message says "did you mean");
* **deprecated**: every offering it can mean has ``status = "deprecated"`` or a retirement date
  (LiteLLM's ``deprecation_date``, OpenRouter's ``expiration_date``) on or before today;
* **retiring**: every offering it can mean retires within ``lead_days`` (the latest date is
  said): one channel that stays is a way out, so a model still sold elsewhere is not flagged;
* **expensive**: the id names one offering (``azure/gpt-4o``, or ``gpt-4o`` in a
  ``ChatOpenAI`` call) whose cost for the reference scenario is more than ``expensive_ratio``
  times the cheapest paid channel of the same model. An id that names the model only (any
  channel) is not judged on cost.

A constant (``MODEL = "gpt-4o"`` used as ``model=MODEL``) is kept when its definition or one of
its uses is on an added line; it is annotated at the definition when that line changed, else at
the first changed use (column 1).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog_watch.analysis.cheapest import cheapest_offer
from catalog_watch.analysis.consistency import (
    DEFAULT_SETTINGS,
    ConsistencySettings,
    group_offerings,
)
from catalog_watch.analysis.cost import REFERENCE_SCENARIO, Scenario, scenario_cost
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.usage import OfferingFacts, ResolvedUse, resolve_uses
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.lint import LINT_KINDS, LintFinding, LintKind, LintLevel
from catalog_watch.model.usage import Use
from catalog_watch.render.lint import (
    constant_note,
    deprecated_message,
    expensive_message,
    retiring_message,
    unknown_message,
)

__all__ = ["LINT_KINDS", "LintFinding", "LintRules", "changed_place", "lint_uses", "retires_on"]


@dataclass(frozen=True, slots=True)
class LintRules:
    """The ``[lint]`` section as plain values (no pydantic in analysis), and the day to judge
    retirement dates at."""

    today: date
    errors: frozenset[str] = frozenset({"unknown", "deprecated"})
    lead_days: int = 30
    expensive_ratio: float = 3.0
    reference: Scenario = REFERENCE_SCENARIO

    def level(self, kind: LintKind) -> LintLevel:
        return "error" if kind in self.errors else "warning"


@dataclass(frozen=True, slots=True)
class _Place:
    path: str
    line: int
    column: int


def lint_uses(
    uses: Iterable[Use],
    added: Mapping[str, Collection[int]],
    catalog: Catalog,
    rules: LintRules,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> list[LintFinding]:
    """The findings for the uses on ``added`` lines (path → added line numbers), sorted by
    place then kind."""
    placed = [(use, place) for use in uses if (place := changed_place(use, added)) is not None]
    if not placed:
        return []
    resolved = resolve_uses([use for use, _ in placed], catalog, settings, index)
    groups = group_offerings(catalog, settings, index)
    found: list[LintFinding] = []
    for (_, place), item in zip(placed, resolved, strict=True):
        members = groups.get(item.resolution.group or "", ())
        for kind, message in _judge(item, catalog, members, rules):
            text = _where(item.use, place) + message
            found.append(
                LintFinding(
                    place.path,
                    place.line,
                    place.column,
                    kind,
                    item.use.text,
                    text,
                    rules.level(kind),
                )
            )
    return sorted(found, key=lambda f: (f.path, f.line, f.column, LINT_KINDS.index(f.kind), f.id))


def changed_place(use: Use, added: Mapping[str, Collection[int]]) -> _Place | None:
    """Where to annotate ``use`` when the pull request touched it, else None."""
    if use.line in added.get(use.path, ()):
        return _Place(use.path, use.line, use.column)
    for where in use.used_at:
        path, _, line = where.rpartition(":")
        if line.isdigit() and int(line) in added.get(path, ()):
            return _Place(path, int(line), 1)
    return None


def retires_on(facts: OfferingFacts) -> date | None:
    """The offering's retirement day, when its record gives one that reads as a date."""
    text = facts.deprecation_date
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _judge(
    item: ResolvedUse, catalog: Catalog, members: Sequence[tuple[str, str]], rules: LintRules
) -> list[tuple[LintKind, str]]:
    text, offerings = item.use.text, item.offerings
    if not offerings:
        return [("unknown", unknown_message(text, item.resolution.suggestions))]
    found: list[tuple[LintKind, str]] = []
    retired = [_retired(facts, rules.today) for facts in offerings]
    days = [retires_on(facts) for facts in offerings]
    if all(retired):
        found.append(("deprecated", deprecated_message(text, offerings[0], days[0], rules.today)))
    elif all(d is not None for d in days):
        last = max(d for d in days if d is not None)
        if (last - rules.today).days <= rules.lead_days:  # today + lead could pass date.max
            at = offerings[days.index(last)]
            found.append(("retiring", retiring_message(text, at, last, rules.today)))
    if len(offerings) == 1:
        expensive = _expensive(item, catalog, members, rules)
        if expensive is not None:
            found.append(("expensive", expensive))
    return found


def _retired(facts: OfferingFacts, today: date) -> bool:
    day = retires_on(facts)
    return facts.status == "deprecated" or (day is not None and day <= today)


def _expensive(
    item: ResolvedUse, catalog: Catalog, members: Sequence[tuple[str, str]], rules: LintRules
) -> str | None:
    facts = item.offerings[0]
    record = catalog.record(facts.provider, facts.model_id)
    cost = scenario_cost(record, rules.reference) if record is not None else None
    cheapest = cheapest_offer(catalog, members, rules.reference) if members else None
    if cost is None or cheapest is None or cheapest.label == facts.label:
        return None
    ratio = cost / cheapest.cost
    if ratio <= Decimal(str(rules.expensive_ratio)):
        return None
    return expensive_message(item.use.text, facts, cost, cheapest, ratio)


def _where(use: Use, place: _Place) -> str:
    """A constant's finding names it, and its definition when annotated at a use."""
    if use.how != "constant":
        return ""
    at_definition = (place.path, place.line) == (use.path, use.line)
    return constant_note(use.via, None if at_definition else use.where)
