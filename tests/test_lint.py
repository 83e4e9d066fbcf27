"""``catalog-watch lint`` on a real git repository: a branch that adds model ids, judged against
a small catalog; annotations read back as the runner reads them (tests/actions_runner.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from catalog_watch.analysis.lint import LintRules, changed_place, lint_uses
from catalog_watch.cli.app import main
from catalog_watch.jobs.lint import parse_diff
from catalog_watch.model.usage import Use
from catalog_watch.sources.models_dev import parse_catalog
from tests.actions_runner import commands, unescape
from tests.factories import document, model, provider, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, write

NOW = "2026-11-25T10:17:00Z"

AGENT = """\
from openai import OpenAI

client = OpenAI()


def answer(question):
    # the one model we answer with
    return client.chat.completions.create(model="gpt-4o", messages=[])
"""

LEGACY = """\
import anthropic

client = anthropic.Anthropic()


def legacy(text):
    return client.messages.create(model="claude-3-opus-20240229", max_tokens=100)
"""

AGENT_ON_BRANCH = """\
from openai import OpenAI

client = OpenAI()


def answer(question):
    # the model we answer with, and a draft one
    return client.chat.completions.create(model="gpt-4o", messages=[])


def draft(question):
    return client.chat.completions.create(model="gpt-4oo", messages=[])
"""

SUMMARIZE = """\
import { generateText } from "ai";
import { openai } from "@ai-sdk/openai";

