"""Which changes alert whom: watch rules, thresholds and mutes applied to a report.

Pure: a report and the config in, alerts out. Each rule that matches a change makes one alert for
the rule's destination; two rules sending the same change to the same destination make one alert
(the ids are equal). The first run makes a single baseline alert per destination instead of one per
model, and schema drift makes one note per destination. A rejected record alerts on the first run
that rejects its value (``runs`` 1), to the rules that would have heard of the change it would have
made; its id does not depend on the snapshot, so the outbox holds it once however often it recurs.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from catalog_watch.analysis.consistency import Inconsistency
from catalog_watch.analysis.diff import classify
from catalog_watch.model.alerts import Alert, AlertKind, Destination, DestinationKind, alert_id
from catalog_watch.model.catalog import JSON, Rejection
from catalog_watch.model.changes import Change, ChangeKind
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.render.headline import drift_words
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.render.money import format_impact, usage_words
from catalog_watch.render.values import old_to_new, plain
from catalog_watch.settings.config import Config, Mute, WatchRule
from catalog_watch.sources import SOURCE_NAMES

REJECTED_SEVERITY = Severity.MEDIUM


def alerts_for(report: Report, config: Config, *, from_snapshot: str, today: date) -> list[Alert]:
    """Every alert this report raises under ``config``, deduplicated, in report order."""
    rules = config.watch
    mutes = active_mutes(config, today)
    if report.first_run:
        found = [_baseline(report, rule, from_snapshot) for rule in rules]
    else:
        found = list(_change_alerts(report, rules, mutes, from_snapshot))
        found += _inconsistency_alerts(report, rules, mutes, from_snapshot)
        found += _drift_alerts(report, rules, from_snapshot)
    found += _rejection_alerts(report, rules, mutes)
    unique: dict[str, Alert] = {}
    for alert in found:
        unique.setdefault(alert.id, alert)
    return list(unique.values())


def active_mutes(config: Config, today: date) -> list[Mute]:
    """The mutes that still hold on ``today`` (``until`` is the last muted day)."""
    return [m for m in config.mute if m.until is None or m.until >= today]


def muted_inconsistency(item: Inconsistency, mutes: Sequence[Mute]) -> bool:
    """One of ``mutes`` silences ``item``: by its id, or by provider, model, field and kind."""
    return any(_mutes_inconsistency(m, item) for m in mutes)


def wants_inconsistencies(rule: WatchRule) -> bool:
    """``inconsistencies = true`` or ``false`` decides; a rule that says nothing gets them only
    when it does not pick its ``kinds`` (the default rule does; ``kinds = ["price_changed"]``
    asks for price changes, not for disagreements)."""
    if "inconsistencies" in rule.model_fields_set:
        return rule.inconsistencies
    return "kinds" not in rule.model_fields_set


def destination(rule: WatchRule) -> Destination:
    if rule.channel:
        return Destination(DestinationKind.CHANNEL, rule.channel)
    if rule.webhook_env:
        return Destination(DestinationKind.WEBHOOK, rule.webhook_env)
    return Destination()


def matches(rule: WatchRule, change: Change) -> bool:
    """The rule's globs, kinds, minimum severity and thresholds all let ``change`` through."""
    if change.kind not in rule.kinds or not _severe_enough(change.severity, rule):
        return False
    if not _selected(change.provider, rule.providers, rule.exclude_providers):
        return False
    if not _selected(change.model or "", rule.models, rule.exclude_models):
        return False
    return _over_thresholds(rule, change)


def _mutes_change(mute: Mute, change: Change) -> bool:
    return (
        mute.inconsistency is None
        and _glob(change.provider, mute.provider)
        and _glob(change.model or "", mute.model)
        and _glob(change.field or "", mute.field)
        and _glob(change.kind.value, mute.kind)
    )


def _change_alerts(
    report: Report, rules: Sequence[WatchRule], mutes: Sequence[Mute], from_snapshot: str
) -> Iterator[Alert]:
    for change in report.listed:  # a field that appeared on many records: one schema note
        if any(_mutes_change(m, change) for m in mutes):
            continue
        for rule in rules:
            if matches(rule, change):
                yield _change_alert(report.source, rule, change, from_snapshot)


