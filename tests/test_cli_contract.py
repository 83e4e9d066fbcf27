"""The command line is what the README says (issue 11, item 11): one option table per command
generated from the parser, the flags and formats each command takes, the exit codes, JSON that
``jq`` can read, one line per error; and a first run on a laptop (item 16)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from catalog_watch import errors
from catalog_watch.cli.app import main
from catalog_watch.cli.docs import format_choices, option_tables, options_of, readme_block
from catalog_watch.cli.docs import subcommands as parser_commands
from catalog_watch.cli.parser import build_parser
from catalog_watch.cli.quiet_check import with_local_hint
from catalog_watch.errors import FetchError, SourceNotFound
from tests.factories import document, edited, model, provider, small_catalog, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git

README = Path(__file__).resolve().parents[1] / "README.md"


def readme() -> str:
    return README.read_text(encoding="utf-8")


def commands() -> list[str]:
    return list(parser_commands(build_parser()))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- The README against the parser ------------------------------------------------------------


def test_the_readme_option_tables_are_the_ones_the_parser_makes() -> None:
    """Regenerate with `python -m catalog_watch.cli.docs --write README.md` after a flag change."""
    assert readme_block(readme()) == option_tables(build_parser())


def test_the_readme_command_table_names_every_command_with_its_arguments() -> None:
    listed = re.findall(r"^\| `catalog-watch ([a-z-]+)((?: [^`|]+)?)` \|", readme(), re.M)
    expected = []
    for name, (_, sub) in parser_commands(build_parser()).items():
        positionals = [a for a in sub._actions if not a.option_strings]
        shown = [
            f"[{a.metavar}]"
            if a.nargs == "?"
            else f"{a.metavar} ..."
            if a.nargs == "+"
            else a.metavar
            for a in positionals
        ]
        expected.append((name, "".join(f" {part}" for part in shown)))
    assert sorted(listed) == sorted(expected)


def test_every_command_takes_config_and_the_grouping_ones_models_json() -> None:
    parser = build_parser()
    assert [c for c in commands() if "--config" not in options_of(parser, c)] == []
    without = {c for c in commands() if "--models-json" not in options_of(parser, c)}
    assert without == {"compare", "health"}
    assert "every command that groups offerings into models (all but `compare` and `health`)" in (
        " ".join(readme().split())
    )


def test_format_choices_per_command_are_the_readmes() -> None:
    parser = build_parser()
    choices = {command: format_choices(parser, command) for command in commands()}
    assert choices == {
        **dict.fromkeys(
            ("run", "check", "diff", "inconsistencies", "show", "compare", "usage"),
            ("text", "markdown", "json"),
        ),
        **dict.fromkeys(("history", "price-at"), ("text", "json", "csv")),
        **dict.fromkeys(("site", "health"), ()),
        "lint": ("text", "json"),
        "deprecations": ("text", "markdown", "json", "ics"),
    }
    text = " ".join(readme().split())
    assert (
        "or `json` on `run`, `check`, `diff`, `inconsistencies`, `show`, `compare` and `usage`; "
        "`history` "
        "and `price-at` take `text`, `json` or `csv`; `site` and `health` print no report"
    ) in text


def test_the_readme_lists_every_exit_code_an_error_carries() -> None:
    paragraph = " ".join(readme().split("Exit codes:")[1].split("\n\n")[0].split())
    documented = {int(code) for code in re.findall(r"`(\d+)` ", paragraph)}
    raised = {
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.CatalogWatchError)
    }
    assert documented == raised | {0}  # every other code is an error's (issue 12)
    assert 1 not in raised  # Python's, for an uncaught exception


# -- JSON that jq can read --------------------------------------------------------------------


@pytest.fixture
def catalogs(tmp_path: Path) -> tuple[Path, Path, Path]:
    old = write_json(tmp_path / "old.json", small_catalog())
    changed = edited(small_catalog())
    changed["acme"]["models"]["fast-1"]["cost"]["input"] = 4
    changed["beta"]["models"]["fast-1"]["limit"]["context"] = 65536
    new = write_json(tmp_path / "new.json", changed)
    lite = write_json(
        tmp_path / "lite.json",
        {
            "fast-1": {
                "litellm_provider": "acme",
                "mode": "chat",
                "max_input_tokens": 128000,
                "max_output_tokens": 8192,
                "input_cost_per_token": 9e-06,
                "output_cost_per_token": 1e-05,
            }
        },
    )
    return old, new, lite


@pytest.mark.parametrize(
    ("command", "lines"),
    [
        ("diff", "one"),
        ("check", "one"),
        ("compare", "one"),
        ("inconsistencies", "one"),
        ("show", "indented"),
    ],
)
def test_json_is_on_one_line_or_indented_as_the_readme_says(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    catalogs: tuple[Path, Path, Path],
    command: str,
    lines: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    old, new, lite = catalogs
    args = {
        "diff": ("diff", str(old), str(new)),
        "check": ("check", "--source", str(new)),
        "compare": ("compare", str(new), str(lite)),
        "show": ("show", "fast-1", "--catalog", str(new)),
        "inconsistencies": ("inconsistencies", str(new)),
    }[command]
    code, out, err = cli(capsys, *args, "--format", "json")
    assert code == 0, err
    assert isinstance(json.loads(out), dict)
    assert (out.count("\n") == 1) is (lines == "one")
    claim = (
        "on one line for `run`, `check`, `diff`, `inconsistencies`, `compare`, `history` and "
        "`price-at` (compact, no spaces), `show` indented by two spaces"
    )
    assert claim in " ".join(readme().split())


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    for name in ("SLACK_WEBHOOK_URL", "SLACK_TOKEN", "SLACK_BOT_TOKEN", "SLACK_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    repo = clone(fresh_origin(tmp_path), "ours")
    monkeypatch.chdir(repo)
    return repo


def test_run_format_json_prints_the_json_object_alone(
    checkout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The dry-run preview was printed after the JSON, which broke `jq`."""
    api = write_json(tmp_path / "api.json", small_catalog())
    code, out, err = cli(capsys, "run", "--source", str(api), "--format", "json")
    assert code == 0, err
    report = json.loads(out)  # the whole of stdout
    assert report["summary"]["first_run"] is True
    assert "dry run: nothing was written" in err and "would commit:" in err
    assert not (checkout / "snapshots").exists()