export async function summarize(prompt: string) {
  return generateText({ model: openai("gpt-4-0613"), prompt });
}
"""


def small_catalog() -> dict[str, object]:
    return document(
        provider(
            "openai",
            model("gpt-4o", cost={"input": 2.5, "output": 10}),
            model("gpt-4-0613", status="deprecated"),
            model("gpt-3.5-turbo-0125", deprecation_date="2026-12-05"),
        ),
        provider(
            "anthropic",
            model("claude-sonnet-4-5", cost={"input": 3, "output": 15}),
            model("claude-3-opus-20240229", status="deprecated"),
        ),
        provider("pricey", model("gpt-4o", cost={"input": 20, "output": 80})),
    )


@dataclass(frozen=True)
class Lint:
    code: int
    out: str
    err: str
    summary: str


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone whose main has src/agent.py and src/legacy.py (an old deprecated id, pushed)."""
    isolate_git(monkeypatch, tmp_path / "home")
    for name in ("GITHUB_ACTIONS", "GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    ours = clone(fresh_origin(tmp_path), "ours")
    write(ours, "src/agent.py", AGENT)
    write(ours, "src/legacy.py", LEGACY)
    git(ours, "add", "--all")
    git(ours, "commit", "--quiet", "-m", "agent")
    git(ours, "push", "--quiet", "origin", "HEAD:main")
    git(ours, "switch", "--quiet", "-c", "feature")
    return ours


def commit(repo: Path, files: dict[str, str], message: str = "change") -> None:
    for rel, text in files.items():
        write(repo, rel, text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


def run_lint(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    config: str | None = None,
) -> Lint:
    catalog = write_json(tmp_path / "api.json", small_catalog())
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    extra: list[str] = []
    if config is not None:
        (tmp_path / "catalog-watch.toml").write_text(config, encoding="utf-8")
        extra = ["--config", str(tmp_path / "catalog-watch.toml")]
    monkeypatch.chdir(repo)
    code = main(["lint", "--catalog", str(catalog), "--now", NOW, *extra, *args])
    out, err = capsys.readouterr()
    return Lint(code, out, err, summary.read_text(encoding="utf-8"))


def annotations(log: str) -> list[dict[str, str]]:
    """Each ``::warning``/``::error`` command the runner acts on: level, its properties, message."""
    found = []
    for command in commands(log):
        if command.name not in {"warning", "error"}:
            continue
        head, _, given = command.info.partition(" ")
        entry = {"level": head, "message": unescape(command.data)}
        for pair in given.split(","):
            key, _, value = pair.partition("=")
            entry[key] = unescape(value, property_value=True)
        found.append(entry)
    return found


def test_a_branch_adding_an_unknown_and_a_deprecated_id_is_annotated_on_those_lines(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = LEGACY.replace("def legacy(text):", "def legacy(text, tokens=100):")  # unrelated
    commit(
        repo,
        {"src/agent.py": AGENT_ON_BRANCH, "src/summarize.ts": SUMMARIZE, "src/legacy.py": legacy},
    )
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", "--github-actions")
    assert ran.code == 12  # LintFailed: unknown and deprecated are errors by default
    assert ran.err.strip() == (
        "catalog-watch: error: lint: 2 findings are errors (deprecated, unknown; "
        "[lint] errors in the configuration decides which kinds fail)"
    )
    assert annotations(ran.out) == [
        {
            "level": "error",
            "file": "src/agent.py",
            "line": "12",
            "col": "49",
            "title": "Unknown model id",
            "message": '"gpt-4oo" is not a model in the catalog; did you mean gpt-4o?',
        },
        {
            "level": "error",
            "file": "src/summarize.ts",
            "line": "5",
            "col": "39",
            "title": "Deprecated model",
            "message": '"gpt-4-0613" is deprecated (openai/gpt-4-0613 has status deprecated)',
        },
    ]
    # the old deprecated id on an untouched line, and the changed comment, are not findings
    assert "claude-3-opus" not in ran.out and "claude-3-opus" not in ran.summary
    assert ran.summary.splitlines()[:7] == [
        "## Model ids in this pull request",
        "",
        "catalog-watch lint: 2 findings, 2 errors, 0 warnings (against origin/main)",
        "",
        "| level | file | line | kind | id | finding |",
        "|---|---|---:|---|---|---|",
        '| error | `src/agent.py` | 12 | unknown | `gpt-4oo` | "gpt-4oo" is not a model in the '
        "catalog; did you mean gpt-4o? |",
    ]
    assert "| error | `src/summarize.ts` | 5 | deprecated | `gpt-4-0613` |" in ran.summary


def test_outside_actions_the_findings_are_compiler_style_lines(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"src/agent.py": AGENT_ON_BRANCH})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main")
    assert ran.code == 12
    assert ran.out.splitlines() == [
        'src/agent.py:12:49: error: "gpt-4oo" is not a model in the catalog; did you mean gpt-4o?',
        "catalog-watch lint: 1 finding, 1 error, 0 warnings (against origin/main)",
    ]
    assert not commands(ran.out) and ran.summary == ""


def test_warnings_only_exit_0_and_the_expensive_ratio_decides(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    routed = (
        "import litellm\n\n"
        'cheap = litellm.completion(model="pricey/gpt-4o", messages=[])\n'
        'old = litellm.completion(model="openai/gpt-3.5-turbo-0125", messages=[])\n'
    )
    commit(repo, {"src/routed.py": routed})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", "--github-actions")
    assert ran.code == 0, ran.err
    assert [(a["level"], a["line"], a["title"]) for a in annotations(ran.out)] == [
        ("warning", "3", "Expensive channel"),
        ("warning", "4", "Model retiring soon"),
    ]
    messages = [a["message"] for a in annotations(ran.out)]
    assert messages == [
        '"pricey/gpt-4o" (pricey/gpt-4o) costs $140.00 for 1,000 requests of RAG answer, 8.0x '
        "the cheapest channel of the same model (openai/gpt-4o, $17.50)",
        '"openai/gpt-3.5-turbo-0125" retires on 2026-12-05, in 10 days (openai/gpt-3.5-turbo-0125)',
    ]
    assert "0 errors, 2 warnings" in ran.summary
    # 8x the cheapest is not "expensive" at a ratio of 10, and 10 days is past a 7-day lead
    calm = run_lint(
        repo,
        tmp_path,
        monkeypatch,
        capsys,
        "--base",
        "origin/main",
        "--format",
        "json",
        config="[lint]\nexpensive_ratio = 10\nlead_days = 7\n",
    )
    assert calm.code == 0
    assert json.loads(calm.out) == {"base": "origin/main", "errors": 0, "findings": []}


def test_the_configuration_decides_which_kinds_fail(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"src/summarize.ts": SUMMARIZE})
    ran = run_lint(
        repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", config="[lint]\nerrors = []\n"
    )
    assert ran.code == 0
    assert ran.out.splitlines()[0].startswith("src/summarize.ts:5:39: warning: ")


def test_more_findings_than_github_annotates_are_counted_in_the_summary(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    many = "".join(f'client.create(model="made-up-{n}")\n' for n in range(13))
    commit(repo, {"src/many.py": "from openai import OpenAI\nclient = OpenAI()\n" + many})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", "--github-actions")
    assert ran.code == 12
    errors = [a for a in annotations(ran.out) if a["level"] == "error"]
    assert len(errors) == 10 and "file" not in errors[-1]  # nine findings and the pointer
    assert "4 findings are not shown as annotations" in ran.summary
    assert ran.summary.count("| error | `src/many.py` |") == 13


def test_a_base_that_names_no_commit_is_one_git_error(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/nope")
    assert ran.code == 7
    assert ran.err.count("\n") == 1
    assert "--base 'origin/nope' names no commit" in ran.err


def test_the_default_base_is_the_pull_requests_base_branch(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"src/agent.py": AGENT_ON_BRANCH})
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    ran = run_lint(repo, tmp_path, monkeypatch, capsys)
    assert "(against origin/main)" in ran.out and "src/agent.py:12:49: error" in ran.out


def test_a_constant_is_kept_when_its_definition_or_a_use_changed() -> None:
    constant = Use("a.py", 3, 10, "gpt-4oo", "python", "constant", "MODEL", "openai", ("b.py:7",))
    assert changed_place(constant, {"a.py": {3}}) is not None
    at_use = changed_place(constant, {"b.py": {7}})
    assert at_use is not None and (at_use.path, at_use.line, at_use.column) == ("b.py", 7, 1)
    assert changed_place(constant, {"a.py": {4}, "b.py": {8}}) is None
    catalog = parse_catalog(small_catalog())
    rules = LintRules(today=date(2026, 11, 25))
    (finding,) = lint_uses([constant], {"b.py": {7}}, catalog, rules)
    assert (finding.path, finding.line, finding.kind) == ("b.py", 7, "unknown")
    assert finding.message.startswith('MODEL (defined at a.py:3): "gpt-4oo" is not a model')


def test_the_diff_gives_the_added_lines_of_each_file() -> None:
    diff = (
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        "@@ -3 +3 @@\n-a\n+b\n@@ -10,2 +10,0 @@\n-c\n-d\n@@ -20,0 +19,3 @@\n+e\n+f\n+g\n"
        'diff --git "a/t\\tab.py" "b/t\\tab.py"\n--- "a/t\\tab.py"\n+++ "b/t\\tab.py"\n'
        "@@ -1 +1 @@\n-x\n+y\n"
        "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
        'diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n+++ "b/caf\\303\\251.py"\n'
        "@@ -0,0 +1,2 @@\n+x\n+y\n"
    )
    assert parse_diff(diff) == {
        "x.py": frozenset({3, 19, 20, 21}),
        "t\tab.py": frozenset({1}),
        "café.py": frozenset({1, 2}),
    }


HOSTILE_ID = "gpt-4::error::pwned@octocat"
"""A PR's own code is untrusted: an id (in the characters the scanner takes for one) made to
read as a workflow command of its own and to mention someone in the step summary."""


def test_a_hostile_id_in_the_change_stays_inert_in_annotations_and_summary(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"src/evil.py": f'import openai\n\nopenai.chat(model="{HOSTILE_ID}")\n'})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", "--github-actions")
    found = annotations(ran.out)
    assert [entry["file"] for entry in found] == ["src/evil.py"]  # one annotation, ours
    assert HOSTILE_ID in found[0]["message"]  # shown as written, once unescaped
    assert [c.name for c in commands(ran.out) if c.name in {"error", "warning"}] == ["error"]
    row = next(line for line in ran.summary.splitlines() if "src/evil.py" in line)
    assert row.count(" | ") == 5  # one table row of six cells
    cells = row.strip("| ").split(" | ")
    assert cells[4] == f"`{HOSTILE_ID}`"  # a code span: GitHub makes no mention inside one
    assert "pwned@\u2060octocat" in cells[5] and "pwned@octocat" not in cells[5]  # prose: defused


def test_a_retirement_on_the_last_day_there_is_is_judged_at_the_day_before_it() -> None:
    """Today + lead_days past 9999-12-31 overflowed (OverflowError, exit 1): the lead is now
    counted as the days between the two dates."""
    catalog = parse_catalog(
        document(provider("openai", model("last-model", deprecation_date="9999-12-31")))
    )
    use = Use("a.py", 1, 7, "openai/last-model", "python", "keyword", "model", None, ())
    (finding,) = lint_uses([use], {"a.py": {1}}, catalog, LintRules(today=date(9999, 12, 30)))
    assert finding.kind == "retiring"
    assert "retires on 9999-12-31, in 1 day" in finding.message
