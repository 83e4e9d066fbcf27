"""The usage scan numbers lines as git and GitHub do (a line ends at LF only), whatever else a
language counts as a line end, and places TOML and JSON values where they are in the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from catalog_watch.model.usage import Use
from catalog_watch.scan import scan_source
from tests.factories import document, model, provider, write_json


def places(sources: dict[str, str]) -> list[tuple[str, int, int, str, str]]:
    uses, skipped = scan_source(sources)
    assert skipped == []
    return [(u.path, u.line, u.column, u.text, u.via) for u in uses]


def only(sources: dict[str, str]) -> Use:
    uses, skipped = scan_source(sources)
    assert skipped == []
    (use,) = uses
    return use


def usage_json(
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> list[tuple[str, int, str]]:
    """``catalog-watch usage FOLDER --format json`` in-process: (path, line, text) of each use."""
    catalog = write_json(
        tmp_path / "catalog.json",
        document(provider("openai", model("gpt-4o"), model("gpt-4o-mini"), model("gpt-4.1"))),
    )
    monkeypatch.chdir(folder)
    code = main(["usage", str(folder), "--catalog", str(catalog), "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    return [(u["path"], u["line"], u["text"]) for u in json.loads(out)["uses"]]


# -- line ends other than LF -------------------------------------------------------------------


def test_a_lone_cr_in_a_python_comment_and_a_form_feed_in_an_env_comment_keep_git_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "agent.py").write_bytes(
        b'import litellm\n# legacy note\rkept\nlitellm.completion(model="openai/gpt-4o-mni")\n'
    )
    (folder / ".env.example").write_bytes(b"# section\x0c\nX=1\nOPENAI_MODEL=gpt-4o-mni\n")
    assert usage_json(folder, tmp_path, monkeypatch, capsys) == [
        (".env.example", 3, "gpt-4o-mni"),
        ("agent.py", 3, "openai/gpt-4o-mni"),
    ]


def test_a_python_use_after_a_lone_cr_on_its_line_has_the_column_of_that_line() -> None:
    use = only({"a.py": 'import openai\nx = 1\rc.create(model="gpt-4o")\n'})
    assert (use.line, use.column) == (2, 22)


def test_a_lone_cr_inside_a_python_string_does_not_move_later_uses() -> None:
    source = 'import openai\nPROMPT = """a\rb"""\nc.create(model="gpt-4o")\n'
    assert places({"a.py": source}) == [("a.py", 3, 16, "gpt-4o", "model")]


def test_a_constant_passed_after_a_lone_cr_is_used_at_the_git_line() -> None:
    source = 'import openai\nMODEL = "gpt-4o"  # x\ry\nc.create(model=MODEL)\n'
    use = only({"a.py": source})
    assert (use.line, use.used_at) == (2, ("a.py:3",))


SPLITLINES_BREAKS = ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("mark", SPLITLINES_BREAKS)
def test_an_env_comment_holding_a_character_splitlines_breaks_at_keeps_git_lines(
    mark: str,
) -> None:
    source = f"# a{mark}b\nX=1\nOPENAI_MODEL=gpt-4o\n"
    assert places({".env": source}) == [(".env", 3, 14, "gpt-4o", "OPENAI_MODEL")]


def test_an_env_file_with_cr_lf_line_ends_reads_each_value_without_the_cr() -> None:
    source = "X=1\r\nOPENAI_MODEL=gpt-4o\r\nEMBED_MODEL='text-embedding-3-small'\r\n"
    assert places({".env": source}) == [
        (".env", 2, 14, "gpt-4o", "OPENAI_MODEL"),
        (".env", 3, 13, "text-embedding-3-small", "EMBED_MODEL"),
    ]


def test_a_javascript_line_comment_ends_at_a_line_separator_as_the_language_says() -> None:
    source = '// note\u2028const r = run({ model: "gpt-4o" });\nx = 1;\n'
    assert places({"a.js": source}) == [("a.js", 1, 32, "gpt-4o", "model")]


def test_a_java_line_comment_ends_at_a_lone_cr_as_the_language_says() -> None:
    source = 'class A {\n  // note\rvar b = builder.modelName("gpt-4o");\n}\n'
    assert places({"A.java": source}) == [("A.java", 2, 37, "gpt-4o", "modelName")]


def test_a_ruby_heredoc_in_a_cr_lf_file_ends_at_its_terminator() -> None:
    source = 'x = <<~EOS\r\n  text\r\nEOS\r\nclient.chat(parameters: { model: "gpt-4o" })\r\n'
    assert places({"chat.rb": source}) == [("chat.rb", 4, 34, "gpt-4o", "model")]


# -- TOML and JSON values at their place -------------------------------------------------------


def test_toml_and_json_values_are_placed_where_they_are_not_on_comments_or_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "comment.toml").write_text(
        '# previously: model = "gpt-4o"\n[llm]\nmodel = "gpt-4o"\n', "utf-8"
    )
    (folder / "ml.toml").write_text(
        'notes = """\nmodel = "gpt-4.1"\n"""\n[x]\nmodel = "gpt-4.1"\n', "utf-8"
    )
    (folder / "dotted.toml").write_text('[tool]\nllm.model = "gpt-4o-mini"\n', "utf-8")
    (folder / "slash.json").write_text('{"model": "openai\\/gpt-4o"}\n', "utf-8")
    assert usage_json(folder, tmp_path, monkeypatch, capsys) == [
        ("comment.toml", 3, "gpt-4o"),
        ("dotted.toml", 2, "gpt-4o-mini"),
        ("ml.toml", 5, "gpt-4.1"),
        ("slash.json", 1, "openai/gpt-4o"),
    ]


def test_a_toml_value_is_placed_under_its_own_table_when_a_later_one_has_the_same_text() -> None:
    source = '[a]\nmodel = "gpt-4o"\n[b]\nmodel = "gpt-4o"\n[a.c]\nmodel = "gpt-4o"\n'
    assert [(line, via) for _, line, _, _, via in places({"s.toml": source})] == [
        (2, "a.model"),
        (4, "b.model"),
        (6, "a.c.model"),
    ]


def test_toml_keys_quoted_spaced_or_in_arrays_of_tables_give_litellm_paths() -> None:
    source = (
        "[[model_list]]\n"
        'model_name = "alias"\n'
        "litellm_params . 'model' = 'openai/gpt-4o'  # a comment\n"
        "[[model_list]]\n"
        "[model_list.litellm_params]\n"
        'model = "azure/gpt-4o"\n'
        'fallbacks = [{ model = "o3" }, { "model" = "o\\u0031" }]\n'
    )
    assert places({"c.toml": source}) == [
        ("c.toml", 3, 28, "openai/gpt-4o", "model_list[].litellm_params.model"),
        ("c.toml", 6, 9, "azure/gpt-4o", "model_list[].litellm_params.model"),
        ("c.toml", 7, 24, "o3", "model_list[].litellm_params.fallbacks[].model"),
        ("c.toml", 7, 44, "o1", "model_list[].litellm_params.fallbacks[].model"),
    ]


def test_a_json_value_with_escapes_is_decoded_and_placed_at_its_opening_quote() -> None:
    source = (
        '{\n  "notes": "\\"model\\": \\"gpt-4o\\"",\n'  # an id inside another string
        '  "llm": {"\\u006dodel": "gpt\\u002d4o"}\n}'
    )
    assert places({"s.json": source}) == [("s.json", 3, 25, "gpt-4o", "llm.model")]


def test_a_repeated_json_key_counts_once_with_its_last_value_as_json_reads_it() -> None:
    source = '{"llm": {"model": "gpt-4o"}, "llm": {"model": "o3"}, "m": {"model": "gpt-4.1"}}'
    assert [(text, via) for *_, text, via in places({"s.json": source})] == [
        ("o3", "llm.model"),
        ("gpt-4.1", "m.model"),
    ]


@pytest.mark.parametrize("brk", ["\r", "\x85"])
def test_a_yaml_value_after_a_line_break_yaml_has_and_git_has_not_keeps_git_line(brk: str) -> None:
    """PyYAML ends a line at a lone CR or NEL, as YAML does; git and lint count line feeds."""
    use = only({"config.yaml": f"a: 1{brk}b: 2\nllm:\n  model: gpt-4o\n"})
    assert (use.line, use.column, use.text) == (3, 10, "gpt-4o")


def test_a_yaml_value_in_a_crlf_file_keeps_its_line_and_column() -> None:
    use = only({"config.yaml": "a: 1\r\nllm:\r\n  model: gpt-4o\r\n"})
    assert (use.line, use.column) == (3, 10)
