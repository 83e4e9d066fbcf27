"""The fault matrix of issue 9: the real CLI, killed or starved at each step of ``run``.

Every scenario runs ``catalog-watch run --mode commit`` as a subprocess (its own session, so a
SIGKILL takes its git children and hooks with it) in a clone of a bare ``origin`` in a scratch
folder, against a loopback catalog server and the loopback Slack (``tests/slack_server.py``):

1. the baseline: catalog A from an empty snapshot folder (first run, baseline alert); made once
   per Slack mode and copied into each scenario (``Template``), since it is the same every time;
2. catalog B (price changes, a model added, a model removed: enough alerts for three Slack
   messages), the run with the fault;
3. the next run with the fault removed, from the same clone or from a fresh clone of origin.
   In commit mode the fault is injected once and its aftermath saved (``AfterFault``: origin,
   the clone, what the loopback Slack holds), so both recoveries start from the same state.

Modes: ``bot`` (SLACK_TOKEN + SLACK_CHANNEL, one summary and its thread replies) and ``webhook``
(several posts) in commit mode; ``pull-request/bot`` runs a few of the faults in pull-request
mode against the loopback GitHub (``tests/github_server.py``), judged on the rolling branch, with
one pull request opened. (The snapshot-write, disk and damaged-file faults do not apply there:
that mode writes in a throw-away worktree, never in the checkout.)

``--now`` is one hour later at each step. The faults are widened without sleeps and without any
switch in the code under test: an inotify watch on the snapshot folder (kill on the first write
of a provider file or ``_meta.json``), a ``pre-push`` hook that says "reached" through a FIFO and
then blocks on a FIFO nobody writes, the loopback Slack holding a request, a full tmpfs, a
read-only bind mount. Every wait is bounded (a FIFO ``select``, an inotify read or an Event with
a timeout, ``Popen.wait(timeout=...)``); nothing sleeps.

Afterwards ``judge`` compares what origin holds with a fault-free reference run of the same
catalogs (``Reference``): the provider files byte for byte, the ledger records less their time
and commit, every alert of the reference delivered (bot mode: exactly once; webhook mode: at
most one duplicate message per fault), nothing pending in the outbox, a failure streak of 0, and
no leftover file (nor the fake API key planted in one scenario) anywhere in origin's history.

Deliveries are counted on the loopback Slack, by the alert ids in a message's ``metadata`` when
the messages carry them, else by the ``*provider* / model`` title of each detail section: in
catalog B every model changed once, so a title names exactly one alert.

Used by ``tests/test_fault_matrix.py`` (one test per scenario) and ``bench/fault_matrix.py`` (the
table). The CLI is ``.venv/bin/catalog-watch`` unless ``FAULT_MATRIX_CLI`` names another command.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import fcntl
import json
import os
import pickle
import re
import select
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.catalog_server import CatalogServer, Reply, Request
from tests.factories import model
from tests.github_server import GitHubServer
from tests.slack_server import SlackServer

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = "snapshots/models.dev"
OUTBOX = f"{SNAPSHOTS}/outbox.jsonl"
LEDGER = f"{SNAPSHOTS}/changes.jsonl"
META = f"{SNAPSHOTS}/_meta.json"
CHANNEL = "#llm-alerts"
MODES = ("bot", "webhook")
PULL_REQUEST = "pull-request/bot"  # --mode pull-request, Slack with a bot token
ALL_MODES = (*MODES, PULL_REQUEST)
SLACK_MODE = {"bot": "bot", "webhook": "webhook", PULL_REQUEST: "bot"}
BRANCH = "catalog-watch/models.dev"  # pull-request mode's rolling branch
RECOVERIES = ("same clone", "fresh clone")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RUN_TIMEOUT = 90.0  # seconds: a CLI run that takes longer is killed and reported
REACH_TIMEOUT = 60.0  # seconds to reach a fault point (a hook, a Slack hold, a write)
SLACK_TIMEOUT = 2  # SLACK_TIMEOUT_SECONDS for the "accepted, then timeout" scenario
TIMEOUT_GRACE = 15.0  # how long that run may take in all before it is killed
FAKE_KEY = "sk-proj-FAULTMATRIX-0000-not-a-real-key-7f3a9c1e5b"
KEY_FILE = "local.env"
POST = r"^/api/chat\.postMessage$|^/services/"  # a Slack request that posts a message

# -- The catalogs -----------------------------------------------------------------------------

PROVIDERS = {"acme": "a", "beta": "b", "gamma": "g"}
MODELS_PER_PROVIDER = 36


def _model(model_id: str, price_in: float, price_out: float) -> dict[str, Any]:
    return model(model_id, cost={"input": price_in, "output": price_out})


def catalog_a() -> dict[str, Any]:
    """Three providers, 108 offerings, every model id unique (so no inconsistency groups)."""
    document: dict[str, Any] = {}
    for provider, prefix in PROVIDERS.items():
        models = {}
        for n in range(MODELS_PER_PROVIDER):
            model_id = f"{prefix}{n:02d}"
            models[model_id] = _model(model_id, round(1 + n / 100, 2), 4)
        document[provider] = {
            "id": provider,
            "name": provider.title(),
            "env": [f"{provider.upper()}_API_KEY"],
            "npm": "@ai-sdk/openai-compatible",
            "doc": f"https://{provider}.example/docs",
            "models": models,
        }
    return document


def catalog_b() -> dict[str, Any]:
    """Catalog A with 104 price changes (rises at acme and gamma, cuts at beta), ``acme/a-new``
    added and ``gamma/g35`` removed: 106 alerts, one per model, three Slack messages."""
    document = copy.deepcopy(catalog_a())
    for n in range(MODELS_PER_PROVIDER):
        document["acme"]["models"][f"a{n:02d}"]["cost"]["input"] = round(5 + n / 100, 2)
        document["beta"]["models"][f"b{n:02d}"]["cost"]["output"] = round(3 - n / 100, 2)
        if n < MODELS_PER_PROVIDER - 4:
            document["gamma"]["models"][f"g{n:02d}"]["cost"]["input"] = round(7 + n / 100, 2)
    document["acme"]["models"]["a-new"] = _model("a-new", 0.5, 1.5)
    del document["gamma"]["models"][f"g{MODELS_PER_PROVIDER - 1:02d}"]
    return document


SNAPSHOT_FILES = frozenset({*(f"{p}.json" for p in PROVIDERS), "_meta.json"})


class CatalogSite(CatalogServer):
    """The loopback catalog, always answering with the document being served right now."""

    def __init__(self) -> None:
        super().__init__()
        self.document: dict[str, Any] = {}

    def serve(self, document: dict[str, Any]) -> None:
        self.document = document

    def next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
        return Reply.json(self.document)

    @property
    def source(self) -> str:
        return self.url + "/api.json"


# -- Git and the environment -----------------------------------------------------------------

_DROPPED_ENV = re.compile(r"^(GIT_|SLACK_|GITHUB_|RUNNER_)|^(EMAIL|HOME|XDG_CONFIG_HOME)$")


def base_env(home: Path) -> dict[str, str]:
    """The machine's environment without git, Slack, GitHub or proxy settings, and an empty git
    configuration (beyond ``init.defaultBranch=main``)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not _DROPPED_ENV.search(name) and not name.lower().endswith("_proxy")
    }
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(config),
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Fault Matrix", "-c", "user.email=fm@example.com", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def cli_command() -> list[str]:
    configured = os.environ.get("FAULT_MATRIX_CLI")
    if configured:
        return shlex.split(configured)
    return [str(REPO / ".venv" / "bin" / "catalog-watch")]


