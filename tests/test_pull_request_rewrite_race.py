"""Pull-request mode: what a run has sent is never sent again when its marks cannot be saved.

1. Run A claims catalog B's alerts on the rolling branch and posts the first message; Slack
   takes it and holds the answer. Meanwhile run B, in another clone, fetches a catalog with one
   more change, rebuilds the branch from the base and force-pushes it. Then A gets its answer.
2. The push of A's first delivered mark is refused (a pre-receive hook, once): A fails, and its
   failure path delivers what the branch holds.
Later runs (within the claim lease and after it) must find every alert delivered exactly once.
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fault_harness import (
    BRANCH,
    OUTBOX,
    PULL_REQUEST,
    Finished,
    Lab,
    catalog_b,
    make_template,
    outbox_entries,
)


def catalog_c() -> dict[str, Any]:
    """Catalog B and one more change: another branch than A's, the same alerts and one more."""
    document = copy.deepcopy(catalog_b())
    document["beta"]["models"]["b-new"] = copy.deepcopy(document["beta"]["models"]["b00"])
    document["beta"]["models"]["b-new"]["id"] = "b-new"
    return document


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _sent_once(lab: Lab) -> tuple[list[str], list[str], list[str]]:
    """(alerts still open on the branch, alerts sent twice, alerts never sent)."""
    entries = outbox_entries(lab.show(OUTBOX, BRANCH) or "")
    # the baseline's alert went to the template's Slack, before this one
    known = {e["alert"]["id"] for e in entries if e["alert"].get("kind") != "baseline"}
    sent: Counter[str] = Counter()
    for message in lab.landed():
        sent.update(set(_strings(message.get("metadata"))) & known)
    assert known, "no alert on the branch"
    still_open = [e["alert"]["id"] for e in entries if e.get("delivered") is None]
    twice = sorted(alert for alert, times in sent.items() if times > 1)
    return still_open, twice, sorted(known - set(sent))


def _later_runs(lab: Lab) -> list[Finished]:
    return [
        lab.run(lab.fresh_clone("later"), 1 + 10 / 60, "within-the-lease"),
        lab.run(lab.fresh_clone("last"), 3, "after-the-lease"),
    ]


REFUSE_FIRST_MARK = """#!/bin/sh
# Refuse, once, a push whose tip records alerts delivered to Slack.
while read old new ref; do
  if git log -1 --format=%s "$new" | grep -q "delivered to Slack" && [ ! -e "$0.done" ]; then
    touch "$0.done"
    echo "refused once by the test" >&2
    exit 1
  fi
done
exit 0
"""


def test_a_refused_delivered_mark_is_looked_up_in_slack_not_sent_again(tmp_path: Path) -> None:
    template = make_template(tmp_path / "template", "bot")  # the base, in commit mode
    with Lab(tmp_path / "lab", PULL_REQUEST, template) as lab:
        lab.catalog.serve(catalog_b())
        hook = lab.origin / "hooks" / "pre-receive"
        hook.write_text(REFUSE_FIRST_MARK)
        hook.chmod(0o755)
        failed = lab.run(lab.ours, 1, "mark-refused")
        assert failed.code == 7 and hook.with_name("pre-receive.done").exists(), failed.tail()
        later = _later_runs(lab)
        assert [run.code for run in later] == [0, 0], [run.tail() for run in later]
        assert _sent_once(lab) == ([], [], [])


def test_a_branch_rewritten_mid_delivery_sends_every_alert_once(tmp_path: Path) -> None:
    template = make_template(tmp_path / "template", "bot")  # the base, in commit mode
    with Lab(tmp_path / "lab", PULL_REQUEST, template) as lab:
        lab.catalog.serve(catalog_b())
        hold = lab.hold(nth=1, after_processing=True)
        first = lab.start(lab.ours, 1, "run-a")
        assert hold.wait(first), "run A never posted"
        lab.catalog.serve(catalog_c())
        rewriter = lab.run(lab.fresh_clone("other"), 1 + 5 / 60, "run-b")
        assert rewriter.code == 0, rewriter.tail()
        hold.release()
        sender = lab.collect(first.wait())
        assert sender.code == 0, sender.tail()  # its marks saved on the rebuilt branch
        later = _later_runs(lab)
        assert [run.code for run in later] == [0, 0], [run.tail() for run in later]
        assert _sent_once(lab) == ([], [], [])
