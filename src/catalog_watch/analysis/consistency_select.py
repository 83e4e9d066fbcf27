"""Which inconsistencies ``catalog-watch inconsistencies`` keeps: ``--severity`` (that severity
or a more urgent one), ``--provider`` (the findings one of its offerings takes part in) and
``--model`` (one group, named as ``show`` names it: ``model_names.py``).

>>> from catalog_watch.model.severity import Severity
>>> found = [Inconsistency("k:a:f", "k", "a", "f", {"acme/a-1": 1, "beta/a": 2}, Severity.LOW)]
>>> select_inconsistencies(found, severity=Severity.MEDIUM)
[]
>>> [i.id for i in select_inconsistencies(found, provider="beta", group="a")]
['k:a:f']
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.severity import Severity

__all__ = ["providers_of", "select_inconsistencies"]


def select_inconsistencies(
    found: Iterable[Inconsistency],
    *,
    severity: Severity | None = None,
    provider: str | None = None,
    group: str | None = None,
) -> list[Inconsistency]:
    """The findings that pass every filter given, in their order (most severe first)."""
    return [
        item
        for item in found
        if (severity is None or item.severity.rank <= severity.rank)
        and (provider is None or provider in providers_of(item))
        and (group is None or item.model == group)
    ]


def providers_of(item: Inconsistency) -> set[str]:
    """The providers whose offerings (``values``' ``<provider>/<model id>`` keys) take part."""
    return {label.partition("/")[0] for label in item.values}
