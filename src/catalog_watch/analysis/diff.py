"""Two catalogs → the list of field-level changes between them.

A keyed walk (provider → model → field) rather than one DeepDiff of the whole document: it
is about 40 times faster on real catalogs and reports each change where a reader looks. Within
a record, list values (``cost.tiers``, ``reasoning_options``) are compared with DeepDiff ignoring
order, the one place where its semantics beat ``==``.
"""

from __future__ import annotations

import fnmatch
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from catalog_watch.model.catalog import JSON, Catalog, Record
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.json_text import is_number
from catalog_watch.model.severity import Severity

DEFAULT_IGNORED_FIELDS: tuple[str, ...] = ("last_updated",)

CAPABILITY_FIELDS = frozenset(
    {
        "attachment",
        "reasoning",
        "tool_call",
        "structured_output",
        "temperature",
        "open_weights",
        "interleaved",
        "reasoning_options",
    }
)
MODALITY_FIELDS = frozenset({"modalities.input", "modalities.output"})
LIMIT_DROP_HIGH = 0.01
"""The share of a limit it must lose to be a high-severity change (1 %)."""
PROVIDER_KEY_FIELDS = frozenset({"api", "npm", "env"})
"""Provider fields that break a caller's setup when they change (base URL, SDK, key variable)."""


def diff_catalogs(
    old: Catalog, new: Catalog, ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS
) -> list[Change]:
    """Every change from ``old`` to ``new``, sorted by provider, model and field."""
    ignored = _IgnoreRule(ignore_fields)
    changes: list[Change] = []
    for provider_id in sorted(set(old.providers) | set(new.providers)):
        before = old.providers.get(provider_id)
        after = new.providers.get(provider_id)
        if before is None and after is not None:
            changes.append(_whole(ChangeKind.PROVIDER_ADDED, provider_id, None, None, after.info))
            changes.extend(_models_added(provider_id, after.models, after.models))
        elif after is None and before is not None:
            changes.append(
                _whole(ChangeKind.PROVIDER_REMOVED, provider_id, None, before.info, None)
            )
            changes.extend(_models_removed(provider_id, before.models, before.models))
        elif before is not None and after is not None:
            changes.extend(_provider_changes(provider_id, before.info, after.info, ignored))
            changes.extend(_model_changes(provider_id, before.models, after.models, ignored))
    return sorted(changes, key=_SORT_KEY)


_SORT_KEY = operator.attrgetter("sort_key")


def _model_changes(
    provider_id: str,
    before: Mapping[str, Record],
    after: Mapping[str, Record],
    ignored: _IgnoreRule,
) -> Iterator[Change]:
    yield from _models_removed(provider_id, before, [m for m in before if m not in after])
    yield from _models_added(provider_id, after, [m for m in after if m not in before])
    for model_id in before.keys() & after.keys():
        old_record, new_record = before[model_id], after[model_id]
        if old_record == new_record:
            continue
        yield from _record_changes(provider_id, model_id, old_record, new_record, ignored)


def _models_added(
    provider_id: str, models: Mapping[str, Record], ids: Iterable[str]
) -> Iterator[Change]:
    for model_id in ids:
        yield _whole(ChangeKind.MODEL_ADDED, provider_id, model_id, None, models[model_id])


def _models_removed(
    provider_id: str, models: Mapping[str, Record], ids: Iterable[str]
) -> Iterator[Change]:
    for model_id in ids:
        yield _whole(ChangeKind.MODEL_REMOVED, provider_id, model_id, models[model_id], None)


def _whole(kind: ChangeKind, provider: str, model: str | None, old: JSON, new: JSON) -> Change:
    return Change(kind, provider, model, None, _plain(old), _plain(new), _WHOLE_SEVERITY[kind])


_WHOLE_SEVERITY = {
    ChangeKind.PROVIDER_ADDED: Severity.LOW,
    ChangeKind.PROVIDER_REMOVED: Severity.HIGH,
    ChangeKind.MODEL_ADDED: Severity.LOW,
    ChangeKind.MODEL_REMOVED: Severity.HIGH,
}


def _provider_changes(
    provider_id: str, before: Record, after: Record, ignored: _IgnoreRule
) -> Iterator[Change]:
    for field, old, new in _changed_leaves(before, after, ignored.at_provider):
        top = field.split(".", 1)[0]
        severity = Severity.MEDIUM if top in PROVIDER_KEY_FIELDS else Severity.INFO
        yield Change(ChangeKind.PROVIDER_CHANGED, provider_id, None, field, old, new, severity)


def _record_changes(
    provider_id: str, model_id: str, before: Record, after: Record, ignored: _IgnoreRule
) -> Iterator[Change]:
    for field, old, new in _changed_leaves(before, after, ignored):
        yield classify(provider_id, model_id, field, old, new)


