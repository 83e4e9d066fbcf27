"""The GitHub Actions runner played for a composite action's ``run:`` steps, without GitHub.

``run_action`` runs each ``run:`` step of an ``action.yml`` as the runner does: bash with
``-eo pipefail`` (GitHub's ``shell: bash``), a fresh ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY`` per step, read back with the runner's parser (tests/actions_runner.py),
``$GITHUB_PATH`` applied to the later steps, ``${{ }}`` expressions substituted (an unknown one
fails the test), and the action stopped at a failed step. ``uses:`` steps are skipped, their
outputs taken from ``USES_OUTPUTS``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.actions_runner import parse_file_commands

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghs_TestToken0123456789abcdef"  # what ${{ github.token }} stands for
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_yaml(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


def steps(action: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = action["runs"]["steps"]
    assert isinstance(found, list)
    return found


@dataclass
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class ActionRun:
    steps: dict[str, StepRun] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    runner_temp: Path = Path()


def substitute(text: str, context: Mapping[str, str]) -> str:
    """Replace each ``${{ expr }}`` by its value; an expression not in ``context`` fails."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in context:
            pytest.fail(f"expression the test runner does not know: ${{{{ {expression} }}}}")
        return context[expression]

    return EXPRESSION.sub(value, text)


# What the skipped ``uses:`` steps would have set (setup-uv's uv is the test's own: see
# ``uv_program``).
USES_OUTPUTS = {
    "actions/setup-python": {"python-path": sys.executable, "python-version": "3.12.0"},
    "astral-sh/setup-uv": {"uv-version": "0.13.9", "cache-hit": "false"},
}


def fresh_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... when taken: one per run in a test."""
    folder, n = parent / name, 1
    while folder.exists():
        n += 1
        folder = parent / f"{name}-{n}"
    folder.mkdir(parents=True)
    return folder


def run_action(
    tmp_path: Path,
    workspace: Path,
    given: Mapping[str, str],
    catalog_watch_dir: Path | None,
    *,
    action_dir: Path = ROOT,
    path_extra: Sequence[Path] = (),
    env_extra: Mapping[str, str] | None = None,
    stop_after: str | None = None,
) -> ActionRun:
    """Run the ``action.yml`` in ``action_dir`` as the runner would. ``catalog_watch_dir``
    stands in for the install step (its ``catalog-watch`` comes first on PATH); with None the
    install step runs for real. ``path_extra`` comes first on every step's PATH."""
    action = load_yaml(action_dir / "action.yml")
    unknown = set(given) - set(action["inputs"])
    assert not unknown, f"inputs action.yml does not declare: {unknown}"
    base = fresh_folder(tmp_path, "runner")
    temp, home = base / "temp", base / "home"
    for folder in (temp, home):
        folder.mkdir()
    github_path = temp / "add_path"
    github_path.touch()
    context = {
        "github.action_path": str(action_dir),
        "github.token": TOKEN,
        "runner.temp": str(temp),
        "runner.os": "Linux",
    }
    for name, spec in action["inputs"].items():
        default = substitute(str(spec.get("default", "")), context)
        context[f"inputs.{name}"] = given.get(name, default)
    context["inputs.site-dir != ''"] = str(context["inputs.site-dir"] != "").lower()
    path = [*map(str, path_extra), os.environ["PATH"]]
    env = {
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_dir),
        "GITHUB_PATH": str(github_path),
        "GITHUB_ENV": str(temp / "set_env"),
        "GITHUB_REPOSITORY": "octo/catalog",
        "GITHUB_API_URL": "http://127.0.0.1:9",  # a closed port: nothing may reach GitHub
        "GITHUB_SERVER_URL": "http://127.0.0.1:9",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(temp),
        "GIT_CONFIG_NOSYSTEM": "1",
        # Not the runner's: the tests' bytecode cache (tests/conftest.py), so a step that runs
        # Python from this checkout writes no .pyc into src/.
        **{k: v for k, v in os.environ.items() if k == "PYTHONPYCACHEPREFIX"},
        **(env_extra or {}),
    }
    result = ActionRun(runner_temp=temp)
    for index, each in enumerate(steps(action)):
        step_id = each.get("id", f"__{index}")
        if "uses" in each:
            for value in each.get("with", {}).values():
                substitute(str(value), context)  # every expression must be one we know
            outputs = USES_OUTPUTS[each["uses"].split("@")[0]]
        elif step_id == "install" and catalog_watch_dir is not None:
            path.insert(0, str(catalog_watch_dir))
            outputs = {}
        else:
            ran = run_step(base, step_id, each, context, env, path, workspace)
            result.steps[step_id] = ran
            path[:0] = reversed(github_path.read_text(encoding="utf-8").split())
            github_path.write_text("", encoding="utf-8")
            if ran.returncode != 0 or step_id == stop_after:
                return result  # the runner stops the action at a failed step
            outputs = ran.outputs
        for name, value in outputs.items():
            context[f"steps.{step_id}.outputs.{name}"] = value
    run_outputs = {
        f"steps.run.outputs.{name}": result.steps["run"].outputs.get(name, "")
        for name in action["outputs"]
    }
    result.outputs = {
        name: substitute(spec["value"], run_outputs) for name, spec in action["outputs"].items()
    }
    return result


def run_step(
    tmp_path: Path,
    step_id: str,
    spec: Mapping[str, Any],
    context: Mapping[str, str],
    env: Mapping[str, str],
    path: list[str],
    workspace: Path,
) -> StepRun:
    assert spec["shell"] == "bash"
    folder = tmp_path / "steps" / step_id
    folder.mkdir(parents=True)
    script = folder / "script.sh"
    script.write_text(substitute(spec["run"], context), encoding="utf-8")
    output, summary = folder / "output", folder / "summary"
    output.touch()
    summary.touch()
    step_env = {k: substitute(str(v), context) for k, v in spec.get("env", {}).items()}
    full_env = {
        **env,
        "PATH": os.pathsep.join(path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        **step_env,
    }
    done = subprocess.run(  # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return StepRun(
        id=step_id,
        returncode=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        outputs=parse_file_commands(output.read_bytes().decode("utf-8")),
        summary=summary.read_text(encoding="utf-8"),
    )
