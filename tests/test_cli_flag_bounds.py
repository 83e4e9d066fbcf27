"""Numeric flags take what their config key takes, and argparse's own error lines are inert.

A flag replaces its config key, so it must not take more: ``--max-shrink nan`` turned the
shrink guard off (every comparison with NaN is false), ``--max-age-hours inf`` crashed
``health`` with a traceback, ``--failures -3`` called a healthy folder unhealthy.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.accept.shrink import check_shrink
from catalog_watch.cli.app import main
from catalog_watch.errors import ConfigError
from catalog_watch.model.health import Health
from catalog_watch.settings.constraints import MAX_DAYS, MAX_HOURS
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, model, provider, tree_bytes, write_json

NOW = ("--now", "2026-11-25T10:17:00Z")


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """argparse's usage error (exit 2): its stderr."""
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 2
    return capsys.readouterr().err


def catalog(models: int) -> dict[str, Any]:
    return document(provider("acme", *(model(f"m{i}") for i in range(models))))


def check_write(tmp_path: Path, models: int, *extra: str) -> int:
    """``check --write`` of a catalog of ``models`` offerings into ``tmp_path/snap``."""
    source = write_json(tmp_path / f"api-{models}.json", catalog(models))
    snapshots = str(tmp_path / "snap")
    return main(["check", "--source", str(source), "--snapshots", snapshots, "--write", *extra])


@pytest.fixture
def baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Snapshots of 10 offerings, and a check of 4 of them (6 lost) the default guard refuses."""
    assert check_write(tmp_path, 10) == 0
    assert check_write(tmp_path, 4) == 5
    capsys.readouterr()
    return tmp_path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "5", "1.0001", "1e400", "0.2x"])
def test_max_shrink_outside_0_to_1_is_a_usage_error_and_writes_nothing(
    baseline: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """nan, inf and 5 turned the guard off (the 60 % loss was written), -1 refused every
    catalog with "the limit is -100%" (exit 5)."""
    before = tree_bytes(baseline / "snap")
    with pytest.raises(SystemExit) as stopped:
        check_write(baseline, 4, f"--max-shrink={value}")  # -inf would look like an option
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --max-shrink: {value!r}: expected a number at least 0 and at most 1" in err
    assert "[guard] max_shrink" in err
    assert tree_bytes(baseline / "snap") == before


def test_max_shrink_from_0_to_1_still_sets_the_guard(baseline: Path) -> None:
    assert check_write(baseline, 4, "--max-shrink", "0.5") == 5
    assert check_write(baseline, 4, "--max-shrink", "1") == 0  # all may vanish


@pytest.mark.parametrize("limit", [math.nan, math.inf, -0.01, 1.5])
def test_check_shrink_refuses_a_limit_that_is_not_a_share(limit: float) -> None:
    """The library call too: with a NaN limit, ``lost / total > limit`` is always false."""
    old = parse_catalog(catalog(10))
    with pytest.raises(ConfigError, match=r"shrink guard limit .* is not a share from 0 to 1"):
        check_shrink(old, parse_catalog(catalog(1)), limit)


def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: int = 0) -> None:
    """A healthy snapshot folder at ``NOW`` but for ``failures`` failed runs in a row."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "snapshots" / "models.dev"
    folder.mkdir(parents=True)
    write_json(folder / "acme.json", provider("acme", model("m1")))
    health = Health(
        last_success="2026-11-25T02:17:00Z",
        last_change="2026-11-25T02:17:00Z",
        consecutive_failures=failures,
        failing_since="2026-11-25T09:17:00Z" if failures else None,
        last_error="boom" if failures else None,
    )
    write_json(folder / "_meta.json", {"source": "models.dev", "health": health.to_json()})


@pytest.mark.parametrize(
    ("flag", "value", "key"),
    [
        ("--max-age-hours", "inf", "max_age_hours"),  # was an OverflowError traceback
        ("--max-age-hours", "nan", "max_age_hours"),  # was a ValueError traceback
        ("--max-age-hours", "1e20", "max_age_hours"),
        ("--max-age-hours", str(MAX_HOURS + 1), "max_age_hours"),
        ("--max-age-hours", "-5", "max_age_hours"),  # advised "set max_age_hours = -5"
        ("--max-age-hours", "0", "max_age_hours"),
        ("--max-unchanged-days", "inf", "max_unchanged_days"),
        ("--max-unchanged-days", "nan", "max_unchanged_days"),
        ("--max-unchanged-days", str(MAX_DAYS + 1), "max_unchanged_days"),
        ("--max-unchanged-days", "-1", "max_unchanged_days"),  # was exit 10
        ("--max-unchanged-days", "0", "max_unchanged_days"),  # was the default, silently
        ("--failures", "-3", "failures"),  # was exit 10 "the last 0 runs failed"
        ("--failures", "0", "failures"),  # was the default, silently
        ("--failures", "1.5", "failures"),
    ],
)
def test_a_health_flag_its_config_key_refuses_is_a_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    key: str,
) -> None:
    watched(tmp_path, monkeypatch)
    err = refused(capsys, "health", flag, value, *NOW)
    assert f"argument {flag}: {value!r}: expected a" in err
    assert f"(as for [health] {key})" in err
    assert "Traceback" not in err and "unhealthy" not in err


def test_health_flags_at_their_bounds_are_taken_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    watched(tmp_path, monkeypatch, failures=1)
    bounds = ("--max-age-hours", str(MAX_HOURS), "--max-unchanged-days", str(MAX_DAYS))
    assert main(["health", *bounds, *NOW]) == 0  # 1 failure of the 3 allowed
    assert main(["health", *bounds, "--failures", "1", *NOW]) == 10
    assert "unhealthy: the last 1 runs failed" in capsys.readouterr().err
    assert main(["health", "--max-unchanged-days", "0.25", *NOW]) == 10  # changed 8 hours ago


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "a.json", "b.json", "\n::error::pwn\x1b[31m"],  # unrecognized arguments
        ["health", "--max=\n::error::pwn\x1b[31m"],  # a subcommand's: ambiguous option
        ["\n::error::pwn\x1b[31m"],  # invalid choice of command
    ],
)
def test_argparse_errors_echo_the_arguments_inert(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """They are printed before the command's streams are guarded: a line feed in an argument
    started a forged ``::error::`` workflow command, an ESC was sent to the terminal raw."""
    err = refused(capsys, *argv)
    assert "\x1b" not in err
    assert not any(line.startswith("::") for line in err.splitlines())
    [error] = [line for line in err.splitlines() if ": error: " in line]
    assert "::error::pwn" in error and ("\\u001b[31m" in error or "\\x1b[31m" in error)