def _change_alert(source: str, rule: WatchRule, change: Change, from_snapshot: str) -> Alert:
    target = destination(rule)
    extra: dict[str, JSON] = {}
    if change.added or change.removed:
        extra = {"added": list(change.added), "removed": list(change.removed)}
    if impact := _impact(change):
        extra["impact"] = impact
    return Alert(
        id=alert_id(
            kind=change.kind,
            provider=change.provider,
            model=change.model,
            field=change.field,
            new=change.shown_new,
            from_snapshot=from_snapshot,
            destination=target,
        ),
        destination=target,
        rule=rule.name,
        source=source,
        kind=change.kind,
        severity=change.severity,
        provider=change.provider,
        model=change.model,
        field=change.field,
        old=_brief(change.shown_old),
        new=_brief(change.shown_new),
        change_pct=change.change_pct,
        detail=_detail(change),
        extra=extra,
    )


def _detail(change: Change) -> str:
    """The change in words; a price change also says what the first scenario (and you) now pay."""
    impact = _impact(change)
    return f"{old_to_new(change)} · {impact}" if impact else old_to_new(change)


def _impact(change: Change) -> str:
    parts: list[str] = []
    if change.impact:
        parts.append(format_impact(change.impact[0]))
    if change.usage:
        parts.append(usage_words(change.usage))
    return " · ".join(parts)


def _inconsistency_alerts(
    report: Report, rules: Sequence[WatchRule], mutes: Sequence[Mute], from_snapshot: str
) -> list[Alert]:
    found: list[Alert] = []
    for kind, items in (
        (AlertKind.INCONSISTENCY_APPEARED, report.appeared),
        (AlertKind.INCONSISTENCY_RESOLVED, report.resolved),
    ):
        for item in items:
            if muted_inconsistency(item, mutes):
                continue
            for rule in rules:
                if wants_inconsistencies(rule) and _inconsistency_matches(rule, item):
                    found.append(
                        _inconsistency_alert(report.source, rule, kind, item, from_snapshot)
                    )
    return found


def _inconsistency_alert(
    source: str, rule: WatchRule, kind: AlertKind, item: Inconsistency, from_snapshot: str
) -> Alert:
    target = destination(rule)
    return Alert(
        id=alert_id(
            kind=kind,
            provider=None,
            model=item.id,
            field=item.field,
            new=None,
            from_snapshot=from_snapshot,
            destination=target,
        ),
        destination=target,
        rule=rule.name,
        source=source,
        kind=kind,
        severity=item.severity,
        model=item.model,
        field=item.field,
        detail=describe(item),
        extra={
            "inconsistency": item.kind,
            "inconsistency_id": item.id,
            "values": dict(item.values),
        },
    )


def _inconsistency_matches(rule: WatchRule, item: Inconsistency) -> bool:
    if not _severe_enough(item.severity, rule):
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


def _drift_alerts(report: Report, rules: Sequence[WatchRule], from_snapshot: str) -> list[Alert]:
    if not report.drift:
        return []
    drift = report.drift
    fields = [f"+{name}" for name in drift.added] + [f"-{name}" for name in drift.removed]
    alerts = []
    for target in destinations(rules):
        alerts.append(
            Alert(
                id=alert_id(
                    kind=AlertKind.SCHEMA_DRIFT,
                    provider=None,
                    model=None,
                    field=None,
                    new=fields + [note.to_json() for note in drift.appeared_on],
                    from_snapshot=from_snapshot,
                    destination=target,
                ),
                destination=target,
                rule="schema",
                source=report.source,
                kind=AlertKind.SCHEMA_DRIFT,
                severity=Severity.MEDIUM,
                detail=f"{report.source} schema drift: {drift_words(drift)}",
                extra=drift.to_json(),
            )
        )
    return alerts


def _rejection_alerts(
    report: Report, rules: Sequence[WatchRule], mutes: Sequence[Mute]
) -> list[Alert]:
    """Each record rejected for the first time, to every rule that selects it."""
    found: list[Alert] = []
    for rejection in report.rejections:
        if rejection.runs > 1 or any(_mutes_rejection(m, rejection) for m in mutes):
            continue
        for rule in rules:
            if _rejection_matches(rule, rejection):
                found.append(_rejection_alert(report.source, rule, rejection))
    return found


