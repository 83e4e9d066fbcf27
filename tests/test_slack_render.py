"""render/slack/: alerts → Slack payloads that respect every Slack limit and lose no alert."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from catalog_watch.model.alerts import Alert, Destination, DestinationKind, alert_id
from catalog_watch.model.changes import ChangeKind
from catalog_watch.model.severity import Severity
from catalog_watch.render.slack import (
    MAX_BLOCKS,
    MAX_DETAILED,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_TEXT,
    MAX_TEXT,
    Links,
    Message,
    block_text_length,
    escape_mrkdwn,
    render_baseline,
    render_messages,
)

SOURCE = "models.dev"
LINKS = Links(
    commit="https://github.com/acme/llm-catalog/commit/abc123",
    pull_request="https://github.com/acme/llm-catalog/pull/7",
    run="https://github.com/acme/llm-catalog/actions/runs/99",
    changelog="https://github.com/acme/llm-catalog/blob/main/CHANGELOG.md",
)
LINK = re.compile(r"<https?://[^<>|]*\|[^<>]*>")


def make(
    kind: str = "price_changed",
    provider: str | None = "openai",
    model: str | None = "gpt-4o",
    field: str | None = "cost.input",
    old: Any = 2.5,
    new: Any = 3.0,
    change_pct: float | None = 20.0,
    severity: Severity = Severity.MEDIUM,
    detail: str = "",
    extra: dict[str, Any] | None = None,
) -> Alert:
    destination = Destination(DestinationKind.CHANNEL, "#llm-costs")
    return Alert(
        id=alert_id(
            kind=kind,
            provider=provider,
            model=model,
            field=field,
            new=new,
            from_snapshot="snap",
            destination=destination,
        ),
        destination=destination,
        rule="prices",
        source=SOURCE,
        kind=kind,
        severity=severity,
        provider=provider,
        model=model,
        field=field,
        old=old,
        new=new,
        change_pct=change_pct,
        detail=detail,
        extra=extra or {},
    )


def large_run() -> list[Alert]:
    """250 alerts over 40 providers: one model with 200 changes, one 10,000-character value."""
    alerts = [
        make("limit_changed", "bigco", "huge-1", f"limit.f{n:03d}", n, n + 1, None)
        for n in range(200)
    ]
    severities = list(Severity)
    for n in range(48):
        provider = f"provider-{n % 39:02d}"
        alerts.append(
            make(
                provider=provider,
                model=f"model-{n}",
                old=1.0 + n,
                new=2.0 + n,
                change_pct=round(100 / (1.0 + n), 2),
                severity=severities[n % 4],
            )
        )
    alerts.append(make("inconsistency_appeared", None, "gpt-4o", "cost.input", detail="spread"))
    alerts.append(
        make("metadata_changed", "bigco", "long-1", "description", "short", "x" * 10_000, None)
    )
    return alerts


def mrkdwn_texts(message: Message) -> list[str]:
    texts = [message.text]
    for block in message.blocks:
        candidates = [block.get("text"), *block.get("elements", [])]
        texts += [t["text"] for t in candidates if isinstance(t, dict) and t["type"] == "mrkdwn"]
    return texts


def section_texts(messages: list[Message]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def assert_within_limits(messages: list[Message]) -> None:
    for message in messages:
        assert message.text.strip()
        assert len(message.text) <= MAX_TEXT
        assert 1 <= len(message.blocks) <= MAX_BLOCKS
        assert sum(map(block_text_length, message.blocks)) <= MAX_MESSAGE_CHARS
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER_TEXT


def assert_ids_carried_once(messages: list[Message], alerts: list[Alert]) -> None:
    carried = [alert_id for message in messages for alert_id in message.alert_ids]
    assert sorted(carried) == sorted(alert.id for alert in alerts)
    assert len(set(carried)) == len(carried)


def test_large_run_respects_every_limit_and_carries_each_id_once() -> None:
    alerts = large_run()
    messages = render_messages(alerts, source=SOURCE, links=LINKS)

    assert len(messages) > 1
    assert_within_limits(messages)
    assert_ids_carried_once(messages, alerts)


def test_a_model_with_more_changes_than_one_section_continues_without_cutting_a_change() -> None:
    messages = render_messages(large_run(), source=SOURCE)

    sections = [text for text in section_texts(messages) if text.startswith("*bigco* / huge-1")]
    assert len(sections) > 1
    assert all("(continued)" in text for text in sections[1:])
    lines = [line for text in sections for line in text.splitlines()[1:]]
    assert len(lines) == 200
    assert lines[0].endswith("limit.f000 0 → 1") and lines[-1].endswith("limit.f199 199 → 200")


def test_an_overlong_line_has_its_values_shortened_but_keeps_provider_model_and_field() -> None:
    alert = make("metadata_changed", "bigco", "long-1", "description", "x" * 10_000, "new", None)

    [message] = render_messages([alert], source=SOURCE)

    [text] = [t for t in section_texts([message]) if "description" in t]
    assert text.startswith("*bigco* / long-1\n:large_orange_circle: • description xxx")
    assert text.endswith("x… → new")
    assert len(text) <= MAX_SECTION_TEXT
    assert message.alert_ids == (alert.id,)


def test_a_line_too_long_even_without_its_values_is_cut_and_still_carried() -> None:
    alerts = [
        make("metadata_changed", "bigco", "m", "f&" * 2_500, "old", "new", None),
        make("inconsistency_appeared", "bigco", "m", detail="<" * 5_000),
    ]

    messages = render_messages(alerts, source=SOURCE)

    assert_within_limits(messages)
    assert_ids_carried_once(messages, alerts)
    texts = section_texts(messages)
    [field] = [t for t in texts if t.startswith("*bigco* / m\n:large_orange_circle: • f&amp;f")]
    assert re.search(r"f&amp;…$|f…$", field)  # cut whole entities, never inside one
    assert any(t.startswith("*New inconsistencies*\n") and t.endswith("&lt;…") for t in texts)


def test_many_small_models_split_on_the_block_limit() -> None:
    alerts = [make(provider=f"p{n % 40:02d}", model=f"m-{n:03d}") for n in range(MAX_DETAILED)]

    messages = render_messages(alerts, source=SOURCE, links=LINKS)

    assert len(messages) >= MAX_DETAILED // MAX_BLOCKS
    assert_within_limits(messages)
    assert_ids_carried_once(messages, alerts)
    assert "continued, 2 of" in messages[1].blocks[0]["elements"][0]["text"]
    assert messages[1].text.endswith(f"(continued, 2 of {len(messages)})")


def test_above_max_detailed_a_digest_links_the_changelog_and_carries_every_id() -> None:
    alerts = [
        make(
            "price_changed" if n % 2 else "limit_changed",
            f"provider-{n % 40:02d}",
            f"model-{n:04d}",
            old=1.0,
            new=1.0 + n,
            change_pct=100.0 * n,
            severity=Severity.HIGH if n % 100 == 1 else Severity.LOW,
        )
        for n in range(5_000)
    ]

    messages = render_messages(alerts, source=SOURCE, links=LINKS)

    assert len(messages) == 1
    assert_within_limits(messages)
    assert_ids_carried_once(messages, alerts)
    text = "\n".join(mrkdwn_texts(messages[0]))
    assert "• 2,500 price changes (▲ 2,500)\n• 2,500 limit changes" in text
    assert ":red_circle: 50 high · :large_blue_circle: 4,950 low" in text
    assert "*The 20 most severe of 5,000 alerts*" in text
    assert f"4,980 more not listed here (summarized): see <{LINKS.changelog}|changelog>." in text
    listed = [line for line in text.splitlines() if line.startswith(":red_circle: provider-")]
    assert len(listed) == 20
    assert listed[0] == (
        ":red_circle: provider-21 / model-4901: ▲ cost.input $1.00 → $4,902.00 per 1M (+490100 %)"
    )


def test_a_baseline_run_is_one_digest_message_carrying_every_id() -> None:
    alerts = [make("inconsistency_appeared", None, f"m{n}", detail=f"d{n}") for n in range(40)]

    [message] = render_messages(alerts, source=SOURCE, baseline=True)

    assert_ids_carried_once([message], alerts)
    assert "First run: baseline recorded. 20 more not listed here" in "\n".join(
        mrkdwn_texts(message)
    )


def test_catalog_text_is_escaped_and_no_raw_angle_bracket_leaves_link_syntax() -> None:
    alerts = [
        make(model="<script>&co>", extra={"name": "A <b> & c"}),
        make("inconsistency_appeared", "x&y", "<m>", detail="price <1> & >2<"),
    ]
    links = Links(commit="https://example.com/c?a=1&b=<2>|x", changelog="<CHANGE>&LOG.md")

    messages = render_messages(alerts, source="<src>", links=links)

    texts = [text for message in messages for text in mrkdwn_texts(message)]
    assert any("*openai* / &lt;script&gt;&amp;co&gt; (A &lt;b&gt; &amp; c)" in t for t in texts)
    assert any("x&amp;y / &lt;m&gt;: price &lt;1&gt; &amp; &gt;2&lt;" in t for t in texts)
    assert any("<https://example.com/c?a=1&amp;b=%3C2%3E%7Cx|commit>" in t for t in texts)
    assert any("changelog: &lt;CHANGE&gt;&amp;LOG.md" in t for t in texts)
    for text in texts:
        outside_links = LINK.sub("", text)
        assert "<" not in outside_links and ">" not in outside_links
        assert re.search(r"&(?!amp;|lt;|gt;)", outside_links) is None


def test_escape_mrkdwn_replaces_slacks_three_characters_and_nothing_else() -> None:
    assert escape_mrkdwn("a & <b> *c* _d_ ~e~ `f` |g|") == "a &amp; &lt;b&gt; *c* _d_ ~e~ `f` |g|"


def test_a_price_rise_and_a_price_cut_read_with_their_arrows() -> None:
    rise = make(old=2.5, new=3.0, change_pct=20.0, severity=Severity.HIGH)
    cut = make(model="gpt-4o-mini", old=3.0, new=2.5, change_pct=-16.67, severity=Severity.LOW)

    texts = section_texts(render_messages([rise, cut], source=SOURCE))

    assert "*openai* / gpt-4o\n:red_circle: ▲ cost.input $2.50 → $3.00 per 1M (+20 %)" in texts
    assert (
        "*openai* / gpt-4o-mini\n:large_blue_circle: ▼ cost.input $3.00 → $2.50 per 1M (-16.67 %)"
        in texts
    )


def test_the_summary_comes_first_with_a_header_of_counts() -> None:
    alerts = [make(model=f"m{n}") for n in range(3)]
    alerts += [make("model_added", "acme", f"new-{n}", None, None, None, None) for n in range(12)]

    first = render_messages(alerts, source=SOURCE)[0]

    assert first.blocks[0]["type"] == "header"
    assert first.blocks[0]["text"]["text"] == "models.dev: 3 price changes, 12 models added"
    assert first.text == "models.dev: 3 price changes, 12 models added"
    assert first.blocks[1]["text"]["text"].startswith("• 3 price changes (▲ 3)\n• 12 models added")


def test_a_long_header_is_cut_to_150_characters_with_an_ellipsis() -> None:
    kinds = [kind.value for kind in ChangeKind] + ["inconsistency_appeared", "schema_drift"]
    alerts = [make(kind, model=kind) for kind in kinds]

    message = render_messages(alerts, source=SOURCE)[0]

    header = message.blocks[0]["text"]["text"]
    assert len(header) == MAX_HEADER_TEXT and header.endswith("…")


def test_links_appear_when_given() -> None:
    [message] = render_messages([make()], source=SOURCE, links=LINKS)

    [context] = [block for block in message.blocks if block["type"] == "context"]
    assert context["elements"][0]["text"] == (
        f"<{LINKS.commit}|commit> · <{LINKS.pull_request}|pull request> · "
        f"<{LINKS.run}|workflow run> · <{LINKS.changelog}|changelog>"
    )


def test_no_links_no_link_block() -> None:
    [message] = render_messages([make()], source=SOURCE)

    assert [block["type"] for block in message.blocks] == [
        "header",
        "section",
        "divider",
        "section",
    ]
    assert "http" not in json.dumps(message.payload())


def test_shuffled_input_gives_byte_identical_payloads() -> None:
    alerts = large_run()
    expected = [
        json.dumps(m.payload(), ensure_ascii=False) for m in render_messages(alerts, source=SOURCE)
    ]

    for seed in range(3):
        shuffled = list(alerts)
        random.Random(seed).shuffle(shuffled)
        messages = render_messages(shuffled, source=SOURCE)
        assert [json.dumps(m.payload(), ensure_ascii=False) for m in messages] == expected


def test_baseline_message_reads_the_counts_with_thousands_separators() -> None:
    message = render_baseline(source=SOURCE, providers=147, offerings=5276, inconsistencies=212)

    expected = "now watching models.dev: 147 providers, 5,276 offerings, 212 inconsistencies"
    assert message.text == expected
    assert message.payload() == {
        "text": expected,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": expected, "verbatim": True}}
        ],
    }


def test_every_block_validates_with_slack_sdks_own_models() -> None:
    messages = render_messages(large_run(), source="<src>", links=LINKS)
    messages.append(
        render_baseline(source=SOURCE, providers=1, offerings=2, inconsistencies=0, links=LINKS)
    )

    for message in messages:
        for raw in message.blocks:
            block = Block.parse(raw)
            assert block is not None
            block.validate_json()
            assert block.to_dict() == raw


def test_slack_sdk_validation_catches_an_overlong_section() -> None:
    section = SectionBlock(text=MarkdownTextObject(text="x" * (MAX_SECTION_TEXT + 1)))

    with pytest.raises(SlackObjectFormationError):
        section.validate_json()


def test_no_alerts_no_messages_and_one_destination_per_call() -> None:
    assert render_messages([], source=SOURCE) == []
    other = dataclasses.replace(make(model="other"), destination=Destination())
    with pytest.raises(ValueError, match="one destination"):
        render_messages([make(), other], source=SOURCE)
