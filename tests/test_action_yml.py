"""The composite action (``action.yml``) and the dogfood workflow, checked without GitHub.

Three layers:

- structure: inputs and outputs match the README tables both ways, names are kebab-case, every
  output comes from the ``run`` step, no ``${{ }}`` expression is pasted into a script;
- execution: ``run_action`` plays the runner's part for the action's ``run:`` steps (bash with
  ``-eo pipefail``, a fresh ``$GITHUB_OUTPUT`` per step, ``$GITHUB_PATH`` applied to later steps,
  ``${{ }}`` expressions substituted, unknown ones failing the test), with a stub ``catalog-watch``
  that records its argv and environment, then with the real one;
- actionlint over ``.github/workflows`` (which also checks the ``with:`` given to ``uses: ./``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import document, model, provider, write_json
from tests.test_actions_runtime import parse_file_commands

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOWS = ROOT / ".github" / "workflows"
DOGFOOD = WORKFLOWS / "catalog-watch.yml"

TOKEN = "ghs_TestToken0123456789abcdef"
WEBHOOK = "https://hooks.slack.example/services/T000/B000/secret-part"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
OUTPUT_NAMES = (
    "changed",
    "change-count",
    "max-severity",
    "changes-json",
    "report-markdown",
    "pr-number",
    "pr-url",
    "commit-sha",
)


def load_yaml(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load_yaml(ACTION)


def steps(action: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = action["runs"]["steps"]
    assert isinstance(found, list)
    return found


def step(action: Mapping[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in steps(action) if s.get("id") == step_id)


# -- the README tables (docs/action.md until the lead merges it into README.md) ----------------


def docs_source() -> Path:
    readme = ROOT / "README.md"
    headings = {line.rstrip() for line in readme.read_text(encoding="utf-8").splitlines()}
    if {"## Inputs", "## Outputs"} <= headings:
        return readme
    return ROOT / "docs" / "action.md"


def table_rows(heading: str) -> dict[str, list[str]]:
    """First-column name (in backticks) → the row's cells, for the table under ``heading``."""
    lines = docs_source().read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == heading)
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        name = re.fullmatch(r"`([^`]+)`", cells[0])
        if name:
            rows[name.group(1)] = cells
    assert rows, f"no table rows under {heading!r} in {docs_source()}"
    return rows


def test_every_input_is_in_the_inputs_table_and_every_row_is_an_input(
    action: dict[str, Any],
) -> None:
    assert set(table_rows("## Inputs")) == set(action["inputs"])


def test_every_output_is_in_the_outputs_table_and_every_row_is_an_output(
    action: dict[str, Any],
) -> None:
    assert set(table_rows("## Outputs")) == set(action["outputs"])


def test_documented_defaults_are_the_defaults_of_action_yml(action: dict[str, Any]) -> None:
    rows = table_rows("## Inputs")
    for name, spec in action["inputs"].items():
        default = str(spec.get("default", ""))
        if default:
            assert f"`{default}`" in rows[name][1], name


# -- structure ---------------------------------------------------------------------------------


def test_metadata_has_name_description_author_and_branding(action: dict[str, Any]) -> None:
    assert action["name"] and action["description"] and action["author"]
    assert action["branding"]["icon"]
    colors = {"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
    assert action["branding"]["color"] in colors
    assert action["runs"]["using"] == "composite"


def test_inputs_are_kebab_case_described_and_defaulted(action: dict[str, Any]) -> None:
    for name, spec in action["inputs"].items():
        assert KEBAB.fullmatch(name), name
        assert spec.get("description"), name
        assert "default" in spec, name


def test_outputs_are_the_run_steps_outputs_of_the_same_name(action: dict[str, Any]) -> None:
    assert tuple(action["outputs"]) == OUTPUT_NAMES
    for name, spec in action["outputs"].items():
        assert spec.get("description"), name
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_no_script_has_an_expression_pasted_into_it(action: dict[str, Any]) -> None:
    """``${{ inputs.x }}`` in a script is replaced before bash parses it: script injection."""
    for each in steps(action):
        if "run" in each:
            assert "${{" not in each["run"], each.get("id")
            assert each["shell"] == "bash"


def test_every_input_reaches_the_run_step_through_its_environment(
    action: dict[str, Any],
) -> None:
    env = step(action, "run")["env"]
    given = {m for value in env.values() for m in EXPRESSION.findall(str(value))}
    assert given == {f"inputs.{n}" for n in action["inputs"] if n != "python-version"}
    assert env["GITHUB_TOKEN"] == "${{ inputs.token }}"
    slack = {k: env[k] for k in ("SLACK_WEBHOOK_URL", "SLACK_TOKEN", "SLACK_CHANNEL")}
    assert slack == {
        "SLACK_WEBHOOK_URL": "${{ inputs.slack-webhook-url }}",
        "SLACK_TOKEN": "${{ inputs.slack-token }}",
        "SLACK_CHANNEL": "${{ inputs.slack-channel }}",
    }


def test_actions_used_are_pinned_to_a_major_version(action: dict[str, Any]) -> None:
    used = [s["uses"] for s in steps(action) if "uses" in s]
    assert "actions/setup-python" in {u.split("@")[0] for u in used}
    for uses in used:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses), uses


