"""The usage scan on small fixtures of real code shapes (tests/fixtures/usage/): expected ids and
lines, and no hit on comments, docs, ids inside longer strings or ordinary words."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from catalog_watch.model.usage import ScanLimits, ScanResult
from catalog_watch.scan import scan_repository, scan_source

FIXTURES = Path(__file__).parent / "fixtures" / "usage"

EXPECTED = {
    ("env/.env.example", 2, "gpt-4o-mini", "env"),
    ("env/.env.example", 3, "claude-haiku-4-5", "env"),
    ("go/main.go", 13, "gpt-4o-mini", "key"),
    ("java/Assistant.java", 8, "gpt-4.1", "argument"),
    ("kotlin/Chat.kt", 5, "gpt-4o", "argument"),
    ("litellm/config.yaml", 5, "azure/gpt-4o", "key"),
    ("litellm/config.yaml", 9, "anthropic/claude-sonnet-4-5-20250929", "key"),
    ("python/agent.py", 10, "claude-sonnet-4-5", "keyword"),
    ("python/agent.py", 12, "gpt-4o-mini", "keyword"),
    ("python/agent.py", 13, "gpt-4o-2024-08-06", "keyword"),
    ("python/agent.py", 15, "azure/gpt-4o", "keyword"),
    ("python/settings.py", 1, "claude-opus-4-1", "constant"),
    ("ruby/chat.rb", 5, "gpt-4o", "key"),
    ("ruby/chat.rb", 6, "claude-sonnet-4-5", "key"),
    ("ruby/chat.rb", 10, "gpt-3.5-turbo-instruct", "key"),
    ("settings/app.json", 4, "gemini-2.5-flash", "key"),
    ("settings/app.toml", 3, "mistral-large-latest", "key"),
    ("typescript/route.ts", 6, "gpt-4o-mini", "constant"),
    ("typescript/route.ts", 10, "gpt-4o", "argument"),
    ("workflow/.github/workflows/review.yml", 7, "gpt-4.1-mini", "env"),
    ("workflow/.github/workflows/review.yml", 11, "claude-sonnet-4-5", "key"),
    ("workflow/.github/workflows/review.yml", 14, "gpt-4o-mini", "flag"),
}


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES, root)
    return root


def found(scan: ScanResult) -> set[tuple[str, int, str, str]]:
    return {(u.path, u.line, u.text, u.how) for u in scan.uses}


def test_every_language_and_config_format_gives_exactly_the_expected_uses(copied: Path) -> None:
    scan = scan_repository(copied)
    assert scan.listing == "walk"
    assert found(scan) == EXPECTED  # nothing from comments, docs, prose, dynamic strings
    assert scan.skipped == ()
    assert list(scan.uses) == sorted(scan.uses, key=lambda u: (u.path, u.line, u.column))


def test_a_constant_used_in_another_file_is_reported_at_its_definition(copied: Path) -> None:
    (use,) = [
        u for u in scan_repository(copied).uses if u.how == "constant" and u.language == "python"
    ]
    assert (use.path, use.line, use.column, use.via) == ("python/settings.py", 1, 14, "CHAT_MODEL")
    assert use.used_at == ("python/agent.py:11",)
    assert use.provider_hint == "anthropic"


def test_columns_and_provider_hints() -> None:
    uses, _ = scan_source(
        {"a.py": 'from langchain_openai import ChatOpenAI\nx = ChatOpenAI(model="gpt-4o")\n'}
    )
    (use,) = uses
    assert (use.line, use.column, use.provider_hint, use.via) == (2, 22, "openai", "model")


def test_ordinary_strings_and_non_constant_values_are_not_hits() -> None:
    sources = {
        "orm.py": 'class Meta:\n    model = "User"\nForeignKey(model="auth.User")\n',
        "prose.py": 'print("gpt-4o")\n',
        "f.py": 'import openai\nopenai.chat.completions.create(model=f"gpt-{v}")\n',
        "doc.ts": '// model: "gpt-4o"\nconst s = "model: gpt-4o";\nconst t = { kind: "gpt-4o" };\n',
        "concat.js": 'call({ model: "gpt-" + version });\n',
        "type.ts": 'type M = { model: "gpt-4o" | "gpt-4o-mini" };\n',
        "agent.py": 'Agent("research-bot")\n',
    }
    uses, skipped = scan_source(sources)
    assert uses == [] and skipped == []


def test_fully_constant_fstrings_and_sums_are_folded() -> None:
    uses, _ = scan_source(
        {
            "a.py": "import openai\n"
            'c.create(model=f"gpt-4o")\n'
            'c.create(model="gpt-" "4o-mini")\n'
            'c.create(model="o" + "3")\n'
        }
    )
    assert [u.text for u in uses] == ["gpt-4o", "gpt-4o-mini", "o3"]


def test_git_checkout_respects_gitignore_vendored_folders_and_limits(copied: Path) -> None:
    (copied / ".gitignore").write_text("ignored/\n", "utf-8")
    for folder in ("ignored", "node_modules/pkg", "dist"):
        (copied / folder).mkdir(parents=True)
        (copied / folder / "x.py").write_text('f(model="gpt-4o")\n', "utf-8")
    (copied / "big.py").write_text('f(model="gpt-4o")\n' + "#" * 2000 + "\n", "utf-8")
    (copied / "latin.py").write_bytes(b'f(model="gpt-4o")  # caf\xe9\n')
    (copied / "broken.py").write_text("def (:\n", "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=copied, check=True)
    subprocess.run(["git", "add", "-f", "."], cwd=copied, check=True)
    subprocess.run(["git", "rm", "-q", "--cached", "-r", "ignored"], cwd=copied, check=True)
    scan = scan_repository(copied, limits=ScanLimits(max_file_bytes=1000, max_files=10_000))
    assert scan.listing == "git"
    assert found(scan) == EXPECTED
    assert {s.path: s.reason.split(":")[0] for s in scan.skipped} == {
        "big.py": "larger than 1,000 bytes",
        "broken.py": "not parseable as python",
        "latin.py": "not UTF-8",
    }
    assert scan.excluded == 2  # node_modules/ and dist/, though tracked


def test_walk_honours_gitignore_as_git_does_and_the_file_count_limit(copied: Path) -> None:
    everything = scan_repository(copied).files_scanned
    (copied / ".gitignore").write_text("python/*\n!python/settings.py\n", "utf-8")
    scan = scan_repository(copied)
    assert scan.files_scanned == everything - 1  # agent.py; settings.py is re-included
    assert not [u for u in scan.uses if u.path == "python/agent.py"]
    # As in git, a file under an ignored folder cannot be re-included.
    (copied / ".gitignore").write_text("python/\n!python/settings.py\n", "utf-8")
    assert scan_repository(copied).files_scanned == everything - 2
    limited = scan_repository(copied, limits=ScanLimits(max_files=3))
    assert limited.files_scanned == 3 and limited.over_limit == everything - 2 - 3


def test_paths_and_exclude_select_files(copied: Path) -> None:
    only = scan_repository(copied, paths=("python",), exclude=("python/settings.py",))
    assert {u.path for u in only.uses} == {"python/agent.py"}


def test_a_litellm_call_takes_its_provider_from_the_id_not_from_the_files_sdk() -> None:
    """``litellm.completion(model="anthropic/...")`` in a file that also imports openai: the id
    names its provider, so the call adds no hint (it was taken for an OpenAI call)."""
    source = (
        "from openai import OpenAI\nimport litellm\n\n"
        'litellm.completion(model="anthropic/claude-3-5-haiku-20241022", messages=[])\n'
        'OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    )
    uses, _ = scan_source({"agent.py": source})
    hints = {use.text: use.provider_hint for use in uses}
    assert hints == {"anthropic/claude-3-5-haiku-20241022": None, "gpt-4o-mini": "openai"}
