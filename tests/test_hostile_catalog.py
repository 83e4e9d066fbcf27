"""A hostile catalog through every sink (issue 10, "How it is shown").

Each catalog carries many attacks at once (``tests/hostile_catalog.py``) and goes through the
real CLI as a GitHub Actions step: a baseline in commit mode, then the hostile catalog in
dry-run, pull-request and commit mode against a bare ``origin``, a loopback GitHub and a
loopback Slack, then ``catalog-watch site``. The checks (``tests/sink_checks.py``) read the bytes
each sink received. One run carries every fixed attack (the named tests below); the property
test draws a few more catalogs of 5-10 generated attacks.
"""

from __future__ import annotations

import html
import io
import json
import re
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from catalog_watch.cli.app import main
from catalog_watch.inert.actions_log import CommandLog
from catalog_watch.inert.xml import html_text
from catalog_watch.publish.actions import ActionsRuntime
from catalog_watch.site import build_site
from catalog_watch.site.chart import ChartJob, Series, price_chart
from catalog_watch.sources.json_values import printable
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests.factories import document, edited, model, provider, write_json
from tests.hostile_catalog import (
    ATTACK_LISTS,
    FIXED,
    Placed,
    Sinks,
    good_provider_id,
    must_reject,
    placements,
    run_everywhere,
    scratch,
)
from tests.sink_checks import (
    assert_markdown_inert,
    assert_no_controls,
    assert_no_reference,
    assert_only_the_tools_commands,
    assert_site_parses,
    assert_slack_inert,
    page_problems,
)

GITHUB_TOKEN = "ghs_test_token"  # tests.github_server's default


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def pycache(lab: Path) -> Path:
    """Bytecode for the CLI processes, compiled once for the module."""
    return lab / "pycache"


@pytest.fixture(scope="module")
def every_attack(lab: Path, pycache: Path) -> Sinks:
    """One run over a catalog that carries every fixed attack in every kind of record."""
    root = lab / "every-attack"
    root.mkdir()
    return run_everywhere(list(FIXED), root, pycache)


# -- The checks, one per sink --------------------------------------------------------------


def check_actions_log(sinks: Sinks) -> None:
    for step in [*sinks.steps, sinks.site_step]:
        assert step is not None
        assert_only_the_tools_commands(step.stdout, step.stderr, token=GITHUB_TOKEN)


def check_markdown(sinks: Sinks) -> None:
    assert sinks.pull_texts and sinks.changelog
    for where, text in sinks.markdown.items():
        assert_markdown_inert(text, where)


def check_controls(sinks: Sinks) -> None:
    for step in [*sinks.steps, sinks.site_step]:
        assert step is not None
        assert_no_controls(step.stdout, f"{step.name} stdout")
        assert_no_controls(step.stderr, f"{step.name} stderr")
    for where, text in sinks.markdown.items():
        assert_no_controls(text, where)
    for message in sinks.commit_messages:
        assert_no_controls(message, "a commit message")


def check_slack(sinks: Sinks) -> None:
    assert len(sinks.slack) >= 2  # the baseline's message and the hostile run's alerts
    links = ("https://github.com/octo-org/catalog/", "http://127.0.0.1:")
    for payload in sinks.slack:
        assert_slack_inert(payload, links)


def check_commit_messages(sinks: Sinks) -> None:
    assert sinks.commit_messages
    for message in sinks.commit_messages:
        assert_no_reference(message, f"commit message {message.splitlines()[0]!r}")


def check_site(sinks: Sinks) -> None:
    assert sinks.site_step is not None and sinks.site_step.code == 0, sinks.site_step
    assert_site_parses(sinks.site)


