"""Without the real catalogs, ``realdata`` tests are skipped with a reason instead of erroring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_realdata_tests_skip_with_a_reason_when_the_folder_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "no-shared-data"
    env = {**os.environ, "CATALOG_WATCH_REAL_DATA": str(missing)}
    files = ["tests/test_provider_ids.py", "tests/test_cli_real_catalogs.py"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-m",
            "realdata",
            *files,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout
    assert " passed" not in result.stdout, result.stdout
    assert "skipped" in result.stdout, result.stdout
    assert f"realdata: {missing} is missing" in result.stdout, result.stdout