# -- Running the CLI -------------------------------------------------------------------------


@dataclass
class Finished:
    """One CLI run: its exit code (None: killed by the harness), output and why it ended."""

    label: str
    code: int | None
    stdout: str
    stderr: str
    killed: str = ""  # why the harness killed it

    def tail(self, lines: int = 6) -> str:
        text = "\n".join(self.stderr.strip().splitlines()[-lines:])
        return text or self.stdout.strip()[-300:]


class Running:
    """A CLI run in its own session (process group): SIGKILL reaches git and its hooks too."""

    def __init__(self, label: str, argv: list[str], cwd: Path, env: dict[str, str], logs: Path):
        self.label = label
        logs.mkdir(parents=True, exist_ok=True)
        self._out = (logs / f"{label}.out").open("w+")
        self._err = (logs / f"{label}.err").open("w+")
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            start_new_session=True,
        )
        self.result: Finished | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, why: str) -> Finished:
        """SIGKILL the whole process group (the CLI, git, hooks); then collect."""
        if self.result is not None:
            return self.result
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        return self._finish(None, why)

    def wait(self, timeout: float = RUN_TIMEOUT) -> Finished:
        if self.result is not None:
            return self.result
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return self.kill(f"still running after {timeout:g} s")
        # The CLI is gone; a hook it left behind in its group must not outlive it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self._finish(code, "")

    def _finish(self, code: int | None, why: str) -> Finished:
        texts = []
        for handle in (self._out, self._err):
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
        self.result = Finished(self.label, code, texts[0], texts[1], why)
        return self.result


# -- Fault points: a FIFO gate for git hooks, inotify, Slack holds ---------------------------


class Gate:
    """A git hook that says it was reached (a line into a FIFO) and then blocks until killed
    (it reads a FIFO that nobody ever opens for writing)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.reached_fifo = folder / "reached.fifo"
        self.block_fifo = folder / "block.fifo"
        os.mkfifo(self.reached_fifo)
        os.mkfifo(self.block_fifo)
        # O_RDWR: the FIFO always has a reader, so the hook's write never blocks, and select()
        # reports it readable once the hook wrote its line.
        self._fd = os.open(self.reached_fifo, os.O_RDWR | os.O_NONBLOCK)
        self.reached = False

    def hook(self, condition: str = "") -> str:
        """A pre-push hook; ``condition``: a shell test on ``$subject`` (the pushed commit's
        subject) that must hold for the hook to stop, else it stops on the first push."""
        stop = self._stop()
        lines = ["#!/bin/sh", "# fault matrix: stop this push until the harness kills the run"]
        if condition:
            lines += [
                "while read local_ref local_sha remote_ref remote_sha; do",
                '  subject=$(git log -1 --format=%s "$local_sha" 2>/dev/null)',
                f"  if {condition}; then {stop}; fi",
                "done",
                "exit 0",
            ]
        else:
            lines += ["cat > /dev/null", stop]
        return "\n".join(lines) + "\n"

    def ref_hook(self, refs: str) -> str:
        """A reference-transaction hook that stops when an update of one of ``refs`` (a shell
        ``case`` pattern) is prepared: git then holds that ref's lock (``<ref>.lock``)."""
        lines = [
            "#!/bin/sh",
            "# fault matrix: stop this ref update, its lock held, until the harness kills the run",
            '[ "$1" = prepared ] || { cat > /dev/null; exit 0; }',
            "while read old new ref; do",
            f'  case "$ref" in {refs}) {self._stop()};; esac',
            "done",
            "exit 0",
        ]
        return "\n".join(lines) + "\n"

    def _stop(self) -> str:
        """The hook's shell commands that say "reached" and then block until the kill."""
        reached, block = shlex.quote(str(self.reached_fifo)), shlex.quote(str(self.block_fifo))
        return f"echo reached > {reached}; read _ < {block}; exit 1"

    def wait(self, running: Running, timeout: float = REACH_TIMEOUT) -> bool:
        """Block until the hook wrote its line or the run ended (bounded)."""
        deadline = time.monotonic() + timeout
        while not self.reached and time.monotonic() < deadline:
            readable, _, _ = select.select([self._fd], [], [], 0.2)
            if readable:
                with contextlib.suppress(BlockingIOError):
                    self.reached = b"reached" in os.read(self._fd, 4096)
            elif not running.alive():
                break
        return self.reached

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def install_hook(clone: Path, env: dict[str, str], name: str, text: str) -> Path:
    hooks = Path(git(clone, env, "rev-parse", "--git-path", "hooks").strip())
    hooks = hooks if hooks.is_absolute() else clone / hooks
    hooks.mkdir(parents=True, exist_ok=True)
    path = hooks / name
    path.write_text(text)
    path.chmod(0o755)
    return path


def kill_on_snapshot_write(running_factory: Callable[[], Running], folder: Path) -> Finished:
    """Start the run with an inotify watch on the snapshot folder; SIGKILL it on the first
    IN_CREATE / IN_MOVED_TO / IN_CLOSE_WRITE of a provider file or ``_meta.json``."""
    from inotify_simple import INotify
    from inotify_simple import flags as f

    with INotify() as watch:
        watch.add_watch(folder, f.CREATE | f.MOVED_TO | f.CLOSE_WRITE)
        running = running_factory()
        deadline = time.monotonic() + REACH_TIMEOUT
        while running.alive() and time.monotonic() < deadline:
            names = {event.name for event in watch.read(timeout=200)}
            if names & SNAPSHOT_FILES:
                hit = sorted(names & SNAPSHOT_FILES)[0]
                return running.kill(f"killed on the write of {hit}")
        if running.alive():
            return running.kill("no snapshot write seen")
        return running.wait()


