"""The outbox: pending until delivered, ids never added twice, delivered wins on merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog_watch.errors import StateFileError
from catalog_watch.store.outbox import (
    KEEP_DELIVERED,
    Claim,
    Outbox,
    outbox_text,
    parse_outbox,
    read_outbox,
    write_outbox,
)
from tests.factories import UNREADABLE, alert, damaged_line


def test_added_alerts_are_pending_and_known_ids_are_not_added_again() -> None:
    box = Outbox().add([alert(1), alert(2)], created="2026-11-25T10:00:00Z")
    box = box.mark_delivered(["id1"], when="2026-11-25T10:01:00Z")
    box = box.add([alert(1), alert(2), alert(3)], created="2026-11-25T11:00:00Z")
    assert [a.id for a in box.pending] == ["id2", "id3"]
    assert len(box.entries) == 3


def test_outbox_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    box = Outbox().add([alert(1)], created="2026-11-25T10:00:00Z")
    assert write_outbox(path, box)
    assert read_outbox(path) == box
    assert write_outbox(path, box) is False  # same bytes: not rewritten


def test_merge_keeps_the_delivered_mark_from_either_copy() -> None:
    ours = Outbox().add([alert(1), alert(2)], created="2026-11-25T10:00:00Z")
    theirs = ours.mark_delivered(["id2"], when="2026-11-25T10:05:00Z").add([alert(3)], created="x")
    merged = ours.merge(theirs)
    assert [a.id for a in merged.pending] == ["id1", "id3"]


def test_merge_keeps_the_later_claim_of_two_open_copies() -> None:
    """The base's copy of a pending alert must not erase the claim of a run sending it now."""
    base = Outbox().add([alert(1), alert(2)], created="2026-11-25T10:00:00Z")
    early, late = Claim("run-a", "2026-11-25T10:01:00Z"), Claim("run-b", "2026-11-25T10:07:00Z")
    branch = base.claim(["id1"], early).claim(["id2"], late)
    assert {e.alert.id: e.claim for e in base.merge(branch).entries} == {"id1": early, "id2": late}
    older = base.claim(["id1", "id2"], early)
    merged = branch.merge(older)
    assert {e.alert.id: e.claim for e in merged.entries} == {"id1": early, "id2": late}


def test_overdue_lists_old_pending_alerts_and_pruning_keeps_them() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    box = Outbox().add([alert(1)], created="2026-11-20T10:00:00Z")
    box = box.add([alert(2)], created="2026-11-25T11:00:00Z")
    box = box.add([alert(3)], created="2026-09-01T10:00:00Z").mark_delivered(
        ["id3"], when="2026-09-01T10:01:00Z"
    )
    assert [e.alert.id for e in box.overdue(now, timedelta(hours=24))] == ["id1"]
    assert [e.alert.id for e in box.pruned(now).entries] == ["id1", "id2"]


def test_delivered_and_unconfirmed_alerts_are_kept_30_days_then_pruned() -> None:
    """What the README promises about outbox.jsonl's size."""
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    box = Outbox().add([alert(n) for n in range(1, 5)], created="2026-10-01T00:00:00Z")
    box = box.mark_delivered(["id1"], when="2026-10-26T12:00:00Z")  # 30 days ago, to the second
    box = box.mark_delivered(["id2"], when="2026-10-26T11:59:59Z")  # a second more
    box = box.mark_unconfirmed(["id3"], when="2026-10-01T00:00:00Z")
    assert timedelta(days=30) == KEEP_DELIVERED
    assert [e.alert.id for e in box.pruned(now).entries] == ["id1", "id4"]  # id4: still pending


def test_a_claim_is_stale_after_the_lease_or_when_its_run_died() -> None:
    box = Outbox().add([alert(1), alert(2)], created="2026-11-25T10:00:00Z")
    box = box.claim(["id1"], Claim("run-a", "2026-11-25T10:00:00Z"))
    lease = timedelta(minutes=30)
    at_10_10 = datetime(2026, 11, 25, 10, 10, tzinfo=UTC)
    assert [e.alert.id for e in box.claimable(at_10_10, lease)] == ["id2"]
    assert [e.alert.id for e in box.claimable(at_10_10, lease, ["run-a"])] == ["id1", "id2"]
    at_10_31 = datetime(2026, 11, 25, 10, 31, tzinfo=UTC)
    assert [e.alert.id for e in box.claimable(at_10_31, lease)] == ["id1", "id2"]
    assert [e.alert.id for e in box.claimed_by("run-a")] == ["id1"]
    assert box.release(["id1"]).claimed_by("run-a") == []


def test_unconfirmed_alerts_are_neither_pending_nor_sent_again() -> None:
    box = Outbox().add([alert(1)], created="2026-11-25T10:00:00Z")
    box = box.mark_unconfirmed(["id1"], when="2026-11-25T10:05:00Z")
    assert box.pending == []
    assert parse_outbox(outbox_text(box)) == box


@pytest.mark.parametrize(("field", "value", "problem"), UNREADABLE)
def test_an_outbox_line_its_readers_cannot_interpret_is_an_error_naming_line_and_field(
    tmp_path: Path, field: str, value: object, problem: str
) -> None:
    path = tmp_path / "outbox.jsonl"
    good = outbox_text(Outbox().add([alert(2)], created="2026-11-25T10:00:00Z"))
    path.write_text(good + damaged_line(field, value) + "\n")
    with pytest.raises(StateFileError, match=r"outbox.jsonl:2: not an outbox entry: ") as raised:
        read_outbox(path)
    assert problem in str(raised.value)


def test_a_damaged_outbox_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    good = outbox_text(Outbox().add([alert(1)], created="2026-11-25T10:00:00Z"))
    path.write_text(good + '{"alert": {"id": 3}, "created": "x"}\n')
    with pytest.raises(StateFileError, match=r"outbox.jsonl:2: not an outbox entry: alert"):
        read_outbox(path)
