"""Issue 12, "Leaks": what the CLI and the core lend to an in-process caller comes back as it was
lent, and every failure leaves through the error family with an exit code of its own."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import catalog_watch
from catalog_watch.analysis.identity import group_by_identity
from catalog_watch.cli.app import main
from catalog_watch.errors import ConfigError, FetchError
from catalog_watch.jobs.check import CheckOptions, evaluate
from catalog_watch.jobs.commit_mode import CommitSaver
from catalog_watch.jobs.steps import JobOptions, deliver_through
from catalog_watch.model.catalog import Catalog, Provider
from catalog_watch.publish.git import Git
from catalog_watch.sources.fetch import FetchResult, Validators
from tests.factories import small_catalog, write_json


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_main_gives_the_collector_back_after_a_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health", "--snapshots", str(tmp_path / "absent")]) == 2
    capsys.readouterr()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_main_gives_the_collector_back_after_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    capsys.readouterr()
    assert gc.isenabled()


def test_main_leaves_a_disabled_collector_disabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        main(["health", "--snapshots", str(tmp_path / "absent")])
        capsys.readouterr()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_the_console_script_leaves_the_collector_off_to_the_exit(tmp_path: Path) -> None:
    """``main()`` without argv is the process's own command line: no collection at exit."""
    probe = (
        "import gc, sys; from catalog_watch.cli.app import main; "
        "sys.argv = ['catalog-watch', 'health', '--snapshots', 'absent']; "
        "main(); print('collector on' if gc.isenabled() else 'collector off')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "collector off"


# -- A mistyped path is a usage error, not a failed fetch ---------------------------------------


def test_diff_of_a_mistyped_path_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    there = write_json(tmp_path / "old.json", small_catalog())
    code, out, err = cli(capsys, "diff", str(there), str(tmp_path / "typo.json"))
    assert (code, out) == (2, "")
    assert f"{tmp_path / 'typo.json'}: no such file or snapshot folder" in err
    assert "fetch" not in err


def test_check_of_a_missing_source_file_exits_2_naming_it_without_the_network_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "check", "--source", "missing.json")
    assert (code, out) == (2, "")
    assert "catalog file missing.json does not exist" in err
    assert "--source FILE" not in err
    assert not (tmp_path / "snapshots").exists()


# -- The grouping cache lends nothing it keeps ---------------------------------------------------


def _two_providers() -> Catalog:
    return Catalog(
        providers={
            pid: Provider(
                id=pid,
                info={"id": pid, "name": pid},
                models={"fast-1": {"id": "fast-1", "name": "Fast 1"}},
            )
            for pid in ("acme", "beta")
        }
    )


def test_the_grouping_cache_hands_each_caller_lists_of_its_own() -> None:
    catalog = _two_providers()
    first = group_by_identity(catalog)
    assert first == {"fast-1": [("acme", "fast-1"), ("beta", "fast-1")]}
    first["fast-1"].append(("gamma", "fast-1"))
    first["other"] = []
    second = group_by_identity(catalog)  # from the cache
    assert second == {"fast-1": [("acme", "fast-1"), ("beta", "fast-1")]}
    second["fast-1"].clear()
    assert group_by_identity(catalog) == {"fast-1": [("acme", "fast-1"), ("beta", "fast-1")]}


# -- Checks that stay when Python runs with -O (no assert) ---------------------------------------


def test_evaluating_a_304_is_a_fetch_error_not_an_assertion(tmp_path: Path) -> None:
    url = "https://catalog.example/api.json"
    nothing = FetchResult(url, True, None, None, Validators(etag='"v1"'), 1)
    options = CheckOptions(source=url, snapshots=tmp_path / "snap")
    with pytest.raises(FetchError, match=r"api\.json answered 304 Not Modified"):
        evaluate(options.snapshots, nothing, options)
    assert not (tmp_path / "snap").exists()


def test_delivering_without_slack_settings_is_a_config_error_not_an_assertion(
    tmp_path: Path,
) -> None:
    options = JobOptions(check=CheckOptions(source="api.json", snapshots=Path("snap")))
    saver = CommitSaver(Git(tmp_path), "main", options)
    with pytest.raises(ConfigError, match="no Slack destination is set"):
        deliver_through(saver, options, "local-1-abc", None, commit=None)


def test_a_cli_process_started_by_a_test_writes_no_bytecode_into_src(tmp_path: Path) -> None:
    """conftest sends bytecode to one cache outside the checkout (PYTHONPYCACHEPREFIX)."""
    src = Path(catalog_watch.__file__).resolve().parent
    before = {p: p.stat().st_mtime_ns for p in src.rglob("*.pyc")}
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the sandbox sets it; CI may not
    subprocess.run(
        [sys.executable, "-m", "catalog_watch.cli.app", "--version"],
        env=env,
        check=True,
        capture_output=True,
    )
    after = {p: p.stat().st_mtime_ns for p in src.rglob("*.pyc")}
    assert {p for p, stamp in after.items() if before.get(p) != stamp} == set()