class PostHold:
    """Hold the ``nth`` Slack post with the loopback server's ``hold``: the posts before it are
    each held too, and let through once the next hold is in place (so the ``nth`` one cannot
    slip past), without any wait of our own."""

    def __init__(self, slack: SlackServer, nth: int, after_processing: bool) -> None:
        self.slack, self.nth, self.after_processing = slack, nth, after_processing
        self.holds = [self._hold(1)]
        self.reached = False

    def _hold(self, number: int) -> Any:
        after = self.after_processing if number == self.nth else True
        return self.slack.hold(POST, after_processing=after, times=1)

    def wait(self, running: Running | None = None, timeout: float = REACH_TIMEOUT) -> bool:
        """Block until post ``nth`` is held or the run ended (bounded)."""
        deadline = time.monotonic() + timeout
        while not self.reached and time.monotonic() < deadline:
            current = self.holds[-1]
            if not current.reached.wait(timeout=0.2):
                if running is not None and not running.alive():
                    return current.reached.is_set() and len(self.holds) == self.nth
                continue
            if len(self.holds) == self.nth:
                self.reached = True
            else:
                self.holds.append(self._hold(len(self.holds) + 1))
                current.release()
        return self.reached

    def release(self) -> None:
        for hold in self.holds:
            hold.release()


# -- A scenario's world ----------------------------------------------------------------------


class ScenarioSkipped(Exception):
    """The scenario cannot run on this machine (the reason is the message)."""


@dataclass
class Template:
    """origin.git and the clone ``ours`` after the baseline run of catalog A, for one mode."""

    root: Path
    mode: str


