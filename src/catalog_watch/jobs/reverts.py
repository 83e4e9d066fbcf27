"""Changes that were alerted from the rolling branch and are undone: one alert each.

In pull-request mode, when the catalog goes back to the state of the base branch the rolling
pull request is closed; whoever was alerted about a change on that branch hears that it was
undone ("openai / gpt-4o: cost.input $3.00 → $2.50, back to the base"), through the outbox like
every alert, once. Pure: the branch's outbox, the ids the base's outbox holds (changes merged
into the base are not undone) and the catalog now in, the new outbox out.

An alert counts as undone when the catalog now holds the value the alert started from (the
field is back, the added model gone again, the removed one back). Per destination and field,
the latest delivered alert is the one undone (``$2.50 → $3.50`` after ``$2.50 → $3.00``: one
alert, ``$3.50 → $2.50``). The undone alerts then leave the outbox, so the same change made
again later alerts again; an undone alert that was never sent leaves too, unsaid (nobody heard
of it), unless a run still in progress holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from catalog_watch.analysis.diff import change_pct
from catalog_watch.model.alerts import CHANGE_REVERTED, Alert, alert_id
from catalog_watch.model.catalog import JSON
from catalog_watch.model.changes import ChangeKind
from catalog_watch.store.outbox import Entry, Outbox

_WHOLE = {
    ChangeKind.MODEL_ADDED.value: False,  # undone when the offering is gone again
    ChangeKind.MODEL_REMOVED.value: True,  # undone when it is back
    ChangeKind.PROVIDER_ADDED.value: False,
    ChangeKind.PROVIDER_REMOVED.value: True,
}
_FIELD_KINDS = frozenset(
    kind.value
    for kind in ChangeKind
    if kind.value not in _WHOLE and kind is not ChangeKind.CHEAPEST_CHANGED
)
_ABSENT = object()


def undo_alerted(
    outbox: Outbox, *, base_ids: set[str], document: Mapping[str, JSON], created: str
) -> Outbox:
    """``outbox`` with a ``change_reverted`` alert for each alerted change now undone, and the
    undone alerts dropped. ``document`` is the catalog now (the base's snapshot)."""
    undone = [e for e in outbox.entries if e.id not in base_ids and _undone(e.alert, document)]
    latest: dict[tuple[str, str | None, str | None, str | None, str], Entry] = {}
    for entry in undone:
        if not entry.open:
            alert = entry.alert
            latest[
                (alert.destination.key, alert.provider, alert.model, alert.field, alert.kind)
            ] = entry
    dropped = {e.id for e in undone if not e.open or e.claim is None}
    kept = Outbox(tuple(e for e in outbox.entries if e.id not in dropped))
    return kept.add([revert_alert(entry) for entry in latest.values()], created=created)


def revert_alert(entry: Entry) -> Alert:
    """The alert saying ``entry``'s change is undone: same destination, rule and severity, the
    values the other way round. Its id names the undone alert and when that one was raised, so a
    change made and undone again is told again."""
    alert = entry.alert
    extra: dict[str, JSON] = {"undoes": alert.kind, "alert": alert.id}
    if "added" in alert.extra or "removed" in alert.extra:
        extra |= {"added": alert.extra.get("removed", []), "removed": alert.extra.get("added", [])}
    return Alert(
        id=alert_id(
            kind=CHANGE_REVERTED,
            provider=alert.provider,
            model=alert.model,
            field=alert.field,
            new=[alert.id, entry.created],
            from_snapshot="revert",
            destination=alert.destination,
        ),
        destination=alert.destination,
        rule=alert.rule,
        source=alert.source,
        kind=CHANGE_REVERTED,
        severity=alert.severity,
        provider=alert.provider,
        model=alert.model,
        field=alert.field,
        old=alert.new,
        new=alert.old,
        change_pct=change_pct(alert.new, alert.old)
        if alert.kind == ChangeKind.PRICE_CHANGED.value
        else None,
        extra=extra,
    )


def _undone(alert: Alert, document: Mapping[str, JSON]) -> bool:
    if alert.provider is None:
        return False
    if alert.kind in _WHOLE:
        present = _record(document, alert.provider, alert.model) is not None
        return present is _WHOLE[alert.kind]
    if alert.kind not in _FIELD_KINDS or alert.field is None:
        return False
    record = _record(document, alert.provider, alert.model)
    if record is None:
        return False  # the offering itself is gone: that is another change, not this one undone
    now = _value(record, alert.field.split("."))
    return _same(now, alert.old) and not _same(now, alert.new)


def _record(
    document: Mapping[str, JSON], provider: str, model: str | None
) -> Mapping[str, JSON] | None:
    info = document.get(provider)
    if not isinstance(info, Mapping) or model is None:
        return info if isinstance(info, Mapping) else None
    models = info.get("models")
    record = models.get(model) if isinstance(models, Mapping) else None
    return record if isinstance(record, Mapping) else None


def _value(record: Mapping[str, JSON], path: Sequence[str]) -> object:
    value: object = record
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return _ABSENT
        value = value[key]
    return value


def _same(now: object, alerted: JSON) -> bool:
    """The catalog's value equals an alert's: absent is null, ``3 == 3.0`` but ``True != 1``,
    lists in any order (modalities and the like are compared as the diff compares them)."""
    if now is _ABSENT:
        return alerted is None
    if isinstance(now, bool) or isinstance(alerted, bool):
        return type(now) is type(alerted) and now == alerted
    if isinstance(now, list) and isinstance(alerted, list):
        return sorted(map(repr, now)) == sorted(map(repr, alerted))
    return bool(now == alerted)
