"""Benchmark the hourly run's cheap cases with whole processes (issue 14), floors beside.

1. **No change**: ``catalog-watch check --source <real catalog> --snapshots <its snapshot>`` on
   the same body (decided from ``upstream_sha256`` without parsing), on the same content in other
   bytes (the content hash; the inconsistency count ``_meta.json`` keeps), and a loopback
   server's HTTP 304 (no body).
2. **A small change**: ``check --write`` of the newest real catalog with one price edited,
   against its snapshot (rebuilt before each run): the snapshot write encodes with orjson and
   rewrites one provider file and ``_meta.json``.
3. **The action's job with nothing to do**: ``run --mode commit`` of the same catalog in a clone
   whose local bare origin already holds its snapshot (no Slack configured): the git calls are
   counted, as children of the run. Read from a file (the same body), and fetched from the
   loopback server, which answers 304 to the ETag the first run stored: the action's hourly
   job against a server that sends validators; and fetched from a URL of the same server that
   sends the body with no validators (every hour a 200: the body's hash decides). Once with
   bytecode cached, once with none for the
   environment's modules (``uncompiled``): what a fresh runner pays, since the action's ``uv
   sync`` compiles none and the job's one process compiles every module it imports. Once
   more with Slack configured (a loopback webhook) and an outbox that holds what 30 days can
   after large changes: the alerts of the real 2025-09-15 catalog's baseline and of its two
   changes to 2026-03-10, all delivered; the run fetches 2026-03-10 again.
   And a change run with Slack: the catalog with one price edited, from a clone that holds
   the real catalog's snapshot (restored before each run): the snapshot, changelog and ledger
   written, the alert claimed, posted to the webhook and marked delivered (three commits, three
   pushes).
4. **Floors**: importing httpx and httpx-retries, and one GET with them, answered 304 or with
   the body by the same server (what any client built on those two libraries pays).

Each is timed as a whole process with ``/usr/bin/time``-style accounting (user + system CPU of
the child and what it waited for), ``--repeat`` times, median printed; ``--baseline SRC`` runs
the same commands with another checkout's ``src`` on ``PYTHONPATH``, in turns with this one's
(A B A B ...). In-process, it
also times the snapshot encoder (``canonical_json`` of every provider file) against
``json.dumps``.

Run: ``.venv/bin/python bench/bench_run.py [--repeat 7] [--baseline /path/to/old/src]``. The
snapshots and clones are written once, by this checkout, so a baseline must read its
``_meta.json``: one older than 8d45992 refuses the ``upstream_document_sha256`` key (a damaged
state file to it, exit 6). Time such a baseline by hand, each side on a folder it wrote.

Figures: bench/README.md (2026-12-07 16:40, slower still, the GET at 0.382: the change run with
Slack 1.945 s against 1.995 at c990eba, the Slack outbox case 0.784 against 0.947; 14:15: ``run``
with nothing to do 0.501 s against 0.618 at ec50e3b, on a 304 0.479 against 0.554, the GET alone
0.315; in the fast hour of 2026-12-04 00:40, 0.256 and 0.250 s with the GET at 0.150).
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "models-dev"
NEWEST = "2026-06-28"
CLI = [sys.executable, "-c", "from catalog_watch.cli.app import main; main()"]


def cpu_of(command: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """User + system seconds of one child process (and the git processes it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(
    command: list[str],
    envs: list[dict[str, str]],
    repeat: int,
    setup: object = None,
    cwd: Path | None = None,
) -> list[float]:
    """The median CPU of ``command`` under each of ``envs`` (one per checkout), run in turns
    (A B A B ...) so that a drift in the machine's speed moves every side alike."""
    runs: list[list[float]] = [[] for _ in envs]
    for _ in range(repeat):
        for env, times in zip(envs, runs, strict=True):
            if callable(setup):
                setup()
            times.append(cpu_of(command, env, cwd))
    return [statistics.median(times) for times in runs]


FLOOR_GET = """
import sys, httpx
from httpx_retries import Retry, RetryTransport
with httpx.Client(transport=RetryTransport(retry=Retry(total=3))) as client:
    client.get(sys.argv[1], headers={"If-None-Match": '"v1"'})
"""
"""The floor of the 304 path: the two HTTP libraries the tool uses, one conditional GET."""
PLAIN = "/plain.json"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def run_command(catalog: Path | str) -> list[str]:
    """The action's job in commit mode on ``catalog`` (a file or a URL): the baseline run, then
    the timed one."""
    return [*CLI, "run", "--mode", "commit", "--source", str(catalog)]


def _repository(
    work: Path, catalogs: list[Path] | list[str], env: dict[str, str], name: str = "repo"
) -> Path:
    """A clone ``name`` with a local bare origin where ``run --mode commit`` of each of
    ``catalogs`` in turn committed and pushed its snapshot: the next run with the last catalog
    has nothing to do."""
    origin, repo = work / f"{name}-origin.git", work / name
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    clone = ["git", "clone", "--quiet", str(origin), str(repo)]
    subprocess.run(clone, check=True, env=env, stderr=subprocess.DEVNULL)  # "empty repository"
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-m", "start"], check=True, env=env)
    subprocess.run([*git, "push", "--quiet", "origin", "HEAD"], check=True, env=env)
    for catalog in catalogs:
        subprocess.run(
            run_command(catalog),
            cwd=repo,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return repo


OLDER = ("2025-09-15", "2026-01-05", "2026-03-10")
"""The catalogs a month's outbox is built from: the baseline and two large changes."""


STDLIB = Path(sysconfig.get_paths()["stdlib"])


def uncompiled(prefix: Path) -> None:
    """Delete from the bytecode tree ``prefix`` (a ``PYTHONPYCACHEPREFIX``) every file but the
    standard library's: what a fresh runner's environment has, whose interpreter comes compiled.
    (The prefix replaces every ``__pycache__``, the standard library's too, so emptying it
    would also charge the run for compiling the standard library.)"""
    keep = prefix / STDLIB.relative_to(STDLIB.anchor)
    for pyc in prefix.rglob("*.pyc"):
        if not pyc.is_relative_to(keep) or pyc.is_relative_to(keep / "site-packages"):
            pyc.unlink()


def _slack_repository(work: Path, data: Path, env: dict[str, str]) -> tuple[Path, Path, int]:
    """A clone whose outbox holds what 30 days can: the alerts of the baseline and of two large
    real changes, every one delivered to a loopback webhook. (repo, catalog, entries)."""
    catalogs = [data / f"{name}.json" for name in OLDER]
    repo = _repository(work, catalogs, env, "slack-repo")
    outbox = repo / "snapshots" / "models.dev" / "outbox.jsonl"
    return repo, catalogs[-1], len(outbox.read_text(encoding="utf-8").splitlines())


class _Webhook(http.server.BaseHTTPRequestHandler):
    """An incoming webhook that accepts every post, as Slack answers: 200, ``ok``."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class _Catalog(http.server.BaseHTTPRequestHandler):
    """The catalog with an ETag; a 304 to a request that sends it back. At :data:`PLAIN` the
    same body with no validators, as a server that sends none: every GET is a 200."""

    body = b""

    def do_GET(self) -> None:
        if self.path == PLAIN:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def encoder_ms(catalog: Path) -> tuple[float, float]:
    """(canonical_json, json.dumps) milliseconds for every provider file of ``catalog``."""
    sys.path.insert(0, str(REPO / "src"))
    from catalog_watch.sources.json_reader import read_upstream
    from catalog_watch.store.snapshot import canonical_json

    document = read_upstream(catalog.read_bytes())
    assert isinstance(document, dict)
    start = time.perf_counter()
    for provider in document.values():
        canonical_json(provider)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for provider in document.values():
        json.dumps(provider, sort_keys=True, indent=2, ensure_ascii=False)
    return ours * 1e3, (time.perf_counter() - start) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout's src, timed beside")
    args = parser.parse_args()
    catalog = args.data / f"{NEWEST}.json"
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    try:
        snapshot = work / "snap"
        base_env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        subprocess.run(
            [*CLI, "check", "--source", str(catalog), "--snapshots", str(snapshot), "--write"],
            env=base_env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        document = json.loads(catalog.read_text(encoding="utf-8"))
        provider = next(p for p in sorted(document) if document[p].get("models"))
        model = next(iter(document[provider]["models"].values()))
        model.setdefault("cost", {})["input"] = 123.456
        changed = work / "changed.json"
        changed.write_text(json.dumps(document), encoding="utf-8")
        respelled = work / "respelled.json"  # the same content in other bytes
        respelled.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        scratch = work / "scratch"
        _Catalog.body = catalog.read_bytes()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Catalog)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/api.json"
        remote = work / "remote"
        subprocess.run(
            [*CLI, "check", "--source", url, "--snapshots", str(remote), "--write"],
            env=base_env,
            stdout=subprocess.DEVNULL,
            check=True,
        )

        def fresh() -> None:
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(snapshot, scratch)

        same = [*CLI, "check", "--source", str(catalog), "--snapshots", str(snapshot)]
        hashed = [*CLI, "check", "--source", str(respelled), "--snapshots", str(snapshot)]
        not_modified = [*CLI, "check", "--source", url, "--snapshots", str(remote)]
        small = [*CLI, "check", "--source", str(changed), "--snapshots", str(scratch), "--write"]
        git_env = {**base_env, **GIT_ENV}
        repo = _repository(work, [catalog], git_env)
        run_same = run_command(catalog)
        # The hourly job as the action runs it: the catalog's URL, answered 304 to the ETag its
        # first run stored (what a server that sends validators answers most hours).
        http_repo = _repository(work, [url], git_env, "http-repo")
        run_304 = run_command(url)
        # The same against a server that sends no validators: the body again, every hour.
        plain_url = f"http://127.0.0.1:{server.server_address[1]}{PLAIN}"
        plain_repo = _repository(work, [plain_url], git_env, "plain-repo")
        run_plain = run_command(plain_url)
        hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        slack = {"SLACK_WEBHOOK_URL": f"http://127.0.0.1:{hook.server_address[1]}/services/T/B/X"}
        slack_repo, older, entries = _slack_repository(work, args.data, {**git_env, **slack})
        run_older = run_command(older)
        # A change run: one price edited, alerted to the webhook (the change, the claim and the
        # delivered mark: three commits and pushes), from the same saved state every time.
        change_repo = _repository(work, [catalog], {**git_env, **slack}, "change-repo")
        saved = work / "change-saved"
        for name in ("change-repo", "change-repo-origin.git"):
            shutil.copytree(work / name, saved / name, symlinks=True)

        def before_the_change() -> None:
            for name in ("change-repo", "change-repo-origin.git"):
                shutil.rmtree(work / name)
                shutil.copytree(saved / name, work / name, symlinks=True)

        run_changed = run_command(changed)
        # As an installed CLI runs: bytecode compiled once and cached (outside src/), not
        # recompiled by every process as PYTHONDONTWRITEBYTECODE would have it.
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        sides = {"this checkout": REPO / "src"}
        if args.baseline:
            sides["baseline"] = args.baseline
        print(f"{'case':<34}" + "".join(f"{side:>16}" for side in sides))
        env = {**cached, **GIT_ENV}
        # A fresh runner: the action's `uv sync` compiles no bytecode, so each hourly job's one
        # process compiles every module it imports from the environment (its own and the
        # libraries'); the interpreter's standard library comes compiled (setup-python's does).
        cold = {"PYTHONPYCACHEPREFIX": str(work / "cold-pycache")}
        prime = {**env, **cold, "PYTHONPATH": str(REPO / "src")}
        subprocess.run(run_same, cwd=repo, env=prime, check=True, capture_output=True)

        def no_bytecode() -> None:
            uncompiled(Path(cold["PYTHONPYCACHEPREFIX"]))

        for name, command, setup, cwd, extra in (
            ("no change, same body (CPU s)", same, None, None, {}),
            ("no change, other bytes (CPU s)", hashed, None, None, {}),
            ("HTTP 304 (CPU s)", not_modified, None, None, {}),
            ("small change --write (CPU s)", small, fresh, None, {}),
            ("run --mode commit, no change", run_same, None, repo, {}),
            ("  the same, no bytecode", run_same, no_bytecode, repo, cold),
            ("run --mode commit, HTTP 304", run_304, None, http_repo, {}),
            ("run --mode commit, 200, same body", run_plain, None, plain_repo, {}),
            (f"  Slack, {entries:,} in the outbox", run_older, None, slack_repo, slack),
            ("run, one price change, Slack", run_changed, before_the_change, change_repo, slack),
        ):
            envs = [{**env, **extra, "PYTHONPATH": str(src)} for src in sides.values()]
            row = median_cpu(command, envs, args.repeat, setup, cwd)
            print(f"{name:<34}" + "".join(f"{value:>16.3f}" for value in row))
        floors = (
            (
                "floor: import httpx, httpx_retries",
                [sys.executable, "-c", "import httpx, httpx_retries"],
            ),
            ("floor: one GET with them (304)", [sys.executable, "-c", FLOOR_GET, url]),
            ("floor: one GET with them (200)", [sys.executable, "-c", FLOOR_GET, plain_url]),
        )
        for name, command in floors:
            print(f"{name:<34}{median_cpu(command, [cached], args.repeat)[0]:>16.3f}")
        ours, stdlib = encoder_ms(catalog)
        print(
            f"encode 145 provider files: canonical_json {ours:.1f} ms, json.dumps {stdlib:.1f} ms"
        )
        server.shutdown()
        hook.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