def test_setup_python_is_not_asked_to_hash_files_outside_the_workspace(
    action: dict[str, Any],
) -> None:
    """setup-python's ``cache: pip`` hashes only files under the caller's workspace and fails
    the step for this action's own pyproject.toml (actions/setup-python#361): caching is done
    with actions/cache on a key computed in a script instead."""
    setup = next(s for s in steps(action) if s.get("uses", "").startswith("actions/setup-"))
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert "cache" not in setup["with"] and "cache-dependency-path" not in setup["with"]
    cache = next(s for s in steps(action) if s.get("uses", "").startswith("actions/cache@"))
    assert "pyproject.toml" in step(action, "pip-cache")["run"]
    assert "steps.pip-cache.outputs.key" in cache["with"]["key"]


def test_install_step_installs_the_action_itself_and_puts_it_on_the_path(
    action: dict[str, Any],
) -> None:
    script = step(action, "install")["run"]
    assert "GITHUB_ACTION_PATH" in script or "github.action_path" in script
    assert "pip install" in script
    assert "RUNNER_TEMP" in script and "GITHUB_PATH" in script


# -- the runner, played for the action's run: steps --------------------------------------------


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


# What the skipped ``uses:`` steps would have set.
USES_OUTPUTS = {
    "actions/setup-python": {"python-path": sys.executable, "python-version": "3.12.0"},
    "actions/cache": {"cache-hit": "false"},
}


