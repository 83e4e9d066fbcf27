"""No secret leaves (issue 10): not through a redirect, not in a message, not in slack-sdk's log.

The real CLI (``catalog-watch run`` as a subprocess, real git with a bare origin) against a
loopback Slack or GitHub that redirects to a second loopback server on another port (another
origin). That server must receive nothing: no ``Authorization``, no webhook path, no request at
all. Secrets holding a space or a control character are refused before anything is sent, by a
message that names the setting. For every case every byte the run printed (stdout and stderr) and
every byte it committed (``git log -p --all`` of the bare origin) is searched for the secret and
for each of its fragments of six characters or more.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.errors import ConfigError, GitHubError, SlackDeliveryError
from catalog_watch.publish.github import GitHubClient, GitHubSettings
from catalog_watch.publish.slack import BotSender, SlackSettings, WebhookSender, sender_for
from tests.factories import document, model, provider, write_json
from tests.git_repos import clone, fresh_origin, isolate_git
from tests.github_server import GitHubServer
from tests.loopback import Loopback
from tests.slack_server import SlackServer

CLI = Path(sys.executable).parent / "catalog-watch"
SDK_LOGGER = "catalog_watch.publish.slack.sdk"
NOW = "2026-11-25T10:17:00Z"
REDIRECTS = (301, 302, 303, 307, 308)
# Secrets whose every six-character window holds a letter that is not a hex digit, so that no
# commit id or hash in `git log -p` can match one by chance.
BOT_TOKEN = "xoxb-7Q2K-9ZPX-Wr4TmL8sQvYz"
GITHUB_TOKEN = "ghs_Q7ZKxPLWqRv3kLmNxpWzTy"
HOOK_PATH = "/services/TQ7ZKXPL/BW4RVKMN/Zq8vRk3LmNxpWyTz"  # the secret part of a webhook URL


# -- Servers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Elsewhere(Loopback):
    """Another origin (another port): records whatever reaches it and answers like Slack would
    (``ok``, or a JSON ``ok: true``), so that a client that followed a redirect here would
    believe it had delivered."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.start_serving(_recorder(self.seen))

    def location(self, path: str) -> dict[str, str]:
        return {"Location": self.url + path}


