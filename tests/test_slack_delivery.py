"""Slack delivery with the real slack-sdk against a loopback Slack (tests/slack_server.py).

No test sleeps: every sender gets a ``sleep`` that records the waits the retry handlers ask for,
and a ``RetryIntervalCalculator`` whose backoff values are recognisable (tests/slack_clients.py).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from catalog_watch.errors import ConfigError
from catalog_watch.publish.slack import (
    DEFAULT_API_URL,
    BotSender,
    Delivered,
    SlackDeliveryError,
    SlackSettings,
    WebhookSender,
    sender_for,
)
from tests.slack_clients import CHANNEL, MESSAGES, PATH, Backoff, Msg, bot, msg
from tests.slack_server import TOKEN, SlackServer, unreachable_url

FORK_NOTICE = (
    "no SLACK_WEBHOOK_URL or SLACK_TOKEN+SLACK_CHANNEL: Slack skipped (secrets are empty on forks)"
)


BAD_BLOCK = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]


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


def webhook(
    server: SlackServer, sleeps: list[float], backoff: Backoff, url: str | None = None
) -> WebhookSender:
    return WebhookSender(url or server.webhook_url, retry_interval=backoff, sleep=sleeps.append)


def posted(server: SlackServer, mode: str) -> list[dict[str, Any]]:
    return server.webhook_posts() if mode == "webhook" else server.messages(CHANNEL)


def sender(mode: str, server: SlackServer, sleeps: list[float], backoff: Backoff) -> Any:
    return (webhook if mode == "webhook" else bot)(server, sleeps, backoff)


# -- Delivery --------------------------------------------------------------------------------


def test_webhook_posts_each_message_in_order_and_reports_each_as_accepted(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    seen: list[tuple[Delivered, int]] = []  # with how many posts Slack had at that moment

    def on_delivered(d: Delivered) -> None:
        seen.append((d, len(server.webhook_posts())))

    webhook(server, sleeps, backoff).send(MESSAGES, on_delivered=on_delivered)

    posts = server.webhook_posts()
    assert [(p["text"], p["blocks"]) for p in posts] == [(m.text, m.blocks) for m in MESSAGES]
    assert all(p["unfurl_links"] is False for p in posts)  # the message's payload() is what goes
    assert seen == [
        (Delivered(0, None, ("a1", "b1")), 1),
        (Delivered(1, None, ("a2", "b2")), 2),
        (Delivered(2, None, ("a3", "b3")), 3),
    ]
    requests = server.calls()
    assert [r.path for r in requests] == ["/services/T000/B000/XXX"] * 3
    assert all(r.headers["content-type"].startswith("application/json") for r in requests)
    assert all("catalog-watch/" in r.headers["user-agent"] for r in requests)
    assert sleeps == []


def test_bot_posts_one_summary_then_the_rest_as_replies_in_its_thread(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    bot(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    summary, *replies = server.messages("C123")
    assert [m["text"] for m in [summary, *replies]] == ["alert 1", "alert 2", "alert 3"]
    assert summary["blocks"] == MESSAGES[0].blocks
    assert "thread_ts" not in summary
    assert [r["thread_ts"] for r in replies] == [summary["ts"], summary["ts"]]
    assert delivered == [
        Delivered(i, m["ts"], MESSAGES[i].alert_ids) for i, m in enumerate([summary, *replies])
    ]
    assert len({d.ts for d in delivered}) == 3
    requests = server.calls()
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in requests)
    # The summary goes to the name given; replies to the channel id Slack answered with.
    assert [r.body["channel"] for r in requests] == [CHANNEL, "C123", "C123"]


def test_every_bot_message_carries_its_alert_ids_as_metadata(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    messages = [*MESSAGES, Msg("alerts without ids")]

    bot(server, sleeps, backoff).send(messages, on_delivered=print)

    expected = [
        {"event_type": "catalog_watch_alerts", "event_payload": {"alert_ids": list(m.alert_ids)}}
        for m in messages
    ]
    assert [r.body["metadata"] for r in server.calls()] == expected
    assert [m["metadata"] for m in server.messages(CHANNEL)] == expected
    assert expected[-1]["event_payload"] == {"alert_ids": []}


def test_webhook_posts_carry_no_metadata(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    webhook(server, sleeps, backoff).send(MESSAGES, on_delivered=print)
    assert all("metadata" not in post for post in server.webhook_posts())


def test_nothing_to_send_makes_no_request(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    bot(server, sleeps, backoff).send([], on_delivered=delivered.append)
    webhook(server, sleeps, backoff).send([], on_delivered=delivered.append)
    assert server.calls() == []
    assert delivered == []


# -- Rate limits -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_a_429_is_retried_after_exactly_what_retry_after_says(
    mode: str,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.rate_limited(retry_after=7, path=PATH[mode])

    sender(mode, server, sleeps, backoff).send([msg(1)], on_delivered=delivered.append)

    assert sleeps == [7.0]  # Retry-After, not the backoff (0.25) and no random jitter
    assert backoff.attempts == []
    assert len(server.calls()) == 2
    assert [p["text"] for p in posted(server, mode)] == ["alert 1"]
    assert [d.message_index for d in delivered] == [0]


def test_a_retry_after_date_is_read_too(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server.rate_limited(retry_after=when)

    webhook(server, sleeps, backoff).send([msg(1)], on_delivered=lambda d: None)

    assert len(sleeps) == 1
    assert 20 < sleeps[0] <= 30


def test_an_unreadable_retry_after_falls_back_to_the_backoff(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.rate_limited(retry_after="soon")

    webhook(server, sleeps, backoff).send([msg(1)], on_delivered=lambda d: None)

    assert sleeps == [0.25]
    assert backoff.attempts == [0]


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_a_retry_after_over_the_limit_fails_at_once_instead_of_waiting(
    mode: str, server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.rate_limited(retry_after=3600)

    with pytest.raises(SlackDeliveryError) as raised:
        sender(mode, server, sleeps, backoff).send([msg(1)], on_delivered=lambda d: None)

    assert "HTTP 429" in str(raised.value)
    assert "3600 s" in str(raised.value)
    assert sleeps == []
    assert len(server.calls()) == 1


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_a_rate_limit_that_never_clears_fails_after_the_handlers_attempts(
    mode: str,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.rate_limited(retry_after=2, times=None)

    with pytest.raises(SlackDeliveryError) as raised:
        sender(mode, server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    text = str(raised.value)
    assert "message 1 of 3" in text
    assert "HTTP 429" in text
    assert "after 3 attempts" in text
    assert sleeps == [2.0, 2.0]
    assert len(server.calls()) == 3
    assert delivered == []


# -- Webhooks: what counts as delivered, and what is ambiguous -------------------------------
# (The Web API's ambiguous answers are looked up: tests/test_slack_exactly_once.py.)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_webhook_5xx_is_not_retried_and_is_ambiguous_because_the_post_may_have_gone_through(
    status: int,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.server_error(status, process=True)  # Slack posted it, then answered 5xx

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert f"rollup_error (HTTP {status})" in str(raised.value)
    assert "may have posted message 1 of 3" in str(raised.value)
    assert raised.value.ambiguous is True
    assert len(server.calls()) == 1
    assert [p["text"] for p in server.webhook_posts()] == ["alert 1"]  # once, not twice
    assert delivered == []
    assert sleeps == []


@pytest.mark.parametrize("process", [True, False])
def test_a_webhook_connection_dropped_after_the_request_is_not_retried_and_is_ambiguous(
    process: bool,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.drop(process=process)

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send([msg(1)], on_delivered=delivered.append)

    assert "RemoteDisconnected" in str(raised.value)
    assert raised.value.ambiguous is True
    assert delivered == []
    assert len(server.calls()) == 1
    assert len(server.webhook_posts()) == (1 if process else 0)


def test_a_webhook_answer_that_times_out_is_ambiguous(
    server: SlackServer, sleeps: list[float], delivered: list[Delivered]
) -> None:
    held = server.hold(PATH["webhook"], after_processing=True)  # posted, answer held back
    settings = SlackSettings.from_env(
        {"SLACK_WEBHOOK_URL": server.webhook_url, "SLACK_TIMEOUT_SECONDS": "0.5"}
    )

    with pytest.raises(SlackDeliveryError) as raised:
        sender_for(settings, sleep=sleeps.append).send([msg(1)], on_delivered=delivered.append)

    assert held.reached.is_set()
    assert "TimeoutError" in str(raised.value)
    assert raised.value.ambiguous is True
    assert delivered == []
    assert len(server.calls()) == 1  # not sent again
    assert len(server.webhook_posts()) == 1


@pytest.mark.parametrize("body", ["invalid_payload", "", "okay", "not ok", "<html>proxy</html>"])
def test_a_webhook_200_whose_body_is_not_ok_is_ambiguous_not_refused(
    body: str,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    server.answer(200, body)

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    # The post arrived and was answered: Slack may have posted it (a refusal is a 4xx with its
    # code), so an at-most-once webhook must not send it again (it was released and re-sent).
    text = str(raised.value)
    assert (
        f"Slack may have posted message 1 of 3 for webhook: {body or '(no body)'} (HTTP 200)"
        in text
    )
    assert raised.value.ambiguous is True
    assert delivered == []
    assert len(server.calls()) == 1


@pytest.mark.parametrize(
    ("body", "headers"),
    [(b"ok\xff", {}), (b"ok", {"Content-Type": "text/plain; charset=bogus-cs"})],
    ids=["invalid UTF-8", "an unknown charset"],
)
def test_a_webhook_200_that_cannot_be_decoded_is_ambiguous_not_a_traceback(
    body: bytes,
    headers: dict[str, str],
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    """A LookupError escaped (exit 1), or a UnicodeDecodeError read as "nothing was sent"."""
    server.answer(200, body, headers=headers)

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send(MESSAGES, on_delivered=delivered.append)

    assert "Slack may have posted message 1 of 3 for webhook" in str(raised.value)
    assert raised.value.ambiguous is True
    assert (delivered, len(server.calls())) == ([], 1)


def test_a_webhook_ok_with_surrounding_whitespace_is_accepted(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    server.answer(200, " ok\n")

    webhook(server, sleeps, backoff).send([msg(1)], on_delivered=delivered.append)

    assert delivered == [Delivered(0, None, ("a1", "b1"))]


# -- Refusals --------------------------------------------------------------------------------


def test_invalid_blocks_fails_loudly_with_slacks_messages_and_is_not_retried(
    server: SlackServer, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff).send([msg(1, blocks=BAD_BLOCK)], on_delivered=delivered.append)

    text = str(raised.value)
    assert f"message 1 of 1 for {CHANNEL}: invalid_blocks (HTTP 200)" in text
    assert "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]" in text
    assert len(server.calls()) == 1
    assert sleeps == []
    assert delivered == []


def test_scripted_invalid_blocks_carries_every_message(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.api_error("invalid_blocks", ["[ERROR] first", "[ERROR] second"])

    with pytest.raises(
        SlackDeliveryError, match=r"invalid_blocks .*\[ERROR\] first; \[ERROR\] second"
    ):
        bot(server, sleeps, backoff).send([msg(1)], on_delivered=lambda d: None)


def test_webhook_invalid_blocks_is_named_too(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send([msg(1, blocks=BAD_BLOCK)], on_delivered=print)

    assert "message 1 of 1 for webhook: invalid_blocks (HTTP 400)" in str(raised.value)
    assert len(server.calls()) == 1


def test_channel_not_found_fails_loudly(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff, "#no-such-channel").send([msg(1)], on_delivered=print)

    text = str(raised.value)
    assert "for #no-such-channel: channel_not_found (HTTP 200)" in text
    assert "private channel needs the app invited" in text
    assert len(server.calls()) == 1


def test_not_in_channel_says_to_invite_the_app(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.add_channel("#private-costs", member=False)

    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff, "#private-costs").send([msg(1)], on_delivered=print)

    assert "for #private-costs: not_in_channel (HTTP 200)" in str(raised.value)
    assert "/invite" in str(raised.value)


def test_a_wrong_token_is_invalid_auth_and_the_token_is_not_shown(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    wrong = "xoxb-9999-wrong-secret"
    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff, token=wrong).send([msg(1)], on_delivered=print)

    text = str(raised.value)
    assert "invalid_auth (HTTP 200)" in text
    assert "check SLACK_TOKEN" in text
    assert wrong not in text
    assert server.calls()[0].headers["authorization"] == f"Bearer {wrong}"  # it was sent


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "invalid_payload"), (404, "no_service"), (410, "channel_is_archived")],
)
def test_webhook_refusals_name_slacks_code_and_the_status(
    status: int, code: str, server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.webhook_error(status, code)

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send([msg(1)], on_delivered=print)

    assert f"message 1 of 1 for webhook: {code} (HTTP {status})" in str(raised.value)
    assert len(server.calls()) == 1
    assert sleeps == []


def test_a_removed_webhook_is_no_service_from_the_server_itself(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    gone = server.url + "/services/T000/B999/gone"
    sender_ = WebhookSender(gone, name="webhook SLACK_WEBHOOK_COSTS", sleep=sleeps.append)

    with pytest.raises(SlackDeliveryError) as raised:
        sender_.send([msg(1)], on_delivered=print)

    text = str(raised.value)
    assert "for webhook SLACK_WEBHOOK_COSTS: no_service (HTTP 404)" in text
    assert "create a new one" in text
    assert gone not in text


# -- Partial failures and outages ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_message_2_of_3_rejected_reports_only_message_1_delivered(
    mode: str,
    server: SlackServer,
    sleeps: list[float],
    backoff: Backoff,
    delivered: list[Delivered],
) -> None:
    messages = [msg(1), msg(2, blocks=[{"type": "no-such-block"}]), msg(3)]

    with pytest.raises(SlackDeliveryError) as raised:
        sender(mode, server, sleeps, backoff).send(messages, on_delivered=delivered.append)

    assert [d.alert_ids for d in delivered] == [("a1", "b1")]
    assert "message 2 of 3" in str(raised.value)
    assert "the message before it was delivered" in str(raised.value)
    assert [p["text"] for p in posted(server, mode)] == ["alert 1"]
    assert len(server.calls()) == 2  # message 3 was never sent


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_an_outage_mid_run_keeps_what_was_accepted_before_it(
    mode: str, server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    delivered: list[Delivered] = []

    def on_delivered(d: Delivered) -> None:
        delivered.append(d)
        server.outage(503)  # Slack goes down right after accepting message 1

    with pytest.raises(SlackDeliveryError) as raised:
        sender(mode, server, sleeps, backoff).send(MESSAGES, on_delivered=on_delivered)

    assert [d.message_index for d in delivered] == [0]
    text = str(raised.value)
    assert "message 2 of 3" in text
    assert "HTTP 503" in text
    assert "the message before it was delivered" in text
    # Either way Slack may have message 2: a webhook cannot tell; the bot's look-up failed too.
    assert raised.value.ambiguous is True
    if mode == "webhook":
        assert len(server.calls()) == 2
        assert sleeps == []
    else:  # the post, then (after the backoff) a history read that failed 3 times
        assert [r.path for r in server.calls()] == [
            "/api/chat.postMessage",
            "/api/chat.postMessage",
            *["/api/conversations.replies"] * 3,  # message 2 is a reply in the thread
        ]
        assert "looking it up failed: conversations.replies: internal_error (HTTP 503)" in text
        assert sleeps == [0.25, 0.25, 0.5]


@pytest.mark.parametrize("mode", ["webhook", "bot"])
def test_connection_refused_is_retried_then_fails(
    mode: str, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    if mode == "webhook":
        url = unreachable_url("/services/T000/B000/XXX")
        sender_: Any = WebhookSender(url, retry_interval=backoff, sleep=sleeps.append)
        secret = url
    else:
        api = unreachable_url("/api/")
        sender_ = BotSender(
            TOKEN, CHANNEL, base_url=api, retry_interval=backoff, sleep=sleeps.append
        )
        secret = TOKEN

    with pytest.raises(SlackDeliveryError) as raised:
        sender_.send(MESSAGES, on_delivered=delivered.append)

    text = str(raised.value)
    assert "could not deliver message 1 of 3" in text
    assert "Connection refused" in text
    assert "after 3 attempts" in text
    assert secret not in text
    assert raised.value.__suppress_context__  # the SDK's exception, not shown in a traceback
    assert raised.value.ambiguous is False  # nothing reached Slack
    assert sleeps == [0.25, 0.5]
    assert delivered == []


# -- Secrets ---------------------------------------------------------------------------------


def test_error_text_never_shows_the_webhook_url_even_when_slack_echoes_it(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.webhook_error(400, f"invalid_payload for {server.webhook_url}")

    with pytest.raises(SlackDeliveryError) as raised:
        webhook(server, sleeps, backoff).send([msg(1)], on_delivered=print)

    text = str(raised.value)
    assert "invalid_payload for *** (HTTP 400)" in text
    assert server.webhook_url not in text
    assert "/services/" not in text


def test_error_text_never_shows_the_token_even_when_slack_echoes_it(
    server: SlackServer, sleeps: list[float], backoff: Backoff
) -> None:
    server.api_error(f"invalid_auth: {TOKEN}", [f"[ERROR] token {TOKEN}"])

    with pytest.raises(SlackDeliveryError) as raised:
        bot(server, sleeps, backoff).send([msg(1)], on_delivered=print)

    assert TOKEN not in str(raised.value)
    assert "invalid_auth: ***" in str(raised.value)


def test_the_sdks_logs_never_show_the_webhook_url(
    caplog: pytest.LogCaptureFixture, sleeps: list[float], backoff: Backoff
) -> None:
    caplog.set_level(logging.DEBUG)
    url = unreachable_url("/services/T000/B000/XXX")

    with pytest.raises(SlackDeliveryError):
        WebhookSender(url, retry_interval=backoff, sleep=sleeps.append).send(
            [msg(1)], on_delivered=print
        )

    assert "Connection refused" in caplog.text  # the SDK did log the failures...
    assert "/services/" not in caplog.text  # ...and not where it was sending


def test_a_webhook_url_that_is_not_http_is_refused_without_echoing_it() -> None:
    secret = "hooks.slack.com/services/T1/B2/verysecret"
    with pytest.raises(SlackDeliveryError) as raised:
        WebhookSender(secret)
    assert "verysecret" not in str(raised.value)
    assert "webhook" in str(raised.value)


def test_settings_repr_hides_the_secrets() -> None:
    settings = SlackSettings(webhook_url="https://hooks.example/services/S/E/C", token="xoxb-s")
    assert "hooks.example" not in repr(settings)
    assert "xoxb-s" not in repr(settings)


# -- Settings and routing --------------------------------------------------------------------


def test_from_env_reads_the_variables() -> None:
    env = {
        "SLACK_WEBHOOK_URL": " https://hooks.example/services/A ",
        "SLACK_TOKEN": "xoxb-env",
        "SLACK_CHANNEL": "#env",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
    }
    settings = SlackSettings.from_env(env)
    assert settings == SlackSettings(
        "https://hooks.example/services/A", "xoxb-env", "#env", "http://127.0.0.1:9/api/"
    )


def test_from_env_explicit_arguments_win() -> None:
    env = {
        "SLACK_WEBHOOK_URL": "https://hooks.example/env",
        "SLACK_TOKEN": "xoxb-env",
        "SLACK_CHANNEL": "#env",
        "SLACK_API_URL": "http://env/api/",
    }
    settings = SlackSettings.from_env(
        env,
        webhook_url="https://hooks.example/arg",
        token="xoxb-arg",
        channel="#arg",
        base_url="http://arg/api/",
    )
    assert settings == SlackSettings(
        "https://hooks.example/arg", "xoxb-arg", "#arg", "http://arg/api/"
    )


def test_from_env_token_falls_back_to_slack_bot_token_and_blanks_are_unset() -> None:
    both = {"SLACK_TOKEN": "xoxb-main", "SLACK_BOT_TOKEN": "xoxb-bot"}
    assert SlackSettings.from_env(both).token == "xoxb-main"
    blank = {"SLACK_TOKEN": "  ", "SLACK_BOT_TOKEN": "xoxb-bot", "SLACK_CHANNEL": ""}
    settings = SlackSettings.from_env(blank, token="")
    assert settings.token == "xoxb-bot"
    assert settings.channel is None
    assert settings.base_url == DEFAULT_API_URL == "https://slack.com/api/"


def test_from_env_reads_the_timeout() -> None:
    assert SlackSettings.from_env({}).timeout == 30
    assert SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": ""}).timeout == 30
    assert SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": " 2.5 "}).timeout == 2.5
    assert SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": "9"}, timeout=4).timeout == 4


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_timeout_that_is_not_seconds_above_zero_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="SLACK_TIMEOUT_SECONDS must be a number of seconds"):
        SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": value})


@pytest.mark.parametrize(
    ("env", "configured", "notice"),
    [
        ({}, False, FORK_NOTICE),
        ({"SLACK_WEBHOOK_URL": "", "SLACK_TOKEN": "", "SLACK_CHANNEL": ""}, False, FORK_NOTICE),
        (
            {"SLACK_CHANNEL": "#llm-costs"},
            False,
            "SLACK_CHANNEL is set but SLACK_TOKEN is not (and no SLACK_WEBHOOK_URL): Slack "
            "skipped (secrets are empty on forks)",
        ),
        (
            {"SLACK_TOKEN": "xoxb-1"},
            False,
            "SLACK_TOKEN is set but SLACK_CHANNEL is not (and no SLACK_WEBHOOK_URL): Slack skipped",
        ),
        ({"SLACK_WEBHOOK_URL": "https://hooks.example/x"}, True, None),
        ({"SLACK_TOKEN": "xoxb-1", "SLACK_CHANNEL": "C1"}, True, None),
    ],
)
def test_configured_and_the_missing_notice(
    env: dict[str, str], configured: bool, notice: str | None
) -> None:
    settings = SlackSettings.from_env(env)
    assert settings.configured is configured
    assert settings.missing() == notice


def test_sender_for_routes_each_destination(server: SlackServer, sleeps: list[float]) -> None:
    other = server.add_webhook("/services/T000/B000/COSTS")
    server.add_channel("#llm-costs", "C777")
    env = {
        "SLACK_API_URL": server.api_url,
        "SLACK_TOKEN": server.token,
        "SLACK_CHANNEL": CHANNEL,
        "SLACK_WEBHOOK_URL": server.webhook_url,
    }
    settings = SlackSettings.from_env(env)

    def send(**where: Any) -> None:
        sender_for(settings, sleep=sleeps.append, **where).send([msg(1)], on_delivered=print)

    send()  # token+channel win over the webhook: threads need the Web API
    send(channel="#llm-costs")
    send(webhook_url=other)
    send(webhook_url=server.webhook_url)

    assert [m["text"] for m in server.messages("C123")] == ["alert 1"]
    assert [m["text"] for m in server.messages("C777")] == ["alert 1"]
    assert len(server.webhook_posts("/services/T000/B000/COSTS")) == 1
    assert len(server.webhook_posts()) == 1


def test_a_payload_without_blocks_gets_the_messages_text_and_blocks(server: SlackServer) -> None:
    class TextOnly(Msg):
        def payload(self) -> dict[str, Any]:
            return {"unfurl_media": False}

    sender_for(SlackSettings(webhook_url=server.webhook_url)).send(
        [TextOnly("with blocks", [{"type": "divider"}]), TextOnly("no blocks", [])],
        on_delivered=print,
    )

    assert server.webhook_posts() == [
        {"text": "with blocks", "blocks": [{"type": "divider"}], "unfurl_media": False},
        {"text": "no blocks", "unfurl_media": False},  # an empty block list is left out
    ]


def test_sender_for_uses_the_webhook_without_a_token(server: SlackServer) -> None:
    settings = SlackSettings(webhook_url=server.webhook_url, channel="#ignored")
    sender_for(settings).send([msg(1)], on_delivered=print)
    assert len(server.webhook_posts()) == 1


def test_sender_for_refuses_what_cannot_work() -> None:
    with pytest.raises(SlackDeliveryError) as raised:
        sender_for(SlackSettings())
    assert str(raised.value) == FORK_NOTICE
    assert raised.value.exit_code == 9

    with pytest.raises(SlackDeliveryError, match="no SLACK_TOKEN to post to #llm-costs"):
        sender_for(SlackSettings(webhook_url="https://hooks.example/x"), channel="#llm-costs")

    # A rule routed to a webhook whose secret is unset: an error, not the default destination.
    with pytest.raises(SlackDeliveryError, match=r"webhook SLACK_WEBHOOK_COSTS: .* URL is empty"):
        sender_for(
            SlackSettings(token="t", channel="#default"),
            webhook_url="",
            name="webhook SLACK_WEBHOOK_COSTS",
        )

    with pytest.raises(SlackDeliveryError, match="channel is empty"):
        sender_for(SlackSettings(token="t", channel="#default"), channel=" ")

    with pytest.raises(ValueError, match="not both"):
        sender_for(SlackSettings(token="t"), channel="#a", webhook_url="https://hooks.example/x")


class Trickle:
    """A loopback peer that answers every request 200 with headers at once, then its body a byte
    per ``gap`` seconds: each read of the socket is quick, the whole answer is not."""

    def __init__(self, body: bytes, gap: float, status: str = "200 OK") -> None:
        self.body, self.gap, self.status, self.requests = body, gap, status, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/services/T/B/X"

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                peer, _ = self.listener.accept()
            except TimeoutError:
                continue
            with peer:
                self.requests += 1
                peer.recv(65536)
                head = f"HTTP/1.1 {self.status}\r\nContent-Length: {len(self.body)}\r\n\r\n"
                with contextlib.suppress(OSError):
                    peer.sendall(head.encode())
                    for byte in self.body:
                        if self.stop.wait(self.gap):  # the loopback peer's own pace
                            break
                        peer.sendall(bytes([byte]))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        self.listener.close()


@pytest.mark.parametrize("status", ["200 OK", "503 Service Unavailable"])
def test_an_answer_trickled_past_the_timeout_is_ambiguous_not_waited_for(
    status: str, sleeps: list[float], backoff: Backoff, delivered: list[Delivered]
) -> None:
    """``SLACK_TIMEOUT_SECONDS`` bounded each read of the socket, not the answer: a body sent a
    byte at a time held the run for as long as the peer liked (40 s for 0.5 s here). An error
    answer's body, which slack-sdk reads itself, is read within the same bound."""
    peer = Trickle(b"ok" + b" " * 200, gap=0.2, status=status)
    try:
        sender = WebhookSender(peer.url, retry_interval=backoff, sleep=sleeps.append, timeout=0.5)
        with pytest.raises(SlackDeliveryError) as raised:
            sender.send(MESSAGES, on_delivered=delivered.append)
    finally:
        peer.close()
    assert "an answer still arriving after 0.5 s" in str(raised.value)
    assert raised.value.ambiguous is True  # it had arrived: Slack may have posted it
    assert (delivered, peer.requests) == ([], 1)
