"""The shrink guard: refuse a catalog that lost too much at once.

Upstream builds fail in ways that still return valid JSON: a provider directory missing, half a
catalog. Committing that would record hundreds of false removals (and alert on them), so a new
catalog that loses more than a set share of the offerings, or drops providers that held more
than that share, is refused unless the operator says ``--allow-shrink``.
"""

from __future__ import annotations

from catalog_watch.catalog import Catalog
from catalog_watch.errors import ShrinkRefused

DEFAULT_MAX_SHRINK = 0.20


def check_shrink(old: Catalog, new: Catalog, max_share: float = DEFAULT_MAX_SHRINK) -> None:
    """Raise :class:`ShrinkRefused`, with the numbers, when ``new`` lost too much of ``old``."""
    total = old.offering_count
    if total == 0:
        return
    lost = 0
    for provider_id, provider in old.providers.items():
        survivor = new.providers.get(provider_id)
        kept = survivor.models if survivor is not None else {}
        lost += sum(1 for model_id in provider.models if model_id not in kept)
    dropped = sorted(set(old.providers) - set(new.providers))
    dropped_offerings = sum(len(old.providers[p].models) for p in dropped)
    problems = []
    if lost / total > max_share:
        problems.append(
            f"{lost} of {total} offerings ({lost / total:.1%}) are gone "
            f"({total} → {new.offering_count})"
        )
    if dropped_offerings / total > max_share:
        names = ", ".join(dropped[:10]) + (" …" if len(dropped) > 10 else "")
        problems.append(
            f"{len(dropped)} providers holding {dropped_offerings} offerings "
            f"({dropped_offerings / total:.1%}) are gone: {names}"
        )
    if problems:
        raise ShrinkRefused(
            f"{new.source}: refusing to write: {'; '.join(problems)}; the limit is "
            f"{max_share:.0%}. If the catalog really shrank, run again with --allow-shrink."
        )
