"""Benchmark the hourly run's two cheap cases with whole processes (issue 14).

1. **No change**: ``catalog-watch check --source <real catalog> --snapshots <its snapshot>`` on
   the same body (decided from ``upstream_sha256`` without parsing), on the same content in other
   bytes (the content hash), and a loopback server's HTTP 304 (no body).
2. **A small change**: ``check --write`` of the newest real catalog with one price edited,
   against its snapshot (rebuilt before each run): the snapshot write encodes with orjson and
   rewrites one provider file and ``_meta.json``.

Each is timed as a whole process with ``/usr/bin/time``-style accounting (user + system CPU of
the child), ``--repeat`` times, median printed; ``--baseline SRC`` runs the same commands with
another checkout's ``src`` on ``PYTHONPATH`` beside it. In-process, it also times the snapshot
encoder (``canonical_json`` of every provider file) against ``json.dumps``.

Run: ``.venv/bin/python bench/bench_run.py [--repeat 5] [--baseline /path/to/old/src]``.

Figures (2026-12, this 2-core machine under load, medians of 5; baseline: 5699983, before
issue 14; ``git archive 5699983 src | tar -x -C /tmp/base``):

* 7679063, medians of 5 beside 8ed99f1's src (loaded): same body 0.575 s (8ed99f1 1.205), other
  bytes 0.813 (1.172), HTTP 304 0.505 (0.630); left: imports of cli/run_commands (~0.4 s:
  pydantic, settings, analysis; none deferred without function-level imports) and the JSON read
  of the body in sources/fetch.py (~0.08 s);
* no change at 8ed99f1: 0.81-0.88 s CPU, baseline 1.34-1.51 s (A/B 0.60, paired); the rest is
  imports,
  the validation walk of every record and the current inconsistencies the report counts;
* small change ``--write``: 1.24 s, baseline 1.45 s;
* encoding 145 provider files: canonical_json 33-58 ms, json.dumps 235-822 ms (load-dependent).
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
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "models-dev"
NEWEST = "2026-06-28"
CLI = [sys.executable, "-c", "from catalog_watch.cli.app import main; main()"]


def cpu_of(command: list[str], env: dict[str, str]) -> float:
    """User + system seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(command: list[str], env: dict[str, str], repeat: int, setup: object = None) -> float:
    runs = []
    for _ in range(repeat):
        if callable(setup):
            setup()
        runs.append(cpu_of(command, env))
    return statistics.median(runs)


class _Catalog(http.server.BaseHTTPRequestHandler):
    """The catalog with an ETag; a 304 to a request that sends it back."""

    body = b""

    def do_GET(self) -> None:
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
        # As an installed CLI runs: bytecode compiled once and cached (outside src/), not
        # recompiled by every process as PYTHONDONTWRITEBYTECODE would have it.
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        sides = {"this checkout": REPO / "src"}
        if args.baseline:
            sides["baseline"] = args.baseline
        print(f"{'case':<34}" + "".join(f"{side:>16}" for side in sides))
        for name, command, setup in (
            ("no change, same body (CPU s)", same, None),
            ("no change, other bytes (CPU s)", hashed, None),
            ("HTTP 304 (CPU s)", not_modified, None),
            ("small change --write (CPU s)", small, fresh),
        ):
            row = [
                median_cpu(command, {**cached, "PYTHONPATH": str(src)}, args.repeat, setup)
                for src in sides.values()
            ]
            print(f"{name:<34}" + "".join(f"{value:>16.3f}" for value in row))
        ours, stdlib = encoder_ms(catalog)
        print(
            f"encode 145 provider files: canonical_json {ours:.1f} ms, json.dumps {stdlib:.1f} ms"
        )
        server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