def check_runs_succeed_and_name_the_bad_records(sinks: Sinks, attacks: list[str]) -> None:
    for step in sinks.steps:
        assert step.code == 0, f"{step.name} exited {step.code}: {step.stderr[-2000:]}"
    commit = sinks.step("commit")
    assert commit.report is not None
    rejected = commit.report["rejected"]
    for placed in placements(attacks):
        for kind, (provider_id, model_id) in placed.records.items():
            if _must_be_rejected(placed, kind):
                assert _named(rejected, provider_id, model_id), (kind, placed.attack, rejected)
    if rejected:
        assert f"rejected records ({len(rejected)})" in commit.stdout


def _must_be_rejected(placed: Placed, kind: str) -> bool:
    if kind == "provider id":
        return must_reject(placed.attack) or not good_provider_id(placed.attack)
    return must_reject(placed.attack)


def _named(rejected: list[dict[str, Any]], provider_id: str, model_id: str | None) -> bool:
    providers, models = _spellings(provider_id), _spellings(model_id)
    return any(
        r.get("provider") in providers and (r.get("model") in models or r.get("model") is None)
        for r in rejected
    )


def _spellings(value: str | None) -> set[str | None]:
    """A value as a rejection names it: as sent, or spelled printable (``\\x1b``), after the
    JSON round trip of the catalog file (which joins a surrogate pair into one character)."""
    if value is None:
        return {None}
    read = json.loads(json.dumps(value))
    return {value, printable(value), read, printable(read)}


def check_everything(sinks: Sinks, attacks: list[str]) -> None:
    check_runs_succeed_and_name_the_bad_records(sinks, attacks)
    check_actions_log(sinks)
    check_controls(sinks)
    check_markdown(sinks)
    check_slack(sinks)
    check_commit_messages(sinks)
    check_site(sinks)


# -- Every fixed attack at once ------------------------------------------------------------


def test_every_run_exits_0_and_names_the_rejected_records(every_attack: Sinks) -> None:
    check_runs_succeed_and_name_the_bad_records(every_attack, list(FIXED))


def test_the_runner_would_run_only_the_tools_own_commands(every_attack: Sinks) -> None:
    check_actions_log(every_attack)


def test_no_raw_control_character_reaches_a_log_markdown_or_commit(every_attack: Sinks) -> None:
    check_controls(every_attack)


def test_pull_request_summary_and_changelog_render_inert(every_attack: Sinks) -> None:
    check_markdown(every_attack)


def test_dry_run_preview_shows_the_pull_request_body_inert(every_attack: Sinks) -> None:
    preview = every_attack.step("dry-run").stdout
    assert "pull request body:" in preview
    body = preview.split("pull request body:\n", 1)[1].split("\nSlack: would send", 1)[0]
    assert_markdown_inert(body, "dry-run preview")


def test_slack_payloads_hold_no_markup_from_the_catalog(every_attack: Sinks) -> None:
    check_slack(every_attack)


def test_commit_messages_reference_no_issue_or_person(every_attack: Sinks) -> None:
    check_commit_messages(every_attack)


def test_site_builds_and_its_pages_and_feed_parse(every_attack: Sinks) -> None:
    check_site(every_attack)


# -- Generated attacks ---------------------------------------------------------------------


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(attacks=ATTACK_LISTS)
def test_any_hostile_catalog_reaches_every_sink_inert(
    attacks: list[str], lab: Path, pycache: Path
) -> None:
    with scratch(lab) as root:
        check_everything(run_everywhere(attacks, Path(root), pycache), attacks)


# -- The sink fixes, one by one ------------------------------------------------------------

_DAYS = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))