class Lab:
    """One scenario: a copy of the baseline template, its own loopback Slack and catalog (and
    GitHub, in pull-request mode, where the run's state is judged on the rolling branch)."""

    def __init__(self, root: Path, mode: str, template: Template | None = None) -> None:
        if mode not in ALL_MODES:
            raise ValueError(f"mode is one of {ALL_MODES}, not {mode!r}")
        self.root, self.mode = root, mode
        self.slack_mode = SLACK_MODE[mode]
        self.publish = "pull-request" if mode == PULL_REQUEST else "commit"
        self.ref = BRANCH if self.publish == "pull-request" else "main"
        root.mkdir(parents=True, exist_ok=True)
        self.env = base_env(root / "home")
        self.origin = root / "origin.git"
        self.ours = root / "ours"
        self.runs: list[Finished] = []
        self.notes: list[str] = []  # what went wrong in the scenario itself (fault not reached)
        self.cleanups: list[Callable[[], None]] = []
        self._running: list[Running] = []
        self.started = 0  # runs started (numbers the logs)
        self._clones = 0
        self._template = template
        self.slack = SlackServer()
        self.catalog = CatalogSite()
        self.github = GitHubServer()

    def __enter__(self) -> Lab:
        self.slack.__enter__()
        self.catalog.__enter__()
        self.github.__enter__()
        if self._template is None:
            self._seed()
        else:
            for name in ("origin.git", "ours"):
                shutil.copytree(self._template.root / name, self.root / name, symlinks=True)
            git(self.ours, self.env, "remote", "set-url", "origin", str(self.origin))
        return self

    def __exit__(self, *exc: object) -> None:
        for running in self._running:
            if running.alive():
                running.kill("the scenario ended")
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()
        self.github.__exit__(None, None, None)
        self.catalog.__exit__(None, None, None)
        self.slack.__exit__(None, None, None)

    def _seed(self) -> None:
        git(self.root, self.env, "init", "--quiet", "--bare", "--initial-branch=main", "origin.git")
        seed = self.root / "seed"
        git(self.root, self.env, "clone", "--quiet", str(self.origin), str(seed))
        (seed / "README.md").write_text("a team's repository, watched by catalog-watch\n")
        git(seed, self.env, "add", "README.md")
        git(seed, self.env, "commit", "--quiet", "-m", "initial")
        git(seed, self.env, "push", "--quiet", "origin", "HEAD:refs/heads/main")
        git(self.root, self.env, "clone", "--quiet", str(self.origin), str(self.ours))

    # -- Runs ----------------------------------------------------------------------------------

    def run_env(self, **extra: str) -> dict[str, str]:
        env = dict(self.env, SLACK_API_URL=self.slack.api_url)
        # Bytecode cached outside the source tree and written (this sandbox sets
        # PYTHONDONTWRITEBYTECODE, which makes every run compile catalog_watch from source
        # again): the tests' cache (tests/conftest.py), else one beside the scenarios.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("PYTHONPYCACHEPREFIX", str(self.root.parent / "pycache"))
        if self.slack_mode == "bot":
            env.update(SLACK_TOKEN=self.slack.token, SLACK_CHANNEL=CHANNEL)
        else:
            env.update(SLACK_WEBHOOK_URL=self.slack.webhook_url)
        if self.publish == "pull-request":
            github = self.github
            env.update(
                GITHUB_API_URL=github.api_url,
                GITHUB_REPOSITORY=github.repository,
                GITHUB_TOKEN=github.token,
            )
        env.update(extra)
        return env

    def start(
        self, clone: Path, hours: float, label: str, publish: str | None = None, **extra_env: str
    ) -> Running:
        mode = publish or self.publish
        argv = [*cli_command(), "run", "--mode", mode, "--now", at(hours)]
        argv += ["--source", self.catalog.source]
        self.started += 1
        label = f"{self.started:02d}-{label}"
        running = Running(label, argv, clone, self.run_env(**extra_env), self.root / "logs")
        self._running.append(running)
        return running

    def collect(self, finished: Finished) -> Finished:
        self.runs.append(finished)
        return finished

    def run(self, clone: Path, hours: float, label: str, **extra_env: str) -> Finished:
        return self.collect(self.start(clone, hours, label, **extra_env).wait())

    def fresh_clone(self, name: str = "fresh") -> Path:
        self._clones += 1
        path = self.root / f"{name}-{self._clones}"
        git(self.root, self.env, "clone", "--quiet", str(self.origin), str(path))
        return path

    def hold(self, *, nth: int = 1, after_processing: bool = False) -> PostHold:
        """Hold the ``nth`` Slack post (1-based). Not released after a kill: the server drops
        what it still holds when the scenario ends, unanswered and, if held before processing,
        not carried out (``release()`` would carry it out, for a client that is gone)."""
        if not hasattr(self.slack, "hold"):
            raise ScenarioSkipped("tests/slack_server.py has no hold() yet")
        return PostHold(self.slack, nth, after_processing)

    # -- Origin's state ------------------------------------------------------------------------

    def show(self, path: str, ref: str | None = None) -> str | None:
        done = subprocess.run(
            ["git", "show", f"{ref or self.ref}:{path}"],
            cwd=self.origin,
            env=self.env,
            capture_output=True,
            check=False,
        )
        return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None

    def show_bytes(self, path: str, ref: str | None = None) -> bytes | None:
        done = subprocess.run(
            ["git", "show", f"{ref or self.ref}:{path}"],
            cwd=self.origin,
            env=self.env,
            capture_output=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None

    def tree(self, ref: str | None = None) -> list[str]:
        ref = ref or self.ref
        done = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", ref, "--", SNAPSHOTS],
            cwd=self.origin,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        return [line for line in done.stdout.splitlines() if line]

    def history_paths(self) -> set[str]:
        out = git(self.origin, self.env, "log", "--all", "--name-only", "--format=", "--", ".")
        return {line for line in out.splitlines() if line}

    def history_text(self) -> str:
        return git(self.origin, self.env, "log", "--all", "-p", "--format=%H %s")

    # -- Slack's side --------------------------------------------------------------------------

    def landed(self) -> list[dict[str, Any]]:
        """The messages that reached the channel (bot) or the webhook, in order."""
        if self.slack_mode == "bot":
            return self.slack.messages(CHANNEL)
        return self.slack.webhook_posts()


# -- The fault-free reference ----------------------------------------------------------------


def make_template(root: Path, mode: str) -> Template:
    """The baseline run of catalog A from an empty snapshot folder, kept to be copied."""
    with Lab(root, mode) as lab:
        lab.catalog.serve(catalog_a())
        first = lab.run(lab.ours, 0, "baseline")
        if first.code != 0:
            raise AssertionError(f"the baseline run failed (exit {first.code}): {first.tail()}")
        posted = lab.landed()
        if len(posted) != 1:
            raise AssertionError(f"the baseline run posted {len(posted)} messages, not 1")
        shutil.rmtree(root / "seed", ignore_errors=True)
    return Template(root, mode)


@dataclass(frozen=True)
class Reference:
    """What a fault-free run of catalog B after the baseline leaves in origin."""

    providers: dict[str, bytes]  # provider file name → bytes
    ledger: Counter[str]  # ledger records less time and commit, as canonical JSON
    alerts: dict[str, tuple[str, str]]  # catalog B's alert ids → (provider, model)
    paths: frozenset[str]  # files under the snapshot folder
    messages: int  # how many messages the run posted


def make_reference(root: Path, template: Template, mode: str) -> Reference:
    with Lab(root, mode, template) as lab:
        lab.catalog.serve(catalog_b())
        done = lab.run(lab.ours, 1, "reference")
        if done.code != 0:
            raise AssertionError(f"the reference run failed (exit {done.code}): {done.tail()}")
        outbox = outbox_entries(lab.show(OUTBOX) or "")
        alerts = {
            entry["alert"]["id"]: (str(entry["alert"]["provider"]), str(entry["alert"]["model"]))
            for entry in outbox
            if entry["alert"].get("kind") != "baseline"
        }
        unkeyed = [i for i, key in alerts.items() if "None" in key]
        if unkeyed or len(alerts) < 100:
            raise AssertionError(f"catalog B should raise ~106 model alerts: {len(alerts)}")
        reference = Reference(
            providers=provider_files(lab),
            ledger=ledger_records(lab.show(LEDGER) or ""),
            alerts=alerts,
            paths=frozenset(lab.tree()),
            messages=len(lab.landed()),
        )
        if reference.messages < 3:
            raise AssertionError(f"catalog B should take 3 Slack messages: {reference.messages}")
        return reference


def provider_files(lab: Lab) -> dict[str, bytes]:
    files = {}
    for path in lab.tree():
        name = path.rsplit("/", 1)[-1]
        top_level = path == f"{SNAPSHOTS}/{name}"
        if top_level and name.endswith(".json") and not name.startswith("_"):
            files[name] = lab.show_bytes(path) or b""
    return files


def ledger_records(text: str) -> Counter[str]:
    records: Counter[str] = Counter()
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            records[f"(not JSON) {line[:80]}"] += 1
            continue
        if isinstance(record, dict):
            record = {k: v for k, v in record.items() if k not in ("time", "commit")}
        records[json.dumps(record, sort_keys=True)] += 1
    return records


def outbox_entries(text: str) -> list[dict[str, Any]]:
    entries = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and isinstance(entry.get("alert"), dict):
                entries.append(entry)
    return entries


# -- Judging a scenario ----------------------------------------------------------------------

_TITLE = re.compile(r"^\*(?P<provider>[^*\n]+)\* / (?P<model>[^\s]+?)(?: \(continued\))?$")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        with contextlib.suppress(ValueError):
            inner = json.loads(value)
            if not isinstance(inner, str):
                yield from _strings(inner)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def carried(message: dict[str, Any], reference: Reference) -> tuple[set[str], bool]:
    """The reference alert ids a landed message carries, and whether metadata said so."""
    known = set(reference.alerts)
    by_metadata = {text for text in _strings(message.get("metadata")) if text in known}
    if by_metadata:
        return by_metadata, True
    by_key = {key: alert for alert, key in reference.alerts.items()}
    found = set()
    for block in message.get("blocks") or []:
        text = block.get("text") if isinstance(block, dict) else None
        text = text.get("text") if isinstance(text, dict) else None
        if isinstance(text, str):
            title = _TITLE.match(text.split("\n", 1)[0])
            if title and (title["provider"], title["model"]) in by_key:
                found.add(by_key[(title["provider"], title["model"])])
    return found, False


@dataclass
class Verdict:
    """What a scenario left behind, measured against the reference."""

    fault: str
    mode: str
    recovery: str
    lost_alerts: list[str] = field(default_factory=list)
    delivery_counts: dict[str, int] = field(default_factory=dict)  # alert id → times delivered
    duplicate_messages: int = 0  # messages that carried an alert delivered before
    allowed_duplicate_messages: int = 0  # webhook: one per fault; bot: none
    ledger_missing: int = 0  # reference records not in the ledger
    ledger_repeated: int = 0  # reference records in the ledger more than once
    ledger_foreign: int = 0  # lines that are no record of the reference (garbage)
    snapshot_wrong: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    streak: int | None = None
    leaks: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # "<run>: <last traceback line>"
    notes: list[str] = field(default_factory=list)  # the scenario's and the runs' troubles
    runs: list[Finished] = field(default_factory=list)

    @property
    def twice(self) -> int:
        """Alerts delivered more than once."""
        return sum(1 for n in self.delivery_counts.values() if n > 1)

    @property
    def lost(self) -> bool:
        return bool(self.lost_alerts or self.ledger_missing or self.snapshot_wrong)

    @property
    def duplicated(self) -> bool:
        too_many = self.duplicate_messages > self.allowed_duplicate_messages
        return too_many or bool(self.ledger_repeated)

    def problems(self) -> list[str]:
        found = []
        if self.snapshot_wrong:
            found.append(f"snapshot differs from catalog B: {', '.join(self.snapshot_wrong)}")
        if self.ledger_missing or self.ledger_repeated or self.ledger_foreign:
            found.append(
                f"changes.jsonl: {self.ledger_missing} change record(s) missing, "
                f"{self.ledger_repeated} repeated, {self.ledger_foreign} foreign line(s)"
            )
        if self.lost_alerts:
            found.append(f"{len(self.lost_alerts)} alert(s) never delivered")
        if self.duplicate_messages > self.allowed_duplicate_messages:
            found.append(
                f"{self.twice} alert(s) delivered more than once, in {self.duplicate_messages} "
                f"duplicate message(s) (allowed: {self.allowed_duplicate_messages})"
            )
        if self.pending:
            found.append(f"{len(self.pending)} alert(s) still open in outbox.jsonl")
        if self.streak != 0:
            found.append(f"the health failure streak in _meta.json is {self.streak}, not 0")
        if self.leaks:
            found.append(f"committed what must not be: {', '.join(self.leaks)}")
        found += [f"run {crash} (a traceback, not a one-line error)" for crash in self.crashes]
        return found + self.notes

    @property
    def ok(self) -> bool:
        return not self.problems()

    def label(self) -> str:
        """``ok``, or what broke with counts: ``lost (…)``, ``duplicated (…)``, then the rest."""
        if self.ok:
            if self.duplicate_messages:  # webhook mode, within the documented bound
                return f"ok ({self.twice} alerts re-sent in {self.duplicate_messages} message)"
            return "ok"
        parts = []
        if self.lost:
            what = [
                f"{n} {unit}"
                for n, unit in (
                    (len(self.lost_alerts), "alerts"),
                    (self.ledger_missing, "ledger lines"),
                    (len(self.snapshot_wrong), "snapshot files"),
                )
                if n
            ]
            parts.append(f"lost ({', '.join(what)})")
        if self.duplicated:
            what = []
            if self.duplicate_messages > self.allowed_duplicate_messages:
                what.append(f"{self.twice} alerts in {self.duplicate_messages} messages")
            if self.ledger_repeated:
                what.append(f"{self.ledger_repeated} ledger lines")
            parts.append(f"duplicated ({', '.join(what)})")
        if self.ledger_foreign:
            parts.append(f"garbage kept ({self.ledger_foreign} ledger lines)")
        if self.pending:
            parts.append(f"pending ({len(self.pending)})")
        if self.streak != 0:
            parts.append(f"streak {self.streak}")
        if self.leaks:
            parts.append(f"leaked ({', '.join(self.leaks)})")
        if self.crashes:
            errors = sorted({crash.split(": ", 2)[1].split(":")[0] for crash in self.crashes})
            parts.append(f"crashed ({', '.join(errors)} traceback)")
        if not parts:  # nothing lost or sent twice, but the scenario or a run went wrong
            parts.append(self.notes[0][:100])
        return ", ".join(parts)

    def report(self) -> str:
        """The verdict with its problems and how each run ended (for assertion messages)."""
        lines = [f"{self.fault} | {self.mode} | {self.recovery}: {self.label()}"]
        lines += [f"  - {problem}" for problem in self.problems()]
        for run in self.runs:
            lines.append(f"  run {run.label}: {_ending(run)}")
            if run.code not in (0, None):
                lines += [f"      {line}" for line in run.tail().splitlines()]
        return "\n".join(lines)


def _ending(run: Finished | None) -> str:
    if run is None:
        return "no run"
    return f"exit {run.code}" if run.code is not None else run.killed


def judge(lab: Lab, reference: Reference, fault: str, recovery: str, faults: int = 1) -> Verdict:
    verdict = Verdict(fault=fault, mode=lab.mode, recovery=recovery, runs=list(lab.runs))
    verdict.notes += lab.notes
    verdict.allowed_duplicate_messages = faults if lab.slack_mode == "webhook" else 0
    # The snapshot: every provider file as the reference wrote it, nothing more.
    files = provider_files(lab)
    for name in sorted(set(files) | set(reference.providers)):
        if files.get(name) != reference.providers.get(name):
            state = "differs" if name in files and name in reference.providers else "missing"
            state = "extra" if name not in reference.providers else state
            verdict.snapshot_wrong.append(f"{name} {state}")
    # The ledger: the reference's records, each once, and nothing else.
    ledger = ledger_records(lab.show(LEDGER) or "")
    verdict.ledger_missing = sum((reference.ledger - ledger).values())
    extra = ledger - reference.ledger
    verdict.ledger_repeated = sum(n for record, n in extra.items() if record in reference.ledger)
    verdict.ledger_foreign = sum(n for record, n in extra.items() if record not in reference.ledger)
    # Slack: every alert of catalog B delivered (once in bot mode).
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for message in lab.landed():
        ids, _ = carried(message, reference)
        if ids & seen:
            verdict.duplicate_messages += 1
        seen |= ids
        counts.update(ids)
    verdict.lost_alerts = sorted(alert for alert in reference.alerts if counts[alert] == 0)
    verdict.delivery_counts = dict(counts)
    # The outbox: nothing open (pending or claimed).
    for entry in outbox_entries(lab.show(OUTBOX) or ""):
        if entry.get("delivered") is None and entry.get("unconfirmed") is None:
            verdict.pending.append(str(entry["alert"].get("id")))
    # Health.
    try:
        meta = json.loads(lab.show(META) or "null")
        verdict.streak = int(meta["health"]["consecutive_failures"])
    except (TypeError, KeyError, ValueError):
        verdict.streak = None
    # Leftovers: nothing staged, temporary or planted in origin's history, no key anywhere.
    for path in sorted(lab.history_paths()):
        name = path.rsplit("/", 1)[-1]
        leftover = name.startswith(".") or name.endswith(".tmp") or "staging" in path
        inside = path.startswith(SNAPSHOTS + "/") and path not in reference.paths
        if inside and (leftover or name == KEY_FILE):
            verdict.leaks.append(path)
    if FAKE_KEY in lab.history_text():
        verdict.leaks.append("the fake API key")
    # The clone: no temporary worktree of a killed run still registered (nor its files).
    if recovery == "same clone":
        listed = git(lab.ours, lab.env, "worktree", "list", "--porcelain").splitlines()
        extra = [line.removeprefix("worktree ") for line in listed if line.startswith("worktree ")]
        extra = extra[1:]  # the clone itself comes first
        if extra:
            verdict.notes.append(f"a killed run's temporary worktree is left: {', '.join(extra)}")
    # Pull-request mode: one rolling pull request, opened once.
    if lab.publish == "pull-request":
        opened = len(lab.github.calls("POST", r"/pulls$"))
        still = len(lab.github.open_pulls())
        if opened != 1 or still != 1:
            verdict.notes.append(f"{opened} pull request(s) opened, {still} open: not one")
    # A failure is a one-line error naming what and where, never a traceback.
    for run in lab.runs:
        if "Traceback (most recent call last)" in run.stderr:
            last_line = run.stderr.strip().splitlines()[-1][:160]
            verdict.crashes.append(f"{run.label}: {last_line}")
    last = lab.runs[-1] if lab.runs else None
    if last is None or last.code != 0:
        verdict.notes.append(f"the recovery run did not succeed ({_ending(last)})")
    return verdict


# -- The faults ------------------------------------------------------------------------------


class Fault:
    """One row of the matrix: ``inject`` makes the faulty run(s) of catalog B in ``lab.ours``
    (at hour 1), ``remove`` takes the fault away before the recovery run."""

    key = ""
    title = ""
    modes: tuple[str, ...] = MODES
    faults = 1  # how many faults the scenario has (webhook: one duplicate message each)

    def inject(self, lab: Lab) -> None:
        raise NotImplementedError

    def remove(self, lab: Lab) -> None:
        """Most faults are gone with the run they hit."""


class KillOnSnapshotWrite(Fault):
    key = "kill-snapshot-write"
    title = "kill during the snapshot write"
    modes = ("bot",)

    def inject(self, lab: Lab) -> None:
        done = kill_on_snapshot_write(
            lambda: lab.start(lab.ours, 1, "faulty"), lab.ours / SNAPSHOTS
        )
        lab.collect(done)
        if not done.killed.startswith("killed on the write"):
            lab.notes.append(f"fault not reached: {done.killed or f'exit {done.code}'}")


class KillInPush(Fault):
    """A pre-push hook that stops the first push (or only the pushes whose subject matches)."""

    hook = "pre-push"

    def __init__(self, key: str, title: str, condition: str = "", modes: tuple[str, ...] = MODES):
        self.key, self.title, self.condition, self.modes = key, title, condition, modes
        self._hook: Path | None = None

    def inject(self, lab: Lab) -> None:
        gate = Gate(lab.root / "gate")
        lab.cleanups.append(gate.close)
        self._hook = install_hook(lab.ours, lab.env, self.hook, self.script(gate))
        running = lab.start(lab.ours, 1, "faulty")
        if gate.wait(running):
            lab.collect(running.kill(f"killed in the {self.hook} hook"))
        else:
            done = lab.collect(running.wait())
            lab.notes.append(
                f"fault not reached: the {self.hook} hook never ran (exit {done.code})"
            )

    def script(self, gate: Gate) -> str:
        return gate.hook(self.condition)

    def remove(self, lab: Lab) -> None:
        if self._hook is not None:
            self._hook.unlink(missing_ok=True)


class KillInCommit(KillInPush):
    """A pre-commit hook that stops the run's first commit: git holds the index's lock
    (``.git/index.lock``) while the hook runs, so the kill leaves the lock behind."""

    hook = "pre-commit"


class KillInRefUpdate(KillInPush):
    """A reference-transaction hook that stops the first update of the branch (the change
    commit's): git holds ``refs/heads/main.lock`` (and the index's lock) while it runs."""

    hook = "reference-transaction"

    def script(self, gate: Gate) -> str:
        return gate.ref_hook("HEAD|refs/heads/main")


class KillInSlack(Fault):
    """The loopback Slack holds a post; the run is killed while it waits."""

    def __init__(
        self,
        key: str,
        title: str,
        nth: int,
        after_processing: bool,
        modes: tuple[str, ...] = MODES,
    ) -> None:
        self.key, self.title, self.modes = key, title, modes
        self.nth, self.after_processing = nth, after_processing

    def inject(self, lab: Lab) -> None:
        hold = lab.hold(nth=self.nth, after_processing=self.after_processing)
        running = lab.start(lab.ours, 1, "faulty")
        if hold.wait(running):
            lab.collect(running.kill(f"killed while Slack held post {self.nth}"))
        else:
            done = lab.collect(running.wait())
            lab.notes.append(f"fault not reached: post {self.nth} never came (exit {done.code})")


class Overlap(Fault):
    """Run B starts while run A waits on Slack: from its own clone (another runner)."""

    key = "overlap"
    title = "two overlapping runs"
    modes = (*MODES, PULL_REQUEST)
    same_clone = False

    def inject(self, lab: Lab) -> None:
        hold = lab.hold(nth=1)
        first = lab.start(lab.ours, 1, "run-a")
        if not hold.wait(first):
            lab.notes.append("fault not reached: run A never posted")
            lab.collect(first.wait())
            return
        other = lab.ours if self.same_clone else lab.fresh_clone("other")
        lab.run(other, 1 + 5 / 60, "run-b")
        hold.release()
        lab.collect(first.wait())


class OverlapHere(Overlap):
    """... or from the same clone (a persistent checkout: cron, a self-hosted runner's
    workspace, a manual run beside the scheduled one), where A's run marker is there."""

    key = "overlap-same-clone"
    title = "two overlapping runs in one clone"
    same_clone = True


class SlackAnswer(Fault):
    """Slack posted the message (or, for ``invalid_payload``, did not) and answered badly."""

    def __init__(
        self, key: str, title: str, script: Callable[[Lab], None], modes: tuple[str, ...] = MODES
    ) -> None:
        self.key, self.title, self.script, self.modes = key, title, script, modes

    def inject(self, lab: Lab) -> None:
        self.script(lab)
        lab.run(lab.ours, 1, "faulty")
        with lab.slack.lock:
            unused = len(lab.slack.answers)
        if unused:
            lab.notes.append("fault not reached: Slack's scripted answer was never given")
        lab.slack.recover()


class AcceptedThenTimeout(Fault):
    key = "slack-timeout"
    title = "Slack accepted, then timeout"

    def inject(self, lab: Lab) -> None:
        hold = lab.hold(nth=1, after_processing=True)
        running = lab.start(lab.ours, 1, "faulty", SLACK_TIMEOUT_SECONDS=str(SLACK_TIMEOUT))
        if not hold.wait(running):
            lab.notes.append("fault not reached: nothing was posted")
        done = running.wait(timeout=TIMEOUT_GRACE)
        if done.code is None:
            lab.notes.append(
                f"the run still waited on Slack {TIMEOUT_GRACE:g} s after the post "
                f"(SLACK_TIMEOUT_SECONDS={SLACK_TIMEOUT} not honoured): killed"
            )
        lab.collect(done)


class DiskFull(Fault):
    key = "disk-full"
    title = "disk full during the run"
    modes = ("bot",)
    FREE = 24 * 1024  # bytes left free: enough to fetch, not to write the snapshot

    def inject(self, lab: Lab) -> None:
        if os.geteuid() != 0:
            raise ScenarioSkipped("disk full: needs root to mount a small tmpfs")
        small = lab.root / "small"
        small.mkdir()
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(small)],
            capture_output=True,
            text=True,
            check=False,
        )
        if mounted.returncode != 0:
            raise ScenarioSkipped(f"disk full: cannot mount a tmpfs: {mounted.stderr.strip()}")
        lab.cleanups.append(lambda: _unmount(small))
        shutil.copytree(lab.ours, small / "ours", symlinks=True)
        lab.ours = small / "ours"
        reserve = small / "reserve"
        reserve.write_bytes(b"\0" * self.FREE)
        self._filler = small / "filler"
        _fill(self._filler)
        reserve.unlink()
        if lab.run(lab.ours, 1, "faulty").code == 0:
            lab.notes.append("fault not reached: the run succeeded on the full disk")

    def remove(self, lab: Lab) -> None:
        self._filler.unlink(missing_ok=True)


