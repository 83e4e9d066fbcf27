"""Config values a run cannot use are refused when the file is read (exit 2, one line), never
after a run has committed: durations bounded to ten years, thresholds finite, a Slack timeout of
at most an hour, and a file that is not UTF-8, too deeply nested, or not a file at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from catalog_watch.errors import ConfigError
from catalog_watch.settings.config import load_config, read_config
from catalog_watch.settings.slack import SlackSettings
from tests.factories import write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, tip
from tests.runs import catalog, commit_run, repriced
from tests.slack_server import SlackServer

LAST_MOMENT = "9999-12-31T23:59:59Z"
MAX_DAYS, MAX_HOURS, MAX_MINUTES = 3650, 87_600, 5_256_000  # ten years, as documented


def config_file(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "bounds.toml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    return str(refused.value)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    return clone(fresh_origin(tmp_path), "ours")


# -- Durations and thresholds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[health]\nmax_age_hours = inf\n",
            ":2: health.max_age_hours: expected a number of at most 87600, got Infinity",
        ),
        (
            "[health]\nmax_age_hours = 1e300\n",
            ":2: health.max_age_hours: expected a number of at most 87600, got 1e+300",
        ),
        (
            "[health]\nmax_unchanged_days = inf\n",
            ":2: health.max_unchanged_days: expected a number of at most 3650, got Infinity",
        ),
        (
            "[alerts]\nclaim_lease_minutes = inf\n",
            ":2: alerts.claim_lease_minutes: expected a number of at most 5256000, got Infinity",
        ),
        (
            "[alerts]\npending_max_age_hours = 1e300\n",
            ":2: alerts.pending_max_age_hours: expected a number of at most 87600, got 1e+300",
        ),
        (
            "[deprecations]\nlead_days = [99999999999]\n",
            ":2: deprecations.lead_days#1: expected a number of at most 3650, got 99999999999",
        ),
        (
            "[deprecations]\nlead_days = [30, 3000000]\n",
            ":2: deprecations.lead_days#2: expected a number of at most 3650, got 3000000",
        ),
        (
            "[deprecations]\nlead_days = [-1]\n",
            ":2: deprecations.lead_days#1: expected a number of at least 0, got -1",
        ),
        (
            '[deprecations]\nlead_days = ["3"]\n',
            ':2: deprecations.lead_days#1: expected a whole number, got "3"',
        ),
        (
            "[lint]\nlead_days = 99999999999\n",
            ":2: lint.lead_days: expected a number of at most 3650, got 99999999999",
        ),
        (
            "[lint]\nexpensive_ratio = inf\n",
            ":2: lint.expensive_ratio: expected a finite number, got Infinity",
        ),
        (
            "[[watch]]\nmin_increase_pct = inf\n",
            ":2: watch#1.min_increase_pct: expected a finite number, got Infinity",
        ),
    ],
)
def test_a_duration_no_date_can_hold_is_refused_at_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    """These passed validation, then crashed every run after its commit (OverflowError in a
    ``timedelta`` or a date): the alerts were never sent."""
    path = config_file(tmp_path, text)
    assert refusal(path) == f"{path}{message}"


def test_an_infinite_duration_is_refused_before_the_run_commits_anything(
    repo: Path,
    slack: SlackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    before, posts = tip(repo, "origin/main"), len(slack.webhook_posts())
    path = config_file(tmp_path, "[alerts]\nclaim_lease_minutes = inf\n")
    code, _, err = commit_run(repo, monkeypatch, capsys, repriced(), "--config", str(path))
    assert code == 2
    assert err.strip().splitlines() == [
        f"catalog-watch: error: {path}:2: alerts.claim_lease_minutes: expected a number of at "
        "most 5256000, got Infinity"
    ]
    git(repo, "fetch", "--quiet", "origin")
    assert tip(repo, "origin/main") == before
    assert len(slack.webhook_posts()) == posts


def test_every_duration_at_its_bound_runs_and_alerts_at_the_last_moment_a_date_holds(
    repo: Path,
    slack: SlackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bounds themselves keep the health, outbox and reminder arithmetic inside
    ``datetime``'s range, even at 9999-12-31."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    path = config_file(
        tmp_path,
        f"[health]\nmax_age_hours = {MAX_HOURS}\nmax_unchanged_days = {MAX_DAYS}\n"
        f"[alerts]\nclaim_lease_minutes = {MAX_MINUTES}\npending_max_age_hours = {MAX_HOURS}\n"
        f"[deprecations]\nlead_days = [{MAX_DAYS}, 0]\nused_only = false\n"
        f"[lint]\nlead_days = {MAX_DAYS}\n[guard]\naccept_rejected_after_hours = inf\n",
    )
    for doc in (catalog(), repriced()):
        code, _, err = commit_run(
            repo, monkeypatch, capsys, doc, "--config", str(path), "--now", LAST_MOMENT
        )
        assert code == 0, err
    assert "cost.input" in str(slack.webhook_posts()[-1])
    code = main(["health", "--config", str(path), "--now", LAST_MOMENT])
    assert code == 0


# -- SLACK_TIMEOUT_SECONDS -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e10", "1e20", "3600.5"])
def test_a_slack_timeout_over_an_hour_is_refused_by_its_variable(value: str) -> None:
    """1e10 s was accepted, then ``socket.settimeout`` overflowed once the claim was pushed."""
    with pytest.raises(ConfigError) as refused:
        SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": value})
    words = "SLACK_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 3600"
    assert str(refused.value) == f"{words}, not {value!r}"


def test_a_slack_timeout_of_an_hour_is_kept() -> None:
    assert SlackSettings.from_env({"SLACK_TIMEOUT_SECONDS": "3600"}).timeout == 3600


def test_a_huge_slack_timeout_stops_the_run_before_it_commits(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    before = tip(repo, "origin/main")
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "1e10")
    code, _, err = commit_run(repo, monkeypatch, capsys, repriced())
    assert code == 2
    assert "SLACK_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 3600" in err
    git(repo, "fetch", "--quiet", "origin")
    assert tip(repo, "origin/main") == before
    assert len(slack.webhook_posts()) == 1  # the first run's baseline only


# -- Reading the file ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["x = " + "[" * 5000 + "]" * 5000 + "\n", "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"],
    ids=["arrays", "inline tables"],
)
def test_a_deeply_nested_config_is_one_line_not_a_recursion_error(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config_file(tmp_path, text)
    assert refusal(path) == f"{path}: cannot read config: nested too deeply"
    old = write_json(tmp_path / "old.json", catalog())
    new = write_json(tmp_path / "new.json", repriced())
    assert main(["diff", str(old), str(new), "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"catalog-watch: error: {path}: cannot read config: nested too deeply\n"
    )


def test_a_number_longer_than_python_reads_is_a_config_error(tmp_path: Path) -> None:
    path = config_file(tmp_path, "[health]\nfailures = 1" + "0" * 5000 + "\n")
    assert refusal(path) == (
        f"{path}: cannot read config: Exceeds the limit (4300 digits) for integer string "
        "conversion: value has 5001 digits"
    )


def test_a_leading_bom_is_skipped_and_the_lines_still_count_from_it(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf[guard]\nmax_shrink = 0.3\n"
    path = config_file(tmp_path, data)
    config, read = read_config(path)
    assert config.guard.max_shrink == 0.3
    assert read == data  # the hash a report is tied to is still of the bytes as they are
    path.write_bytes(b"\xef\xbb\xbf[guard]\nmax_shrink = 2\n")
    assert refusal(path) == f"{path}:2: guard.max_shrink: expected a number of at most 1, got 2"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"[guard]\nmax_shrink = 0.3\n# caf\xe9\n", "byte 0xe9 is not UTF-8 (at line 3, column 6)"),
        ("# \u00e9\u00e9".encode() + b"\xff\n", "byte 0xff is not UTF-8 (at line 1, column 5)"),
        (b"[guard]\r\n# \xc3(\r\n", "byte 0xc3 is not UTF-8 (at line 2, column 3)"),
    ],
)
def test_bytes_that_are_not_utf8_are_named_by_line_and_column(
    tmp_path: Path, data: bytes, where: str
) -> None:
    """Was "can't decode byte 0xe9 in position 30": a byte offset, no line."""
    path = config_file(tmp_path, data)
    assert refusal(path) == f"{path}: cannot read config: {where}"


def test_a_config_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """Reading a FIFO nobody writes waited for ever; run in a child with a timeout, so that
    code which still opens it fails this test instead of hanging the suite."""
    fifo = tmp_path / "catalog-watch.toml"
    os.mkfifo(fifo)
    old = write_json(tmp_path / "old.json", catalog())
    new = write_json(tmp_path / "new.json", repriced())
    command = [sys.executable, "-m", "catalog_watch.cli.app", "diff", str(old), str(new)]
    done = subprocess.run(
        [*command, "--config", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"catalog-watch: error: {fifo}: cannot read config: a FIFO, not a regular file"
    )


@pytest.mark.parametrize(("where", "kind"), [(".", "a directory"), ("/dev/null", "a device")])
def test_a_config_that_is_not_a_regular_file_is_named_by_its_kind(
    tmp_path: Path, where: str, kind: str
) -> None:
    path = tmp_path if where == "." else Path(where)
    assert refusal(path) == f"{path}: cannot read config: {kind}, not a regular file"


def test_a_symlink_to_a_config_is_followed(tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(config_file(tmp_path, "[guard]\nmax_shrink = 0.4\n"))
    assert load_config(link).guard.max_shrink == 0.4


@pytest.mark.parametrize("channel", ["#alerts\n::error::forged", "#alerts\x1b[31m", "#llm alerts"])
def test_a_slack_channel_with_a_line_break_space_or_control_is_refused(
    tmp_path: Path, channel: str
) -> None:
    """A channel is a name or an id: one with a line break printed a forged line in the dry run's
    preview and went into every outbox line."""
    with pytest.raises(ConfigError, match="SLACK_CHANNEL holds a space or control character"):
        SlackSettings.from_env({"SLACK_TOKEN": "xoxb-1", "SLACK_CHANNEL": channel})
    escaped = channel.replace("\n", "\\n").replace("\x1b", "\\u001b")
    path = config_file(tmp_path, f'[[watch]]\nname = "costs"\nchannel = "{escaped}"\n')
    assert "channel" in refusal(path) and ":3:" in refusal(path)


def test_a_slack_channel_name_or_id_is_kept() -> None:
    for channel in ("#llm-alerts", "C0123ABCD", "#coûts_llm"):
        env = {"SLACK_TOKEN": "xoxb-1", "SLACK_CHANNEL": f" {channel} "}
        assert SlackSettings.from_env(env).channel == channel