def _chart(title: str) -> str:
    start, end = _DAYS
    series = tuple(
        Series("acme", "m", field, ((start, end, 1.0), (end, end + (end - start), 2.0)))
        for field in ("cost.input", "cost.output")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph matplotlib cannot draw would warn
        return price_chart(ChartJob(title=title, series=series, label=title))


@pytest.mark.parametrize("title", ["$\\frac{a}{b}$ x", "$\\frac{", "$x^2$ <b>&"])
def test_chart_draws_a_dollar_sign_as_text_not_mathtext(title: str) -> None:
    svg = _chart(title)
    drawn = [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert title in drawn


def test_chart_text_holds_no_control_character() -> None:
    svg = _chart("a\x1b[2Jb\rc\u202ed\ufffe")
    assert_no_controls(svg, "chart")
    assert "a\\u001b[2Jb\\u000dc\\u202ed\ufffd" in html.unescape(svg)
    assert page_problems(svg) == []


def _pair(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The paths of ``old`` and ``new`` written as catalog files, for ``diff``."""
    return [str(write_json(tmp_path / f"{n}.json", doc)) for n, doc in [("o", old), ("n", new)]]


def test_text_report_keeps_a_value_with_line_breaks_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = document(provider("acme", model("m0")))
    new = edited(old)
    new["acme"]["models"]["m0"]["note"] = "a\n::error::PWNED\r\nb"
    paths = _pair(tmp_path, old, new)
    assert main(["diff", *paths, "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "    • note none → a\\u000a::error::PWNED\\u000d\\u000ab  [info]\n" in out
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")]


@pytest.mark.parametrize("price", [1e25, 1.7976931348623157e308, 1e-300])
@pytest.mark.parametrize("form", ["text", "markdown", "json"])
def test_a_price_too_large_for_decimals_default_precision_is_reported_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], price: float, form: str
) -> None:
    """A valid float with more digits than the decimal module's default 28 (1e25 per 1M and up)
    made the cost maths' rounding raise InvalidOperation: every run failed on such a catalog."""
    old = document(provider("acme", model("m0")), provider("zeta", model("m0")))
    new = edited(old)
    new["acme"]["models"]["m0"]["cost"]["input"] = price
    paths = _pair(tmp_path, old, new)
    assert main(["diff", *paths, "--format", form]) == 0
    out = capsys.readouterr().out
    if form == "json":
        [change] = [c for c in json.loads(out)["changes"] if c["field"] == "cost.input"]
        assert (change["provider"], change["new"]) == ("acme", price)
        assert change["impact"]  # the cost impact was computed, not skipped
    else:
        assert "cost.input" in out and "cost impact" in out.lower()


def test_a_change_past_a_float_has_no_percentage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e-300 → 1e308 is a rise of ``inf`` percent: JSON has no such number (``json`` wrote
    ``Infinity`` into the ledger), so it is told as a change without a percentage."""
    old = document(provider("acme", model("m0")), provider("zeta", model("m0")))
    old["acme"]["models"]["m0"]["cost"]["input"] = 1e-300
    new = edited(old)
    new["acme"]["models"]["m0"]["cost"]["input"] = 1e308
    paths = _pair(tmp_path, old, new)
    assert main(["diff", *paths, "--format", "json"]) == 0
    [change] = [
        c for c in json.loads(capsys.readouterr().out)["changes"] if c.get("field") == "cost.input"
    ]
    assert (change["change_pct"], change["severity"]) == (None, "high")
    assert main(["diff", *paths, "--format", "text"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "cost.input" in line]
    assert "inf" not in line and line.endswith("per 1M  [high]")  # it read "(+inf %)"


def _site_with_a_manifest(tmp_path: Path, lines: list[str]) -> Path:
    snapshots = tmp_path / "snapshots"
    write_snapshot(
        snapshots, provider_files(parse_catalog(document(provider("acme", model("m0"))))), {}
    )
    out = tmp_path / "site"
    build_site(out, snapshots=snapshots, workers=1)
    manifest = out / ".catalog-watch-site"
    manifest.write_text(manifest.read_text() + "".join(f"{line}\n" for line in lines))
    return out


def test_a_rebuild_never_deletes_outside_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = [outside / name for name in ("absolute.txt", "dotdot.txt", "linked.txt")]
    for victim in victims:
        victim.write_text("keep me")
    out = _site_with_a_manifest(
        tmp_path,
        [
            str(victims[0]),
            "../outside/dotdot.txt",
            "model/../../outside/dotdot.txt",
            "link/linked.txt",
        ],
    )
    (out / "link").symlink_to(outside, target_is_directory=True)
    build_site(out, snapshots=tmp_path / "snapshots", workers=1)
    assert all(victim.read_text() == "keep me" for victim in victims)


def test_a_rebuild_still_removes_its_own_stale_pages(tmp_path: Path) -> None:
    out = _site_with_a_manifest(tmp_path, ["model/gone.html"])
    (out / "model").mkdir(exist_ok=True)
    (out / "model" / "gone.html").write_text("stale")
    build_site(out, snapshots=tmp_path / "snapshots", workers=1)
    assert not (out / "model" / "gone.html").exists()


def test_an_annotation_quoting_the_catalog_carries_no_raw_control() -> None:
    raw = io.StringIO()
    runtime = ActionsRuntime(env={}, out=CommandLog(raw, token="T"))
    runtime.warning("+model:\u202eevil \x1b[2J\x9b", title="schema drift \x07")
    runtime.flush_annotations()
    assert raw.getvalue() == (
        "::warning title=schema drift \\u0007::+model:\\u202eevil \\u001b[2J\\u009b\n"
    )


def test_html_spells_out_the_controls_that_reorder_text() -> None:
    assert html_text("\u202eevil\u2066<b>\x00") == "\\u202eevil\\u2066&lt;b&gt;\ufffd"


# -- The checks catch what they look for ---------------------------------------------------

_TABLE = (
    "| | provider | model | field | old | new | change | severity |\n"
    "|---|---|---|---|---|---|---|---|\n"
)


@pytest.mark.parametrize(
    "markdown",
    [
        "cc @org/team",
        "fixes #1",
        "see GH-12",
        "www.evil.example",
        "<img src=x>",
        "a <b>bold</b>",
        "</details>\n",
        "<details><summary>show all</summary>\n\nrows\n",
        f"{_TABLE}| • | acme | `m` | `f` | a | b | c | d | low |\n",
        f"{_TABLE}| • | acme | m`x` | `f` | a | b | | low |\n",
    ],
)
def test_the_markdown_check_catches_each_attack(markdown: str) -> None:
    with pytest.raises(AssertionError):
        assert_markdown_inert(markdown, "test")


@pytest.mark.parametrize(
    ("stdout", "stderr"),
    [
        ("::error title=x::PWNED\n", ""),
        ("::add-mask::acme\n", ""),
        ("::stop-commands::PWNED\n", ""),
        ("a ##[warning]PWNED\n", ""),
        ("::set-output name=x::y\n", ""),
        ("::group::other\n::endgroup::\n", ""),
        ("::stop-commands::" + "a" * 32 + "\n::error::x\n", ""),
        ("", "::warning::x\n"),
        ("".join(f"::warning title=t::w{n}\n" for n in range(11)), ""),
    ],
)
def test_the_log_check_catches_each_forged_command(stdout: str, stderr: str) -> None:
    with pytest.raises(AssertionError):
        assert_only_the_tools_commands(stdout, stderr, token=GITHUB_TOKEN)


def test_the_log_check_accepts_the_tools_own_commands() -> None:
    token = "0123456789abcdef" * 2
    stdout = (
        f"::add-mask::{GITHUB_TOKEN}\n::group::catalog-watch report\n::stop-commands::{token}\n"
        f"x ##[error]y\n  a\n::{token}::\n::endgroup::\n::warning title=t%3A x::+model:%0A::error\n"
    )
    assert_only_the_tools_commands(stdout, "", token=GITHUB_TOKEN)


@pytest.mark.parametrize(
    "text",
    ["<!channel>", "hi <@U123>", "<#C1>", "a < b", "x & y", "<https://evil.example|x>"],
)
def test_the_slack_check_catches_markup_from_the_catalog(text: str) -> None:
    with pytest.raises(AssertionError):
        assert_slack_inert(
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]},
            ("https://github.com/",),
        )
