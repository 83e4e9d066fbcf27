"""Each sink's inert function, against what that sink does with hostile text."""

from __future__ import annotations

import html
import io
import re
from xml.etree import ElementTree

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given
from hypothesis import strategies as st

from catalog_watch.inert import markdown, terminal, xml
from catalog_watch.inert.actions_log import CommandLog, DefusedLog, defused
from catalog_watch.publish.actions import ActionsRuntime
from tests.actions_runner import commands

ATTACKS = [
    "\n::error title=x::fake",
    "  ::add-mask::openai",
    "::stop-commands::TOKEN",
    "x ##[error]legacy mid-line",
    "@org/team please look",
    "fixes #1",
    "GH-12 and owner/repo#3",
    "<img src=https://evil.example/x.png>",
    "</details>",
    "a`b``c",
    "x|y",
    "[click](https://evil.example)",
    "![img](https://evil.example/i.png)",
    "\x1b[2J\x1b]0;title\x07",
    "line\rover",
    "\u202eevil",
    "a\x00b\ufffe",
    "https://github.com/o/r/issues/1 www.evil.example",
]
HOSTILE = st.one_of(
    st.sampled_from(ATTACKS),
    st.text(),
    st.lists(st.sampled_from([*ATTACKS, "::", "##[", "`", "@", "#", "<", "\n", "\r", " "])).map(
        "".join
    ),
)


def _gfm(text: str) -> str:
    """GitHub-flavoured markdown as cmark-gfm renders it, raw HTML allowed (as GitHub does)."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def _html_text(rendered: str) -> str:
    """The text GitHub scans for mentions and references: outside code, tags removed."""
    return re.sub(r"<[^>]+>", "", re.sub(r"<code>.*?</code>", "", rendered, flags=re.DOTALL))


# -- terminal ----------------------------------------------------------------------------------


@given(HOSTILE)
def test_terminal_text_holds_no_control_character_but_newline_and_tab(value: str) -> None:
    shown = terminal.shown(value)
    assert not terminal.has_control(shown)
    assert "\r" not in shown
    assert "\n" not in terminal.one_line(value)


def test_escape_sequences_are_spelled_as_json_does() -> None:
    assert terminal.shown("\x1b[2J") == "\\u001b[2J"
    assert terminal.one_line("a\nb\tc") == "a\\u000ab\\u0009c"


# -- the Actions log ---------------------------------------------------------------------------


@given(st.lists(HOSTILE, min_size=1, max_size=5))
def test_the_runner_runs_only_the_tools_own_commands(texts: list[str]) -> None:
    raw = io.StringIO()
    out = CommandLog(raw)
    runtime = ActionsRuntime(env={}, out=out)
    with runtime.group("catalog-watch report"):
        for text in texts:
            out.write(text)
            print(text, file=out)
    for text in texts:
        runtime.warning(text, title=text)
    runtime.flush_annotations()
    out.close()
    names = [c.name for c in commands(raw.getvalue())]
    tool = [n for n in names if n not in ("stop-commands", "resume")]
    assert tool == ["group", "endgroup", *["warning"] * min(len(texts), 10)]
    assert names.count("stop-commands") == names.count("resume")  # never left stopped


@given(HOSTILE)
def test_stderr_lines_are_never_commands(value: str) -> None:
    raw = io.StringIO()
    print(f"catalog-watch: error: {value}", file=DefusedLog(raw))
    print(value, file=DefusedLog(raw))
    assert commands(raw.getvalue()) == []


def test_defused_lines_keep_their_words() -> None:
    assert defused("  ::error::x") == "  \\::error::x"
    assert defused("see ##[error]y") == "see ##[\\error]y"


def test_an_unfinished_line_is_ended_before_the_tool_speaks() -> None:
    raw = io.StringIO()
    out = CommandLog(raw, token="T")
    out.write("no newline ::error::x")
    out.command("::warning::mine\n")
    assert raw.getvalue() == "::stop-commands::T\nno newline ::error::x\n::T::\n::warning::mine\n"


# -- GitHub markdown ---------------------------------------------------------------------------


@given(HOSTILE, HOSTILE)
def test_markdown_cells_render_as_the_plain_text_they_hold(name: str, model: str) -> None:
    table = f"| provider | model |\n|---|---|\n| {markdown.text(name)} | {markdown.code(model)} |\n"
    body = f"<details><summary>show all</summary>\n\n{table}\n</details>\n"
    rendered = _gfm(body)
    tags = re.findall(r"<(/?[a-z]+)", rendered)
    assert set(tags) <= {"details", "summary", "/summary", "/details", "table", "/table",
                         "thead", "/thead", "tbody", "/tbody", "tr", "/tr", "th", "/th",
                         "td", "/td", "code", "/code", "p", "/p"}  # fmt: skip
    assert tags.count("details") == 1 and tags[-1] == "/details"
    assert rendered.count("<td>") == 2  # the row has its two cells, no more
    text = _html_text(rendered)
    assert not re.search(r"(?<![\w\u2060])@[A-Za-z0-9]", text)  # no mention
    assert not re.search(r"(?<![\w&])#\d|(?<!\w)(?i:gh)-\d", text)  # no issue reference
    assert not re.search(r"https?://|www\.", text)  # no autolink


@given(HOSTILE)
def test_code_spans_show_the_id_exactly(value: str) -> None:
    span = markdown.code(value, table=False)
    if not terminal.one_line(value).strip():
        return
    rendered = _gfm(span)
    inner = re.fullmatch(r"<p><code>(.*)</code></p>\n", rendered, re.DOTALL)
    assert inner is not None
    assert _unescape(inner.group(1)) == terminal.one_line(value)


def _unescape(text: str) -> str:
    return html.unescape(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@org/team", "@\u2060org/team"),
        ("fixes #1", "fixes #\u20601"),
        ("</details>", "&lt;/details&gt;"),
        ("x|y", "x&#124;y"),
        ("[a](b)", "\\[a\\](b)"),
    ],
)
def test_markdown_text_examples(value: str, expected: str) -> None:
    assert markdown.text(value) == expected


def test_a_fence_is_longer_than_any_backtick_run() -> None:
    assert markdown.code("a``b") == "```a``b```"
    assert markdown.code("`x") == "`` `x ``"


# -- XML and HTML ------------------------------------------------------------------------------


@given(HOSTILE)
def test_xml_text_always_parses(value: str) -> None:
    element = ElementTree.fromstring(f'<t a="{xml.html_text(value)}">{xml.html_text(value)}</t>')
    expected = xml.xml_text(value).replace("\r\n", "\n").replace("\r", "\n")
    assert (element.text or "") == expected


# -- commit messages ---------------------------------------------------------------------------


def test_commit_text_closes_no_issue_and_pings_no_one() -> None:
    from catalog_watch.inert.git import commit_text

    text = commit_text("catalog-watch: run failed: provider 'fixes #1 @org/team \x1b[2J'")
    assert "#1" not in text and "@org" not in text and "\x1b" not in text
    assert text.replace("\u2060", "") == (
        "catalog-watch: run failed: provider 'fixes #1 @org/team \\u001b[2J'"
    )
