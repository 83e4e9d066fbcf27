"""GitHub answers the client cannot read, and a comment whose answer was lost.

Against the real client and the loopback GitHub (tests/github_server.py), extended here with
replies scripted as raw bytes: a body nested past the JSON parser's depth, a ``1e400``. An answer
that cannot be read is a GitHubError naming the call (the run exits 8), never a traceback. No
test sleeps: every client gets a ``sleep`` that records the waits it asks for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.errors import GitHubError
from catalog_watch.publish.github import GitHubClient, GitHubSettings, close_rolling_pull
from catalog_watch.publish.github import upsert_rolling_pull as upsert_rolling
from tests.factories import document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, isolate_git
from tests.github_server import Failure, GitHubServer
from tests.loopback import QuietServer
from tests.runs import run_in

HEAD, BASE = "catalog-watch/models.dev", "main"
REPO = "/repos/octo-org/catalog"


class Raw(bytes):
    """A reply body sent as these very bytes (GitHubServer sends the JSON of what it is given)."""


class AnsweringServer(GitHubServer):
    """The loopback GitHub, plus :meth:`answer`: the next matching requests get this reply."""

    def start_serving(
        self,
        handler: type[BaseHTTPRequestHandler],
        server_class: type[ThreadingHTTPServer] = QuietServer,
    ) -> None:
        class RawHandler(handler):  # type: ignore[valid-type, misc]
            def _send(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
                if not isinstance(body, Raw):
                    super()._send(status, body, headers)
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        super().start_serving(RawHandler, server_class)

    def answer(
        self,
        status: int,
        body: Any,
        *,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        process: bool = False,
    ) -> None:
        """Like ``fail``, with any body (JSON of it, or :class:`Raw` bytes) and any status."""
        with self.lock:
            self.failures.append(
                Failure(status, body, dict(headers or {}), 1, method, path, process)
            )


@pytest.fixture
def server() -> Iterator[AnsweringServer]:
    with AnsweringServer() as running:
        yield running


@pytest.fixture
def client(server: AnsweringServer, sleeps: list[float]) -> Iterator[GitHubClient]:
    settings = GitHubSettings(server.api_url, server.repository, server.token)
    with GitHubClient(settings, sleep=sleeps.append) as github:
        yield github


def upsert(client: GitHubClient) -> None:
    upsert_rolling(client, head=HEAD, base=BASE, title="catalog changes", body="body", labels=())


def one_line_naming(error: GitHubError, call: str) -> str:
    message = str(error)
    assert call in message and "\n" not in message
    return message


# -- A pull-request run whose GitHub answers cannot be read --------------------------------------


@pytest.fixture
def repo(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    server: AnsweringServer,
) -> Path:
    """A clone whose ``main`` holds a baseline snapshot, with the runner's GitHub variables."""
    isolate_git(monkeypatch, tmp_path / "home")
    ours = clone(fresh_origin(tmp_path), "ours")
    source = write_json(tmp_path / "base.json", base_catalog())
    assert run_in(ours, monkeypatch, capsys, "--mode", "commit", "--source", str(source))[0] == 0
    monkeypatch.setenv("GITHUB_API_URL", server.api_url)
    monkeypatch.setenv("GITHUB_REPOSITORY", server.repository)
    monkeypatch.setenv("GITHUB_TOKEN", server.token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return ours


def base_catalog() -> dict[str, Any]:
    return document(provider("acme", *(model(f"m{i}") for i in range(5))))


def pr_run(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], doc: Any
) -> tuple[int, str, str]:
    source = write_json(repo.parent / f"api-{len(list(repo.parent.glob('api-*')))}.json", doc)
    return run_in(repo, monkeypatch, capsys, "--mode", "pull-request", "--source", str(source))


def test_a_pull_list_nested_past_the_parser_depth_exits_8_and_the_next_run_opens_the_pull(
    repo: Path,
    server: AnsweringServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.answer(200, Raw(b"[" * 100_000), method="GET", path=r"/pulls$")
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    code, _, err = pr_run(repo, monkeypatch, capsys, changed)
    assert code == 8
    assert f"GitHub answered GET {REPO}/pulls with something that is not JSON" in err
    assert "Traceback" not in err and "RecursionError" not in err
    assert server.open_pulls() == []
    code, _, _ = pr_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    [pull] = server.open_pulls()
    assert pull["head"]["ref"] == HEAD


# -- The client's own calls ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", [b"1e400", b"-1e400", b"Infinity", b"NaN", b"true", b"1.5", b"0"]
)
@pytest.mark.parametrize("call", ["GET", "POST"])
def test_a_pull_number_that_is_not_a_positive_int_is_an_unreadable_answer(
    server: AnsweringServer, client: GitHubClient, number: bytes, call: str
) -> None:
    pull = b'{"number": %s, "html_url": "https://github.test/pull/1", "state": "open"}' % number
    if call == "GET":
        server.answer(200, Raw(b"[" + pull + b"]"), method="GET", path=r"/pulls$")
    else:  # the 201 of the create, which GitHub did make
        server.answer(201, Raw(pull), method="POST", path=r"/pulls$", process=True)
    with pytest.raises(GitHubError) as caught:
        upsert(client)
    message = str(caught.value)
    assert message == "GitHub's pull request reply lacks number/html_url/state"


