"""The current catalog as the model pages need it: group keys, cards, page file names.

Group keys come from ``consistency.group_offerings`` (the id rule, models.json, the configured
aliases), so a model page is the group ``catalog-watch show`` and the inconsistency report use.
An offering the ledger knows but the current catalog no longer has gets its key from the same
function, run over just those ledger offerings (the rules look at one offering at a time).

Cards are ``model_card.model_card``'s, made fast for hundreds of pages: the card is computed on
a catalog of the group's own offerings (the table, cheapest channel and scenario costs only read
those), and its inconsistencies are then replaced by those one ``find_inconsistencies`` pass over
the whole catalog found for the group, which is exactly what ``model_card`` keeps (the whole
catalog matters there: the free-provider rule looks at every model of a provider). The test
checks the result equals ``model_card`` on the whole catalog. So a card follows from those
offerings, those findings and the settings alone: :meth:`Models.card_digest` hashes just that,
and a rebuild computes the cards of the pages it renders only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Sequence

from catalog_watch.analysis.consistency import (
    ConsistencySettings,
    Inconsistency,
    ModelIndex,
    find_inconsistencies,
    group_offerings,
)
from catalog_watch.analysis.cost import Scenario
from catalog_watch.analysis.model_card import ModelCard, model_card
from catalog_watch.model.catalog import Catalog, Provider, Record, reserved_on_windows
from catalog_watch.site.digest import digest, token

_SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*")
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
MAX_SLUG = 100


def slug(key: str) -> str:
    """A file name for a group key: the key itself when it is safe, else a cleaned form plus a
    hash of the key (``<``, ``/``, ``:`` never reach the file system; no two keys collide; a
    Windows device name such as ``con`` gets the hashed form too)."""
    if len(key) <= MAX_SLUG and _SAFE_SLUG.fullmatch(key) and not reserved_on_windows(key):
        return key
    cleaned = _UNSAFE.sub("-", key.lower()).strip("-._")[:80] or "model"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{cleaned}-{digest}"


class Models:
    """Group keys and cards of the current catalog, for ledger offerings too."""

    def __init__(
        self,
        catalog: Catalog,
        ledger_offerings: Iterable[tuple[str, str]],
        *,
        settings: ConsistencySettings,
        index: ModelIndex | None,
        scenarios: Sequence[Scenario],
        reference: Scenario,
    ) -> None:
        self.catalog = catalog
        self.settings, self.index = settings, index
        self.scenarios, self.reference = scenarios, reference
        self.groups = group_offerings(catalog, settings, index)
        self._keys = {member: key for key, members in self.groups.items() for member in members}
        missing = sorted(set(ledger_offerings) - self._keys.keys())
        for key, members in group_offerings(_bare_catalog(missing), settings, index).items():
            self._keys.update(dict.fromkeys(members, key))
        self._found: dict[str, list[Inconsistency]] = {}
        for item in find_inconsistencies(catalog, settings, index):
            self._found.setdefault(item.model, []).append(item)
        self._settings = digest(repr(settings), repr(scenarios), repr(reference), _index(index))

    def key_of(self, provider: str, model_id: str) -> str:
        key = self._keys.get((provider, model_id))
        if key is None:  # an offering seen neither in the catalog nor in the ledger
            bare = _bare_catalog([(provider, model_id)])
            key = next(iter(group_offerings(bare, self.settings, self.index)))
        return key

    def members(self, key: str) -> list[tuple[str, str]]:
        return self.groups.get(key, [])

    def card_digest(self, key: str) -> str:
        """What :meth:`card` reads: the group's offerings (with their providers' own fields),
        the inconsistencies found for it and the settings."""
        providers = self.catalog.providers
        offerings = [
            (p, m, providers[p].info, providers[p].models[m]) for p, m in self.members(key)
        ]
        found = [item.to_json() for item in self._found.get(key, ())]
        return digest(key, self._settings, token(offerings), token(found))

    def card(self, key: str) -> ModelCard | None:
        """``model_card(catalog, key, ...)``, None when the current catalog lacks the model."""
        members = self.members(key)
        if not members:
            return None
        card = model_card(
            _sub_catalog(self.catalog, members),
            key,
            self.settings,
            self.index,
            scenarios=self.scenarios,
            reference=self.reference,
        )
        if card is None or card.model != key:  # cannot happen: a group key resolves to itself
            return model_card(
                self.catalog,
                key,
                self.settings,
                self.index,
                scenarios=self.scenarios,
                reference=self.reference,
            )
        return dataclasses.replace(card, inconsistencies=tuple(self._found.get(key, ())))


def _sub_catalog(catalog: Catalog, members: Sequence[tuple[str, str]]) -> Catalog:
    providers: dict[str, Provider] = {}
    for provider_id, model_id in members:
        full = catalog.providers[provider_id]
        models = dict(providers[provider_id].models) if provider_id in providers else {}
        models[model_id] = full.models[model_id]
        providers[provider_id] = Provider(id=full.id, info=full.info, models=models)
    return Catalog(providers=providers, source=catalog.source)


def _bare_catalog(offerings: Iterable[tuple[str, str]]) -> Catalog:
    """Offerings without records: enough for ``group_offerings``, which reads only the ids."""
    models: dict[str, dict[str, Record]] = {}
    for provider_id, model_id in offerings:
        models.setdefault(provider_id, {})[model_id] = {}
    return Catalog(providers={p: Provider(id=p, info={}, models=m) for p, m in models.items()})


def _index(index: ModelIndex | None) -> str:
    """A models.json index in words that do not depend on the process (a frozenset's order
    does)."""
    if index is None:
        return ""
    maps = [sorted(index.canonical.items()), sorted(index.raw.items())]
    return repr([*maps, sorted(index.lab_prefixed.items()), sorted(index.ambiguous)])
