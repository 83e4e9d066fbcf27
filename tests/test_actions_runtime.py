"""The GitHub Actions runtime (``actions.py``) read back the way the runner reads it.

``parse_file_commands`` and ``unescape`` (tests/actions_runner.py) follow the runner's own rules,
so a test passes only if GitHub would read what we wrote.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog_watch.publish import actions
from catalog_watch.publish.actions import (
    SUMMARY_LIMIT,
    ActionsRuntime,
    escape_data,
    escape_property,
)
from tests.actions_runner import RunnerFormatError, parse_file_commands, unescape


def read(path: Path) -> str:
    """File content byte for byte (no newline translation), as the runner sees it."""
    return path.read_bytes().decode("utf-8")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"GITHUB_OUTPUT": tmp_path / "output", "GITHUB_STEP_SUMMARY": tmp_path / "summary"}
    for path in paths.values():
        path.touch()  # the runner creates both files empty before each step
    return paths


def runtime_for(files: dict[str, Path]) -> tuple[ActionsRuntime, io.StringIO]:
    out = io.StringIO()
    return ActionsRuntime(env={k: str(v) for k, v in files.items()}, out=out), out


# -- from_environ ------------------------------------------------------------------------------


def test_from_environ_is_none_outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert ActionsRuntime.from_environ() is None
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert ActionsRuntime.from_environ() is None


def test_from_environ_on_github_actions_or_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", "/tmp/out")
    runtime = ActionsRuntime.from_environ()
    assert runtime is not None
    assert runtime.env["GITHUB_OUTPUT"] == "/tmp/out"
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert ActionsRuntime.from_environ(force=True) is not None


# -- $GITHUB_OUTPUT ----------------------------------------------------------------------------


def test_single_line_outputs_are_written_as_name_equals_value(files: dict[str, Path]) -> None:
    runtime, _ = runtime_for(files)
    runtime.set_outputs({"changed": "true", "change-count": "3", "pr-url": ""})
    assert read(files["GITHUB_OUTPUT"]) == "changed=true\nchange-count=3\npr-url=\n"


def test_multiline_output_uses_delimiter_syntax_and_parses_back(files: dict[str, Path]) -> None:
    runtime, _ = runtime_for(files)
    report = "## models.dev\n\n| a | b |\n|---|---|\nname=value\nx<<EOF\nEOF\n"
    runtime.set_outputs({"report": report, "changed": "true"})
    text = read(files["GITHUB_OUTPUT"])
    header = text.splitlines()[0]
    assert header.startswith("report<<ghadelimiter_")
    assert parse_file_commands(text) == {"report": report, "changed": "true"}


def test_each_multiline_output_gets_its_own_random_delimiter(files: dict[str, Path]) -> None:
    runtime, _ = runtime_for(files)
    runtime.set_outputs({"a": "1\n2", "b": "3\n4"})
    headers = [line for line in read(files["GITHUB_OUTPUT"]).splitlines() if "<<" in line]
    delimiters = {line.split("<<", 1)[1] for line in headers}
    assert len(delimiters) == 2


def test_value_containing_the_would_be_delimiter_still_round_trips(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    value = "before\nghadelimiter_feed\nafter"  # the first delimiter drawn, as a whole line
    runtime, _ = runtime_for(files)
    drawn = iter([b"\xfe\xed", b"\xfe\xed", b"\xbe\xef"])  # the random bytes, hex: feed, beef
    monkeypatch.setattr(actions.os, "urandom", lambda _: next(drawn))
    runtime.set_outputs({"body": value})
    text = read(files["GITHUB_OUTPUT"])
    assert text.startswith("body<<ghadelimiter_beef\n")
    assert parse_file_commands(text) == {"body": value}


@given(value=st.text(), name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,20}", fullmatch=True))
def test_any_value_round_trips_through_the_runner_parser(value: str, name: str) -> None:
    # A fresh file per example: function-scoped fixtures are not reset between them.
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "output"
        runtime = ActionsRuntime(env={"GITHUB_OUTPUT": str(output)}, out=io.StringIO())
        runtime.set_outputs({name: value})
        assert parse_file_commands(read(output)) == {name: value}


def test_outputs_are_appended_to_what_earlier_steps_wrote(files: dict[str, Path]) -> None:
    files["GITHUB_OUTPUT"].write_text("earlier=1\n", encoding="utf-8")
    runtime, _ = runtime_for(files)
    runtime.set_outputs({"later": "2"})
    assert parse_file_commands(read(files["GITHUB_OUTPUT"])) == {"earlier": "1", "later": "2"}


@pytest.mark.parametrize("name", ["", "a=b", "a\nb", "a\rb", "a<<b"])
def test_an_output_name_the_runner_would_misread_is_refused_before_writing(
    files: dict[str, Path], name: str
) -> None:
    runtime, _ = runtime_for(files)
    with pytest.raises(ValueError, match="output name"):
        runtime.set_outputs({"fine": "1", name: "value"})
    assert read(files["GITHUB_OUTPUT"]) == ""


# -- $GITHUB_STEP_SUMMARY ----------------------------------------------------------------------


def test_summary_is_appended_with_a_final_newline(files: dict[str, Path]) -> None:
    runtime, out = runtime_for(files)
    runtime.append_summary("# one")
    runtime.append_summary("two\n")
    assert read(files["GITHUB_STEP_SUMMARY"]) == "# one\ntwo\n"
    assert out.getvalue() == ""


def test_summary_over_one_mib_is_cut_at_a_line_with_a_note(files: dict[str, Path]) -> None:
    lines = [f"| row {i} | {'€' * 100} |\n" for i in range(4000)]  # 1.2 MB, 0.4 M characters
    markdown = "".join(lines)
    runtime, out = runtime_for(files)
    runtime.append_summary(markdown)
    written = read(files["GITHUB_STEP_SUMMARY"])
    assert len(written.encode("utf-8")) <= SUMMARY_LIMIT
    body, note = written.split("\n> **Cut:**")
    assert markdown.startswith(body)
    assert body.endswith(" |\n")  # whole lines only
    kept = body.count("\n")
    assert f"shows {kept:,} of 4,000 lines" in note
    assert len(body.encode("utf-8")) > SUMMARY_LIMIT - 1000  # cut no earlier than needed
    runtime.flush_annotations()
    assert out.getvalue().startswith("::warning::The step summary was cut")


def test_summary_limit_counts_what_the_step_already_wrote(files: dict[str, Path]) -> None:
    earlier = "x" * 99 + "\n"
    files["GITHUB_STEP_SUMMARY"].write_text(earlier * 6000, encoding="utf-8")  # 600 KB
    runtime, _ = runtime_for(files)
    runtime.append_summary("y" * 99 + "\n" * 1 + ("z" * 99 + "\n") * 6000)
    assert files["GITHUB_STEP_SUMMARY"].stat().st_size <= SUMMARY_LIMIT


def test_summary_cut_inside_a_code_block_closes_it(files: dict[str, Path]) -> None:
    markdown = "## Changes\n```diff\n" + "- cost.input 1 → 2\n" * 80_000 + "```\n"
    runtime, _ = runtime_for(files)
    runtime.append_summary(markdown)
    written = read(files["GITHUB_STEP_SUMMARY"])
    fences = [line for line in written.splitlines() if line.startswith("```")]
    assert fences == ["```diff", "```"]
    assert written.index("```\n\n> **Cut:**") > 0


# -- nothing without the runner's variables ----------------------------------------------------


def test_file_commands_do_nothing_without_their_variables(tmp_path: Path) -> None:
    runtime = ActionsRuntime(env={}, out=io.StringIO())
    runtime.set_outputs({"changed": "true", "report": "a\nb"})
    runtime.append_summary("# report")
    assert list(tmp_path.iterdir()) == []
    empty = ActionsRuntime(env={"GITHUB_OUTPUT": "", "GITHUB_STEP_SUMMARY": ""}, out=io.StringIO())
    empty.set_outputs({"changed": "true"})
    empty.append_summary("# report")
    assert list(tmp_path.iterdir()) == []


# -- workflow commands -------------------------------------------------------------------------


def test_messages_and_properties_are_escaped_as_the_runner_expects() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    runtime.warning("50% done\r\nnext: a, b", title="price: up, 3%", file="snapshots/a,b:c.json")
    runtime.error("failed\nbadly", title="FetchError: 503")
    runtime.notice("plain")
    runtime.flush_annotations()
    assert out.getvalue().splitlines() == [
        "::error title=FetchError%3A 503::failed%0Abadly",
        "::warning title=price%3A up%2C 3%25,file=snapshots/a%2Cb%3Ac.json"
        "::50%25 done%0D%0Anext: a, b",
        "::notice::plain",
    ]


def test_empty_properties_are_left_out() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    runtime.warning("message", title="", file=None)
    runtime.flush_annotations()
    assert out.getvalue() == "::warning::message\n"


@given(st.text())
def test_escaping_round_trips_through_the_runner_unescaping(text: str) -> None:
    data, prop = escape_data(text), escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert not {"\n", "\r", ":", ","} & set(prop)
    assert unescape(data) == text
    assert unescape(prop, property_value=True) == text


def test_mask_registers_each_non_blank_line_of_a_secret() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    runtime.mask("-----BEGIN KEY-----\r\nabc%0A\n\n   \nxyz\n")
    runtime.mask("")
    assert out.getvalue() == (
        "::add-mask::-----BEGIN KEY-----\n::add-mask::abc%250A\n::add-mask::xyz\n"
    )


def test_group_is_closed_even_when_its_body_raises() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    with pytest.raises(RuntimeError), runtime.group("report: models.dev"):
        out.write("inside\n")
        raise RuntimeError("boom")
    assert out.getvalue() == "::group::report: models.dev\ninside\n::endgroup::\n"


# -- the test parser itself follows the runner -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1\n\nb=x=y\n", {"a": "1", "b": "x=y"}),
        ("a<<EOF\nline\nEOF\n", {"a": "line"}),
        ("a<<EOF\n\nEOF", {"a": ""}),
        ("a<<EOF\nEOF\n", {"a": ""}),
        ("a<<EOF\nx\r\nEOF\n", {"a": "x\r"}),
        ("a=1\na=2\n", {"a": "2"}),
    ],
)
def test_parser_reads_what_the_runner_reads(text: str, expected: dict[str, str]) -> None:
    assert parse_file_commands(text) == expected


@pytest.mark.parametrize("text", ["novalue\n", "=1\n", "a<<EOF\nline\n", "a<<\nx\n", "a<<E\nx"])
def test_parser_refuses_what_the_runner_refuses(text: str) -> None:
    with pytest.raises(RunnerFormatError):
        parse_file_commands(text)


def test_annotations_of_a_step_stay_within_githubs_ten_per_level_with_a_pointer() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    for n in range(14):
        runtime.warning(f"inconsistency {n}")
    runtime.warning("3 alert(s) still undelivered", title="Slack alerts pending", urgent=True)
    runtime.error("failed")
    runtime.flush_annotations()
    lines = out.getvalue().splitlines()
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(warnings) == 10
    assert warnings[0] == "::warning title=Slack alerts pending::3 alert(s) still undelivered"
    assert warnings[-1].startswith("::warning title=catalog-watch::6 more warnings than GitHub")
    assert [line for line in lines if line.startswith("::error")] == ["::error::failed"]
    # what the annotations could not show is in the log, as plain lines
    hidden = [line for line in lines if line.startswith("catalog-watch: warning: ")]
    assert hidden[0] == "catalog-watch: warning: inconsistency 8"
    assert hidden[-1] == "catalog-watch: warning: inconsistency 13"


def test_ten_annotations_need_no_pointer() -> None:
    out = io.StringIO()
    runtime = ActionsRuntime(env={}, out=out)
    for n in range(10):
        runtime.notice(f"notice {n}")
    runtime.flush_annotations()
    assert out.getvalue().splitlines() == [f"::notice::notice {n}" for n in range(10)]