def run_action(
    tmp_path: Path, workspace: Path, given: Mapping[str, str], catalog_watch_dir: Path
) -> ActionRun:
    """Run ``action.yml``'s steps as the runner would, ``catalog_watch_dir`` standing in for the
    install step (its ``catalog-watch`` comes first on PATH)."""
    action = load_yaml(ACTION)
    unknown = set(given) - set(action["inputs"])
    assert not unknown, f"inputs action.yml does not declare: {unknown}"
    temp = tmp_path / "runner-temp"
    home = tmp_path / "home"
    for folder in (temp, home):
        folder.mkdir()
    github_path = temp / "add_path"
    github_path.touch()
    context = {
        "github.action_path": str(ROOT),
        "github.token": TOKEN,
        "runner.temp": str(temp),
        "runner.os": "Linux",
    }
    for name, spec in action["inputs"].items():
        default = substitute(str(spec.get("default", "")), context)
        context[f"inputs.{name}"] = given.get(name, default)
    path = [os.environ["PATH"]]
    env = {
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_PATH": str(github_path),
        "GITHUB_ENV": str(temp / "set_env"),
        "GITHUB_REPOSITORY": "octo/catalog",
        "GITHUB_API_URL": "http://127.0.0.1:9",  # a closed port: nothing may reach GitHub
        "GITHUB_SERVER_URL": "http://127.0.0.1:9",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(temp),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    result = ActionRun(runner_temp=temp)
    for index, each in enumerate(steps(action)):
        step_id = each.get("id", f"__{index}")
        if "uses" in each:
            for value in each.get("with", {}).values():
                substitute(str(value), context)  # every expression must be one we know
            outputs = USES_OUTPUTS[each["uses"].split("@")[0]]
        elif step_id == "install":
            path.insert(0, str(catalog_watch_dir))
            outputs = {}
        else:
            ran = _run_step(tmp_path, step_id, each, context, env, path, workspace)
            result.steps[step_id] = ran
            path[:0] = reversed(github_path.read_text(encoding="utf-8").split())
            github_path.write_text("", encoding="utf-8")
            if ran.returncode != 0:
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


def _run_step(
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


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout: a git repository with one commit, as actions/checkout leaves it."""
    repo = tmp_path / "workspace"
    repo.mkdir()
    (repo / "README.md").write_text("watched repository\n", encoding="utf-8")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", str(repo)]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["add", "README.md"], ["commit", "-qm", "start"]):
        subprocess.run([*git, *args], check=True, env=env)
    return repo


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A tiny models.dev api.json: two providers, three offerings."""
    doc = document(
        provider("acme", model("fast-1"), model("big-1", cost={"input": 3, "output": 15})),
        provider("beta", model("fast-1", cost={"input": 2.5, "output": 10})),
    )
    return write_json(tmp_path / "api.json", doc)


STUB = """#!{python}
import json, os, sys
names = ("GITHUB_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_TOKEN", "SLACK_CHANNEL", "GITHUB_ACTIONS")
env = {{n: os.environ.get(n) for n in names}}
record = {{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": env}}
with open({record!r}, "w", encoding="utf-8") as handle:
    json.dump(record, handle)
with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
    handle.write("changed=true\\nchange-count=2\\nmax-severity=high\\ncommit-sha=\\n")
print("stub ran")
"""


@pytest.fixture
def stub(tmp_path: Path) -> tuple[Path, Path]:
    """(folder holding a stub ``catalog-watch``, the JSON file it records its call in)."""
    folder, record = tmp_path / "stub-bin", tmp_path / "stub-call.json"
    folder.mkdir()
    program = folder / "catalog-watch"
    program.write_text(STUB.format(python=sys.executable, record=str(record)), encoding="utf-8")
    program.chmod(0o755)
    return folder, record


def called(record: Path) -> dict[str, Any]:
    loaded = json.loads(record.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def option_values(argv: list[str], option: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == option]


def test_run_step_calls_catalog_watch_run_with_the_inputs_as_flags(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "mode": "dry-run", "ignore-fields": "a,b"}
    result = run_action(tmp_path, workspace, given, folder)
    assert result.steps["run"].returncode == 0, result.steps["run"].stderr
    call = called(record)
    argv = call["argv"]
    assert argv[:2] == ["run", "--github-actions"]
    temp = result.runner_temp / "catalog-watch"
    assert option_values(argv, "--mode") == ["dry-run"]
    assert option_values(argv, "--source") == [str(catalog)]
    assert option_values(argv, "--snapshots") == []  # empty input: snapshots/<source type>
    assert option_values(argv, "--source-type") == []
    assert option_values(argv, "--branch") == ["catalog-watch/models.dev"]
    assert option_values(argv, "--changes-json") == [str(temp / "changes.json")]
    assert option_values(argv, "--report-markdown") == [str(temp / "report.md")]
    assert option_values(argv, "--ignore-field") == ["a", "b"]
    for absent in ("--allow-shrink", "--base", "--config", "--token"):
        assert absent not in argv
    assert call["cwd"] == str(workspace)
    assert call["env"]["GITHUB_TOKEN"] == TOKEN  # the default: ${{ github.token }}


def test_action_outputs_are_what_the_command_wrote(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, _ = stub
    result = run_action(tmp_path, workspace, {"source": str(catalog)}, folder)
    assert result.outputs == {
        "changed": "true",
        "change-count": "2",
        "max-severity": "high",
        "changes-json": "",
        "report-markdown": "",
        "pr-number": "",
        "pr-url": "",
        "commit-sha": "",
    }
    pip_cache = result.steps["pip-cache"].outputs
    assert pip_cache["key"].startswith(pip_cache["prefix"])
    assert pip_cache["dir"]


@pytest.mark.parametrize(("value", "present"), [("true", True), ("false", False), ("", False)])
def test_allow_shrink_flag_only_when_true(
    tmp_path: Path,
    workspace: Path,
    catalog: Path,
    stub: tuple[Path, Path],
    value: str,
    present: bool,
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "allow-shrink": value}
    assert run_action(tmp_path, workspace, given, folder).steps["run"].returncode == 0
    assert ("--allow-shrink" in called(record)["argv"]) is present


def test_allow_shrink_other_than_true_or_false_fails_the_step(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "allow-shrink": "yes\n::add-mask::x"}
    ran = run_action(tmp_path, workspace, given, folder).steps["run"]
    assert ran.returncode == 2
    assert "::error title=catalog-watch::the allow-shrink input must be true or false" in ran.stdout
    assert "::add-mask::x" not in ran.stdout  # the value never reaches a workflow command
    assert not record.exists()


def test_ignore_fields_split_at_commas_and_newlines_and_trimmed(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "ignore-fields": " provider.* ,\ncost.cache_read\n\n, ,x y"}
    run_action(tmp_path, workspace, given, folder)
    assert option_values(called(record)["argv"], "--ignore-field") == [
        "provider.*",
        "cost.cache_read",
        "x y",
    ]


def test_base_and_config_are_passed_only_when_set(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "base": "release", "config": "ci/catalog-watch.toml"}
    run_action(tmp_path, workspace, given, folder)
    argv = called(record)["argv"]
    assert option_values(argv, "--base") == ["release"]
    assert option_values(argv, "--config") == ["ci/catalog-watch.toml"]


def test_secrets_are_masked_before_anything_else_and_passed_as_env(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {
        "source": str(catalog),
        "token": "ghp_personal%0Atoken",
        "slack-webhook-url": WEBHOOK,
        "slack-token": "xoxb-1-2-3",
        "slack-channel": "C0123",
    }
    ran = run_action(tmp_path, workspace, given, folder).steps["run"]
    assert ran.stdout.splitlines()[:3] == [
        "::add-mask::ghp_personal%250Atoken",  # '%' escaped: the runner masks the real value
        f"::add-mask::{WEBHOOK}",
        "::add-mask::xoxb-1-2-3",
    ]
    assert call_env(record) == {
        "GITHUB_TOKEN": "ghp_personal%0Atoken",
        "SLACK_WEBHOOK_URL": WEBHOOK,
        "SLACK_TOKEN": "xoxb-1-2-3",
        "SLACK_CHANNEL": "C0123",
        "GITHUB_ACTIONS": "true",
    }


def call_env(record: Path) -> dict[str, str]:
    env = called(record)["env"]
    assert isinstance(env, dict)
    return env


def test_empty_secrets_print_no_mask_command(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, _ = stub
    ran = run_action(tmp_path, workspace, {"source": str(catalog)}, folder).steps["run"]
    assert [line for line in ran.stdout.splitlines() if "add-mask" in line] == [
        f"::add-mask::{TOKEN}"
    ]


# -- mask(): the run step's own bash function, run as it is -----------------------------------


def mask_function() -> str:
    """``mask() { ... }`` as the run step defines it (the ``run:`` text, unindented by YAML)."""
    found = re.search(r"^mask\(\) \{\n.*?^\}\n", step(load_yaml(ACTION), "run")["run"], re.M | re.S)
    assert found, "the run step defines no mask() function"
    return found.group(0)


def run_mask(tmp_path: Path, secret: str) -> bytes:
    """What ``mask "$secret"`` prints, byte for byte, under GitHub's ``shell: bash``."""
    script = tmp_path / "mask.sh"
    script.write_text(mask_function() + 'mask "$1"\n', encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script), secret],
        capture_output=True,
        env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8"},
        timeout=60,
        check=True,
    )
    assert done.stderr == b""
    return done.stdout


# .NET's Char.IsWhiteSpace, which the runner's Trim and IsNullOrWhiteSpace use (not Python's:
# str.strip also removes U+001C..U+001F, which the runner keeps and masks).
NET_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)


def net_strip(text: str) -> str:
    return text.strip(NET_SPACE)


def runner_masks(stdout: bytes) -> set[str]:
    """The values the runner would mask after reading ``stdout`` (actions/runner:
    ``ActionCommand.TryParseV2`` per line, a lone CR ending a line too; ``UnescapeData``;
    ``AddMaskCommandExtension``: the value, then each of its lines split at CR and LF, trimmed)."""
    masks: set[str] = set()
    for line in re.split(r"\r\n|\r|\n", stdout.decode("utf-8")):
        if not line.lstrip(NET_SPACE).startswith("::add-mask::"):
            continue
        data = line.lstrip(NET_SPACE).removeprefix("::add-mask::")
        value = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        if net_strip(value):
            masks.add(value)
            masks.update(net_strip(p) for p in re.split(r"[\r\n]", value) if net_strip(p))
    return masks


MASKED = [
    "ab\rcd",  # the runner would end the command at the CR: "cd" would show in the log
    "ab\ncd",
    "ab\r\ncd\r\n",
    "%0D%0A%25 literal escapes",
    "100%",
    "\rleading CR",
    "tab\tinside",
    "pässwörd-ünïcode",
    "::add-mask::nested",
    "ghp_personal%0Atoken",
]


@pytest.mark.parametrize("secret", MASKED)
def test_mask_prints_one_command_escaped_as_actions_core_does(tmp_path: Path, secret: str) -> None:
    printed = run_mask(tmp_path, secret)
    escaped = secret.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    assert printed == f"::add-mask::{escaped}\n".encode()  # escapeData in command.ts, one line
    masks = runner_masks(printed)
    assert secret in masks
    for line in re.split(r"[\r\n]", secret):  # each line as it would show up in the log
        assert not net_strip(line) or net_strip(line) in masks


@pytest.mark.parametrize("blank", ["", " ", "\n", "\r\n\t "])
def test_mask_prints_nothing_for_a_blank_secret(tmp_path: Path, blank: str) -> None:
    assert run_mask(tmp_path, blank) == b""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))))
