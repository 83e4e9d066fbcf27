"""What a model named on the command line means: one rule for ``show``, ``history``,
``price-at`` and ``inconsistencies --model``, and one "did you mean" when it means nothing.

A name is resolved to a group key (``grouping.py``: the id rule, models.json when given, the
configured aliases), so every command answers about the same set of offerings. A query may be,
tried in this order:

1. a group key, as the inconsistency report and the site print it
   (``gemini-3-1-flash-image-preview``);
2. ``<provider>/<model id>``, one offering (``openrouter/google/gemini-2.5-flash``): its group;
3. a model id as some provider spells it (``google/gemini-2.5-flash``, ``gemini-2.5-flash``);
   when several groups hold that id, the one holding it most often;
4. with models.json, a canonical id (``google/gemini-2.5-flash``);
5. anything that normalizes to a group key (``Gemini-2.5-Flash``, ``any-router/gemini-2.5-flash``).

Case does not matter.

>>> names = ModelNames.of([("google", "gemini-3.1-flash"), ("vercel", "google/gemini-3.1-flash")])
>>> names.members(names.resolve("gemini-3-1-flash") or "")
[('google', 'gemini-3.1-flash'), ('vercel', 'google/gemini-3.1-flash')]
>>> names.resolve("gemini-3.1-flash") == names.resolve("vercel/google/gemini-3.1-flash")
True
>>> names.suggestions("gemini-3.1-flsh")
['gemini-3-1-flash']
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from catalog_watch.analysis.identity import ModelIndex, group_offering_ids, normalize_model_id
from catalog_watch.errors import ConfigError

__all__ = ["MAX_SUGGESTIONS", "ModelNames", "check_provider", "no_match_message"]

MAX_SUGGESTIONS = 5
Offering = tuple[str, str]


class ModelNames:
    """The group keys of a set of offerings, and the queries that name them."""

    def __init__(
        self, groups: Mapping[str, Sequence[Offering]], index: ModelIndex | None = None
    ) -> None:
        self.groups = groups
        self.index = index
        self._group_of = {member: key for key, members in groups.items() for member in members}
        self._lowered: dict[Offering, list[Offering]] = {}
        self._by_id: dict[str, Counter[str]] = {}  # lowered model id -> its groups, counted
        for provider, model_id in sorted(self._group_of):
            self._lowered.setdefault((provider.lower(), model_id.lower()), []).append(
                (provider, model_id)
            )
            group = self._group_of[provider, model_id]
            self._by_id.setdefault(model_id.lower(), Counter())[group] += 1

    @classmethod
    def of(
        cls,
        offerings: Iterable[Offering],
        aliases: Mapping[str, str] | None = None,
        index: ModelIndex | None = None,
    ) -> ModelNames:
        """Names for any offerings (a history's, not only a catalog's)."""
        return cls(group_offering_ids(offerings, aliases, index), index)

    def members(self, key: str) -> list[Offering]:
        return list(self.groups.get(key, ()))

    def resolve(self, query: str) -> str | None:
        """The group key ``query`` names (rules in the module docstring), or None."""
        text = query.strip()
        if not text:
            return None
        lowered = text.lower()
        if lowered in self.groups:
            return lowered
        found = self._offering(text) or self._by_model_id(lowered)
        if found is not None:
            return found
        canonical = self.index.raw.get(lowered) if self.index is not None else None
        if canonical is not None and canonical in self.groups:
            return canonical
        normalized = normalize_model_id(text)
        return normalized if normalized in self.groups else None

    def suggestions(self, query: str, n: int = MAX_SUGGESTIONS) -> list[str]:
        """Up to ``n`` group keys that look like ``query``, closest first (each a valid query)."""
        wanted = normalize_model_id(query.strip())
        return difflib.get_close_matches(wanted, list(self.groups), n=n, cutoff=0.6)

    def spelling(self, key: str) -> str:
        """The model id the group's offerings use most, as code writes it: ``gpt-4.1-mini`` for
        the group key ``gpt-4-1-mini``. A gateway's ``openai/gpt-4.1-mini`` counts only when no
        offering spells the id without a prefix (ties: the first in order)."""
        counts = Counter(model_id for _, model_id in self.groups.get(key, ()))
        plain = [model_id for model_id in counts if "/" not in model_id] or list(counts)
        return min(plain, key=lambda model_id: (-counts[model_id], model_id)) if plain else key

    def _offering(self, text: str) -> str | None:
        """``<provider>/<model id>``: the exact offering, else the first one equal but for case."""
        provider, _, model_id = text.partition("/")
        if not model_id:
            return None
        if (provider, model_id) in self._group_of:
            return self._group_of[provider, model_id]
        same = self._lowered.get((provider.lower(), model_id.lower()))
        return self._group_of[same[0]] if same else None

    def _by_model_id(self, lowered: str) -> str | None:
        """The group holding the model id ``lowered`` most often (ties: the first key)."""
        counts = self._by_id.get(lowered)
        return min(counts, key=lambda group: (-counts[group], group)) if counts else None


def no_match_message(query: str, suggestions: Sequence[str], where: str | None = None) -> str:
    """``no model matches 'x'; did you mean: a, b?`` (or a hint when there is nothing close).

    ``where`` names what was searched (``in the ledger and the snapshot``), said after the query.
    """
    head = f"no model matches {query!r}" + (f" {where}" if where else "")
    if suggestions:
        return f"{head}; did you mean: {', '.join(suggestions)}?"
    return f"{head}; try a group key from `catalog-watch inconsistencies` or <provider>/<model id>"


def check_provider(provider: str, known: Iterable[str], where: str) -> None:
    """A :class:`ConfigError` with a "did you mean" unless ``provider`` is one of ``known``."""
    ids = sorted(set(known))
    if provider in ids:
        return
    close = difflib.get_close_matches(provider, ids, n=3, cutoff=0.6)
    hint = f"did you mean: {', '.join(close)}?" if close else "provider ids are lowercase"
    raise ConfigError(f"no provider {provider!r} {where}; {hint}")