@pytest.mark.parametrize(
    ("errors", "shown"),
    [
        (5, "Validation Failed"),
        (True, "Validation Failed"),
        ({"message": "a dict"}, "Validation Failed"),
        ([{"message": 5}], "Validation Failed"),
        (
            [{"message": 5, "field": "body", "code": "custom"}, 7, None],
            "Validation Failed (body custom)",
        ),
        (
            [{"message": ["x"], "code": 3}, "head is\nnot a branch"],
            "Validation Failed (head is not a branch)",
        ),
    ],
)
def test_an_error_body_with_errors_of_any_shape_still_names_the_call_and_the_message(
    server: AnsweringServer, client: GitHubClient, errors: Any, shown: str
) -> None:
    body = {"message": "Validation Failed", "errors": errors}
    server.answer(422, body, method="POST", path=r"/pulls$")
    with pytest.raises(GitHubError) as caught:
        upsert(client)
    message = one_line_naming(caught.value, f"POST {REPO}/pulls")
    assert message == f"GitHub refused POST {REPO}/pulls: HTTP 422 {shown}"


@pytest.mark.parametrize("reset", ["9" * 5_000, "²", "1e9", "-5"])
@pytest.mark.parametrize("status", [403, 429])
def test_an_unreadable_rate_limit_reset_is_ignored_and_the_minute_is_waited(
    server: AnsweringServer, client: GitHubClient, sleeps: list[float], reset: str, status: int
) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    body = {"message": "API rate limit exceeded"}
    server.answer(status, body, method="GET", path=r"/pulls$", headers=headers)
    assert client.find_open_pull(HEAD, BASE) is None
    assert sleeps == [60.0]  # as if the header were absent
    assert len(server.calls("GET", r"/pulls$")) == 2


def test_a_comment_stored_before_a_502_is_not_posted_again_and_the_pull_is_closed(
    server: AnsweringServer, client: GitHubClient, sleeps: list[float]
) -> None:
    upsert(client)
    server.requests.clear()
    gateway = {"message": "Bad Gateway"}
    server.answer(502, gateway, method="POST", path=r"/comments$", process=True)
    result = close_rolling_pull(client, head=HEAD, base=BASE, comment="Back to main's catalog.")
    assert result.operation == "closed" and result.pull is not None
    assert result.pull.state == "closed"
    assert [c["body"] for c in server.comments] == ["Back to main's catalog."]
    assert [f"{r.method} {r.path.removeprefix(REPO)}" for r in server.requests] == [
        "GET /pulls",
        "POST /issues/1/comments",
        "GET /issues/1/comments",
        "PATCH /pulls/1",
    ]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 2.0  # one backoff before looking


def test_a_comment_lost_behind_a_502_is_posted_again_once(
    server: AnsweringServer, client: GitHubClient, sleeps: list[float]
) -> None:
    upsert(client)
    server.fail(502, "Bad Gateway", method="POST", path=r"/comments$")  # nothing stored
    result = close_rolling_pull(client, head=HEAD, base=BASE, comment="Back to main's catalog.")
    assert result.operation == "closed"
    assert [c["body"] for c in server.comments] == ["Back to main's catalog."]
    assert len(server.calls("POST", r"/comments$")) == 2


def test_a_comment_refused_at_every_attempt_is_a_github_error_and_the_pull_stays_open(
    server: AnsweringServer, client: GitHubClient, sleeps: list[float]
) -> None:
    upsert(client)
    server.fail(502, "Bad Gateway", times=10, method="POST", path=r"/comments$")
    with pytest.raises(GitHubError) as caught:
        close_rolling_pull(client, head=HEAD, base=BASE, comment="bye")
    message = one_line_naming(caught.value, f"POST {REPO}/issues/1/comments")
    assert message.endswith(": HTTP 502 Bad Gateway (after 4 attempts)")
    assert len(server.calls("POST", r"/comments$")) == 4
    assert len(server.calls("GET", r"/comments$")) == 3 and len(sleeps) == 3
    assert server.comments == [] and server.pulls[1]["state"] == "open"  # the next run closes it