def _rejection_matches(rule: WatchRule, rejection: Rejection) -> bool:
    """The rule's globs and minimum severity let it through, and the rule watches the kind of
    change the value would have made (``cost.*``: price_changed; a provider field:
    provider_changed)."""
    if rejection.model is None:
        would_be = ChangeKind.PROVIDER_CHANGED
    else:
        would_be = classify(rejection.provider, rejection.model, rejection.field, None, None).kind
    return (
        would_be in rule.kinds
        and _severe_enough(REJECTED_SEVERITY, rule)
        and _selected(rejection.provider, rule.providers, rule.exclude_providers)
        and _selected(rejection.model or "", rule.models, rule.exclude_models)
    )


def _mutes_rejection(mute: Mute, rejection: Rejection) -> bool:
    return (
        mute.inconsistency is None
        and _glob(rejection.provider, mute.provider)
        and _glob(rejection.model or "", mute.model)
        and _glob(rejection.field, mute.field)
        and _glob(AlertKind.RECORD_REJECTED, mute.kind)
    )


def _rejection_alert(source: str, rule: WatchRule, rejection: Rejection) -> Alert:
    target = destination(rule)
    return Alert(
        id=alert_id(
            kind=AlertKind.RECORD_REJECTED,
            provider=rejection.provider,
            model=rejection.model,
            field=rejection.field,
            new=rejection.value,
            from_snapshot="",  # once per rejected value, from whichever snapshot
            destination=target,
        ),
        destination=target,
        rule=rule.name,
        source=source,
        kind=AlertKind.RECORD_REJECTED,
        severity=REJECTED_SEVERITY,
        provider=rejection.provider,
        model=rejection.model,
        field=rejection.field,
        new=_brief(rejection.value),
        detail=f"{rejection.field} {_rejected_value(rejection.value)} rejected: {rejection.reason}",
        extra={"reason": rejection.reason, "first_seen": rejection.first_seen},
    )


def _rejected_value(value: JSON) -> str:
    """A string quoted (``"call us"``), so that it does not read as part of the sentence."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else plain(value)


def _baseline(report: Report, rule: WatchRule, from_snapshot: str) -> Alert:
    target = destination(rule)
    counts = {
        "providers": report.new.providers,
        "offerings": report.new.offerings,
        "inconsistencies": len(report.current),
    }
    return Alert(
        id=alert_id(
            kind=AlertKind.BASELINE,
            provider=None,
            model=None,
            field=None,
            new=counts,
            from_snapshot=from_snapshot,
            destination=target,
        ),
        destination=target,
        rule=rule.name,
        source=report.source,
        kind=AlertKind.BASELINE,
        severity=Severity.INFO,
        detail=(
            f"now watching {report.source}: {counts['providers']:,} providers, "
            f"{counts['offerings']:,} offerings, {counts['inconsistencies']:,} inconsistencies"
        ),
        extra=dict(counts),
    )


def _member(label: str) -> tuple[str, str]:
    """``provider/model``, or ``source:provider/model`` for a cross-source disagreement."""
    source, colon, rest = label.partition(":")
    if colon and source in SOURCE_NAMES and "/" in rest:
        label = rest
    provider, _, model = label.partition("/")
    return provider, model


def destinations(rules: Iterable[WatchRule]) -> list[Destination]:
    """Every distinct destination of the rules, in rule order."""
    seen: dict[str, Destination] = {}
    for rule in rules:
        target = destination(rule)
        seen.setdefault(target.key, target)
    return list(seen.values())


def _over_thresholds(rule: WatchRule, change: Change) -> bool:
    if change.kind is ChangeKind.PRICE_CHANGED and change.change_pct is not None:
        pct = change.change_pct
        limit = rule.min_increase_pct if pct > 0 else rule.min_decrease_pct
        return abs(pct) >= limit
    context = change.kind is ChangeKind.LIMIT_CHANGED and change.field == "limit.context"
    if context and isinstance(change.old, int) and isinstance(change.new, int):
        return abs(change.new - change.old) >= rule.min_context_change
    return True


def _severe_enough(severity: Severity, rule: WatchRule) -> bool:
    return severity.rank <= rule.min_severity.rank


def _selected(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    return any(_glob(name, p) for p in include) and not any(_glob(name, p) for p in exclude)


def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def _brief(value: object) -> object:
    """Whole records (model added/removed) stay out of alerts: the name is what a reader needs."""
    if isinstance(value, dict):
        return {k: value[k] for k in ("name", "id") if k in value}
    return value
