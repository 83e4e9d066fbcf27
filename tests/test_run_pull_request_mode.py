"""``catalog-watch run --mode pull-request``: real git, a bare origin, a loopback GitHub API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import MODELS_DEV, document, edited, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, tip
from tests.github_server import GitHubServer
from tests.runs import run_in
from tests.slack_server import SlackServer

BRANCH = "catalog-watch/models.dev"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubServer]:
    with GitHubServer() as server:
        monkeypatch.setenv("GITHUB_API_URL", server.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", server.repository)
        monkeypatch.setenv("GITHUB_TOKEN", server.token)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield server


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A clone whose ``main`` already holds a baseline snapshot (recorded in commit mode)."""
    isolate_git(monkeypatch, tmp_path / "home")
    bare = fresh_origin(tmp_path)
    ours = clone(bare, "ours")
    source = write_json(tmp_path / "base.json", base_catalog())
    code, _, _ = run_in(ours, monkeypatch, capsys, "--mode", "commit", "--source", str(source))
    assert code == 0
    return ours


def base_catalog() -> dict[str, Any]:
    return document(
        provider("acme", *(model(f"m{i}") for i in range(5))), provider("beta", model("x"))
    )


def pr_run(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], doc: Any
) -> tuple[int, str, str]:
    source = write_json(repo.parent / f"api-{len(list(repo.parent.glob('api-*')))}.json", doc)
    return run_in(repo, monkeypatch, capsys, "--mode", "pull-request", "--source", str(source))


def origin_of(repo: Path) -> Path:
    return Path(git(repo, "remote", "get-url", "origin"))


def test_first_run_creates_the_pull_request(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    main_before = tip(origin_of(repo))
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    changed["acme"]["models"]["m2"]["status"] = "deprecated"
    code, _, _ = pr_run(repo, monkeypatch, capsys, changed)
    assert code == 0
    [pull] = github.open_pulls()
    assert pull["head"]["ref"] == BRANCH and pull["base"]["ref"] == "main"
    assert pull["title"] == "models.dev catalog: 1 price change, 1 status change, 1 deprecated"
    assert "| ▲ | acme | `m1` | `cost.input` | $2.50 | $3.00 | +20 % | high |" in pull["body"]
    # "status" appears for the first time in this catalog: schema drift too
    labels = {label["name"] for label in pull["labels"]}
    assert labels == {"price-increase", "deprecation", "schema-drift"}
    assert len(github.calls("POST", r"/pulls$")) == 1
    origin = origin_of(repo)
    assert tip(origin) == main_before  # the base branch is untouched
    snapshot = json.loads(git(origin, "show", f"{BRANCH}:snapshots/models.dev/acme.json"))
    assert snapshot["models"]["m1"]["cost"]["input"] == 3
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "branch", "--show-current") == "main"


