"""``run`` in a repository whose code calls three real models whose prices moved between two
real models.dev catalogs: alerts, the changelog and the PR body say where each is used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.usage import OfferingFacts, UsedModels, raised
from catalog_watch.cli.app import main
from catalog_watch.model.severity import Severity
from tests.catalog_server import CatalogServer, Reply
from tests.factories import MODELS_DEV
from tests.git_repos import clone, fresh_origin, git, isolate_git, write
from tests.github_server import GitHubServer
from tests.slack_server import SlackServer

OLD, NEW = "2026-03-10.json", "2026-06-28.json"
NOW = ("2026-11-01T10:17:00Z", "2026-11-10T10:17:00Z")


def repriced_models() -> list[tuple[str, str]]:
    """Three offerings, of three providers, whose input price differs between the catalogs."""
    old = json.loads((MODELS_DEV / OLD).read_text("utf-8"))
    new = json.loads((MODELS_DEV / NEW).read_text("utf-8"))
    found: dict[str, str] = {}
    for provider in sorted(set(old) & set(new)):
        for model_id in sorted(set(old[provider]["models"]) & set(new[provider]["models"])):
            before = (old[provider]["models"][model_id].get("cost") or {}).get("input")
            after = (new[provider]["models"][model_id].get("cost") or {}).get("input")
            if before and after and before != after and provider not in found:
                found[provider] = model_id
    assert len(found) >= 3
    return list(found.items())[:3]


def code_for(models: list[tuple[str, str]]) -> dict[str, str]:
    (p1, m1), (p2, m2), (p3, m3) = models
    return {
        "src/agent.py": (
            "import litellm\n\n\ndef answer(messages):\n"
            f'    first = litellm.completion(model="{p1}/{m1}", messages=messages)\n'
            f'    return litellm.completion(model="{p2}/{m2}", messages=first)\n'
        ),
        "src/batch.py": (
            f'import litellm\n\nreply = litellm.completion(model="{p3}/{m3}", messages=[])\n'
        ),
    }


PLACES = ("src/agent.py:5", "src/agent.py:6", "src/batch.py:3")


@pytest.fixture(name="served")
def fixture_served() -> Iterator[CatalogServer]:
    with CatalogServer() as server:
        for name in (OLD, NEW):
            server.reply(Reply(body=(MODELS_DEV / name).read_bytes()))
        yield server


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> tuple[Path, Any]:
    """A clone with the code and a config that filters the third model's provider out."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    models = repriced_models()
    for rel, text in code_for(models).items():
        write(repo, rel, text)
    write(repo, "catalog-watch.toml", config.format(third=models[2][0]))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "code")
    git(repo, "push", "--quiet", "origin", "HEAD:main")
    return repo, models


CONFIG = """[[watch]]
name = "not-{third}"
exclude_providers = ["{third}"]
"""


def run(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    now: str,
    *args: str,
) -> int:
    monkeypatch.chdir(repo)
    code = main(["run", "--source", url, "--allow-shrink", "--now", now, *args])
    capsys.readouterr()
    return code


def plain_diff(capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str, str], str]:
    """Severities of the same changes without any code: ``catalog-watch diff``."""
    assert main(["diff", str(MODELS_DEV / OLD), str(MODELS_DEV / NEW), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    return {(c["provider"], c["model"], c["field"]): c["severity"] for c in data["changes"]}


@pytest.mark.realdata
def test_alerts_name_the_file_and_line_raise_severity_and_always_alert(
    tmp_path: Path,
    served: CatalogServer,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, models = project(tmp_path, monkeypatch, CONFIG)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    url = served.url + "/api.json"
    report = tmp_path / "changes.json"
    assert run(repo, monkeypatch, capsys, url, NOW[0], "--mode", "commit") == 0
    assert (
        run(
            repo,
            monkeypatch,
            capsys,
            url,
            NOW[1],
            "--mode",
            "commit",
            "--changes-json",
            str(report),
        )
        == 0
    )
    changes = json.loads(report.read_text("utf-8"))["changes"]
    before = plain_diff(capsys)
    for (provider, model_id), place in zip(models, PLACES, strict=True):
        [price] = [
            c
            for c in changes
            if (c["provider"], c["model"], c["field"]) == (provider, model_id, "cost.input")
        ]
        assert price["used_in"] == [place]
        plain = Severity(before[(provider, model_id, "cost.input")])
        assert price["severity"] == raised(plain, 1).value
    others = [
        (c["kind"], c["provider"], c["model"])
        for c in changes
        if "used_in" in c and (c["provider"], c["model"]) not in models
    ]
    assert {kind for kind, _, _ in others} <= {"cheapest_changed"}, others

    posts = "\n".join(json.dumps(post, ensure_ascii=False) for post in slack.webhook_posts())
    for place in PLACES:
        assert f"used in {place}" in posts  # the third through always_alert: its rule drops it
    outbox = git(repo, "show", "origin/main:snapshots/models.dev/outbox.jsonl").splitlines()
    alerts = [json.loads(line)["alert"] for line in outbox]
    third = [a for a in alerts if (a["provider"], a["model"]) == models[2]]
    assert third and {a["rule"] for a in third} == {"used"}
    first = [a for a in alerts if (a["provider"], a["model"]) == models[0]]
    assert first and {a["rule"] for a in first} == {f"not-{models[2][0]}"}  # one alert, not two
    assert len({a["id"] for a in alerts}) == len(alerts)

    changelog = git(repo, "show", "origin/main:snapshots/models.dev/CHANGELOG.md")
    assert f"`{models[0][1]}`<br>used in src/agent.py:5 |" in changelog


@pytest.mark.realdata
def test_the_pull_request_body_lists_the_models_the_code_uses_first(
    tmp_path: Path,
    served: CatalogServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, models = project(tmp_path, monkeypatch, "")
    url = served.url + "/api.json"
    with GitHubServer() as github:
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", github.repository)
        monkeypatch.setenv("GITHUB_TOKEN", github.token)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        assert run(repo, monkeypatch, capsys, url, NOW[0], "--mode", "commit") == 0
        assert run(repo, monkeypatch, capsys, url, NOW[1], "--mode", "pull-request") == 0
        [pull] = github.open_pulls()
    body = pull["body"]
    section = body.index("## Models this repository uses (3)")
    assert section < body.index("### Price changes")
    new = json.loads((MODELS_DEV / NEW).read_text("utf-8"))
    for (provider, model_id), place in zip(models, PLACES, strict=True):
        price = new[provider]["models"][model_id]["cost"]["input"]
        assert f"| `{provider}/{model_id}` | `{place}` | ${price:.2f} in" in body


def test_used_models_answers_by_offering_and_by_group() -> None:
    facts = OfferingFacts("openai", "gpt-4o", 2.5, 10, 128000, 16384, None, None)
    used = UsedModels(
        offerings={("openai", "gpt-4o"): ("b.py:10", "b.py:9")},
        groups={"gpt-4o": ("a.py:1",)},
        facts={("openai", "gpt-4o"): facts},
    )
    assert used.places_of("openai", "gpt-4o") == ("b.py:9", "b.py:10")  # by line number
    assert used.places_of("openai", "gpt-4o", "gpt-4o") == ("a.py:1", "b.py:9", "b.py:10")
    assert not used.is_used("azure", "gpt-4o") and used.is_used(group="gpt-4o")
    assert raised(Severity.LOW, 1) is Severity.MEDIUM
    assert raised(Severity.MEDIUM, 3) is Severity.HIGH