def test_mask_round_trips_any_secret_through_the_runner(tmp_path: Path, secret: str) -> None:
    """One command for any secret the runner would mask (bash's blank is narrower than .NET's:
    a lone NBSP gets a command the runner then ignores with a warning, which is harmless)."""
    printed = run_mask(tmp_path, secret)
    assert b"\r" not in printed
    if printed:
        assert printed.count(b"\n") == 1 and printed.endswith(b"\n")
        assert not net_strip(secret) or secret in runner_masks(printed)
    else:
        assert not net_strip(secret)  # nothing the runner would have masked


def test_the_run_step_masks_a_token_with_a_carriage_return_whole(
    tmp_path: Path, workspace: Path, catalog: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    given = {"source": str(catalog), "token": "ghp_ab\rcd", "slack-token": "xoxb-1\n2"}
    ran = run_action(tmp_path, workspace, given, folder).steps["run"]
    assert ran.stdout.splitlines()[:2] == ["::add-mask::ghp_ab%0Dcd", "::add-mask::xoxb-1%0A2"]
    assert call_env(record)["GITHUB_TOKEN"] == "ghp_ab\rcd"


def test_inputs_are_data_not_shell_code(
    tmp_path: Path, workspace: Path, stub: tuple[Path, Path]
) -> None:
    folder, record = stub
    hostile = '$(touch pwned1)"; touch pwned2; echo "`touch pwned3`'
    given = {"source": hostile, "branch": hostile, "ignore-fields": hostile}
    assert run_action(tmp_path, workspace, given, folder).steps["run"].returncode == 0
    argv = called(record)["argv"]
    assert option_values(argv, "--source") == [hostile]
    assert option_values(argv, "--branch") == [hostile]
    assert not list(workspace.glob("pwned*"))


def has_run_command() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_watch.cli", "run", "--help"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode == 0


def test_action_runs_the_real_command_in_dry_run_mode(
    tmp_path: Path, workspace: Path, catalog: Path
) -> None:
    if not has_run_command():
        pytest.xfail("`catalog-watch run` does not exist yet (written in parallel)")
    given = {"source": str(catalog), "mode": "dry-run"}
    result = run_action(tmp_path, workspace, given, Path(sys.executable).parent)
    ran = result.steps["run"]
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert set(ran.outputs) >= set(OUTPUT_NAMES)
    outputs = result.outputs
    assert outputs["change-count"].isdigit()
    assert outputs["changed"] in {"true", "false"}
    assert outputs["commit-sha"] == outputs["pr-number"] == outputs["pr-url"] == ""
    changes = Path(outputs["changes-json"])
    assert changes == result.runner_temp / "catalog-watch" / "changes.json"
    assert isinstance(json.loads(changes.read_text(encoding="utf-8")), dict)
    assert Path(outputs["report-markdown"]).read_text(encoding="utf-8").strip()
    assert ran.summary.strip()
    assert ran.stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    status = subprocess.run(
        ["git", "-C", str(workspace), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""  # dry-run leaves the checkout as it was


# -- the dogfood workflow ----------------------------------------------------------------------


def test_dogfood_workflow_runs_hourly_off_the_hour_with_least_permissions() -> None:
    workflow = load_yaml(DOGFOOD)
    triggers = workflow["on" if "on" in workflow else True]  # YAML 1.1 reads `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (minute, *_rest) = triggers["schedule"][0]["cron"].split()
    assert minute.isdigit() and int(minute) not in {0, 30}
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "github.ref" in workflow["concurrency"]["group"]
    (job,) = workflow["jobs"].values()
    checkout, watch = job["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert watch["uses"] == "./"
    assert watch["with"]["mode"] == "pull-request"
    assert watch["with"]["slack-webhook-url"] == "${{ secrets.SLACK_WEBHOOK_URL }}"
    assert watch["with"]["slack-token"] == "${{ secrets.SLACK_TOKEN }}"


# -- actionlint --------------------------------------------------------------------------------


def actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return shutil.which("actionlint") or (str(beside_python) if beside_python.exists() else None)


def test_workflows_pass_actionlint() -> None:
    program = actionlint()
    if program is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed (it is in the test extra)")
        pytest.skip("actionlint is not installed")
    workflows = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert workflows
    done = subprocess.run(
        [program, "-no-color", *workflows],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
