"""reverts.py: which alerted changes are undone, and what the outbox holds afterwards."""

from __future__ import annotations

from typing import Any

from catalog_watch.jobs.reverts import undo_alerted
from catalog_watch.model.alerts import CHANGE_REVERTED, Alert, Destination, alert_id
from catalog_watch.model.severity import Severity
from catalog_watch.store.outbox import Claim, Entry, Outbox
from tests.factories import document, model, provider

NOW = "2026-07-01T10:00:00Z"
CATALOG = document(provider("openai", model("gpt-4o", cost={"input": 2.5, "output": 10})))


def alert(kind: str = "price_changed", field: str | None = "cost.input", **values: Any) -> Alert:
    old, new = values.get("old", 2.5), values.get("new", 3.0)
    target = Destination()
    return Alert(
        id=alert_id(
            kind=kind,
            provider="openai",
            model=values.get("model", "gpt-4o"),
            field=field,
            new=new,
            from_snapshot="s",
            destination=target,
        ),
        destination=target,
        rule="default",
        source="models.dev",
        kind=kind,
        severity=Severity.HIGH,
        provider="openai",
        model=values.get("model", "gpt-4o"),
        field=field,
        old=old,
        new=new,
        change_pct=20.0,
        extra=values.get("extra", {}),
    )


def delivered(item: Alert, created: str = "2026-06-30T10:00:00Z") -> Entry:
    return Entry.of(item, created, delivered=created)


def undo(*entries: Entry, base_ids: frozenset[str] = frozenset()) -> Outbox:
    return undo_alerted(Outbox(entries), base_ids=set(base_ids), document=CATALOG, created=NOW)


def test_a_delivered_price_rise_now_back_is_told_undone_and_leaves_the_outbox() -> None:
    rise = alert()
    [entry] = undo(delivered(rise)).entries
    revert = entry.alert
    assert revert.kind == CHANGE_REVERTED and entry.open
    assert (revert.old, revert.new, revert.change_pct) == (3.0, 2.5, -16.67)
    assert revert.destination == rise.destination and revert.severity is Severity.HIGH
    assert revert.extra["undoes"] == "price_changed"


def test_the_latest_alerted_value_of_a_field_is_the_one_undone() -> None:
    first, second = alert(new=3.0), alert(new=3.5)
    [entry] = undo(delivered(first), delivered(second, "2026-06-30T11:00:00Z")).entries
    assert (entry.alert.old, entry.alert.new) == (3.5, 2.5)


def test_a_change_still_in_the_catalog_or_merged_into_the_base_is_not_undone() -> None:
    output = alert(field="cost.output", old=8, new=10)  # the catalog still says 10
    merged = alert()
    box = undo(delivered(output), delivered(merged), base_ids=frozenset({merged.id}))
    assert [e.alert.id for e in box.entries] == [output.id, merged.id]


def test_an_undone_alert_never_sent_is_dropped_unsaid_unless_a_run_holds_it() -> None:
    pending, claimed = alert(), alert(field="cost.output", old=10, new=12)
    held = Entry.of(claimed, NOW, claim=Claim("run-1", NOW))
    box = undo(Entry.of(pending, NOW), held)
    assert box.entries == (held,)


def test_an_added_model_gone_again_is_undone_and_the_revert_id_changes_per_cycle() -> None:
    added = alert("model_added", None, model="gpt-5", old=None, new={"id": "gpt-5"})
    [one] = undo(delivered(added)).entries
    [two] = undo(delivered(added, "2026-06-30T12:00:00Z")).entries
    assert one.alert.kind == CHANGE_REVERTED and one.alert.id != two.alert.id


def test_a_modality_change_undone_swaps_added_and_removed() -> None:
    lost = alert(
        "modality_changed",
        "modalities.input",
        old=["text"],
        new=["image", "text"],
        extra={"added": ["image"], "removed": []},
    )
    [entry] = undo(delivered(lost)).entries
    assert entry.alert.extra["removed"] == ["image"] and entry.alert.extra["added"] == []
