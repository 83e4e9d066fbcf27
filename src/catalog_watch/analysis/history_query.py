"""Asking a history about a model: which offerings its name means, their periods, their prices
on a day and, when nothing matches, why in words and what to try.

Names are resolved as everywhere else (``model_names.py``): ``gemini-3-1-flash-image-preview``
(the group key the site and ``inconsistencies`` print), ``gemini-3.1-flash-image-preview`` and
``vercel/google/gemini-3.1-flash-image-preview`` all mean the same group of offerings, and a name
that means nothing is an error with a "did you mean".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from catalog_watch.analysis.history import (
    PRICE_KEYS,
    History,
    Moment,
    Offering,
    Period,
    field_matcher,
    value_at,
)
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.analysis.model_names import ModelNames, check_provider, no_match_message
from catalog_watch.errors import ConfigError
from catalog_watch.model.catalog import JSON
from catalog_watch.model.timestamps import stamp_of
from catalog_watch.settings.config import Config

PriceRow = tuple[str, str, dict[str, JSON]]
MAX_LISTED = 8


@dataclass(frozen=True, slots=True)
class Answer:
    """``history``'s periods; ``why`` says why there are none."""

    periods: list[Period]
    why: str | None = None


@dataclass(frozen=True, slots=True)
class PriceAnswer:
    """``price-at``'s rows; ``why`` when there are none, ``note`` when they rest on values whose
    start the ledger cannot date."""

    rows: list[PriceRow]
    why: str | None = None
    note: str | None = None


class Query:
    """A model name (or none: every model) and a provider, asked of one history.

    Pass :meth:`select` to ``load_history``: it resolves the name against the offerings the
    history knows, and raises :class:`ConfigError` (with a "did you mean") for a model or a
    provider that is not there.
    """

    def __init__(
        self,
        model: str | None,
        provider: str | None = None,
        *,
        aliases: Mapping[str, str] | None = None,
        index: ModelIndex | None = None,
    ) -> None:
        self.model, self.provider = model, provider
        self.aliases, self.index = aliases, index
        self.members: list[Offering] = []  # the model's offerings (at the provider)
        self.offered_by: list[str] = []  # every provider offering the model

    @classmethod
    def configured(
        cls, model: str | None, provider: str | None, config: Config, index: ModelIndex | None
    ) -> Query:
        """Names as ``show`` reads them: the config's aliases, models.json when given."""
        return cls(model, provider, aliases=config.inconsistencies.aliases, index=index)

    def select(self, offerings: Collection[Offering]) -> set[Offering]:
        if not offerings:
            return set()
        members = sorted(offerings)
        if self.model is not None:
            names = ModelNames.of(offerings, self.aliases, self.index)
            key = names.resolve(self.model)
            if key is None:
                suggestions = names.suggestions(self.model)
                raise ConfigError(no_match_message(self.model, suggestions, "in the history"))
            members = names.members(key)
        self.offered_by = sorted({provider for provider, _ in members})
        if self.provider is not None:
            check_provider(self.provider, (p for p, _ in offerings), "in the history")
            members = [m for m in members if m[0] == self.provider]
        self.members = members
        return set(members)

    def history(self, found: History, field: str | None = None) -> Answer:
        keep = field_matcher(field) if field is not None else None
        chosen = set(self.members)
        periods = [
            p
            for p in found.periods
            if (p.provider, p.model) in chosen and (keep is None or keep(p.field))
        ]
        if periods:
            return Answer(periods)
        why = self._unknown(found)
        if why is None and field is not None:
            why = (
                f"{self._what()} has no field {field!r} in the history: fields are dotted "
                "paths (cost.input, limit.context) and a prefix (cost) takes them all"
            )
        return Answer([], why or f"nothing is recorded for {self._what()}")

    def price(self, found: History, when: Moment) -> PriceAnswer:
        at = stamp_of(when)
        rows = price_at(found, when, self.members)
        if rows:
            return PriceAnswer(rows, note=_undated_note(found, at, rows))
        return PriceAnswer([], why=self._unknown(found) or self._not_offered(found, at))

    def _unknown(self, found: History) -> str | None:
        """Why the history has nothing to say about the model at all, if it has not."""
        if not found.lives:
            return _nothing_to_read(found)
        if not self.members and self.provider is not None:
            offered = _listed(self.offered_by)
            return (
                f"{self.provider} does not offer {self.model} (offered by {offered}); "
                "drop --provider or name one of them"
            )
        return None

    def _not_offered(self, found: History, at: str) -> str:
        """Why no offering of the model was offered at ``at``: before the history, before the
        model came, after it went, or between two of its lives."""
        lives = [life for member in self.members for life in found.lives.get(member, ())]
        starts = [start for start, _ in lives if start is not None]
        ends = [end for _, end in lives if end is not None]
        what, day = self._what(), _day(at)
        if found.begins is not None and at < found.begins:
            first = _day(found.begins)
            return f"{day} is before the history begins ({first}, the first snapshot commit)"
        if lives and len(starts) == len(lives) and at < min(starts):
            return f"{what} was first offered on {_day(min(starts))}"
        if lives and len(ends) == len(lives) and at >= max(ends):
            return f"{what} was no longer offered on {day}: removed on {_day(max(ends))}"
        return f"no offering of {what} was offered on {day}; `history` shows when each was"

    def _what(self) -> str:
        model = self.model or "any model"
        return f"{model} at {self.provider}" if self.provider else model