def _recorder(seen: list[Seen]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            seen.append(Seen(self.command, self.path, headers, body))
            answer = b'{"ok": true, "channel": "C123", "ts": "1.000001"}'
            if self.path.startswith("/services/"):
                answer = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def __getattr__(self, name: str) -> Any:
            """``do_GET``, ``do_POST``, ``do_PATCH``...: every method is recorded alike."""
            if name.startswith("do_"):
                return self._record
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    with Elsewhere() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer(token=BOT_TOKEN, webhooks=(HOOK_PATH,)) as server:
        yield server


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    with GitHubServer(token=GITHUB_TOKEN) as server:
        yield server


# -- Running the CLI and reading every byte it left --------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    stdout: bytes
    stderr: bytes
    committed: bytes  # `git log -p --all` of the bare origin

    @property
    def error(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def leaks(self, secret: str) -> list[str]:
        """The fragments of ``secret`` found in what the run printed or committed."""
        return [f for f in fragments(secret) if f.encode() in self.stdout + self.stderr] + [
            f for f in fragments(secret) if f.encode() in self.committed
        ]


def fragments(secret: str, size: int = 6) -> set[str]:
    """The secret and every substring of it of ``size`` characters or more."""
    return {
        secret[start:end]
        for start in range(len(secret))
        for end in range(start + size, len(secret) + 1)
    }


def test_no_fragment_of_the_test_secrets_could_be_a_hex_hash() -> None:
    for secret in (BOT_TOKEN, GITHUB_TOKEN, HOOK_PATH):
        assert all(re.search("[^0-9a-f]", f) for f in fragments(secret)), secret


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    ours = clone(fresh_origin(tmp_path), "ours")
    doc = document(provider("acme", model("m1"), model("m2")), provider("beta", model("x")))
    write_json(tmp_path / "api.json", doc)
    return ours


def run_cli(repo: Path, env: Mapping[str, str], *args: str) -> Run:
    """``catalog-watch run`` in ``repo`` with only ``env`` added to a clean environment."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GITHUB_", "RUNNER_"))
    }
    done = subprocess.run(
        [str(CLI), "run", "--now", NOW, "--source", str(repo.parent / "api.json"), *args],
        cwd=repo,
        env={**base, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    origin = repo.parent / "origin.git"
    log = subprocess.run(
        ["git", "log", "-p", "--all", "--format=fuller"],
        cwd=origin,
        capture_output=True,
        check=True,
    )
    return Run(done.returncode, done.stdout, done.stderr, log.stdout)


# -- No client follows a redirect with credentials ---------------------------------------------


@pytest.mark.parametrize("status", REDIRECTS)
def test_the_bot_token_is_never_sent_after_a_redirect(
    repo: Path, slack: SlackServer, elsewhere: Elsewhere, status: int
) -> None:
    slack.answer(status, "", headers=elsewhere.location("/api/chat.postMessage"), times=None)
    env = {"SLACK_TOKEN": BOT_TOKEN, "SLACK_CHANNEL": "C123", "SLACK_API_URL": slack.api_url}
    run = run_cli(repo, env, "--mode", "commit")
    assert elsewhere.seen == []
    assert run.code == SlackDeliveryError.exit_code, run.error
    assert f"redirect (HTTP {status}) to {elsewhere.url}" in run.error
    assert "not followed" in run.error
    assert run.leaks(BOT_TOKEN) == []


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_webhook_is_never_posted_again_after_a_redirect(
    repo: Path, slack: SlackServer, elsewhere: Elsewhere, status: int
) -> None:
    slack.answer(status, "", headers=elsewhere.location(HOOK_PATH), times=None)
    run = run_cli(repo, {"SLACK_WEBHOOK_URL": slack.url + HOOK_PATH}, "--mode", "commit")
    assert elsewhere.seen == []  # neither the path nor the message went there
    assert slack.webhook_posts(HOOK_PATH) == []
    assert run.code == SlackDeliveryError.exit_code, run.error
    assert f"redirect (HTTP {status}) to {elsewhere.url}" in run.error
    assert run.leaks(HOOK_PATH) == []


@pytest.mark.parametrize("status", REDIRECTS)
def test_the_github_token_is_never_sent_after_a_redirect(
    repo: Path, github: GitHubServer, elsewhere: Elsewhere, status: int
) -> None:
    moved = elsewhere.location(f"/repos/{github.repository}/pulls")
    github.fail(status, "Moved", times=1000, headers=moved)
    env = {
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_REPOSITORY": github.repository,
    }
    run = run_cli(repo, env, "--mode", "pull-request")
    assert elsewhere.seen == []
    assert len(github.requests) == 1  # a redirect is not retried either
    assert run.code == GitHubError.exit_code, run.error
    assert f"redirect (HTTP {status}) to {elsewhere.url}" in run.error
    assert run.leaks(GITHUB_TOKEN) == []


def test_a_redirect_to_the_same_origin_is_not_followed_either(
    slack: SlackServer, sleeps: list[float]
) -> None:
    slack.answer(302, "", headers={"Location": slack.api_url + "chat.postMessage"})
    bot = BotSender(BOT_TOKEN, "C123", base_url=slack.api_url, sleep=sleeps.append)
    with pytest.raises(SlackDeliveryError, match=r"redirect \(HTTP 302\) to the same origin"):
        bot.send([Note()], on_delivered=lambda _: None)
    assert len(slack.requests) == 1


def test_the_bot_reads_refuse_redirects_too(
    slack: SlackServer, elsewhere: Elsewhere, sleeps: list[float]
) -> None:
    moved = elsewhere.location("/api/conversations.history")
    slack.answer(301, "", headers=moved, path="conversations.history", times=None)
    bot = BotSender(BOT_TOKEN, "C123", base_url=slack.api_url, sleep=sleeps.append)
    with pytest.raises(SlackDeliveryError, match=r"redirect \(HTTP 301\)") as raised:
        bot.find_posted(["a1"], oldest=datetime(2026, 1, 1, tzinfo=UTC))
    assert raised.value.ambiguous
    assert elsewhere.seen == [] and sleeps == []  # not retried: a redirect stays a redirect


def test_the_github_client_refuses_a_redirect_to_the_same_origin(
    github: GitHubServer, sleeps: list[float]
) -> None:
    github.fail(301, "Moved Permanently", headers={"Location": github.api_url + "/repositories/9"})
    settings = GitHubSettings(github.api_url, github.repository, GITHUB_TOKEN)
    same_origin = r"redirect \(HTTP 301\) to the same origin"
    with (
        GitHubClient(settings, sleep=sleeps.append) as client,
        pytest.raises(GitHubError, match=same_origin) as e,
    ):
        client.find_open_pull("branch", "main")
    assert "GITHUB_REPOSITORY" in str(e.value)  # a renamed repository answers 301
    assert len(github.requests) == 1


# -- Secrets with whitespace or control characters are refused, unprinted -----------------------


@dataclass(frozen=True)
class Bad:
    setting: str
    value: str
    secret: str  # the part whose fragments must never be printed or committed


HOOK = "{slack}"  # the loopback Slack: the host is no secret, and nothing may reach it
BAD_SLACK = [
    Bad("SLACK_WEBHOOK_URL", HOOK + HOOK_PATH[:20] + " " + HOOK_PATH[20:], HOOK_PATH),
    Bad("SLACK_WEBHOOK_URL", HOOK + HOOK_PATH[:20] + "\x1b" + HOOK_PATH[20:], HOOK_PATH),
    Bad("SLACK_WEBHOOK_URL", HOOK + HOOK_PATH[:20] + "\r" + HOOK_PATH[20:], HOOK_PATH),
    Bad("SLACK_WEBHOOK_URL", HOOK + HOOK_PATH[:20] + "\x7f" + HOOK_PATH[20:], HOOK_PATH),
    Bad("SLACK_WEBHOOK_URL", HOOK + HOOK_PATH[:20] + "\u00a0" + HOOK_PATH[20:], HOOK_PATH),
    Bad("SLACK_TOKEN", BOT_TOKEN[:12] + "\n" + BOT_TOKEN[12:], BOT_TOKEN),
    Bad("SLACK_TOKEN", BOT_TOKEN[:12] + "\t" + BOT_TOKEN[12:], BOT_TOKEN),
    Bad("SLACK_BOT_TOKEN", BOT_TOKEN[:12] + " " + BOT_TOKEN[12:], BOT_TOKEN),
]


@pytest.mark.parametrize("bad", BAD_SLACK, ids=lambda b: f"{b.setting}-{b.value[-18:]!r}")
def test_a_slack_secret_with_a_space_or_control_character_is_refused_unprinted(
    repo: Path, slack: SlackServer, bad: Bad
) -> None:
    env = {
        bad.setting: bad.value.format(slack=slack.url),
        "SLACK_CHANNEL": "C123",
        "SLACK_API_URL": slack.api_url,
    }
    run = run_cli(repo, env, "--mode", "commit")
    assert run.code == ConfigError.exit_code, run.error
    assert f"{bad.setting} holds a space or control character" in run.error
    assert run.leaks(bad.secret) == []
    assert slack.requests == []
    assert b"Slack API server" not in run.stderr  # slack-sdk's own log line never shows up


def test_a_github_token_with_a_newline_is_refused_unprinted(
    repo: Path, github: GitHubServer
) -> None:
    token = GITHUB_TOKEN[:10] + "\n" + GITHUB_TOKEN[10:]
    env = {
        "GITHUB_TOKEN": token,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_REPOSITORY": github.repository,
    }
    run = run_cli(repo, env, "--mode", "pull-request")
    assert run.code == GitHubError.exit_code, run.error
    assert "GITHUB_TOKEN holds a space or control character" in run.error
    assert run.leaks(GITHUB_TOKEN) == []
    assert github.requests == []


def test_a_routed_webhook_with_a_space_is_refused_before_anything_is_committed(
    repo: Path, slack: SlackServer
) -> None:
    (repo / "catalog-watch.toml").write_text(
        '[[watch]]\nname = "costs"\nwebhook_env = "SLACK_WEBHOOK_COSTS"\n', encoding="utf-8"
    )
    subprocess.run(["git", "add", "catalog-watch.toml"], cwd=repo, check=True)
    who = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", *who, "commit", "-qm", "config"], cwd=repo, check=True)
    hook = slack.url + HOOK_PATH[:20] + " " + HOOK_PATH[20:]
    run = run_cli(repo, {"SLACK_WEBHOOK_COSTS": hook}, "--mode", "commit")
    assert run.code == ConfigError.exit_code, run.error
    assert "webhook SLACK_WEBHOOK_COSTS holds a space or control character" in run.error
    assert run.leaks(HOOK_PATH) == []
    assert b"snapshots/" not in run.committed  # refused before the snapshot commit
    assert slack.requests == []


def test_the_flags_are_named_when_the_secret_came_from_one() -> None:
    with pytest.raises(ConfigError, match=r"^--slack-webhook-url holds a space") as raised:
        SlackSettings.from_env({}, webhook_url="https://hooks.example/services/a b")
    assert "a b" not in str(raised.value)
    with pytest.raises(ConfigError, match=r"^--slack-token holds a space"):
        SlackSettings.from_env({"SLACK_TOKEN": "xoxb-fine"}, token="xoxb-a\nb")
    with pytest.raises(GitHubError, match=r"^the --token value holds a space"):
        GitHubSettings.from_env({"GITHUB_REPOSITORY": "o/r"}, token="ghp_a\rb")


def test_surrounding_whitespace_is_trimmed_not_refused() -> None:
    env = {"SLACK_WEBHOOK_URL": " https://hooks.example/services/T/B/x\n", "SLACK_TOKEN": "\t"}
    settings = SlackSettings.from_env(env)
    assert settings.webhook_url == "https://hooks.example/services/T/B/x"
    assert settings.token is None
    github = GitHubSettings.from_env({"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "ghp_x\n"})
    assert github.token == "ghp_x"


def test_a_routed_webhook_with_a_space_is_refused_by_its_name() -> None:
    with pytest.raises(SlackDeliveryError) as raised:
        sender_for(
            SlackSettings(),
            webhook_url="https://hooks.example" + HOOK_PATH[:20] + " " + HOOK_PATH[20:],
            name="webhook SLACK_WEBHOOK_COSTS",
        )
    message = str(raised.value)
    assert message.startswith("webhook SLACK_WEBHOOK_COSTS: the Slack webhook URL holds a space")
    assert not [f for f in fragments(HOOK_PATH) if f in message]


def test_the_senders_refuse_bad_secrets_given_directly() -> None:
    with pytest.raises(SlackDeliveryError, match="the Slack token holds a space"):
        BotSender("xoxb-a\nb", "C123")
    with pytest.raises(SlackDeliveryError, match="webhook: the Slack webhook URL holds a space"):
        WebhookSender("https://hooks.example/services/a\x00b")
    with pytest.raises(GitHubError, match="the GitHub token holds a space"):
        GitHubSettings("https://api.github.com", "o/r", "ghp_a b")


# -- slack-sdk's own logging never prints a webhook path ---------------------------------------


class Note:
    text = "hello"
    blocks: tuple[dict[str, Any], ...] = ()
    alert_ids = ("a1",)

    def payload(self) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING])
def test_slack_sdks_log_holds_no_secret_whatever_the_logging_setup(
    caplog: pytest.LogCaptureFixture, sleeps: list[float], level: int
) -> None:
    """The SDK logs the request URL, body and headers (DEBUG), "Going to retry the same request:
    POST <url>" (INFO) and the exception's text (ERROR). With the root logger and the SDK's
    logger itself set to ``level``, only its warnings and errors get out, without a secret."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(level, logger=SDK_LOGGER)
    with SlackServer(token=BOT_TOKEN, webhooks=(HOOK_PATH,)) as server:
        server.drop(times=None)  # every connection closed unanswered: the SDK logs, and retries
        with pytest.raises(SlackDeliveryError):
            WebhookSender(server.url + HOOK_PATH, sleep=sleeps.append).send(
                [Note()], on_delivered=lambda _: None
            )
        bot = BotSender(BOT_TOKEN, "C123", base_url=server.api_url, sleep=sleeps.append)
        with pytest.raises(SlackDeliveryError):
            bot.find_posted(["a1"], oldest=datetime(2026, 1, 1, tzinfo=UTC))
    sdk = [r for r in caplog.records if r.name == SDK_LOGGER]
    assert sdk and all(r.levelno >= logging.WARNING for r in sdk)
    assert "Failed to send a request to Slack API server" in caplog.text
    assert not [f for f in fragments(HOOK_PATH) | fragments(BOT_TOKEN) if f in caplog.text]


def test_a_secret_in_an_sdk_error_line_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    """A line as slack-sdk writes it when the exception's text quotes the URL (http.client's
    InvalidURL did, for a URL such senders now refuse up front): the secret parts are replaced."""
    url = "https://hooks.example" + HOOK_PATH
    WebhookSender(url)
    logging.getLogger(SDK_LOGGER).error(
        "Failed to send a request to Slack API server: URL can't contain control characters. "
        "%r (found at least ' ') for %s",
        HOOK_PATH,
        url,
    )
    assert "Failed to send a request to Slack API server" in caplog.text
    assert not [f for f in fragments(HOOK_PATH) if f in caplog.text]
