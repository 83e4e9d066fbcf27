"""``catalog-watch lint`` reading the diff as git writes it: file names with spaces, quotes, line
feeds or bytes that are not UTF-8, added lines that look like diff headers, paths that are no
file (a submodule), a base that is a range, and constants defined in files the change leaves
alone. A real git repository and the real command line (the fixtures of tests/test_lint.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.git_repos import git
from tests.test_lint import AGENT, AGENT_ON_BRANCH, Lint, commit, repo, run_lint

__all__ = ["repo"]  # the fixture, shared with tests/test_lint.py

UNKNOWN = '"gpt-4oo" is not a model in the catalog; did you mean gpt-4o?'


def lint_json(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Lint, list[tuple[str, int, str]]]:
    """The run, and its findings as (path, line, message)."""
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main", "--format", "json")
    assert ran.out.startswith("{"), ran.err  # a git failure prints no report
    found = json.loads(ran.out)["findings"]
    return ran, [(f["path"], f["line"], f["message"]) for f in found]


@pytest.mark.parametrize("name", ["my app/agent.py", "@org team.py", "fixes #1.py"])
def test_a_file_whose_name_holds_a_space_is_linted(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    commit(repo, {name: AGENT_ON_BRANCH})  # git ends the header `+++ b/my app/agent.py<TAB>`
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert ran.code == 12
    assert found == [(name, 12, UNKNOWN)]


@pytest.mark.parametrize(
    "separator", ["\f", "\r", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_an_added_line_holding_a_line_separator_other_than_lf_fakes_no_diff_header(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    separator: str,
) -> None:
    # one added line of a text file, which str.splitlines would cut into a header naming the
    # untouched src/legacy.py and a hunk over its deprecated id on line 7
    fake = f"see{separator}+++ b/src/legacy.py{separator}@@ -1 +1,50 @@\n"
    commit(repo, {"docs/notes.txt": fake})
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert (ran.code, found) == (0, [])


def test_an_added_line_reading_as_a_file_header_hides_no_later_hunk(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docstring = '"""\n++ b/docs/notes.txt\n"""\n'  # the diff line is `+++ b/docs/notes.txt`
    branch = AGENT_ON_BRANCH.replace(
        "from openai import OpenAI\n", f"from openai import OpenAI\n{docstring}"
    )
    commit(repo, {"src/agent.py": branch})
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert ran.code == 12
    assert found == [("src/agent.py", 15, UNKNOWN)]


def test_a_file_an_attribute_makes_binary_to_git_diff_is_linted_as_text(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {".gitattributes": "*.py -diff\n", "src/agent.py": AGENT_ON_BRANCH})
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert ran.code == 12
    assert found == [("src/agent.py", 12, UNKNOWN)]  # the added lines only, not all of them


@pytest.mark.parametrize(
    "name",
    ["a\nb.py", "line\nfeed and space.py", 'say "hi" now.py', "back\\slash.py", "tab\there.py"],
)
def test_a_file_whose_name_git_quotes_is_linted(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    commit(repo, {name: AGENT_ON_BRANCH})
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert ran.code == 12
    assert found == [(name, 12, UNKNOWN)]


def test_a_submodule_and_a_name_that_is_not_utf8_are_left_out_with_a_note(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = Path(os.fsdecode(b"bad\xffname.py"))
    (repo / odd).write_text(AGENT_ON_BRANCH, encoding="utf-8")
    (repo / "b.py").write_text(AGENT_ON_BRANCH, encoding="utf-8")
    git(repo, "add", "--all")
    head = git(repo, "rev-parse", "HEAD")  # a gitlink: the commit of another repository
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},models.json")
    git(repo, "commit", "--quiet", "-m", "submodule")
    ran, found = lint_json(repo, tmp_path, monkeypatch, capsys)
    assert ran.code == 12  # the rest is linted
    assert found == [("b.py", 12, UNKNOWN)]
    notes = [line for line in ran.err.splitlines() if "note" in line]
    assert notes == [
        "catalog-watch: note: bad\\xffname.py: its name is not UTF-8: not linted",
        "catalog-watch: note: models.json: a submodule, not a file: not linted",
    ]


def test_a_range_as_base_is_said_to_name_no_commit(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"src/agent.py": AGENT_ON_BRANCH})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", "origin/main..feature")
    assert ran.code == 7
    assert ran.err.count("\n") == 1
    assert "--base 'origin/main..feature' names no commit" in ran.err and "a range" in ran.err


SETTINGS = 'DRAFT = "claude-3-opus-20240229"\n'
"""Not named like a model: a constant only the scan of its use tells from any other string."""


def test_a_changed_use_of_a_constant_from_an_unchanged_file_is_linted(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"app/settings.py": SETTINGS, "app/unrelated.py": 'OTHER = "gpt-4oo"\n'})
    base = git(repo, "rev-parse", "HEAD")
    uses = AGENT.replace("import OpenAI\n", "import OpenAI\n\nfrom app.settings import DRAFT\n")
    uses += "\n\ndef draft(question):\n    return client.chat.completions.create(model=DRAFT)\n"
    commit(repo, {"src/agent.py": uses})
    ran = run_lint(repo, tmp_path, monkeypatch, capsys, "--base", base, "--format", "json")
    assert ran.code == 12
    (finding,) = json.loads(ran.out)["findings"]
    assert (finding["path"], finding["line"], finding["kind"]) == ("src/agent.py", 14, "deprecated")
    assert finding["message"].startswith("DRAFT (defined at app/settings.py:1): ")
