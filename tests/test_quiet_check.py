"""``check`` on a catalog that did not change is answered from ``_meta.json`` alone (issue 14).

Each test runs the real CLI in a fresh interpreter, which then reports the heavy modules it
loaded: the no-change and 304 answers must load no pydantic (nor pydantic-core), no settings
model, no adapter, not the check job and no Slack, and say
what the full command says; anything else is handed to the full command without a second fetch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.catalog_server import CatalogServer, Reply
from tests.factories import small_catalog, tree_bytes, write_json

HEAVY = (
    "pydantic.",
    "pydantic_core",  # the stored reader's fallback parser: _meta.json is read by orjson
    "catalog_watch.settings.config",
    "catalog_watch.sources.registry",
    "catalog_watch.jobs.check",
    "slack_sdk",
)
PROBE = """
import json, sys
from catalog_watch.cli.app import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.startswith(tuple(json.loads(HEAVY))) or m == "pydantic")
print("\\nHEAVY " + json.dumps(heavy), file=sys.stderr)
sys.exit(code)
"""


def cli(*args: str | Path, cwd: Path) -> tuple[int, str, str, list[str]]:
    """(exit code, stdout, stderr without the probe's line, heavy modules loaded)."""
    probe = PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    stderr, _, heavy = done.stderr.rpartition("\nHEAVY ")
    return done.returncode, done.stdout, stderr, json.loads(heavy)


def _catalog(with_inconsistency: bool = True) -> dict[str, Any]:
    doc = small_catalog()
    if with_inconsistency:
        doc["acme"]["models"]["big-1"]["cost"]["cache_read"] = 9  # above input: one finding
    return doc


def _written(tmp_path: Path, doc: dict[str, Any]) -> tuple[Path, Path]:
    source, snap = write_json(tmp_path / "api.json", doc), tmp_path / "snap"
    code, *_ = cli("check", "--source", source, "--snapshots", snap, "--write", cwd=tmp_path)
    assert code == 0
    return source, snap


def test_the_same_body_again_is_answered_without_pydantic_or_the_check_job(tmp_path: Path) -> None:
    source, snap = _written(tmp_path, _catalog())
    before = tree_bytes(snap)
    code, out, _, heavy = cli("check", "--source", source, "--snapshots", snap, cwd=tmp_path)
    assert (code, heavy) == (0, [])
    assert "no changes" in out and "inconsistencies now: 1" in out
    assert tree_bytes(snap) == before


def test_the_quiet_answer_is_the_full_commands_in_every_format(tmp_path: Path) -> None:
    doc = _catalog()
    source, snap = _written(tmp_path, doc)
    respelled = tmp_path / "respelled.json"  # same content in other bytes: the full command
    respelled.write_text(json.dumps(doc, indent=3), encoding="utf-8")
    for form in ("text", "markdown", "json"):
        quiet = cli(
            "check", "--source", source, "--snapshots", snap, "--format", form, cwd=tmp_path
        )
        full = cli(
            "check", "--source", respelled, "--snapshots", snap, "--format", form, cwd=tmp_path
        )
        assert quiet[3] == [] and full[3] != []
        assert quiet[1] == full[1].replace(str(respelled), str(source))


def test_the_full_check_of_a_file_loads_neither_slack_git_the_run_job_nor_http(
    tmp_path: Path,
) -> None:
    doc = _catalog()
    _, snap = _written(tmp_path, doc)
    respelled = tmp_path / "respelled.json"  # same content in other bytes: the full command
    respelled.write_text(json.dumps(doc, indent=3), encoding="utf-8")
    heavy = ["slack_sdk", "catalog_watch.jobs.", "catalog_watch.publish.", "httpx", "httpcore"]
    probe = PROBE.replace("json.loads(HEAVY)", repr(heavy))
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", "--source", str(respelled), "--snapshots", snap],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(done.stderr.rpartition("\nHEAVY ")[2])
    assert loaded == [  # (the probe names pydantic too: no config file, so none)
        "catalog_watch.jobs.check",
        "catalog_watch.jobs.evaluation",  # a file's shape tells its type: the adapters decide
        "catalog_watch.jobs.quiet",
    ]  # a catalog file is read with no HTTP stack (fetch_http is loaded only for a URL)
    assert "no changes" in done.stdout


def test_a_changed_body_is_fetched_once_and_reported_by_the_full_command(tmp_path: Path) -> None:
    doc = _catalog()
    with CatalogServer() as server:
        url = server.url + "/api.json"
        server.reply(Reply.json(doc, headers={"ETag": '"v1"'}))
        assert cli("check", "--source", url, "--snapshots", "snap", "--write", cwd=tmp_path)[0] == 0
        doc["acme"]["models"]["big-1"]["cost"]["input"] = 4
        server.reply(Reply.json(doc, headers={"ETag": '"v2"'}))
        code, out, err, heavy = cli("check", "--source", url, "--snapshots", "snap", cwd=tmp_path)
    assert code == 0, err
    assert len(server.requests) == 2  # one per run: the full command reused the quiet path's bytes
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert "big-1" in out and "$3.00 → $4.00" in out
    assert "catalog_watch.jobs.check" in heavy


def test_a_304_is_answered_without_pydantic_and_writes_nothing(tmp_path: Path) -> None:
    with CatalogServer() as server:
        url = server.url + "/api.json"
        server.reply(Reply.json(_catalog(), headers={"ETag": '"v1"'}))
        assert cli("check", "--source", url, "--snapshots", "snap", "--write", cwd=tmp_path)[0] == 0
        before = tree_bytes(tmp_path / "snap")
        server.reply(Reply(status=304, body=b"", content_type=None, headers={"ETag": '"v1"'}))
        code, out, _, heavy = cli(
            "check", "--source", url, "--snapshots", "snap", "--write", cwd=tmp_path
        )
    assert (code, heavy) == (0, [])
    assert out == f"{url}: not modified since the last snapshot (HTTP 304); nothing to do\n"
    assert tree_bytes(tmp_path / "snap") == before


def test_an_edited_config_file_is_not_trusted_with_the_stored_report(tmp_path: Path) -> None:
    config = tmp_path / "catalog-watch.toml"
    config.write_text("[diff]\n", encoding="utf-8")
    source, snap = _written(tmp_path, _catalog())
    args = ("check", "--source", source, "--snapshots", snap)
    quiet = cli(*args, cwd=tmp_path)
    config.write_text("[diff]\n# the same settings in other bytes\n", encoding="utf-8")
    edited = cli(*args, cwd=tmp_path)
    assert quiet[3] == [] and edited[3] != []  # the full command read the settings again
    assert "pydantic" in edited[3]  # which a config file's validation needs
    assert (edited[0], edited[1]) == (0, quiet[1])


def test_a_damaged_meta_file_is_refused_naming_the_file_and_the_key(tmp_path: Path) -> None:
    source, snap = _written(tmp_path, _catalog())
    meta = json.loads((snap / "_meta.json").read_text(encoding="utf-8"))
    meta["unchanged_report"]["inconsistencies"] = "1"
    (snap / "_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err, _ = cli("check", "--source", source, "--snapshots", snap, cwd=tmp_path)
    assert code == 6
    assert err.strip() == (
        f"catalog-watch: error: {snap / '_meta.json'}: not a snapshot _meta.json: "
        "unchanged_report.inconsistencies: expected a count (an integer ≥ 0), found '1'"
    )


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (("format",), 2, "format: expected 1, the snapshot format this version reads"),
        (("health", "consecutive_failures"), -5, "health.consecutive_failures: expected a count"),
    ],
)
def test_a_meta_value_this_version_must_not_take_as_its_own_is_refused(
    tmp_path: Path, where: tuple[str, ...], value: object, expected: str
) -> None:
    """A newer version's format was read as this one's and rewritten; a negative failure count
    hid that many failures from ``health`` and the failure alerts."""
    source, snap = _written(tmp_path, _catalog())
    meta = json.loads((snap / "_meta.json").read_text(encoding="utf-8"))
    meta.setdefault("health", {})
    target = meta
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    (snap / "_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err, _ = cli("check", "--source", source, "--snapshots", snap, cwd=tmp_path)
    assert code == 6
    assert f"not a snapshot _meta.json: {expected}" in err


@pytest.mark.parametrize(
    ("key", "value", "found"),
    [
        ("last_success", "yesterday", "'yesterday'"),
        ("last_change", "2026-13-01", "'2026-13-01'"),
        ("failing_since", 5, "int"),
    ],
)
def test_a_health_time_the_run_cannot_read_is_a_damaged_meta_file(
    tmp_path: Path, key: str, value: object, found: str
) -> None:
    """The health checks compare these times with now: an unreadable one was a ValueError
    traceback (exit 1) in every later run and in ``health``."""
    source, snap = _written(tmp_path, _catalog())
    meta = json.loads((snap / "_meta.json").read_text(encoding="utf-8"))
    meta["health"] = {"consecutive_failures": 0, key: value}
    (snap / "_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    code, _, err, _ = cli("check", "--source", source, "--snapshots", snap, cwd=tmp_path)
    assert code == 6
    assert err.strip().endswith(
        f"not a snapshot _meta.json: health.{key}: expected a time (YYYY-MM-DDTHH:MM:SSZ) or "
        f"null, found {found}"
    )


OPEN_COUNT = """
import os, sys
from catalog_watch.cli.app import main
watched, opened = os.path.abspath(sys.argv[1]), []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and os.path.abspath(args[0]) == watched:
        opened.append(args[1])
sys.addaudithook(hook)
code = main(sys.argv[2:])
print(f"\\nOPENED {len(opened)}", file=sys.stderr)
sys.exit(code)
"""


def test_the_full_command_reads_the_config_file_once_for_its_settings_and_their_hash(
    tmp_path: Path,
) -> None:
    """The settings and the hash a stored report is tied to come from the same bytes: read
    twice, a file saved in between would tie the report to settings it was not made with."""
    config = tmp_path / "catalog-watch.toml"
    config.write_text("[diff]\n", encoding="utf-8")
    doc = _catalog()
    _, snap = _written(tmp_path, doc)
    respelled = tmp_path / "respelled.json"  # same content in other bytes: the full command
    respelled.write_text(json.dumps(doc, indent=3), encoding="utf-8")
    command = ["check", "--source", str(respelled), "--snapshots", str(snap), "--write"]
    done = subprocess.run(
        [sys.executable, "-c", OPEN_COUNT, str(config), *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    stderr, _, opened = done.stderr.rpartition("\nOPENED ")
    assert done.returncode == 0, stderr
    assert int(opened) == 2  # the quiet path's hash, then the full command's one read
    assert "no changes" in done.stdout