def test_a_git_error_prints_one_line(
    checkout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    git(checkout, "remote", "remove", "origin")
    api = write_json(tmp_path / "api.json", small_catalog())
    code, _, err = cli(capsys, "run", "--mode", "commit", "--source", str(api))
    assert code == 7
    [line] = err.splitlines()[-1:]
    assert line.startswith("catalog-watch: error: `git ")
    assert "fatal: 'origin' does not appear to be a git repository / fatal:" in line
    assert "\\u000a" not in line and "\\n" not in line
    assert len([row for row in err.splitlines() if "error" in row]) == 1


# -- A first run on a laptop (item 16) ----------------------------------------------------------


def test_slack_skipped_says_nothing_about_forks_outside_actions(
    checkout: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    api = write_json(tmp_path / "api.json", document(provider("acme", model("m"))))
    code, _, err = cli(capsys, "run", "--source", str(api))
    assert code == 0, err
    [notice] = [row for row in err.splitlines() if "Slack skipped" in row]
    assert notice == (
        "catalog-watch: notice: no SLACK_WEBHOOK_URL or SLACK_TOKEN+SLACK_CHANNEL: Slack skipped"
    )


def test_slack_skipped_in_a_workflow_says_that_forks_get_no_secrets(
    checkout: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    api = write_json(tmp_path / "api.json", document(provider("acme", model("m"))))
    code, _, err = cli(capsys, "run", "--source", str(api), "--github-actions")
    assert code == 0, err
    assert "Slack skipped (secrets are empty on forks)" in err


def test_a_failed_default_fetch_on_a_laptop_says_how_to_run_on_a_file() -> None:
    error = FetchError("could not fetch https://models.dev/api.json after 5 attempts: ConnectError")
    hinted = with_local_hint(error, default_source=True, actions=False)
    assert str(hinted) == (
        "could not fetch https://models.dev/api.json after 5 attempts: ConnectError; without "
        "network, --source FILE runs catalog-watch on a local catalog (a saved api.json)"
    )
    assert hinted.exit_code == 3
    assert with_local_hint(error, default_source=True, actions=True) is error
    assert with_local_hint(error, default_source=False, actions=False) is error
    # a missing local file is a usage error (exit 2), never a fetch failure to hint about
    assert not issubclass(SourceNotFound, FetchError)


def test_a_failed_fetch_of_a_given_source_has_no_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "api.json"
    broken.write_text("<html>502</html>")
    code, _, err = cli(capsys, "check", "--source", str(broken))
    assert code == 3
    assert "not valid JSON" in err and "--source FILE" not in err


def test_check_format_json_on_a_304_keeps_stdout_for_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.catalog_server import CatalogServer, Reply

    monkeypatch.chdir(tmp_path)
    with CatalogServer() as server:
        server.reply(
            Reply.json(small_catalog(), headers={"ETag": '"v1"'}),
            Reply(status=304, body=b"", content_type=None),
        )
        url = server.url + "/api.json"
        assert cli(capsys, "check", "--source", url, "--write")[0] == 0
        code, out, err = cli(capsys, "check", "--source", url, "--format", "json")
    assert (code, out) == (0, "")
    assert "not modified since the last snapshot (HTTP 304)" in err
