"""Paths named on the command line that are not what they say: a file as the snapshot folder, a
ledger that does not exist, report and runner files that cannot be written, a named pipe as a
catalog, and a Slack destination that would start a line of its own in the dry-run preview."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from catalog_watch.publish.actions import ActionsRuntime
from tests.factories import write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, subjects
from tests.runs import OUTBOX, catalog, commit_run, hand_edit_outbox, run_in
from tests.slack_server import SlackServer

RUNNER_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of a new repository; no runner or Slack setting leaks in from the one running us."""
    isolate_git(monkeypatch, tmp_path / "home")
    for name in (*RUNNER_VARIABLES, "SLACK_WEBHOOK_URL", "SLACK_TOKEN", "SLACK_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    return clone(fresh_origin(tmp_path), "ours")


def one_error_line(err: str) -> str:
    """The command's one error line (notices may come before it), never a traceback."""
    assert "Traceback" not in err, err
    [line] = [line for line in err.splitlines() if line.startswith("catalog-watch: error:")]
    return line


def pushed(repo: Path) -> list[str]:
    git(repo, "fetch", "--quiet", "origin")
    return subjects(repo, "origin/main")


# -- --snapshots names a file -------------------------------------------------------------------


@pytest.mark.parametrize("write", [["--write"], []], ids=["write", "compare"])
def test_check_refuses_a_file_given_as_the_snapshot_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    write: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    api = write_json(tmp_path / "api.json", catalog())
    snap = write_json(tmp_path / "snap.json", catalog())
    before = snap.read_bytes()
    code = main(["check", "--source", str(api), "--snapshots", "snap.json", *write])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2
    assert "snap.json is not a folder" in line and "catalog-watch diff" in line
    assert snap.read_bytes() == before  # neither written into nor read as an empty folder


@pytest.mark.parametrize("mode", ["dry-run", "commit", "pull-request"])
def test_run_refuses_a_file_given_as_the_snapshot_folder_before_touching_the_checkout(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    api = write_json(repo.parent / "api.json", catalog())
    snap = write_json(repo / "snap.json", catalog())
    before = snap.read_bytes()
    code, out, err = run_in(
        repo, monkeypatch, capsys, "--mode", mode, "--source", str(api), "--snapshots", "snap.json"
    )
    assert code == 2
    assert "snap.json is not a folder" in one_error_line(err)
    assert "nothing to commit" not in out and "baseline" not in out  # no dry run on the file
    assert snap.read_bytes() == before  # not set aside, not replaced by a folder
    assert pushed(repo) == ["initial"]


def test_diff_still_takes_an_api_json_file_as_the_old_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write_json(tmp_path / "old.json", catalog())
    new = catalog()
    new["acme"]["models"]["m1"]["cost"]["input"] = 9
    code = main(["diff", str(old), str(write_json(tmp_path / "new.json", new))])
    assert code == 0
    assert "cost.input" in capsys.readouterr().out


# -- site --ledger --------------------------------------------------------------------------------


def _snapshot_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    api = write_json(tmp_path / "api.json", catalog())
    assert main(["check", "--source", str(api), "--snapshots", "snaps", "--write"]) == 0
    return tmp_path / "snaps"


@pytest.mark.parametrize("ledger", ["missing/changes.jsonl", "."], ids=["missing", "folder"])
def test_site_refuses_a_ledger_named_on_the_command_line_that_is_no_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ledger: str,
) -> None:
    snapshots = _snapshot_folder(tmp_path, monkeypatch)
    capsys.readouterr()
    out = tmp_path / "_site"
    code = main(["site", str(out), "--snapshots", str(snapshots), "--ledger", ledger])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2
    assert f"site --ledger {ledger}:" in line
    assert not out.exists()  # no empty changelog to publish


def test_site_without_a_ledger_option_builds_from_a_folder_with_no_ledger_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshots = _snapshot_folder(tmp_path, monkeypatch)
    assert not (snapshots / "changes.jsonl").exists()
    assert main(["site", str(tmp_path / "_site"), "--snapshots", str(snapshots)]) == 0
    assert "catalog-watch: site:" in capsys.readouterr().out


# -- report files and the runner's files --------------------------------------------------------


@pytest.mark.parametrize("option", ["--changes-json", "--report-markdown"])
def test_run_refuses_a_report_file_that_is_a_folder_before_it_commits_anything(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    folder = repo.parent / "reports"
    folder.mkdir()
    code, _, err = commit_run(repo, monkeypatch, capsys, catalog(), option, str(folder))
    assert code == 2
    assert f"{option} {folder}: a folder, not a file" in one_error_line(err)
    assert pushed(repo) == ["initial"]


def test_run_refuses_a_report_file_whose_folder_is_a_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = write_json(repo.parent / "blocker", {})
    report = blocker / "deeper" / "changes.json"
    code, _, err = commit_run(repo, monkeypatch, capsys, catalog(), "--changes-json", str(report))
    assert code == 2
    assert f"{blocker} is not a folder" in one_error_line(err)
    assert pushed(repo) == ["initial"]


def test_unwritable_step_outputs_after_the_push_fail_in_one_line_once_slack_has_the_alerts(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    monkeypatch.setenv("GITHUB_OUTPUT", str(repo.parent / "gone" / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(repo.parent / "summary"))
    code, out, err = commit_run(repo, monkeypatch, capsys, catalog(), "--github-actions")
    assert code == 11  # later steps would act on no outputs: the step fails, after the work
    line = one_error_line(err)
    assert "cannot write $GITHUB_OUTPUT" in line and "gone/output" in line
    assert "::error title=catalog-watch" in out and "GITHUB_OUTPUT" in out
    history = pushed(repo)
    assert history[0] == "catalog-watch: 1 alert delivered to Slack"
    assert any(subject.startswith("models.dev: baseline recorded") for subject in history)
    [post] = slack.webhook_posts()  # delivered before the outputs were written
    assert post["text"].startswith("now watching models.dev")
    assert (repo.parent / "summary").read_text()  # the summary was written before the outputs


def test_an_unwritable_step_summary_is_a_warning_and_the_outputs_are_still_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = repo.parent / "output"
    summary = repo.parent / "summary"
    summary.mkdir()  # a folder where the summary file should be
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = commit_run(repo, monkeypatch, capsys, catalog(), "--github-actions")
    assert code == 0, err
    assert "Traceback" not in err
    [warning] = [line for line in err.splitlines() if "GITHUB_STEP_SUMMARY" in line]
    assert warning.startswith("catalog-watch: warning: cannot write $GITHUB_STEP_SUMMARY")
    annotation = "::warning::cannot write $GITHUB_STEP_SUMMARY"
    assert any(line.startswith(annotation) for line in out.splitlines())
    assert "changed=true" in output.read_text()
    assert pushed(repo)[0].startswith("models.dev: baseline recorded")


def test_the_runtime_returns_why_a_file_command_could_not_be_written(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "file"
    runtime = ActionsRuntime(
        env={"GITHUB_OUTPUT": str(missing), "GITHUB_STEP_SUMMARY": str(tmp_path)}, out=sys.stdout
    )
    problem = runtime.set_outputs({"changed": "true"})
    assert problem is not None and problem.startswith(f"cannot write $GITHUB_OUTPUT ({missing})")
    assert runtime.pending == []  # the caller decides what missing outputs mean
    summary = runtime.append_summary("# report\n")
    assert summary is not None and "$GITHUB_STEP_SUMMARY" in summary
    [annotation] = runtime.pending
    assert annotation.level == "warning" and "$GITHUB_STEP_SUMMARY" in annotation.message


# -- a named pipe as a catalog -------------------------------------------------------------------

CLI = "import sys; from catalog_watch.cli.app import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("option", ["--source", "--models-json"])
def test_a_named_pipe_no_one_writes_to_is_refused_at_once(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "api.json"
    os.mkfifo(fifo)
    api = write_json(tmp_path / "a.json", catalog())
    given = [str(fifo)] if option == "--source" else [str(api), "--models-json", str(fifo)]
    done = subprocess.run(
        [sys.executable, "-c", CLI, "check", "--source", *given, "--snapshots", "snaps"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,  # the old code waited for a writer forever
        check=False,
    )
    assert done.returncode == 3
    line = one_error_line(done.stderr)
    assert (
        line == f"catalog-watch: error: cannot read catalog file {fifo}: a named pipe, not a file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_diff_of_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "old.json"
    os.mkfifo(fifo)
    api = write_json(tmp_path / "a.json", catalog())
    done = subprocess.run(
        [sys.executable, "-c", CLI, "diff", str(fifo), str(api)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,  # the old reader of diff's files waited for a writer forever
        check=False,
    )
    assert done.returncode == 3
    line = one_error_line(done.stderr)
    assert (
        line == f"catalog-watch: error: cannot read catalog file {fifo}: a named pipe, not a file"
    )


# -- the dry run's Slack preview -----------------------------------------------------------------


def test_the_dry_run_preview_keeps_a_slack_destination_on_its_own_line(
    repo: Path,
    slack: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    slack.outage()
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 9  # the baseline: pending
    [entry] = [json.loads(line) for line in (repo / OUTBOX).read_text().splitlines()]
    entry["alert"]["destination"] = "channel:#alerts\n::error::forged\u202e"
    hand_edit_outbox(repo, json.dumps(entry) + "\n")
    monkeypatch.setenv("SLACK_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_CHANNEL", "#alerts")
    code, out, err = run_in(repo, monkeypatch, capsys, "--source", str(repo.parent / "api-0.json"))
    assert code == 0, err
    assert "--- to channel:#alerts\\u000a::error::forged\\u202e" in out.splitlines()
    assert not any(line.startswith("::error::forged") for line in out.splitlines())
