"""Fixtures every test file may use."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# The suite writes about a gigabyte in 120,000 small files (git repositories, mostly). Where the
# system's temp folder is on a disk, writing them waits on it, and pytest's clean-up of an older
# run's folder (tmp_path_retention_count in pyproject.toml) took 22 s here. A RAM-backed /dev/shm
# with room to spare holds them instead; a TMPDIR set by the caller is left alone, and so is a
# small /dev/shm (Docker's default is 64 MB). The full suite here: 278 s with /dev/shm, 293-302 s
# on the disk, where each run also deleted an older run's folder.
RAM_TEMP = Path("/dev/shm")
RAM_TEMP_NEEDED = 4 * 2**30
if "TMPDIR" not in os.environ and RAM_TEMP.is_dir() and os.access(RAM_TEMP, os.W_OK):
    _free = os.statvfs(RAM_TEMP)
    if _free.f_bavail * _free.f_frsize >= RAM_TEMP_NEEDED:
        os.environ["TMPDIR"] = str(RAM_TEMP)  # for every process a test starts, too
        tempfile.tempdir = str(RAM_TEMP)

# Bytecode goes to one cache outside the checkout, for this process and every CLI process a test
# starts (they inherit the variables): nothing is written into src/, and a CLI process reads the
# package and its dependencies compiled instead of compiling them again. With a prefix Python
# no longer reads the venv's own __pycache__, so the cache must be written (even where
# PYTHONDONTWRITEBYTECODE is set): without it each CLI process spent about 0.9 s compiling.
PYCACHE = Path(tempfile.gettempdir()) / f"catalog-watch-pycache-{os.getuid()}"
os.environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.pycache_prefix = str(PYCACHE)
sys.dont_write_bytecode = False

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tests.factories import REAL_DATA  # noqa: E402
from tests.slack_server import SlackServer  # noqa: E402

# Hypothesis' per-example deadline (200 ms) is a timing assert: on a loaded 2-core machine a
# correct example takes longer and fails as "flaky". Speed is bench/'s to measure, not the tests'.
settings.register_profile("catalog-watch", deadline=None)
settings.load_profile("catalog-watch")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without the real catalogs a ``realdata`` test is skipped with the reason, not an error."""
    if REAL_DATA.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"realdata: {REAL_DATA} is missing (set CATALOG_WATCH_REAL_DATA)"
    )
    for item in items:
        if item.get_closest_marker("realdata") is not None:
            item.add_marker(skip)


PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx and slack-sdk read HTTPS_PROXY & co.: a proxy in the developer's environment must
    not capture the tests' requests to 127.0.0.1."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def sleeps() -> list[float]:
    """Waits a client asked for, recorded instead of slept (pass ``sleeps.append`` as sleep)."""
    return []


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackServer]:
    with SlackServer() as server:
        for name in (
            "SLACK_WEBHOOK_URL",
            "SLACK_TOKEN",
            "SLACK_BOT_TOKEN",
            "SLACK_CHANNEL",
            "GITHUB_ACTIONS",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SLACK_API_URL", server.api_url)
        yield server
