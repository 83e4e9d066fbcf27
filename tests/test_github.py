"""The rolling pull request against a loopback GitHub (tests/github_server.py), and fit_body.

No test sleeps: every client gets a ``sleep`` that records the waits it asks for.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from catalog_watch.errors import GitHubError
from catalog_watch.publish.github import (
    PR_BODY_LIMIT,
    GitHubClient,
    GitHubSettings,
    Label,
    PullRequestResult,
    close_rolling_pull,
    fit_body,
    upsert_rolling_pull,
)
from tests.github_server import NOT_PERMITTED, GitHubServer

HEAD, BASE = "catalog-watch/models.dev", "main"
PRICES = Label("catalog: prices", "d93f0b", "Price changes in the model catalog")
ADDED = Label("catalog: models added", "0e8a16", "Models added to the catalog")
LIMITS = Label("catalog: limits", "fbca04", "Context or output limit changes")
POINTER = "… {n} more lines: see CHANGELOG.md in this branch"


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with GitHubServer() as running:
        yield running


@pytest.fixture
def client(server: GitHubServer, sleeps: list[float]) -> Iterator[GitHubClient]:
    settings = GitHubSettings(server.api_url, server.repository, server.token)
    with GitHubClient(settings, sleep=sleeps.append) as github:
        yield github


def upsert(
    client: GitHubClient, body: str = "body", labels: tuple[Label, ...] = (PRICES,)
) -> PullRequestResult:
    return upsert_rolling_pull(
        client, head=HEAD, base=BASE, title="models.dev catalog changes", body=body, labels=labels
    )


def paths(server: GitHubServer) -> list[str]:
    repo = f"/repos/{server.repository}"
    return [f"{r.method} {r.path.removeprefix(repo)}" for r in server.requests]


# -- The rolling pull request -----------------------------------------------------------------


def test_first_upsert_creates_the_pull_then_creates_and_adds_its_labels(
    server: GitHubServer, client: GitHubClient
) -> None:
    result = upsert(client, "first body", (PRICES, ADDED))
    assert result.operation == "created" and result.pull is not None
    assert (result.pull.number, result.pull.state) == (1, "open")
    assert result.pull.url == f"{server.url}/{server.repository}/pull/1"
    assert paths(server) == [
        "GET /pulls",
        "POST /pulls",
        "GET /labels/catalog%3A%20prices",
        "POST /labels",
        "GET /labels/catalog%3A%20models%20added",
        "POST /labels",
        "POST /issues/1/labels",
    ]
    listed = server.requests[0].query
    assert listed == {"state": "open", "head": f"octo-org:{HEAD}", "base": BASE}
    assert server.requests[1].json == {
        "title": "models.dev catalog changes",
        "body": "first body",
        "head": HEAD,
        "base": BASE,
    }
    assert server.labels["catalog: prices"]["color"] == "d93f0b"
    assert server.labels["catalog: models added"]["description"] == "Models added to the catalog"
    assert [x["name"] for x in server.pulls[1]["labels"]] == [
        "catalog: prices",
        "catalog: models added",
    ]


def test_every_request_carries_the_api_headers(server: GitHubServer, client: GitHubClient) -> None:
    upsert(client)
    for request in server.requests:
        assert request.headers["authorization"] == f"Bearer {server.token}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["user-agent"].startswith("catalog-watch/")


def test_second_upsert_updates_the_same_pull_without_a_second_create(
    server: GitHubServer, client: GitHubClient
) -> None:
    first = upsert(client, "first body")
    second = upsert(client, "second body")
    assert second.operation == "updated"
    assert second.pull == first.pull
    assert len(server.calls("POST", r"/pulls$")) == 1
    [patch] = server.calls("PATCH", r"/pulls/1$")
    assert patch.json == {"title": "models.dev catalog changes", "body": "second body"}
    assert [p["body"] for p in server.open_pulls()] == ["second body"]


def test_labels_already_in_the_repository_are_not_recreated(
    server: GitHubServer, client: GitHubClient
) -> None:
    server.add_label("catalog: prices", "123456", "kept as the maintainers set it")
    upsert(client, labels=(PRICES,))
    assert server.calls("POST", r"/catalog/labels$") == []
    assert server.labels["catalog: prices"]["color"] == "123456"
    assert [x["name"] for x in server.pulls[1]["labels"]] == ["catalog: prices"]


def test_a_label_created_between_lookup_and_create_is_fine(
    server: GitHubServer, client: GitHubClient
) -> None:
    server.add_label("catalog: prices")
    server.fail(404, "Not Found", method="GET", path=r"/labels/")  # another run's race
    result = upsert(client, labels=(PRICES,))
    [create] = server.calls("POST", r"/catalog/labels$")
    assert create.json["name"] == "catalog: prices"  # answered 422 already_exists
    assert result.operation == "created"
    assert [x["name"] for x in server.pulls[1]["labels"]] == ["catalog: prices"]


def test_labels_are_added_never_removed(server: GitHubServer, client: GitHubClient) -> None:
    upsert(client, labels=(PRICES,))
    server.label_pull(1, "needs-review")  # a reviewer's label
    upsert(client, labels=(ADDED, LIMITS))
    names = {x["name"] for x in server.pulls[1]["labels"]}
    assert names == {"catalog: prices", "needs-review", "catalog: models added", "catalog: limits"}
    assert [r.method for r in server.requests if "/issues/1/labels" in r.path] == ["POST", "POST"]


def test_no_labels_sends_no_label_request(server: GitHubServer, client: GitHubClient) -> None:
    upsert(client, labels=(PRICES,))
    server.requests.clear()
    upsert(client, labels=())
    assert server.calls(path="labels") == []  # an empty list would strip every label
    assert [x["name"] for x in server.pulls[1]["labels"]] == ["catalog: prices"]


def test_close_comments_then_closes(server: GitHubServer, client: GitHubClient) -> None:
    upsert(client)
    server.requests.clear()
    result = close_rolling_pull(client, head=HEAD, base=BASE, comment="Back to main's catalog.")
    assert result.operation == "closed" and result.pull is not None
    assert (result.pull.number, result.pull.state) == (1, "closed")
    assert paths(server) == ["GET /pulls", "POST /issues/1/comments", "PATCH /pulls/1"]
    assert server.requests[2].json == {"state": "closed"}
    assert server.comments == [{"id": 1, "issue": 1, "body": "Back to main's catalog."}]


def test_close_with_no_open_pull_is_none(server: GitHubServer, client: GitHubClient) -> None:
    result = close_rolling_pull(client, head=HEAD, base=BASE, comment="unused")
    assert (result.operation, result.pull) == ("none", None)
    assert paths(server) == ["GET /pulls"]
    assert server.comments == []


def test_after_a_close_the_next_upsert_opens_a_new_pull(
    server: GitHubServer, client: GitHubClient
) -> None:
    upsert(client)
    close_rolling_pull(client, head=HEAD, base=BASE, comment="closed")
    again = upsert(client, "new changes")
    assert again.operation == "created" and again.pull is not None and again.pull.number == 2
    assert [p["number"] for p in server.open_pulls()] == [2]


def test_a_pull_for_another_head_is_not_taken_over(
    server: GitHubServer, client: GitHubClient
) -> None:
    other = upsert_rolling_pull(client, head="feature", base=BASE, title="t", body="b", labels=())
    ours = upsert(client)
    assert other.pull is not None and ours.pull is not None
    assert ours.operation == "created" and ours.pull.number != other.pull.number


def test_an_oversized_body_is_fitted_before_it_is_sent(
    server: GitHubServer, client: GitHubClient
) -> None:
    body = changelog_body(5_000)
    assert len(body) > PR_BODY_LIMIT
    result = upsert(client, body)
    assert result.operation == "created"
    sent = server.pulls[1]["body"]
    assert len(sent) <= PR_BODY_LIMIT and body.startswith(sent.split("\n\n</details>")[0])


def test_the_server_refuses_a_body_over_the_limit_like_github(client: GitHubClient) -> None:
    with pytest.raises(GitHubError) as caught:
        client.create_pull(title="t", body="x" * (PR_BODY_LIMIT + 1), head=HEAD, base=BASE)
    message = str(caught.value)
    assert "POST /repos/octo-org/catalog/pulls: HTTP 422" in message
    assert "body is too long (maximum is 65536 characters)" in message


def test_enterprise_server_api_url_with_a_path_prefix_works(sleeps: list[float]) -> None:
    with GitHubServer(prefix="/api/v3") as server:
        settings = GitHubSettings(server.api_url, server.repository, server.token)
        with GitHubClient(settings, sleep=sleeps.append) as client:
            assert upsert(client).operation == "created"
        assert all(r.path.startswith("/api/v3/repos/octo-org/catalog/") for r in server.requests)


# -- Retries and refusals -----------------------------------------------------------------------


def test_a_500_then_success_is_retried(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    server.fail(500, method="GET", path=r"/pulls$")
    assert client.find_open_pull(HEAD, BASE) is None
    assert len(server.calls("GET", r"/pulls$")) == 2
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1.0  # the backoff, not a server-given wait


def test_a_502_after_the_create_went_through_reuses_that_pull(
    server: GitHubServer, client: GitHubClient
) -> None:
    server.fail(502, "Bad Gateway", method="POST", path=r"/pulls$", process=True)
    result = upsert(client, "the body")
    assert result.pull is not None and result.pull.number == 1
    assert len(server.pulls) == 1 and len(server.calls("POST", r"/pulls$")) == 2
    assert server.pulls[1]["body"] == "the body"


def test_retries_stop_after_the_attempts_and_say_so(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    server.fail(503, "Service Unavailable", times=10)
    with pytest.raises(GitHubError) as caught:
        client.find_open_pull(HEAD, BASE)
    assert "HTTP 503 Service Unavailable (after 4 attempts)" in str(caught.value)
    assert len(server.requests) == 4 and len(sleeps) == 3


def test_429_retry_after_is_honoured(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    server.rate_limited(7, status=429, method="POST", path=r"/pulls$")
    assert upsert(client).operation == "created"
    assert sleeps == [7.0]
    assert len(server.calls("POST", r"/pulls$")) == 2


def test_a_secondary_rate_limit_403_with_retry_after_is_retried(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    server.rate_limited(42, status=403, method="POST", path=r"/comments$")
    upsert(client)
    assert close_rolling_pull(client, head=HEAD, base=BASE, comment="bye").operation == "closed"
    assert sleeps == [42.0]
    assert len(server.comments) == 1


def test_a_rate_limit_reset_past_the_budget_fails_at_once(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    reset = str(int(time.time()) + 3_600)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    server.fail(403, "API rate limit exceeded", headers=headers)
    with pytest.raises(GitHubError) as caught:
        client.find_open_pull(HEAD, BASE)
    assert f"x-ratelimit-reset ({reset})" in str(caught.value)
    assert "budget" in str(caught.value)
    assert sleeps == [] and len(server.requests) == 1


def test_401_is_an_error_that_never_shows_the_token(
    server: GitHubServer, sleeps: list[float]
) -> None:
    secret = "ghp_wrong_secret_value_123"
    settings = GitHubSettings(server.api_url, server.repository, secret)
    with GitHubClient(settings, sleep=sleeps.append) as client, pytest.raises(GitHubError) as e:
        upsert(client)
    message = str(e.value)
    assert "GET /repos/octo-org/catalog/pulls: HTTP 401 Bad credentials" in message
    assert "contents: write" in message and "pull-requests: write" in message
    assert secret not in message and secret not in repr(e.value) and secret not in repr(settings)
    assert sleeps == [] and len(server.requests) == 1


def test_actions_not_permitted_to_create_pulls_names_the_setting(
    server: GitHubServer, client: GitHubClient, sleeps: list[float]
) -> None:
    server.not_permitted()
    with pytest.raises(GitHubError) as caught:
        upsert(client)
    message = str(caught.value)
    assert f"POST /repos/octo-org/catalog/pulls: HTTP 403 {NOT_PERMITTED}" in message
    assert '"Allow GitHub Actions to create and approve pull requests"' in message
    assert "Settings → Actions → General" in message and "PAT" in message
    assert sleeps == [] and len(server.calls("POST", r"/pulls$")) == 1


def test_an_unreachable_api_is_a_github_error(sleeps: list[float]) -> None:
    with GitHubServer() as server:
        settings = GitHubSettings(server.api_url, server.repository, server.token)
    with GitHubClient(settings, sleep=sleeps.append) as client, pytest.raises(GitHubError) as e:
        client.find_open_pull(HEAD, BASE)
    assert "GET /repos/octo-org/catalog/pulls on http://127.0.0.1:" in str(e.value)
    assert "ConnectError" in str(e.value) and len(sleeps) == 3


# -- Settings ---------------------------------------------------------------------------------


RUNNER_ENV = {
    "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
    "GITHUB_REPOSITORY": "octo-org/catalog",
    "GITHUB_TOKEN": "ghs_from_env",
}


def test_from_env_reads_the_runner_variables() -> None:
    settings = GitHubSettings.from_env(RUNNER_ENV)
    assert settings == GitHubSettings(
        "https://ghe.example.com/api/v3", "octo-org/catalog", "ghs_from_env"
    )


def test_from_env_defaults_to_github_com_and_prefers_the_explicit_token() -> None:
    env = {k: v for k, v in RUNNER_ENV.items() if k != "GITHUB_API_URL"}
    settings = GitHubSettings.from_env(env, token="ghp_explicit")
    assert (settings.api_url, settings.token) == ("https://api.github.com", "ghp_explicit")


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_from_env_names_the_missing_variable(missing: str) -> None:
    env = {k: v for k, v in RUNNER_ENV.items() if k != missing}
    with pytest.raises(GitHubError, match=missing):
        GitHubSettings.from_env(env)


def test_from_env_rejects_a_repository_that_is_not_owner_slash_name() -> None:
    with pytest.raises(GitHubError, match="GITHUB_REPOSITORY must be owner/name, got 'catalog'"):
        GitHubSettings.from_env({**RUNNER_ENV, "GITHUB_REPOSITORY": "catalog"})


def test_a_label_color_with_a_hash_is_refused() -> None:
    with pytest.raises(ValueError, match="6 hex digits"):
        Label("x", "#d93f0b", "")


# -- fit_body -----------------------------------------------------------------------------------


def changelog_body(rows: int) -> str:
    """What render_markdown writes for a big change set: a headline, a folded table, a tail."""
    table = [
        f"| ↑ | provider-{i % 40} | `model-{i:05d}-instruct` | cost.input | $0.{i % 97:02d} | "
        f"$0.{(i + 7) % 97:02d} | +{i % 50}% | major |"
        for i in range(rows)
    ]
    return "\n".join(
        [
            "**models.dev**: 5,000 price changes across 40 providers",
            "",
            "### Price changes",
            "",
            "<details><summary>show all</summary>",
            "",
            "| | provider | model | field | old | new | change | severity |",
            "|---|---|---|---|---|---|---|---|",
            *table,
            "",
            "</details>",
            "",
            "### Models added",
            "",
            "- `provider-1` `model-new`",
            "",
        ]
    )


def test_fit_body_cuts_thousands_of_rows_at_a_row_boundary_and_closes_details() -> None:
    body = changelog_body(5_000)
    fitted = fit_body(body, pointer=POINTER)
    assert (
        len(body) > PR_BODY_LIMIT >= len(fitted) > PR_BODY_LIMIT - 300
    )  # kept nearly all it could
    kept, tail = fitted.split("\n\n</details>\n\n")
    assert body.startswith(kept)
    assert kept.endswith("|") and kept.splitlines()[-1] in body.splitlines()  # a whole row
    dropped = len(body.splitlines()) - len(kept.splitlines())
    assert tail == POINTER.replace("{n}", str(dropped)) + "\n"
    assert fitted.endswith("see CHANGELOG.md in this branch\n")
    assert fitted.count("<details>") == fitted.count("</details>") == 1


def test_fit_body_keeps_a_body_under_or_at_the_limit_unchanged() -> None:
    body = changelog_body(100)
    assert fit_body(body, pointer=POINTER) is body
    exact = "x" * (PR_BODY_LIMIT - 1) + "\n"
    assert fit_body(exact, pointer=POINTER) == exact


def test_fit_body_counts_characters_not_bytes() -> None:
    body = ("| é | ü |\n" * 6_000)[: PR_BODY_LIMIT - 1] + "\n"  # about twice the limit in UTF-8
    assert len(body.encode()) > PR_BODY_LIMIT
    assert fit_body(body, pointer=POINTER) == body


def test_fit_body_outside_any_block_adds_no_closing_tag() -> None:
    body = "intro\n" + "".join(f"- line {i}\n" for i in range(200))
    fitted = fit_body(body, limit=500, pointer="… {n} more")
    assert len(fitted) <= 500 and "</details>" not in fitted
    assert re.fullmatch(r"(?s)intro\n(- line \d+\n)+\n… \d+ more\n", fitted)


def test_fit_body_closes_an_open_code_fence_and_nested_details() -> None:
    body = "<details><summary>a</summary>\n\n<details>\n\n~~~json\n" + "{}\n" * 500 + "~~~\n"
    fitted = fit_body(body, limit=300, pointer="cut")
    assert len(fitted) <= 300
    assert fitted.endswith("{}\n~~~\n\n</details>\n\n</details>\n\ncut\n")


def test_fit_body_refuses_a_pointer_longer_than_the_limit() -> None:
    with pytest.raises(ValueError, match="pointer"):
        fit_body("x\n" * 100, limit=10, pointer="a pointer far longer than ten characters")


def test_fit_body_counts_only_fold_lines_not_details_inside_a_model_id() -> None:
    rows = [f"| acme | `<details open>{n}` | x |\n" for n in range(2_000)]
    body = "<details><summary>show all</summary>\n\n" + "".join(rows) + "\n</details>\n"
    cut = fit_body(body, limit=5_000, pointer="cut: {n} lines left out")
    assert cut.count("</details>") == 1
    assert len(cut) <= 5_000 and "lines left out" in cut.rsplit("</details>", 1)[1]
