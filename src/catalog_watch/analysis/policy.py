"""Which changes alert whom: watch rules, thresholds and mutes applied to a report.

Pure: a report and the config in, alerts out. Each rule that matches a change makes one alert for
the rule's destination; two rules sending the same change to the same destination make one alert
(the ids are equal). The first run makes a single baseline alert per destination instead of one per
model, and schema drift makes one note per destination. A rejected record alerts on the first run
that rejects its value (``runs`` 1), to the rules that would have heard of the change it would have
made; its id does not depend on the snapshot, so the outbox holds it once however often it recurs.
Which rule hears what (globs, thresholds, mutes) is ``watch_rules.py``'s.

A change to a model the repository's code uses (``Change.used_in``, set by
``analysis.usage.mark_used``) says where in ``extra["used_in"]``, and with ``[usage]
always_alert`` also goes to the default destination through ``USED_RULE`` even when no rule keeps
it. Neither the places nor the raised severity are part of the id: a change that becomes "used"
(or stops being) between a run and its retry keeps its id, so it is never sent twice, and a rule
that already sends it to the default destination makes the one alert.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date

from catalog_watch.analysis.usage import UsedModels
from catalog_watch.analysis.watch_rules import (
    REJECTED_SEVERITY,
    USED_RULE,
    active_mutes,
    destination,
    destinations,
    hears_inconsistency,
    hears_rejection,
    matches,
    muted_inconsistency,
    mutes_change,
    mutes_rejection,
    wants_inconsistencies,
)
from catalog_watch.model.alerts import Alert, AlertKind, alert_id
from catalog_watch.model.catalog import JSON, Rejection
from catalog_watch.model.changes import Change
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.report import Report
from catalog_watch.model.severity import Severity
from catalog_watch.render.headline import drift_words
from catalog_watch.render.inconsistency_line import describe
from catalog_watch.render.money import format_impact, usage_words
from catalog_watch.render.values import old_to_new, plain
from catalog_watch.settings.config import Config, Mute, WatchRule


def alerts_for(
    report: Report,
    config: Config,
    *,
    from_snapshot: str,
    today: date,
    used: UsedModels | None = None,
) -> list[Alert]:
    """Every alert this report raises under ``config``, deduplicated, in report order.
    ``used``: the models the code uses, for the inconsistencies' ``used_in``."""
    rules = config.watch
    mutes = active_mutes(config, today)
    if report.first_run:
        found = [_baseline(report, rule, from_snapshot) for rule in rules]
    else:
        always = config.usage.always_alert
        found = list(_change_alerts(report, rules, mutes, from_snapshot, always=always))
        found += _inconsistency_alerts(report, rules, mutes, from_snapshot, used or UsedModels())
        found += _drift_alerts(report, rules, from_snapshot)
    found += _rejection_alerts(report, rules, mutes)
    unique: dict[str, Alert] = {}
    for alert in found:
        unique.setdefault(alert.id, alert)
    return list(unique.values())


def _change_alerts(
    report: Report,
    rules: Sequence[WatchRule],
    mutes: Sequence[Mute],
    from_snapshot: str,
    *,
    always: bool,
) -> Iterator[Alert]:
    for change in report.listed:  # a field that appeared on many records: one schema note
        if any(mutes_change(m, change) for m in mutes):
            continue
        for rule in rules:
            if matches(rule, change):
                yield _change_alert(report.source, rule, change, from_snapshot)
        if always and change.used_in:  # after the rules: one of theirs keeps its name
            yield _change_alert(report.source, USED_RULE, change, from_snapshot)


def _change_alert(source: str, rule: WatchRule, change: Change, from_snapshot: str) -> Alert:
    target = destination(rule)
    extra: dict[str, JSON] = {}
    if change.added or change.removed:
        extra = {"added": list(change.added), "removed": list(change.removed)}
    if impact := _impact(change):
        extra["impact"] = impact
    if change.used_in:
        extra["used_in"] = list(change.used_in)
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
    report: Report,
    rules: Sequence[WatchRule],
    mutes: Sequence[Mute],
    from_snapshot: str,
    used: UsedModels,
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
                if wants_inconsistencies(rule) and hears_inconsistency(rule, item):
                    alert = _inconsistency_alert(report.source, rule, kind, item, from_snapshot)
                    if places := used.places_of(group=item.model):
                        alert.extra["used_in"] = list(places)
                    found.append(alert)
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
        if rejection.runs > 1 or any(mutes_rejection(m, rejection) for m in mutes):
            continue
        for rule in rules:
            if hears_rejection(rule, rejection):
                found.append(_rejection_alert(report.source, rule, rejection))
    return found


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
        "inconsistencies": report.current,
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


def _brief(value: object) -> object:
    """Whole records (model added/removed) stay out of alerts: the name is what a reader needs."""
    if isinstance(value, dict):
        return {k: value[k] for k in ("name", "id") if k in value}
    return value
