"""Which watch rule hears what: a rule's globs, kinds, minimum severity, thresholds and
destination, and the mutes that silence a change, a disagreement or a rejected record.

Pure predicates over the config's ``[[watch]]`` and ``[[mute]]`` tables; ``policy.py`` builds the
alerts from what they let through.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from datetime import date

from catalog_watch.analysis.diff import classify
from catalog_watch.model.alerts import AlertKind, Destination, DestinationKind
from catalog_watch.model.catalog import Rejection
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.severity import Severity
from catalog_watch.settings.config import Config, Mute, WatchRule
from catalog_watch.settings.defaults import SOURCE_NAMES

REJECTED_SEVERITY = Severity.MEDIUM
"""How urgent a rejected record is: it decides which rules hear of one."""

USED_RULE = WatchRule(name="used", min_severity=Severity.INFO)
"""``[usage] always_alert``: every change to a model the code uses, to the default destination,
whatever the configured rules keep (mutes still silence it)."""


def active_mutes(config: Config, today: date) -> list[Mute]:
    """The mutes that still hold on ``today`` (``until`` is the last muted day)."""
    return [m for m in config.mute if m.until is None or m.until >= today]


def destination(rule: WatchRule) -> Destination:
    if rule.channel:
        return Destination(DestinationKind.CHANNEL, rule.channel)
    if rule.webhook_env:
        return Destination(DestinationKind.WEBHOOK, rule.webhook_env)
    return Destination()


def destinations(rules: Iterable[WatchRule]) -> list[Destination]:
    """Every distinct destination of the rules, in rule order."""
    seen: dict[str, Destination] = {}
    for rule in rules:
        target = destination(rule)
        seen.setdefault(target.key, target)
    return list(seen.values())


def matches(rule: WatchRule, change: Change) -> bool:
    """The rule's globs, kinds, minimum severity and thresholds all let ``change`` through."""
    if not watches_kind(rule, change.kind) or not severe_enough(change.severity, rule):
        return False
    if not _selected(change.provider, rule.providers, rule.exclude_providers):
        return False
    if not _selected(change.model or "", rule.models, rule.exclude_models):
        return False
    return _over_thresholds(rule, change)


def mutes_change(mute: Mute, change: Change) -> bool:
    return (
        mute.inconsistency is None
        and _glob(change.provider, mute.provider)
        and _glob(change.model or "", mute.model)
        and _glob(change.field or "", mute.field)
        and _glob(change.kind.value, mute.kind)
    )


def wants_inconsistencies(rule: WatchRule) -> bool:
    """``inconsistencies = true`` or ``false`` decides; a rule that says nothing gets them only
    when it does not pick its ``kinds`` (the default rule does; ``kinds = ["price_changed"]``
    asks for price changes, not for disagreements)."""
    if rule.inconsistencies is not None:
        return rule.inconsistencies
    return rule.kinds is None


def watches_kind(rule: WatchRule, kind: ChangeKind) -> bool:
    """A rule without ``kinds`` watches every kind."""
    return rule.kinds is None or kind in rule.kinds


def hears_inconsistency(rule: WatchRule, item: Inconsistency) -> bool:
    if not severe_enough(item.severity, rule):
        return False
    members = [_member(label) for label in item.values]
    return any(
        _selected(provider, rule.providers, rule.exclude_providers)
        and (
            _selected(model, rule.models, rule.exclude_models)
            or _selected(item.model, rule.models, rule.exclude_models)
        )
        for provider, model in members
        if model is not None
    )


def muted_inconsistency(item: Inconsistency, mutes: Sequence[Mute]) -> bool:
    """One of ``mutes`` silences ``item``: by its id, or by provider, model, field and kind."""
    return any(_mutes_inconsistency(m, item) for m in mutes)


def _mutes_inconsistency(mute: Mute, item: Inconsistency) -> bool:
    if mute.inconsistency is not None:
        return _glob(item.id, mute.inconsistency)
    if not (_glob(item.field, mute.field) and _glob(item.kind, mute.kind)):
        return False
    members = [label.split("/", 1) for label in item.values]
    return any(
        _glob(p, mute.provider) and (_glob(m, mute.model) or _glob(item.model, mute.model))
        for p, m in members
    )


def hears_rejection(rule: WatchRule, rejection: Rejection) -> bool:
    """The rule's globs and minimum severity let it through, and the rule watches the kind of
    change the value would have made (``cost.*``: price_changed; a provider field:
    provider_changed)."""
    if rejection.model is None:
        would_be = ChangeKind.PROVIDER_CHANGED
    else:
        would_be = classify(rejection.provider, rejection.model, rejection.field, None, None).kind
    return (
        watches_kind(rule, would_be)
        and severe_enough(REJECTED_SEVERITY, rule)
        and _selected(rejection.provider, rule.providers, rule.exclude_providers)
        and _selected(rejection.model or "", rule.models, rule.exclude_models)
    )


def mutes_rejection(mute: Mute, rejection: Rejection) -> bool:
    return (
        mute.inconsistency is None
        and _glob(rejection.provider, mute.provider)
        and _glob(rejection.model or "", mute.model)
        and _glob(rejection.field, mute.field)
        and _glob(AlertKind.RECORD_REJECTED, mute.kind)
    )


def _member(label: str) -> tuple[str, str]:
    """``provider/model``, or ``source:provider/model`` for a cross-source disagreement."""
    source, colon, rest = label.partition(":")
    if colon and source in SOURCE_NAMES and "/" in rest:
        label = rest
    provider, _, model = label.partition("/")
    return provider, model


def _over_thresholds(rule: WatchRule, change: Change) -> bool:
    if change.kind is ChangeKind.PRICE_CHANGED and change.change_pct is not None:
        pct = change.change_pct
        limit = rule.min_increase_pct if pct > 0 else rule.min_decrease_pct
        return abs(pct) >= limit
    context = change.kind is ChangeKind.LIMIT_CHANGED and change.field == "limit.context"
    if context and isinstance(change.old, int) and isinstance(change.new, int):
        return abs(change.new - change.old) >= rule.min_context_change
    return True


def severe_enough(severity: Severity, rule: WatchRule) -> bool:
    return severity.rank <= rule.min_severity.rank


def _selected(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    return any(_glob(name, p) for p in include) and not any(_glob(name, p) for p in exclude)


def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())