def test_second_run_updates_the_same_pull_request(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = edited(base_catalog())
    first["acme"]["models"]["m1"]["cost"]["input"] = 3
    pr_run(repo, monkeypatch, capsys, first)
    second = edited(first)
    second["beta"]["models"]["x"]["limit"]["context"] = 65536
    code, _, _ = pr_run(repo, monkeypatch, capsys, second)
    assert code == 0
    [pull] = github.open_pulls()
    assert pull["number"] == 1
    assert len(github.calls("POST", r"/pulls$")) == 1
    assert github.calls("PATCH", r"/pulls/1$")
    assert "limit.context" in pull["body"] and "cost.input" in pull["body"]
    log = git(origin_of(repo), "log", "--format=%s", BRANCH).splitlines()
    assert log[0] == "models.dev: 1 price change, 1 limit change"  # rebuilt on main: one commit
    assert len(log) == 3  # that commit, the baseline, the initial commit


def test_catalog_back_to_base_state_closes_the_pull_request(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    pr_run(repo, monkeypatch, capsys, changed)
    code, _, _ = pr_run(repo, monkeypatch, capsys, base_catalog())
    assert code == 0
    assert github.open_pulls() == []
    assert github.pulls[1]["state"] == "closed"
    [comment] = github.comments
    assert "back to the state of `main`" in comment["body"]


@pytest.mark.realdata
def test_pull_request_body_stays_under_the_limit_on_thousands_of_changes(
    tmp_path: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    ours = clone(fresh_origin(tmp_path), "ours")
    march, june = str(MODELS_DEV / "2026-03-10.json"), str(MODELS_DEV / "2026-06-28.json")
    run_in(ours, monkeypatch, capsys, "--mode", "commit", "--source", march)
    code, _, _ = run_in(
        ours, monkeypatch, capsys, "--mode", "pull-request", "--source", june, "--allow-shrink"
    )
    assert code == 0
    [pull] = github.open_pulls()
    assert len(pull["body"]) <= 65_536
    assert "cut to fit GitHub's limit: see `snapshots/models.dev/CHANGELOG.md`" in pull["body"]
    assert pull["body"].count("<details>") == pull["body"].count("</details>")
    labels = {label["name"] for label in pull["labels"]}
    assert {
        "price-increase",
        "price-decrease",
        "model-removed",
        "provider-added",
        "deprecation",
    } <= labels


def test_actions_not_allowed_to_create_pull_requests_is_a_clear_error(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.not_permitted()
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    code, _, err = pr_run(repo, monkeypatch, capsys, changed)
    assert code == 8
    assert "Allow GitHub Actions to create and approve pull requests" in err
    assert github.token not in err


THE_BASE = "that is the base branch"
NOT_A_BRANCH = "not a branch name"


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (("--branch", "main"), f"--branch main: {THE_BASE}"),  # pushed straight onto main
        (("--branch", "release", "--base", "release"), f"--branch release: {THE_BASE}"),
        (("--branch", "HEAD"), f"--branch 'HEAD': {NOT_A_BRANCH}"),
        # pushed as refs/heads/refs/heads/main
        (("--branch", "refs/heads/main"), f"--branch 'refs/heads/main': {NOT_A_BRANCH}"),
        (("--branch", "a..b"), f"--branch 'a..b': {NOT_A_BRANCH}"),  # refused at push, after
        (("--branch", "fix.lock"), f"--branch 'fix.lock': {NOT_A_BRANCH}"),
        (("--branch", "@"), f"--branch '@': {NOT_A_BRANCH}"),
        (("--base", "refs/heads/main"), f"--base 'refs/heads/main': {NOT_A_BRANCH}"),
    ],
)
def test_a_branch_that_is_the_base_or_not_a_branch_name_is_refused_before_any_work(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    said: str,
) -> None:
    """The mode pushes only its own branch and leaves the merge to a person (README)."""
    refs = git(origin_of(repo), "for-each-ref")
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    source = write_json(repo.parent / "changed.json", changed)
    args = ("--mode", "pull-request", "--source", str(source), *flags)
    code, _, err = run_in(repo, monkeypatch, capsys, *args)
    assert code == 2
    assert f"catalog-watch: error: {said}" in err
    assert git(origin_of(repo), "for-each-ref") == refs  # main did not move, no branch was made
    assert github.requests == []
    assert git(repo, "status", "--porcelain") == ""


def test_a_failed_run_counts_in_the_branch_health(
    repo: Path,
    github: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    changed = edited(base_catalog())
    changed["acme"]["models"]["m1"]["cost"]["input"] = 3
    assert pr_run(repo, monkeypatch, capsys, changed)[0] == 0
    code, _, _ = pr_run(repo, monkeypatch, capsys, document(provider("beta", model("x"))))
    assert code == 5  # the shrink guard refused it
    meta = json.loads(git(origin_of(repo), "show", f"{BRANCH}:snapshots/models.dev/_meta.json"))
    assert meta["health"]["consecutive_failures"] == 1
    assert git(origin_of(repo), "log", "-1", "--format=%s", BRANCH).startswith(
        "catalog-watch: run failed:"
    )


RISE = "cost.input $2.50 → $3.00 per 1M (+20 %)"


def rise_alerted(
    repo: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> dict[str, Any]:
    """A pull-request run that raises m1's input price, alerted through the webhook."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    risen = edited(base_catalog())
    risen["acme"]["models"]["m1"]["cost"]["input"] = 3
    assert pr_run(repo, monkeypatch, capsys, risen)[0] == 0
    [alerted] = slack.webhook_posts()
    assert RISE in json.dumps(alerted, ensure_ascii=False)
    return risen


def test_a_change_undone_upstream_is_alerted_once_and_alerts_again_when_made_again(
    repo: Path,
    github: GitHubServer,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    risen = rise_alerted(repo, slack, monkeypatch, capsys)
    assert pr_run(repo, monkeypatch, capsys, base_catalog())[0] == 0  # back: the PR closes
    assert github.open_pulls() == []
    [undone] = slack.webhook_posts()[1:]
    text = json.dumps(undone, ensure_ascii=False)
    assert "acme / m1: ▼ cost.input $3.00 → $2.50 per 1M (-16.67 %), back to the base" in text
    assert undone["blocks"][0]["text"]["text"] == "models.dev: 1 change undone"
    subject = git(origin_of(repo), "log", "-3", "--format=%s", BRANCH).splitlines()
    assert "catalog-watch: 1 change undone, back to the base" in subject
    assert pr_run(repo, monkeypatch, capsys, base_catalog())[0] == 0  # still back: nothing new
    assert len(slack.webhook_posts()) == 2
    assert pr_run(repo, monkeypatch, capsys, risen)[0] == 0  # made again: told again
    [again] = slack.webhook_posts()[2:]
    assert RISE in json.dumps(again, ensure_ascii=False)


def test_a_change_merged_into_the_base_is_not_reported_undone(
    repo: Path,
    github: GitHubServer,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    risen = rise_alerted(repo, slack, monkeypatch, capsys)
    git(repo, "fetch", "--quiet", "origin")
    git(repo, "merge", "--quiet", "--ff-only", f"origin/{BRANCH}")  # the PR is merged
    git(repo, "push", "--quiet", "origin", "main")
    assert pr_run(repo, monkeypatch, capsys, risen)[0] == 0  # the catalog is the base's now
    assert len(slack.webhook_posts()) == 1
