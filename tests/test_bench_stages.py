"""``bench/stages.py`` times every step of ``diff``; its steps still build ``compare``'s report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import MODELS_DEV, document, model, provider, write_json

STAGES = Path(__file__).resolve().parent.parent / "bench" / "stages.py"
STEPS = [
    "import catalog_watch.cli.app",
    "import the diff command (lazy in the CLI)",
    "settings (no config file: the defaults)",
    "read + parse JSON (2 files)",
    "validate (2 catalogs)",
    "inconsistencies of the new catalog (all: the current count)",
    "groups a change touches",
    "inconsistencies of the old catalog (touched groups)",
    "diff_catalogs",
    "cost impact + cheapest channel",
    "build_report (incl. schema drift)",
    "report.to_json",
    "json_output (orjson)",
    "free the catalogs and the report (return)",
]


def stages(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, str(STAGES), str(old), str(new)]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def assert_every_step_timed(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr
    laps = json.loads(done.stdout)
    assert [name for name, _ in laps] == STEPS
    assert all(seconds >= 0 for _, seconds in laps)


def test_every_step_of_a_small_diff_is_timed_and_builds_the_compare_report(tmp_path: Path) -> None:
    old = document(
        provider("acme", model("m1"), model("m2", limit={"context": 65536, "output": 8192})),
        provider("beta", model("m1", cost={"input": 3, "output": 12}), model("m2")),
    )
    new = json.loads(json.dumps(old))
    new["acme"]["models"]["m1"]["cost"] = {"input": 0.5, "output": 2}  # a price drop
    new["beta"]["models"]["m3"] = model("m3")  # an added model
    done = stages(write_json(tmp_path / "old.json", old), write_json(tmp_path / "new.json", new))
    assert_every_step_timed(done)


@pytest.mark.realdata
def test_every_step_of_the_main_real_pair_is_timed_and_builds_the_compare_report() -> None:
    done = stages(MODELS_DEV / "2026-03-10.json", MODELS_DEV / "2026-06-28.json")
    assert_every_step_timed(done)
