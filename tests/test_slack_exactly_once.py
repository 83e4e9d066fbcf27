"""Exactly-once bot delivery: an ambiguous answer is looked up before anything is posted again.

The real slack-sdk against the loopback Slack (tests/slack_server.py), which stores what Slack
would have stored before failing (``process=True``, ``hold(after_processing=True)``) and serves
``conversations.history`` / ``replies`` / ``list`` back. Every count below is of messages in the
fake channel: "not posted twice" means exactly one copy there. No test sleeps; a held answer
times out through ``SLACK_TIMEOUT_SECONDS``, and a test waits on ``Hold.reached``, bounded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from catalog_watch.publish.slack import (
    EVENT_TYPE,
    BotSender,
    Delivered,
    Posted,
    SlackDeliveryError,
    SlackSettings,
    sender_for,
)
from tests.slack_clients import CHANNEL, MESSAGES, PATH, Backoff, Msg, bot, msg
from tests.slack_server import TOKEN, SlackServer

POST = PATH["bot"]
WAIT = 10.0  # seconds a test waits at most for an event or a thread


@pytest.fixture
def server() -> Iterator[SlackServer]:
    with SlackServer() as running:
        yield running


@pytest.fixture
def backoff() -> Backoff:
    return Backoff()


@pytest.fixture
def delivered() -> list[Delivered]:
    return []


def paths(server: SlackServer) -> list[str]:
    return [r.path.removeprefix("/api/") for r in server.calls()]


def metadata(*ids: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"alert_ids": list(ids)}}


def assert_one_thread(server: SlackServer, delivered: list[Delivered]) -> None:
    """MESSAGES are in the channel once each, as one thread, and reported with their ts."""
    summary, *replies = server.messages(CHANNEL)
    assert [m["text"] for m in [summary, *replies]] == ["alert 1", "alert 2", "alert 3"]
    assert "thread_ts" not in summary
    assert [r["thread_ts"] for r in replies] == [summary["ts"]] * 2
    assert delivered == [
        Delivered(i, m["ts"], MESSAGES[i].alert_ids) for i, m in enumerate([summary, *replies])
    ]


# -- Top-level message: looked up in the channel's history ----------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_after_slack_posted_is_found_in_history_and_not_posted_twice(
    status: int,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.server_error(status, process=True, path=POST)  # posted, then answered 5xx

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert paths(server) == [
        "chat.postMessage",
        "conversations.list",  # "#llm-alerts" is a name: its id first
        "conversations.history",
        "chat.postMessage",  # the replies, under the summary that was found
        "chat.postMessage",
    ]
    history = server.calls("history")[0].body
    assert history["channel"] == "C123"
    assert history["include_all_metadata"] == "1"
    first_try = server.messages(CHANNEL)[0]["ts"]
    assert 0 < float(first_try) - float(history["oldest"]) < 120  # a little before the send
    assert sleeps == [0.25]  # the backoff before the look-up; no post retried


UNREADABLE_200 = {  # answers a probe found taken for "nothing was posted": posted twice
    "truncated JSON": (b'{"ok": true, "ts": "1', {}),
    "invalid UTF-8": (b'{"ok": true, "ts": "\xff\xfe"}', {}),
    "an HTML page": (b"<html>gateway</html>", {"Content-Type": "text/html"}),
    "null": (b"null", {}),
    "no ok": (b'{"ts": "1.2"}', {}),
    "a list": (b"[1]", {}),  # an AttributeError in slack-sdk once: exit 1
    "nested past recursion": (b"[" * 100_000, {}),  # a RecursionError once
    "an unknown charset": (b'{"ok": true}', {"Content-Type": "application/json; charset=bogus"}),
}


@pytest.mark.parametrize(("body", "headers"), UNREADABLE_200.values(), ids=UNREADABLE_200.keys())
def test_a_200_after_slack_posted_that_cannot_be_read_is_looked_up_not_posted_twice(
    body: bytes,
    headers: dict[str, str],
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.answer(200, body, headers=headers, process=True, path=POST)

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert paths(server)[:3] == ["chat.postMessage", "conversations.list", "conversations.history"]


def test_a_refusal_whose_error_is_not_a_code_is_a_refusal_not_a_traceback(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    """``ok: false`` says nothing was posted, whatever ``error`` holds (an object raised
    TypeError: unhashable, exit 1)."""
    server.answer(200, b'{"ok": false, "error": {"x": 1}}', path=POST)

    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert raised.value.ambiguous is False
    assert (delivered, len(server.calls(POST))) == ([], 1)


def test_internal_error_with_http_200_is_ambiguous_too(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.api_error("internal_error", process=True, path=POST)

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert len(server.calls(POST)) == 3


@pytest.mark.parametrize("status", [500, 502])
def test_a_5xx_before_slack_posted_is_looked_up_then_posted_once(
    status: int,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.server_error(status, path=POST)  # refused before posting anything

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert paths(server)[:4] == [
        "chat.postMessage",
        "conversations.list",
        "conversations.history",
        "chat.postMessage",
    ]
    assert backoff.attempts == [0]
    assert sleeps == [0.25]


def test_a_read_timeout_after_slack_posted_is_found_and_not_posted_twice(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    held = server.hold(POST, after_processing=True)  # stored; the answer never comes in time
    env = {
        "SLACK_API_URL": server.api_url,
        "SLACK_TOKEN": server.token,
        "SLACK_CHANNEL": CHANNEL,
        "SLACK_TIMEOUT_SECONDS": "0.5",
    }
    sender = sender_for(SlackSettings.from_env(env), retry_interval=backoff, sleep=sleeps.append)

    sender.send(MESSAGES, on_delivered=delivered.append)

    assert held.reached.is_set() and held.arrived == 1
    assert_one_thread(server, delivered)
    assert len(server.calls(POST)) == 3


def test_a_connection_dropped_after_slack_posted_is_found_and_not_posted_twice(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.drop(process=True, path=POST)

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert len(server.calls(POST)) == 3


def test_a_connection_dropped_before_slack_posted_is_posted_once(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.drop(path=POST)

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert_one_thread(server, delivered)
    assert len(server.calls(POST)) == 4


def test_an_older_copy_and_other_messages_are_not_taken_for_the_message(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    an_hour_ago = time.time() - 3600
    server.add_message(CHANNEL, "alert 1", ts=an_hour_ago, metadata=metadata("a1", "b1"))
    server.add_message(CHANNEL, "alert 1", metadata=metadata("a1"))  # other ids
    server.add_message(CHANNEL, "alert 1", metadata={**metadata("a1", "b1"), "event_type": "x"})
    server.add_message(CHANNEL, "alert 1")  # no metadata
    server.server_error(502, path=POST)

    bot(server, sleeps, backoff).send([msg(1)], on_delivered=delivered.append)

    ours = [m for m in server.messages(CHANNEL) if m.get("user") == "U0BOT"]
    assert [m["text"] for m in ours] == ["alert 1"]
    assert delivered == [Delivered(0, ours[0]["ts"], ("a1", "b1"))]


def test_a_message_without_alert_ids_is_matched_on_its_text_too(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.add_message(CHANNEL, "another summary", metadata=metadata())  # seconds before
    server.server_error(502, process=True, path=POST)
    summary = Msg("the summary")

    bot(server, sleeps, backoff).send([summary], on_delivered=delivered.append)

    posted = [m for m in server.messages(CHANNEL) if m["text"] == "the summary"]
    assert len(posted) == 1
    assert delivered == [Delivered(0, posted[0]["ts"], ())]


def test_a_channel_given_by_id_is_looked_up_without_listing_channels(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.server_error(502, process=True, path=POST)
    sender = BotSender(
        TOKEN, "C123", base_url=server.api_url, retry_interval=backoff, sleep=sleeps.append
    )

    sender.send([msg(1)], on_delivered=delivered.append)

    assert paths(server) == ["chat.postMessage", "conversations.history"]
    assert len(server.messages("C123")) == 1


# -- Thread replies: looked up in the thread -------------------------------------------------


def test_an_ambiguous_thread_reply_is_found_in_the_thread_and_not_posted_twice(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    delivered: list[Delivered] = []

    def on_delivered(d: Delivered) -> None:
        delivered.append(d)
        if d.message_index == 0:  # reply 1 is posted, then answered 502
            server.server_error(502, process=True, path=POST)

    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=on_delivered)

    assert_one_thread(server, delivered)
    assert paths(server) == [
        "chat.postMessage",
        "chat.postMessage",
        "conversations.replies",  # the channel id came with the summary's answer: no list
        "chat.postMessage",
    ]
    replies = server.calls("replies")[0].body
    assert replies["ts"] == delivered[0].ts
    assert replies["channel"] == "C123"
    assert replies["include_all_metadata"] == "1"


def test_send_with_thread_ts_continues_an_existing_thread(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    first: list[Delivered] = []
    bot(server, sleeps, backoff).send([msg(1)], on_delivered=first.append)  # a crashed run's
    thread = first[0].ts
    assert thread is not None
    seen: list[tuple[Delivered, int]] = []  # with how many messages Slack had at that moment

    def on_delivered(d: Delivered) -> None:
        seen.append((d, len(server.messages(CHANNEL))))
        if d.message_index == 0:
            server.drop(process=True, path=POST)  # the next reply: posted, no answer

    later = bot(server, sleeps, backoff)
    later.send([msg(2), msg(3)], on_delivered=on_delivered, thread_ts=thread)

    _summary, *replies = server.messages(CHANNEL)
    assert [m["text"] for m in replies] == ["alert 2", "alert 3"]
    assert [m["thread_ts"] for m in replies] == [thread, thread]
    assert seen == [
        (Delivered(0, replies[0]["ts"], ("a2", "b2")), 2),
        (Delivered(1, replies[1]["ts"], ("a3", "b3")), 3),
    ]
    assert "conversations.replies" in paths(server)


# -- When it cannot be settled ---------------------------------------------------------------


def test_a_post_that_keeps_failing_and_is_not_in_the_channel_fails_after_three_attempts(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.outage(500, path=POST)

    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    text = str(raised.value)
    assert (
        f"could not deliver message 1 of 3 for {CHANNEL}: internal_error (HTTP 500), and it is "
        "not in the channel (after 3 attempts)"
    ) in text
    assert raised.value.ambiguous is False  # looked up after every attempt: not there
    assert len(server.calls(POST)) == 3
    assert len(server.calls("history")) == 3
    assert sleeps == [0.25, 0.5]  # before the 2nd and 3rd attempts; none before the last look-up
    assert delivered == []
    assert server.messages(CHANNEL) == []


def test_a_look_up_that_fails_makes_the_error_ambiguous(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.outage(500)  # the look-up fails too (reads are retried: they are harmless)

    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    text = str(raised.value)
    assert f"Slack may have posted message 1 of 3 for {CHANNEL} (internal_error (HTTP 500))" in text
    assert "looking it up failed: conversations.list: internal_error (HTTP 500)" in text
    assert raised.value.ambiguous is True
    assert len(server.calls(POST)) == 1  # not posted again blindly
    assert delivered == []


@pytest.mark.parametrize(
    ("private", "scopes", "needed"),
    [
        (False, ["chat:write", "channels:read"], "channels:history"),
        (True, ["chat:write", "channels:read", "channels:history"], "groups:read"),
        (True, ["chat:write", "channels:read", "groups:read"], "groups:history"),
    ],
)
def test_a_missing_scope_for_the_look_up_is_named(
    private: bool,
    scopes: list[str],
    needed: str,
    sleeps: list[float],
    backoff: Backoff,
) -> None:
    with SlackServer(scopes=scopes) as server:
        server.add_channel("#private-costs", private=private)
        server.server_error(502, process=True, path=POST)

        with pytest.raises(SlackDeliveryError) as raised:
            bot(server, sleeps, backoff, "#private-costs").send([msg(1)], on_delivered=print)

    text = str(raised.value)
    assert f"missing_scope (HTTP 200) — the bot token needs the {needed} scope" in text
    assert raised.value.ambiguous is True


def test_a_channel_name_the_bot_cannot_see_asks_for_the_id(
    sleeps: list[float], backoff: Backoff
) -> None:
    with SlackServer() as server:
        server.add_channel("#hidden", private=True, member=True)
        server.channels[server.names["#hidden"]].name = "renamed"  # listed under another name
        server.server_error(502, path=POST)

        with pytest.raises(SlackDeliveryError) as raised:
            bot(server, sleeps, backoff, "#hidden").send([msg(1)], on_delivered=print)

    assert "no channel named #hidden" in str(raised.value)
    assert "give SLACK_CHANNEL as the channel id" in str(raised.value)
    assert raised.value.ambiguous is True


# -- find_posted: the next run's view of what a crashed run left ----------------------------


def test_find_posted_returns_the_ids_already_in_slack_across_pages() -> None:
    with SlackServer(page_limit=2) as server:  # Slack may return few messages a page
        start = datetime.now(UTC) - timedelta(seconds=1)
        old = time.time() - 3600
        server.add_message(CHANNEL, "old run", ts=old, metadata=metadata("a1", "old"))
        sender = BotSender(TOKEN, CHANNEL, base_url=server.api_url, sleep=print)
        first: list[Delivered] = []
        sender.send(MESSAGES, on_delivered=first.append)  # a1 b1 | a2 b2 | a3 b3
        summary = first[0].ts
        assert summary is not None
        server.add_message(CHANNEL, "a person's reply", thread_ts=summary)
        server.add_message(CHANNEL, "a person's message")
        server.add_message(
            CHANNEL, "another app", metadata={"event_type": "x", "event_payload": {}}
        )
        second: list[Delivered] = []
        sender.send([msg(4), msg(5)], on_delivered=second.append)
        server.add_message(CHANNEL, "a person's message")

        found = BotSender(TOKEN, CHANNEL, base_url=server.api_url).find_posted(
            {"a1", "b2", "a3", "a4", "b5", "old", "nowhere"}, oldest=start
        )

    assert found == {
        "a1": Posted(str(first[0].ts), None, "C123"),
        "b2": Posted(str(first[1].ts), summary, "C123"),
        "a3": Posted(str(first[2].ts), summary, "C123"),
        "a4": Posted(str(second[0].ts), None, "C123"),
        "b5": Posted(str(second[1].ts), second[0].ts, "C123"),
    }
    history = server.calls("history")
    assert len(history) >= 3  # 5 top-level messages since start, 2 a page
    assert all(r.body["include_all_metadata"] == "1" for r in history)
    assert [bool(r.body.get("cursor")) for r in history] == [False] + [True] * (len(history) - 1)
    assert {r.body["ts"] for r in server.calls("replies")} == {summary, second[0].ts}
    assert len(server.calls("replies")) >= 3  # the first thread has 4 messages: 2 pages


def test_find_posted_of_nothing_reads_nothing(server: SlackServer) -> None:
    sender = BotSender(TOKEN, CHANNEL, base_url=server.api_url)
    assert sender.find_posted([], oldest=datetime.now(UTC)) == {}
    assert server.calls() == []


def test_find_posted_takes_a_naive_oldest_as_utc(server: SlackServer) -> None:
    sender = BotSender(TOKEN, "C123", base_url=server.api_url)
    sender.find_posted(["a1"], oldest=datetime(2026, 1, 2, 3, 4, 5))
    assert server.calls("history")[0].body["oldest"] == "1767323045.000000"


def test_find_posted_that_cannot_read_is_an_ambiguous_error(sleeps: list[float]) -> None:
    with SlackServer(scopes=["chat:write"]) as server:
        sender = BotSender(TOKEN, "C123", base_url=server.api_url, sleep=sleeps.append)
        with pytest.raises(SlackDeliveryError) as raised:
            sender.find_posted(["a1"], oldest=datetime.now(UTC))

    text = str(raised.value)
    assert "could not read which alerts are already in C123" in text
    assert "the bot token needs the channels:history scope" in text
    assert TOKEN not in text
    assert raised.value.ambiguous is True


# -- Held answers: nothing is reported before Slack answers ---------------------------------
# (The loopback server's history bounds, cursor pages and metadata are checked through the
# bot's own reads above: the look-ups, and find_posted across pages.)


def test_a_post_held_before_slack_carries_it_out_is_reported_once_released(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    held = server.hold(POST, after_processing=False)
    delivered: list[Delivered] = []
    sender = bot(server, sleeps, backoff, "C123")
    worker = threading.Thread(target=lambda: sender.send([msg(1)], on_delivered=delivered.append))
    worker.start()

    assert held.reached.wait(WAIT)
    assert server.messages("C123") == []  # waiting, not carried out
    assert delivered == []  # and not reported: Slack has not answered
    held.release()
    worker.join(WAIT)

    assert not worker.is_alive()
    assert [m["text"] for m in server.messages("C123")] == ["alert 1"]
    assert delivered == [Delivered(0, server.messages("C123")[0]["ts"], ("a1", "b1"))]


def test_a_post_held_when_slack_goes_away_is_an_ambiguous_error_not_a_hang(
    sleeps: list[float], backoff: Backoff
) -> None:
    errors: list[SlackDeliveryError] = []

    def post(sender: BotSender) -> None:
        try:
            sender.send([msg(1)], on_delivered=lambda d: None)
        except SlackDeliveryError as exc:  # the connection is dropped when the server stops
            errors.append(exc)

    with SlackServer() as server:
        held = server.hold(POST, after_processing=False)
        worker = threading.Thread(target=post, args=(bot(server, sleeps, backoff, "C123"),))
        worker.start()
        assert held.reached.wait(WAIT)
    worker.join(WAIT)

    assert not worker.is_alive()
    assert len(errors) == 1  # dropped unanswered, and the look-up cannot read...
    assert errors[0].ambiguous is True
    assert server.messages("C123") == []  # ...and never carried out
