"""The shrink guard: refuse a catalog that lost too much at once.

Upstream builds fail in ways that still return valid JSON: a provider directory missing, half a
catalog. Committing that would record hundreds of false removals (and alert on them), so a new
catalog that loses more than a set share of the offerings, or drops providers that held more
than that share, is refused unless the operator says ``--allow-shrink``.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog_watch.errors import ConfigError, ShrinkRefused
from catalog_watch.model.catalog import Catalog, Record

DEFAULT_MAX_SHRINK = 0.20


def check_shrink(old: Catalog, new: Catalog, max_share: float = DEFAULT_MAX_SHRINK) -> None:
    """Raise :class:`ShrinkRefused` when ``new`` lost too much of ``old``, saying what was lost
    and what was added (a catalog that renamed its ids loses many and grows all the same).

    ``max_share`` outside 0 to 1 raises :class:`ConfigError`: every comparison with NaN is
    false, so a NaN limit would let any loss through, and 5 or ``inf`` would too."""
    if not 0 <= max_share <= 1:
        raise ConfigError(
            f"{new.source}: shrink guard limit {max_share!r} is not a share from 0 to 1 "
            "([guard] max_shrink, --max-shrink)"
        )
    total = old.offering_count
    if total == 0:
        return
    lost = sum(
        1
        for provider_id, provider in old.providers.items()
        for model_id in provider.models
        if model_id not in _models(new, provider_id)
    )
    dropped = sorted(set(old.providers) - set(new.providers))
    dropped_offerings = sum(len(old.providers[p].models) for p in dropped)
    problems = []
    if lost / total > max_share:
        problems.append(
            f"{lost:,} of the {total:,} offerings ({lost / total:.1%}) {_are(lost)} gone"
        )
    if dropped_offerings / total > max_share:
        names = ", ".join(dropped[:10]) + (" …" if len(dropped) > 10 else "")
        problems.append(
            f"{_count(len(dropped), 'provider')} holding {_count(dropped_offerings, 'offering')} "
            f"({dropped_offerings / total:.1%}) {_are(len(dropped))} gone: {names}"
        )
    if problems:
        raise ShrinkRefused(
            f"{new.source}: refusing to write: {'; '.join(problems)}; {_added(old, new)} "
            f"({total:,} → {new.offering_count:,} offerings); the limit is {max_share:.0%}. "
            f"{_advice(old, new)}"
        )


def _models(catalog: Catalog, provider_id: str) -> Mapping[str, Record]:
    provider = catalog.providers.get(provider_id)
    return provider.models if provider is not None else {}


def _added(old: Catalog, new: Catalog) -> str:
    """What the new catalog holds that the old one did not: offerings, and new providers."""
    added = sum(
        1
        for provider_id, provider in new.providers.items()
        for model_id in provider.models
        if model_id not in _models(old, provider_id)
    )
    fresh = len(set(new.providers) - set(old.providers))
    where = f" ({_count(fresh, 'new provider')})" if fresh else ""
    if not added:
        return "none was added"
    return f"{_count(added, 'offering')} {'was' if added == 1 else 'were'} added{where}"


def _are(number: int) -> str:
    return "is" if number == 1 else "are"


def _advice(old: Catalog, new: Catalog) -> str:
    if new.offering_count >= old.offering_count:
        return (
            "The catalog grew overall: if those removals are real (ids renamed or dropped "
            "upstream), run again with --allow-shrink."
        )
    return "If the catalog really shrank, run again with --allow-shrink."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
