"""What ``run`` loads: a run with nothing to do imports neither the code scan nor, Slack
configured or not, any Slack code (slack-sdk, Block Kit, the renderer), nor, without a config
file, pydantic (the settings are dataclasses), nor the adapters, the analysis and the writers of
a change (a local file's type too is known from its bytes' hash); a run with a change imports
them and sends, and its scan loads PyYAML only for a YAML file and pathspec never (git lists a
checkout's files)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog_server import CatalogServer, Reply
from tests.factories import small_catalog, write_json
from tests.git_repos import clone, fresh_origin, git, isolate_git, subjects
from tests.git_repos import write as git_write
from tests.slack_server import SlackServer

PROBE = """
import hashlib, json, sys
import orjson
parsed = []  # the hash of every document orjson reads (the tool's parser of every JSON read)
loads = orjson.loads
def counted(data):
    raw = data.encode() if isinstance(data, str) else data
    parsed.append(hashlib.sha256(raw).hexdigest())
    return loads(data)
orjson.loads = counted
from catalog_watch.cli.app import main
code = main(sys.argv[1:])
print("\\nLOADED " + json.dumps([sorted(sys.modules), parsed]), file=sys.stderr)
sys.exit(code)
"""
SCAN = ("yaml", "pathspec", "catalog_watch.scan", "catalog_watch.jobs.usage")
SLACK = ("slack_sdk", "catalog_watch.render.slack", "catalog_watch.publish.slack")
SLACK += ("catalog_watch.jobs.delivery",)
PULL_REQUEST = ("catalog_watch.jobs.pull_request", "catalog_watch.publish.github")
PYDANTIC = ("pydantic", "pydantic_core", "catalog_watch.store.line_schemas")
HTTP = ("httpx", "httpcore", "httpx_retries", "catalog_watch.sources.fetch_http")
CHANGE = (
    "catalog_watch.jobs.evaluation",  # validation, comparison, the snapshot writer
    "catalog_watch.jobs.apply",  # the changelog, the ledger, the alert queue
    "catalog_watch.sources.registry",
    "catalog_watch.sources.models_dev",  # the adapter: its default share is settings.defaults'
    "catalog_watch.analysis.compare",
    "catalog_watch.analysis.consistency",
    "catalog_watch.analysis.usage",
    "catalog_watch.store.ledger",
)


def run(repo: Path, catalog: Path) -> tuple[str, set[str]]:
    """``run --mode commit`` in its own process: (stdout and stderr, every module it loaded)."""
    out, loaded, _ = run_parsing(repo, catalog)
    return out, loaded


def run_parsing(repo: Path, catalog: Path) -> tuple[str, set[str], list[str]]:
    """:func:`run`, and the SHA-256 of each document it parsed."""
    command = [sys.executable, "-c", PROBE, "run", "--mode", "commit", "--source", str(catalog)]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    stderr, _, loaded = done.stderr.rpartition("\nLOADED ")
    assert done.returncode == 0, stderr
    modules, parsed = json.loads(loaded)
    return done.stdout + stderr, set(modules), parsed


def of(loaded: set[str], roots: tuple[str, ...]) -> set[str]:
    """The modules of ``loaded`` that are ``roots`` or under them."""
    return {m for m in loaded if any(m == r or m.startswith(r + ".") for r in roots)}


def test_a_run_with_nothing_to_do_loads_no_code_scan_and_a_changed_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    doc = small_catalog()
    catalog = write_json(tmp_path / "api.json", doc)
    _, loaded = run(repo, catalog)  # the baseline: a parsed catalog, scanned
    assert "catalog_watch.jobs.usage" in loaded
    out, loaded = run(repo, catalog)  # the same bytes: unchanged from the hashes alone
    assert "no changes" in out
    assert of(loaded, SCAN) == set()
    assert of(loaded, SLACK) == set()  # and no Slack configured
    assert of(loaded, PYDANTIC) == set()  # no config file, no outbox entry, no ledger line
    assert of(loaded, PULL_REQUEST) == set()  # commit mode: no GitHub REST client
    assert of(loaded, HTTP) == set()  # a catalog file: no HTTP stack
    assert of(loaded, CHANGE) == set()  # nor anything a change needs
    doc["acme"]["models"]["big-1"]["cost"]["input"] = 4
    write_json(catalog, doc)
    out, loaded = run(repo, catalog)
    assert "big-1" in out
    assert of(loaded, CHANGE) == set(CHANGE)
    assert {"catalog_watch.jobs.usage", "catalog_watch.scan"} <= loaded
    assert of(loaded, ("yaml", "pathspec")) == set()  # no YAML file; git lists the files
    assert "catalog_watch.store.line_schemas" in loaded  # its ledger lines were checked
    assert len(subjects(repo)) == 3  # initial, baseline, the price change
    workflow = "jobs:\n  ask:\n    steps:\n      - run: llm --model big-1 hello\n"
    git_write(repo, ".github/workflows/ask.yml", workflow)
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "a workflow that uses big-1")
    git(repo, "push", "--quiet", "origin", "HEAD:main")
    doc["acme"]["models"]["big-1"]["cost"]["input"] = 5
    write_json(catalog, doc)
    out, loaded = run(repo, catalog)
    changelog = git(repo, "show", "HEAD:snapshots/models.dev/CHANGELOG.md")
    assert "`big-1`<br>used in .github/workflows/ask.yml:4" in changelog  # the YAML reader's
    assert "yaml" in loaded
    assert of(loaded, ("pathspec",)) == set()


def test_a_run_with_slack_and_nothing_pending_loads_no_slack_code_and_one_with_alerts_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slack: SlackServer
) -> None:
    isolate_git(monkeypatch, tmp_path / "home")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack.webhook_url)
    repo = clone(fresh_origin(tmp_path), "ours")
    doc = small_catalog()
    catalog = write_json(tmp_path / "api.json", doc)
    _, loaded = run(repo, catalog)  # the baseline is announced
    assert {"slack_sdk", "catalog_watch.jobs.delivery"} <= loaded
    assert len(slack.webhook_posts()) == 1
    out, loaded = run(repo, catalog)
    assert "0 alert(s) delivered, 0 pending" in out
    assert of(loaded, SLACK) == set()
    assert of(loaded, CHANGE) == set()
    assert len(slack.webhook_posts()) == 1
    doc["acme"]["models"]["big-1"]["cost"]["input"] = 4
    write_json(catalog, doc)
    out, loaded = run(repo, catalog)
    assert {"slack_sdk", "catalog_watch.render.slack", "catalog_watch.jobs.delivery"} <= loaded
    [_, post] = slack.webhook_posts()
    assert "big-1" in json.dumps(post)


def test_a_run_of_the_file_it_ran_on_last_parses_no_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local file without ``--source-type``: its type is the folder that stored its bytes
    (``_meta.json``'s ``upstream_sha256``), so the catalog is not parsed to be recognised; the
    same content in other bytes is parsed (its shape tells its type), and unchanged too."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    catalog = write_json(tmp_path / "api.json", small_catalog())
    digest = hashlib.sha256(catalog.read_bytes()).hexdigest()
    assert digest in run_parsing(repo, catalog)[2]  # the baseline parses it
    out, _, parsed = run_parsing(repo, catalog)
    assert "no changes" in out
    assert digest not in parsed and parsed  # only state files (_meta.json, the outbox)
    catalog.write_text(json.dumps(small_catalog(), indent=4), encoding="utf-8")
    out, _, parsed = run_parsing(repo, catalog)
    assert "no changes" in out
    assert hashlib.sha256(catalog.read_bytes()).hexdigest() in parsed


def test_a_change_run_fetches_the_models_json_it_is_given_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """models.json decides the inconsistencies and the code scan's model names: both read the
    one copy the run fetched (a second GET could even bring another version)."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    catalog = write_json(tmp_path / "api.json", small_catalog())
    with CatalogServer() as server:
        index = {"openai/gpt-4o": {"id": "openai/gpt-4o"}}
        server.reply(*(Reply.json(index) for _ in range(3)))
        url = server.url + "/models.json"
        command = [sys.executable, "-c", PROBE, "run", "--mode", "commit"]
        command += ["--source", str(catalog), "--models-json", url]
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "baseline recorded" in done.stdout
        assert [request.path for request in server.requests] == ["/models.json"]
