"""Values an adapter accepts with a warning (a LiteLLM price written as a string) reach the report
of ``check``, ``run`` and ``diff`` in every format, in a fixed order, inert, and change nothing
else: no change, no alert, the same "no changes"."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.compare import DEFAULTS, compare
from catalog_watch.cli.app import main
from catalog_watch.model.report import Report
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.text import render_text
from catalog_watch.sources.adapter import finish_catalog
from catalog_watch.sources.litellm import SOURCE_NAME, convert_litellm
from tests.git_repos import clone, fresh_origin, isolate_git
from tests.sink_checks import assert_markdown_inert, assert_no_controls
from tests.test_source_litellm import entry

PRICE_REASON = "a price written as a string; accepted as the number it spells"
TOKENS_REASON = "a token count written as a string; accepted"
PRICE_LINE = (
    "provider 'acme' model 'a-model' field 'input_cost_per_token': "
    f"{PRICE_REASON} (got '0.0000025')"
)
TOKENS_LINE = (
    f"provider 'acme' model 'a-model' field 'max_input_tokens': {TOKENS_REASON} (got '128000')"
)
OTHER_LINE = (
    f"provider 'zeta' model 'b-model' field 'max_output_tokens': {TOKENS_REASON} (got '8192')"
)


def numbers() -> dict[str, Any]:
    """Three entries of two providers, every number a JSON number: no warning."""
    return {
        "b-model": entry(litellm_provider="zeta"),
        "c-model": entry(),
        "a-model": entry(),
    }


def strings() -> dict[str, Any]:
    """The same catalog with three numbers written as strings; the warnings' sources appear out
    of order (zeta before acme, a field read late before one read early)."""
    doc = numbers()
    doc["b-model"]["max_output_tokens"] = "8192"
    doc["a-model"]["max_input_tokens"] = "128000"
    doc["a-model"]["input_cost_per_token"] = "0.0000025"
    return doc


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "numbers.json").write_text(json.dumps(numbers()), encoding="utf-8")
    (tmp_path / "strings.json").write_text(json.dumps(strings()), encoding="utf-8")
    return tmp_path


def section(out: str, title: str) -> list[str]:
    """The lines under ``title`` (a blank line after a markdown heading skipped) up to the next
    blank line."""
    lines = out.splitlines()
    start = lines.index(title) + 1
    start += lines[start] == "" and title.startswith("#")
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_check_text_lists_each_warning_by_provider_model_and_field(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "check", "--source", "strings.json")
    assert code == 0
    assert section(out, "warnings (3), values accepted:") == [
        f"  {PRICE_LINE}",
        f"  {TOKENS_LINE}",
        f"  {OTHER_LINE}",
    ]


def test_check_json_has_a_warnings_array_and_count_and_no_change(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "check", "--source", "strings.json", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["warnings"] == [
        {
            "provider": "acme",
            "model": "a-model",
            "field": "input_cost_per_token",
            "reason": PRICE_REASON,
            "value": "0.0000025",
        },
        {
            "provider": "acme",
            "model": "a-model",
            "field": "max_input_tokens",
            "reason": TOKENS_REASON,
            "value": "128000",
        },
        {
            "provider": "zeta",
            "model": "b-model",
            "field": "max_output_tokens",
            "reason": TOKENS_REASON,
            "value": "8192",
        },
    ]
    assert report["summary"]["warnings"] == 3
    assert (report["changes"], report["rejected"]) == ([], [])


def test_check_markdown_lists_the_warnings_through_the_markdown_escapes(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "check", "--source", "strings.json", "--format", "markdown")
    assert code == 0
    assert section(out, "### Warnings (3, values accepted)") == [
        "- provider 'acme' model 'a-model' field 'input\\_cost\\_per\\_token': "
        f"{PRICE_REASON} (got '0.0000025')",
        f"- provider 'acme' model 'a-model' field 'max\\_input\\_tokens': {TOKENS_REASON} "
        "(got '128000')",
        f"- provider 'zeta' model 'b-model' field 'max\\_output\\_tokens': {TOKENS_REASON} "
        "(got '8192')",
    ]


def test_a_catalog_without_warnings_has_no_warnings_section(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = cli(capsys, "check", "--source", "numbers.json")
    _, markdown, _ = cli(capsys, "check", "--source", "numbers.json", "--format", "markdown")
    _, data, _ = cli(capsys, "check", "--source", "numbers.json", "--format", "json")
    assert "warnings" not in text and "Warnings" not in markdown
    assert json.loads(data)["warnings"] == []


def test_diff_shows_the_new_catalogs_warnings_and_still_says_no_changes(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "diff", "numbers.json", "strings.json")
    assert code == 0
    assert out.startswith("litellm: no changes\n")
    assert section(out, "warnings (3), values accepted:")[0] == f"  {PRICE_LINE}"
    _, back, _ = cli(capsys, "diff", "strings.json", "numbers.json", "--format", "json")
    assert json.loads(back)["warnings"] == []  # the old catalog's are not the report's


def test_a_check_whose_content_is_unchanged_still_shows_the_warnings(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Strings that spell the stored numbers are the same content: "no changes", warned."""
    assert cli(capsys, "check", "--source", "numbers.json", "--write")[0] == 0
    code, out, _ = cli(capsys, "check", "--source", "strings.json", "--write")
    assert code == 0
    assert out.startswith("litellm: no changes\n")
    assert section(out, "warnings (3), values accepted:")[2] == f"  {OTHER_LINE}"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    for name in ("SLACK_WEBHOOK_URL", "SLACK_TOKEN", "SLACK_BOT_TOKEN", "SLACK_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    repo = clone(fresh_origin(tmp_path), "ours")
    monkeypatch.chdir(repo)
    return repo


def test_run_shows_the_warnings_in_text_and_json(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "strings.json"
    source.write_text(json.dumps(strings()), encoding="utf-8")
    now = "2026-08-01T00:00:00Z"
    code, out, err = cli(capsys, "run", "--source", str(source), "--now", now)
    assert code == 0, err
    assert section(out, "warnings (3), values accepted:")[1] == f"  {TOKENS_LINE}"
    code, out, err = cli(capsys, "run", "--source", str(source), "--now", now, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [w["field"] for w in report["warnings"]] == [
        "input_cost_per_token",
        "max_input_tokens",
        "max_output_tokens",
    ]
    assert report["summary"]["max_severity"] is None


HOSTILE = "soon\n::error::x \x1b[31mred <!channel> *bold* @org/team #1"


def hostile_report() -> Report:
    """A date that is no date is warned about with its text, catalog text; the warning is then
    given the raw hostile text (control characters would reject the record itself, whose
    warnings are then dropped), as an adapter that did not spell the controls out would."""
    doc = {**numbers(), "a-model": entry(deprecation_date="soon <!channel> *bold*")}
    conversion = convert_litellm(doc, today=date(2026, 8, 1))
    catalog = finish_catalog(conversion, source=SOURCE_NAME, max_rejected_share=0.5)
    report = compare(None, catalog, DEFAULTS)
    [warning] = report.warnings
    assert warning.field == "deprecation_date" and "<!channel> *bold*" in str(warning.value)
    return replace(report, warnings=(replace(warning, value=HOSTILE),))


def test_a_hostile_warning_value_reaches_the_text_report_on_one_line_without_controls() -> None:
    text = render_text(hostile_report())
    assert_no_controls(text, "text report")
    [line] = section(text, "warnings (1), values accepted:")
    assert "'deprecation_date': not a YYYY-MM-DD date; no status derived (got 'soon" in line
    assert not any(row.startswith("::") for row in text.splitlines())


def test_a_hostile_warning_value_reaches_the_markdown_report_inert() -> None:
    markdown = render_markdown(hostile_report())
    assert_no_controls(markdown, "markdown report")
    assert_markdown_inert(markdown, "markdown report")
    [row] = section(markdown, "### Warnings (1, values accepted)")
    assert "'deprecation\\_date': not a YYYY-MM-DD date" in row
    assert "&lt;!channel&gt;" in row and "\\*bold\\*" in row
    assert "<!channel>" not in markdown and "*bold*" not in markdown
    assert not any(row.startswith("::") for row in markdown.splitlines())