def price_at(
    found: History, when: Moment, offerings: Collection[Offering] | None = None
) -> list[PriceRow]:
    """(provider, model id, prices) for every offering (of ``offerings``) offered at ``when``.

    ``prices`` always has ``cost.input``, ``cost.output`` and ``cost.cache_read`` (None: no such
    price at that moment), plus any other ``cost.*`` field in effect. An offering without any
    price is listed too: it was offered.
    """
    at = stamp_of(when)
    live = found.offered_at(at, offerings)
    rows = {offering: dict.fromkeys(PRICE_KEYS) for offering in live}
    for p in value_at(found.periods, at):
        prices = rows.get((p.provider, p.model))
        if prices is not None and p.field.startswith("cost."):
            prices[p.field] = p.value
    return [(provider, model, rows[(provider, model)]) for provider, model in live]


def filter_periods(
    periods: Iterable[Period],
    *,
    model: str | None = None,
    provider: str | None = None,
    field: str | None = None,
) -> list[Period]:
    """The periods of the offerings ``model`` names (every model when None), of ``provider``,
    of ``field`` (or a dotted prefix); nothing when the name matches nothing."""
    periods = list(periods)
    query = Query(model, provider)
    try:
        query.select({(p.provider, p.model) for p in periods})
    except ConfigError:
        return []
    return query.history(_bare(periods), field).periods


def _bare(periods: list[Period]) -> History:
    lives = {(p.provider, p.model): ((None, None),) for p in periods}
    return History(periods, lives, "periods", "", None, None, True)


def _nothing_to_read(found: History) -> str:
    if found.source == "git":
        return (
            f"no commit touches {found.folder}: not the snapshot folder, or a shallow checkout "
            "(actions/checkout needs fetch-depth: 0); check --repo, --snapshots and --ref"
        )
    return (
        f"no history yet: {found.folder} holds no snapshot and no changes.jsonl "
        "(has `catalog-watch run` written there? check --repo and --snapshots); "
        "--from-git reads the folder's git history"
    )


def _undated_note(found: History, at: str, rows: list[PriceRow]) -> str | None:
    """A note when the answer rests on values held "since before the history" and ``at`` may
    come before the first run, which the ledger does not date."""
    if found.source != "ledger" or (found.first_dated is not None and at >= found.first_dated):
        return None
    offered = {(provider, model) for provider, model, _ in rows}
    undated = any(start is None for o in offered for start, _ in found.lives.get(o, ()))
    if not undated:
        return None
    if found.first_dated is None:
        return (
            "the ledger has no change yet: these are the snapshot's prices, held since the first "
            "run (its date is not kept); --from-git dates them"
        )
    return (
        f"the ledger begins on {_day(found.first_dated)}: before it, these are the first prices "
        "it knows, held since the first run (its date is not kept); --from-git dates them"
    )


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown or "nobody"


def _day(stamp: str) -> str:
    """``2026-11-10`` at midnight UTC and for a day's last second, ``2026-11-10 10:17 UTC``."""
    day, _, clock = stamp.rstrip("Z").partition("T")
    return day if clock in ("", "00:00:00", "23:59:59") else f"{day} {clock[:5]} UTC"
