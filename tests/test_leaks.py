"""Issue 12, "Leaks": what the CLI and the core lend to an in-process caller comes back as it was
lent, and every failure leaves through the error family with an exit code of its own."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_watch.cli import main


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
