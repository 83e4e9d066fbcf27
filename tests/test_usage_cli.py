"""``catalog-watch usage``: a small git repository's model uses, resolved against a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from tests.factories import document, model, provider, write_json
from tests.git_repos import git, isolate_git, write

AGENT = """from openai import OpenAI

client = OpenAI()


def answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    return reply.choices[0].message.content
"""

SETTINGS = 'DEFAULT = "not a model"\n'

ROUTE = """import { anthropic } from "@ai-sdk/anthropic";

export const chat = anthropic("claude-sonnet-4-5");
export const typo = anthropic("claude-sonet-4-5");
"""


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with a Python call, a TypeScript call with a typo, an ignored file, and a
    catalog snapshot file beside it."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "--quiet")
    write(repo, "src/agent.py", AGENT)
    write(repo, "src/settings.py", SETTINGS)
    write(repo, "web/route.ts", ROUTE)
    write(repo, "build/generated.py", 'client.create(model="gpt-4o")\n')
    write(repo, ".gitignore", "build/\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "code")
    write_json(
        tmp_path / "catalog.json",
        document(
            provider("openai", model("gpt-4o-mini", cost={"input": 0.15, "output": 0.6})),
            provider(
                "anthropic",
                model("claude-sonnet-4-5", cost={"input": 3, "output": 15}, status="deprecated"),
            ),
        ),
    )
    return repo


def usage(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(["usage", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_names_each_use_with_its_place_price_and_a_did_you_mean(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = str(project.parent / "catalog.json")
    code, out, err = usage(project / "src", monkeypatch, capsys, "--catalog", catalog)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "3 model uses in 2 files, 1 unresolved (3 files scanned)"
    assert "src/agent.py:8  gpt-4o-mini" in out  # from the repository root, not the cwd
    assert "openai/gpt-4o-mini: $0.15 in / $0.60 out per 1M" in out
    assert "web/route.ts:3  claude-sonnet-4-5" in out
    assert "deprecated" in out
    assert "web/route.ts:4  claude-sonet-4-5" in out
    assert "not in the catalog; did you mean: claude-sonnet-4-5?" in out
    assert "generated.py" not in out and "not a model" not in out


def test_json_is_one_object_with_every_use_and_its_offerings(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = str(project.parent / "catalog.json")
    code, out, _ = usage(
        project.parent, monkeypatch, capsys, str(project), "--catalog", catalog, "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    places = [(u["path"], u["line"], u["text"]) for u in data["uses"]]
    assert places == [
        ("src/agent.py", 8, "gpt-4o-mini"),
        ("web/route.ts", 3, "claude-sonnet-4-5"),
        ("web/route.ts", 4, "claude-sonet-4-5"),
    ]
    first = data["uses"][0]["offerings"][0]
    assert (first["provider"], first["model"]) == ("openai", "gpt-4o-mini")
    assert data["uses"][1]["offerings"][0]["status"] == "deprecated"
    assert data["scan"]["files_scanned"] == 3 and data["scan"]["listing"] == "git"


def test_a_catalog_that_cannot_be_read_is_the_usual_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = usage(project, monkeypatch, capsys, "--catalog", "missing.json")
    assert code != 0 and out == ""
    assert err.startswith("catalog-watch: error: missing.json")


def test_a_folder_outside_git_is_scanned_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "loose"
    write(folder, "main.py", 'import anthropic\nc.messages.create(model="claude-sonnet-4-5")\n')
    catalog = write_json(
        tmp_path / "c.json", document(provider("anthropic", model("claude-sonnet-4-5")))
    )
    code, out, _ = usage(folder, monkeypatch, capsys, "--catalog", str(catalog))
    assert code == 0
    assert "main.py:2  claude-sonnet-4-5" in out