def _fill(path: Path) -> None:
    """Write zeros until the file system is full (unbuffered: no flush fails at close)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    chunk = b"\0" * 65536
    try:
        while len(chunk) >= 512:
            try:
                os.write(descriptor, chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]
    finally:
        os.close(descriptor)


def _unmount(path: Path) -> None:
    done = subprocess.run(["umount", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


class ReadOnlyFolder(Fault):
    key = "read-only"
    title = "read-only snapshot folder"
    modes = ("bot",)

    def inject(self, lab: Lab) -> None:
        folder = lab.ours / SNAPSHOTS
        if os.geteuid() == 0:  # root writes through permission bits: a read-only bind mount
            for args in (
                ["mount", "--bind", str(folder), str(folder)],
                ["mount", "-o", "remount,bind,ro", str(folder)],
            ):
                done = subprocess.run(args, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    _unmount(folder)
                    raise ScenarioSkipped(f"read-only: cannot bind-mount: {done.stderr.strip()}")
            self._undo: Callable[[], None] = lambda: _unmount(folder)
        else:
            modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
            for path, mode in modes.items():
                path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

            def undo() -> None:
                for path, mode in modes.items():
                    with contextlib.suppress(OSError):
                        path.chmod(mode)

            self._undo = undo
        lab.cleanups.append(self._undo)
        if lab.run(lab.ours, 1, "faulty").code == 0:
            lab.notes.append("fault not reached: the run succeeded on a read-only folder")

    def remove(self, lab: Lab) -> None:
        self._undo()


class Damaged(Fault):
    """A state file in the clone damaged (as a crashed writer or a bad merge leaves it) before
    the run. Removing the fault is the user's repair: the file put back as committed (an
    untracked one deleted) — except a planted file (``keep``), which stays where it is: it must
    simply never be committed."""

    modes = ("bot",)

    def __init__(
        self, key: str, title: str, path: str, damage: Callable[[Path], None], keep: bool = False
    ) -> None:
        self.key, self.title, self.path, self.damage, self.keep = key, title, path, damage, keep

    def inject(self, lab: Lab) -> None:
        self.damage(lab.ours / self.path)
        lab.run(lab.ours, 1, "faulty")

    def remove(self, lab: Lab) -> None:
        if self.keep:
            return
        tracked = git(lab.ours, lab.env, "ls-files", "--", self.path).strip()
        changed = git(lab.ours, lab.env, "status", "--porcelain", "--", self.path).strip()
        if tracked and changed:
            git(lab.ours, lab.env, "checkout", "HEAD", "--", self.path)
        elif not tracked:
            (lab.ours / self.path).unlink(missing_ok=True)


def _truncate_last_line(path: Path) -> None:
    data = path.read_bytes().rstrip(b"\n")
    last = data.rfind(b"\n") + 1
    path.write_bytes(data[: last + (len(data) - last) // 2])


def _append_garbage(path: Path) -> None:
    """A line that is not JSON (the baseline wrote no ledger yet: the file may not exist)."""
    before = path.read_bytes() if path.exists() else b""
    path.write_bytes(before + b'{"kind": "price_changed", "provider": \x00garbage\n')


def _truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _plant_key(path: Path) -> None:
    path.write_text(f"# a developer's local settings, not to commit\nOPENAI_API_KEY={FAKE_KEY}\n")


FAULTS: dict[str, Fault] = {
    fault.key: fault
    for fault in (
        KillOnSnapshotWrite(),
        KillInPush(
            "kill-before-push", "kill after commit, before push", modes=("bot", PULL_REQUEST)
        ),
        KillInCommit(
            "kill-in-commit",
            "kill in git commit (index.lock left)",
            modes=("bot", PULL_REQUEST),
        ),
        KillInRefUpdate(
            "kill-in-ref-update", "kill in the commit's ref update (main.lock left)", modes=("bot",)
        ),
        KillInSlack("kill-before-delivery", "kill after push, before delivery", 1, False),
        KillInSlack(
            "kill-between-messages",
            "kill between two Slack messages",
            2,
            False,
            modes=(*MODES, PULL_REQUEST),
        ),
        KillInSlack(
            "kill-after-accepted", "kill after Slack accepted, before the outbox write", 1, True
        ),
        KillInPush(
            "kill-in-claim-push",
            "kill during the claim push",
            condition='case "$subject" in catalog-watch:*claim*) true;; *) false;; esac',
        ),
        KillInPush(
            "kill-in-delivered-push",
            "kill during the delivered-marks push",
            condition='case "$subject" in catalog-watch:*delivered*) true;; *) false;; esac',
            modes=(*MODES, PULL_REQUEST),
        ),
        DiskFull(),
        ReadOnlyFolder(),
        Damaged("truncated-outbox", "truncated outbox.jsonl line", OUTBOX, _truncate_last_line),
        Damaged("garbage-ledger", "garbage changes.jsonl line", LEDGER, _append_garbage),
        Damaged("damaged-meta", "damaged _meta.json", META, _truncate_half),
        Damaged("deleted-meta", "deleted _meta.json", META, lambda p: p.unlink()),
        Damaged(
            "untracked-key",
            "untracked file with an API key",
            f"{SNAPSHOTS}/{KEY_FILE}",
            _plant_key,
            keep=True,
        ),
        Overlap(),
        OverlapHere(),
        AcceptedThenTimeout(),
        SlackAnswer(
            "slack-dropped",
            "Slack accepted, then dropped the connection",
            lambda lab: lab.slack.drop(process=True, path=POST),
        ),
        SlackAnswer(
            "slack-502",
            "Slack accepted, then 502",
            lambda lab: lab.slack.server_error(502, process=True, path=POST),
        ),
        SlackAnswer(
            "webhook-invalid-payload",
            "webhook 200 with body invalid_payload",
            lambda lab: lab.slack.answer(200, "invalid_payload", path=r"^/services/"),
            modes=("webhook",),
        ),
    )
}


def scenarios() -> list[tuple[str, str, str]]:
    """Every (fault key, mode, recovery) of the matrix, in table order."""
    return [
        (key, mode, recovery)
        for key, fault in FAULTS.items()
        for mode in fault.modes
        for recovery in RECOVERIES
    ]


@dataclass
class AfterFault:
    """What a faulty run left, kept so that both recoveries start from the very same state:
    origin and the clone as files, what Slack holds (channel messages, webhook posts), what
    GitHub holds (pull-request mode: the requests seen, pull requests, labels, comments), and
    the runs so far."""

    saved: Path  # origin.git and ours
    mode: str
    title: str
    faults: int
    runs: list[Finished]
    notes: list[str]
    messages: dict[str, list[dict[str, Any]]]  # channel id → messages
    posts: dict[str, list[dict[str, Any]]]  # webhook path → posts
    github: dict[str, Any]  # GitHubServer.saved_state()

    def seed(self, slack: SlackServer, github: GitHubServer) -> None:
        with slack.lock:
            for channel_id, messages in self.messages.items():
                slack.channels[channel_id].messages.extend(copy.deepcopy(messages))
            for path, posts in self.posts.items():
                slack.webhooks.setdefault(path, []).extend(copy.deepcopy(posts))
        github.restore(self.github)


def inject_fault(key: str, mode: str, root: Path, template: Template) -> AfterFault:
    """The baseline copied, catalog B served, the faulty run(s), the fault removed; saved."""
    fault = copy.copy(FAULTS[key])
    saved = root / "after-fault"
    with Lab(root, mode, template) as lab:
        lab.catalog.serve(catalog_b())
        fault.inject(lab)
        fault.remove(lab)
        for name, path in (("origin.git", lab.origin), ("ours", lab.ours)):  # before unmounting
            shutil.copytree(path, saved / name, symlinks=True)
    with lab.slack.lock:  # the server stopped: what it still held was dropped, not carried out
        messages = {i: copy.deepcopy(c.messages) for i, c in lab.slack.channels.items()}
        posts = copy.deepcopy(lab.slack.webhooks)
    runs, notes, github = list(lab.runs), list(lab.notes), lab.github.saved_state()
    return AfterFault(saved, mode, fault.title, fault.faults, runs, notes, messages, posts, github)


def recover(after: AfterFault, recovery: str, root: Path, reference: Reference) -> Verdict:
    """The next run without the fault, in a copy of the saved state; judged."""
    with Lab(root, after.mode, Template(after.saved, after.mode)) as lab:
        after.seed(lab.slack, lab.github)
        lab.catalog.serve(catalog_b())
        lab.runs, lab.notes = list(after.runs), list(after.notes)
        lab.started = len(after.runs)
        clone = lab.ours if recovery == "same clone" else lab.fresh_clone()
        lab.run(clone, 2, "recovery")
        return judge(lab, reference, after.title, recovery, after.faults)


Spec = tuple[str, str, str]  # (fault key, mode, recovery)


def spec_id(spec: Spec) -> str:
    return _slug("-".join(spec))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Matrix:
    """Scenarios under one scratch folder, with the templates and references each mode needs
    made once. ``prefetch`` runs many scenarios a few at a time (each is mostly waiting on
    subprocesses, git and fsync); ``verdict`` returns one, running it if it was not."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._templates: dict[str, Template] = {}
        self._references: dict[str, Reference] = {}
        self._results: dict[Spec, Verdict | BaseException] = {}
        self._faults: dict[tuple[str, str], AfterFault] = {}
        self._fault_locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks = {mode: threading.Lock() for mode in ALL_MODES}
        self._template_locks = {mode: threading.Lock() for mode in MODES}
        self._lock = threading.Lock()

    def template(self, slack_mode: str) -> Template:
        """The baseline (always in commit mode: a rolling pull request needs a base)."""
        with self._template_locks[slack_mode]:
            if slack_mode not in self._templates:
                root = self.root / f"template-{slack_mode}"
                self._templates[slack_mode] = make_template(root, slack_mode)
            return self._templates[slack_mode]

    def reference(self, mode: str) -> tuple[Template, Reference]:
        template = self.template(SLACK_MODE[mode])
        with self._locks[mode]:
            if mode not in self._references:
                root = self.root / _slug(f"reference-{mode}")
                self._references[mode] = make_reference(root, template, mode)
            return template, self._references[mode]

    def run(self, spec: Spec) -> Verdict:
        """One scenario: the fault is injected once for both recoveries."""
        key, mode, recovery = spec
        template, reference = self.reference(mode)
        with self._lock:
            lock = self._fault_locks.setdefault((key, mode), threading.Lock())
        with lock:
            after = self._faults.get((key, mode))
            if after is None:
                root = self.root / _slug(f"{key}-{mode}")
                after = inject_fault(key, mode, root, template)
                self._faults[(key, mode)] = after
        return recover(after, recovery, self.root / _slug(spec_id(spec)), reference)

    def prefetch(self, specs: list[Spec], jobs: int) -> None:
        """Run ``specs`` ``jobs`` at a time: one task per (fault, mode), so the two recoveries of
        a fault follow its injection in the same worker."""
        from concurrent.futures import ThreadPoolExecutor

        groups: dict[tuple[str, str], list[Spec]] = {}
        for spec in dict.fromkeys(specs):
            if spec not in self._results:
                groups.setdefault(spec[:2], []).append(spec)
        if jobs <= 1 or len(specs) <= 1:
            return
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for mode in {mode for _, mode in groups}:  # the references side by side first
                pool.submit(self.reference, mode)
            for done in pool.map(self._group, groups.values()):
                with self._lock:
                    self._results.update(done)

    def shared(self, saved: Path, specs: list[Spec], jobs: int) -> None:
        """``prefetch`` once for several processes (pytest-xdist's workers): the first to take
        the lock beside ``saved`` runs the scenarios and saves their outcomes there, the others
        wait for it and read them."""
        with saved.with_name(saved.name + ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            if saved.exists():
                with self._lock:
                    self._results.update(pickle.loads(saved.read_bytes()))
                return
            self.prefetch(specs, jobs)
            with self._lock:
                saved.write_bytes(pickle.dumps(self._results))

    def _group(self, specs: list[Spec]) -> dict[Spec, Verdict | BaseException]:
        return {spec: self._attempt(spec) for spec in specs}

    def verdict(self, spec: Spec) -> Verdict:
        """The scenario's verdict; raises what the scenario raised (``ScenarioSkipped``...)."""
        with self._lock:
            outcome = self._results.get(spec)
        if outcome is None:
            outcome = self._attempt(spec)
            with self._lock:
                self._results[spec] = outcome
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _attempt(self, spec: Spec) -> Verdict | BaseException:
        try:
            return self.run(spec)
        except Exception as error:  # kept, raised again by verdict() in the spec's own test
            return error


def default_jobs() -> int:
    configured = os.environ.get("FAULT_MATRIX_JOBS")
    if configured:
        return max(1, int(configured))
    return min(4, (os.cpu_count() or 1) + 1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run bench/fault_matrix.py or tests/test_fault_matrix.py")
