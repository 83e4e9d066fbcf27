"""The action's install step, timed: a fresh virtual environment from a warm cache, uv against
pip, with and without the ``site`` extra, and the size of the environment it leaves.

    python bench/install.py                    # every variant: warm-up, then --runs timed runs
    python bench/install.py once uv [--site]   # one install: the unit a whole-process timer runs
    python bench/install.py once pip [--site]
    python bench/install.py clean              # remove the environments ``once`` left

``uv`` runs the install step of ``action.yml`` as it is (bash, ``uv sync --locked`` from
``uv.lock``, the environment under ``$RUNNER_TEMP``); ``pip`` runs the step the action had before
(``python -m venv`` and ``pip install`` of the project), held to the same versions by a
constraints file exported from ``uv.lock``, so both install the same packages. Each variant has
its own cache under ``--work``, filled by the first (untimed) run: the warm cache a runner
restores. The machine's pip configuration (extra indexes, find-links) is left out so that pip
resolves against the package index alone, as on a runner; its TLS settings are kept.

A timed run is a whole process (``once`` in a fresh Python, interpreter start included), runs
are interleaved variant by variant so that all see the same machine load, and the medians are
reported. The size is the sum of the regular files' sizes in the environment (MB = 10^6
bytes), the interpreter it links to not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = Path(tempfile.gettempdir()) / "catalog-watch-bench-install"
VARIANTS = (("uv", False), ("pip", False), ("uv", True), ("pip", True))
TARGET_SECONDS = 5.0  # warm install without the site extra
TARGET_MB = 60.0  # installed environment without the site extra
KEPT_ENV: tuple[str, ...] = (
    "PATH",
    "HOME",
    "LANG",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PIP_CERT",
    "HTTPS_PROXY",
)
KEPT_ENV += ("https_proxy", "NO_PROXY", "no_proxy")
# What a runner downloads for `uses: <owner>/catalog-watch@v1` that the install step reads.
ACTION_FILES = ("action.yml", "pyproject.toml", "uv.lock", "README.md", "src")


def base_python() -> str:
    """The interpreter under the current one (a venv's base): what setup-python hands over."""
    return str(getattr(sys, "_base_executable", sys.executable))


def uv_program() -> Path:
    beside = Path(sys.executable).parent / "uv"
    found = shutil.which("uv") or (str(beside) if beside.exists() else None)
    if found is None:
        raise SystemExit("bench/install.py: uv is not installed (it is in the test extra)")
    return Path(found)


def clean_env(work: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_CACHE_DIR=str(work / "pip-cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_CACHE_DIR=str(work / "uv-cache"),
    )
    return env


def install_step() -> str:
    """The ``run:`` script of action.yml's install step."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    script = step["run"]
    assert isinstance(script, str)
    return script


def constraints(work: Path, site: bool) -> Path:
    """uv.lock's versions for this install, as a pip constraints file (made once)."""
    path = work / f"constraints-{'site' if site else 'base'}.txt"
    if not path.exists():
        command = [str(uv_program()), "export", "--project", str(ROOT), "--frozen", "--no-dev"]
        command += ["--no-emit-project", "--no-hashes", "--no-header", "--no-config"]
        command += ["--extra", "site"] if site else []
        command += ["--output-file", str(path), "--quiet"]
        subprocess.run(command, env=clean_env(work), check=True)
    return path


def action_copy(folder: Path) -> Path:
    """The action's files in a new folder, as each job downloads them anew: the project is
    built again (a runner's restored cache holds the packages, not a build of a new folder)."""
    copy = folder / "action"
    for name in ACTION_FILES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench/install.py: {command[0]} failed ({done.returncode})")


def once(installer: str, site: bool, work: Path, python: str) -> Path:
    """One install into a new folder under ``work/runs``; returns the environment's path."""
    runs = work / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{installer}-{'site' if site else 'base'}-", dir=runs))
    env = clean_env(work)
    project = action_copy(folder)
    if installer == "uv":
        venv = folder / "catalog-watch" / "venv"
        env.update(
            PATH=f"{uv_program().parent}{os.pathsep}{env.get('PATH', '')}",
            RUNNER_TEMP=str(folder),
            GITHUB_ACTION_PATH=str(project),
            GITHUB_PATH=str(folder / "github_path"),
            PYTHON=python,
            INPUT_SITE_DIR="_site" if site else "",
        )
        script = folder / "install.sh"
        script.write_text(install_step(), encoding="utf-8")
        run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env)
    else:
        venv = folder / "venv"
        run([python, "-m", "venv", "--clear", str(venv)], env)
        target = f"{project}[site]" if site else str(project)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        run([*pip, "-c", str(constraints(work, site)), target], env)
    return venv


@dataclass(frozen=True)
class Size:
    megabytes: float
    files: int
    distributions: int


def size(venv: Path) -> Size:
    total = files = 0
    for folder, _dirs, names in os.walk(venv):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                total += path.stat().st_size
                files += 1
    distributions = len(list(venv.glob("lib/python*/site-packages/*.dist-info")))
    return Size(round(total / 1e6, 1), files, distributions)


@dataclass(frozen=True)
class Figure:
    installer: str
    site: bool
    median_s: float
    min_s: float
    max_s: float
    runs: int
    size: Size


def timed_once(installer: str, site: bool, work: Path, python: str) -> float:
    command = [sys.executable, __file__, "once", installer, "--work", str(work)]
    command += ["--python", python] + (["--site"] if site else [])
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def report(work: Path, python: str, runs: int, json_path: Path | None) -> int:
    work.mkdir(parents=True, exist_ok=True)
    times: dict[tuple[str, bool], list[float]] = {v: [] for v in VARIANTS}
    sizes: dict[tuple[str, bool], Size] = {}
    for installer, site in VARIANTS:  # warm-up: fills each cache, measures the environment
        sizes[installer, site] = size(once(installer, site, work, python))
    for _ in range(runs):
        for installer, site in VARIANTS:
            times[installer, site].append(timed_once(installer, site, work, python))
        clean(work)
    figures = [
        Figure(i, s, statistics.median(t), min(t), max(t), len(t), sizes[i, s])
        for (i, s), t in times.items()
    ]
    print(f"python {python}; {runs} timed runs per variant, interleaved; warm caches in {work}")
    print(f"{'install':<22} {'median':>8} {'min-max':>14} {'size':>9} {'files':>6} {'dists':>6}")
    for f in figures:
        name = f"{f.installer}{' + site extra' if f.site else ''}"
        spread = f"{f.min_s:.2f}-{f.max_s:.2f} s"
        print(
            f"{name:<22} {f.median_s:>6.2f} s {spread:>14} {f.size.megabytes:>6.1f} MB"
            f" {f.size.files:>6} {f.size.distributions:>6}"
        )
    base = next(f for f in figures if f.installer == "uv" and not f.site)
    met_time = base.median_s <= TARGET_SECONDS
    met_size = base.size.megabytes <= TARGET_MB
    print(f"target: uv without the site extra <= {TARGET_SECONDS:.0f} s warm: ", end="")
    print(f"{'met' if met_time else 'NOT met'} ({base.median_s:.2f} s)")
    print(f"target: uv without the site extra <= {TARGET_MB:.0f} MB: ", end="")
    print(f"{'met' if met_size else 'NOT met'} ({base.size.megabytes:.1f} MB)")
    if json_path is not None:
        json_path.write_text(json.dumps([asdict(f) for f in figures], indent=2), "utf-8")
    return 0 if met_time and met_size else 1


def clean(work: Path) -> None:
    shutil.rmtree(work / "runs", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="caches and environments")
    parser.add_argument("--python", default=base_python(), help="interpreter of the environments")
    commands = parser.add_subparsers(dest="command")
    one = commands.add_parser("once", help="one fresh-environment install")
    one.add_argument("installer", choices=("uv", "pip"))
    one.add_argument("--site", action="store_true", help="with the site extra")
    one.add_argument("--work", type=Path, default=argparse.SUPPRESS)
    one.add_argument("--python", default=argparse.SUPPRESS)
    commands.add_parser("clean", help="remove the environments left by once")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (report)")
    parser.add_argument("--json", type=Path, help="write the figures to this file (report)")
    args = parser.parse_args(argv)
    if args.command == "once":
        once(args.installer, args.site, args.work, args.python)
        return 0
    if args.command == "clean":
        clean(args.work)
        return 0
    return report(args.work, args.python, args.runs, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