def classify(provider: str, model: str, field: str, old: JSON, new: JSON) -> Change:
    """Turn one changed leaf of an offering into a typed change with its severity."""
    if field.startswith("cost.") or (field.startswith("experimental.modes.") and ".cost." in field):
        pct = change_pct(old, new)
        return Change(
            ChangeKind.PRICE_CHANGED,
            provider,
            model,
            field,
            old,
            new,
            _price_severity(old, new, pct),
            pct,
        )
    if field.startswith("limit."):
        return Change(
            ChangeKind.LIMIT_CHANGED, provider, model, field, old, new, _limit_severity(old, new)
        )
    if field in MODALITY_FIELDS:
        added = tuple(sorted(set(new or ()) - set(old or ())))
        removed = tuple(sorted(set(old or ()) - set(new or ())))
        severity = Severity.HIGH if removed else Severity.LOW
        return Change(
            ChangeKind.MODALITY_CHANGED,
            provider,
            model,
            field,
            old,
            new,
            severity,
            None,
            added,
            removed,
        )
    if field.split(".", 1)[0] in CAPABILITY_FIELDS:
        lost = old is True and new is not True
        severity = Severity.HIGH if lost else Severity.LOW
        return Change(ChangeKind.CAPABILITY_CHANGED, provider, model, field, old, new, severity)
    if field == "status":
        severity = Severity.HIGH if new == "deprecated" else Severity.MEDIUM
        return Change(ChangeKind.STATUS_CHANGED, provider, model, field, old, new, severity)
    return Change(ChangeKind.METADATA_CHANGED, provider, model, field, old, new, Severity.INFO)


def change_pct(old: JSON, new: JSON) -> float | None:
    """Relative change in percent, rounded to 2 decimals; None when it has no meaning, or is
    past a float (``1e-300`` → ``1e308``: ``inf``, which JSON cannot write and ``json`` wrote
    ``Infinity`` into the ledger)."""
    if not (is_number(old) and is_number(new)) or old == 0:
        return None
    pct = float(new - old) / float(old) * 100
    return round(pct, 2) + 0.0 if math.isfinite(pct) else None  # + 0.0 turns -0.0 into 0.0


def _price_severity(old: JSON, new: JSON, pct: float | None) -> Severity:
    if old is None or new is None:
        return Severity.MEDIUM  # a price appeared or vanished: costs are now unknown or new
    if pct is None:
        # from 0 (free) to paid is the largest increase there is; lists (tiers) need a look
        return Severity.HIGH if is_number(new) and new > 0 else Severity.MEDIUM
    if pct > 0:
        return Severity.HIGH
    return Severity.LOW if pct < 0 else Severity.INFO


def _limit_severity(old: JSON, new: JSON) -> Severity:
    """A window that shrinks by :data:`LIMIT_DROP_HIGH` or more is high; a smaller drop
    (65,536 → 65,000: the same window written another way) and any increase are low."""
    if is_number(old) and is_number(new):
        return Severity.HIGH if old - new >= old * LIMIT_DROP_HIGH and new < old else Severity.LOW
    return Severity.MEDIUM


def _changed_leaves(
    before: Record, after: Record, ignored: Callable[[str], bool], prefix: str = ""
) -> Iterator[tuple[str, JSON, JSON]]:
    """(dotted field, old, new) for every leaf that differs; objects are walked, lists are not.

    Equal subtrees are skipped with one C-level ``==``; only differing objects are descended.
    In no particular order: ``diff_catalogs`` sorts every change (no two share a sort key).
    """
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new and type(old) is type(new):
            continue
        field = prefix + key
        if isinstance(old, dict) or isinstance(new, dict):
            old_part = old if isinstance(old, dict) else _absent_as_empty(old)
            new_part = new if isinstance(new, dict) else _absent_as_empty(new)
            if old_part is not None and new_part is not None:
                yield from _changed_leaves(old_part, new_part, ignored, f"{field}.")
                continue
        if not ignored(field) and not _same(field, old, new):
            yield field, old, new


def _absent_as_empty(value: JSON) -> dict[str, JSON] | None:
    """An absent object compares as an empty one; a scalar replaced by an object stays a leaf."""
    return {} if value is None else None


def _same(field: str, old: JSON, new: JSON) -> bool:
    """Equal as the catalog means it: 3 == 3.0, but True != 1; modality order is meaningless."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, list) and isinstance(new, list):
        if field in MODALITY_FIELDS:
            return sorted(map(str, old)) == sorted(map(str, new))
        return old == new or _same_ignoring_order(old, new)
    return bool(old == new)


def _same_ignoring_order(old: list[JSON], new: list[JSON]) -> bool:
    if len(old) != len(new):
        return False
    if not any(isinstance(item, dict | list) for item in (*old, *new)):
        # env names and the like: plain values; the type is kept so that True != 1
        return Counter((type(v), v) for v in old) == Counter((type(v), v) for v in new)
    from deepdiff import DeepDiff  # imported here: only lists of objects (tiers) need it

    return not DeepDiff(old, new, ignore_order=True, ignore_numeric_type_changes=True)


def _plain(value: JSON) -> JSON:
    return dict(value) if isinstance(value, Mapping) else value


class _IgnoreRule:
    """Field names or globs to leave out; ``provider`` also hides ``provider.npm`` and so on.

    A provider's own fields (``api``, ``npm``, ``doc``...) are matched by their name and as
    ``provider.<name>``, so ``provider.*`` hides them as well as each model's ``provider``
    override, and ``provider.doc`` hides the provider's ``doc``.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(p for p in patterns if p and p != "none")
        # A name is the field or an object above it; a glob is fnmatch's (which, without any of
        # ``*?[``, matches the name alone): each test made once, not per pattern and field.
        self._names = frozenset(self.patterns)
        self._above = tuple(p + "." for p in self.patterns)
        self._globs = tuple(
            re.compile(fnmatch.translate(p)) for p in self.patterns if any(c in p for c in "*?[")
        )

    def __call__(self, field: str) -> bool:
        return (
            field in self._names
            or field.startswith(self._above)
            or any(glob.match(field) for glob in self._globs)
        )

    def at_provider(self, field: str) -> bool:
        return self(field) or self(f"provider.{field}")
