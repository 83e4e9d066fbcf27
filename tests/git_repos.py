"""Real git repositories for the publishing tests: a bare ``origin`` and two clones of it.

``ours`` is the checkout catalog-watch runs in, with no user identity configured (as on GitHub
Actions); ``theirs`` is another runner pushing in between, with its own identity on every
command. ``isolate_git`` keeps the machine's git configuration (identity, hooks path, default
branch, signing) out of the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHANGELOG = "CHANGELOG.md"
LEDGER = "snapshots/models.dev/changes.jsonl"
SNAPSHOTS = "snapshots/models.dev"
NOTES = "docs/notes.md"  # a user's file: catalog-watch never writes it
OWNED = (SNAPSHOTS, CHANGELOG)  # what the tests' runs write
OTHER_IDENTITY = ("-c", "user.name=Other Runner", "-c", "user.email=other@example.com")

INITIAL = {
    "README.md": "catalog-watch test repository\n",
    NOTES: "# Notes\n",
    CHANGELOG: "# Changelog\n\n## run 0\n\n- first snapshot\n",
    LEDGER: '{"run": 0}\n',
    f"{SNAPSHOTS}/acme.json": '{"id": "acme"}\n',
    f"{SNAPSHOTS}/beta.json": '{"id": "beta"}\n',
}

_ENVIRONMENT = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


@dataclass(frozen=True)
class Repos:
    origin: Path  # bare
    ours: Path
    theirs: Path


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """An empty machine: no global or system config beyond ``init.defaultBranch=main``."""
    home.mkdir()
    config = home / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    """A helper's git command (the other runner's identity); stdout, stripped."""
    done = subprocess.run(
        ["git", *OTHER_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}: {done.stderr}")
    return done.stdout.strip()


def make_repos(root: Path) -> Repos:
    """``origin.git`` with one commit on ``main``, and two fresh clones of it."""
    origin = root / "origin.git"
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    seed = root / "seed"
    git(root, "clone", "--quiet", str(origin), str(seed))
    for rel, text in INITIAL.items():
        write(seed, rel, text)
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "initial snapshot")
    git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main")
    for name in ("ours", "theirs"):
        git(root, "clone", "--quiet", str(origin), str(root / name))
    return Repos(origin=origin, ours=root / "ours", theirs=root / "theirs")


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def read(repo: Path, rel: str) -> str:
    return (repo / rel).read_text()


def record_run(repo: Path, run: str) -> None:
    """What a catalog-watch run writes: a ledger line at the end, a CHANGELOG section on top."""
    write(repo, LEDGER, read(repo, LEDGER) + f'{{"run": "{run}"}}\n')
    heading = "# Changelog\n\n"
    body = read(repo, CHANGELOG).removeprefix(heading)
    write(repo, CHANGELOG, f"{heading}## run {run}\n\n- changes seen by {run}\n\n{body}")


def push_from_theirs(repos: Repos, message: str, edit: str = "run") -> str:
    """The other runner catches up with origin, changes something, commits and pushes.

    ``edit="run"`` touches the same files as our runs (a conflict); ``"readme"`` does not.
    """
    theirs = repos.theirs
    git(theirs, "fetch", "--quiet", "origin", "+refs/heads/main:refs/remotes/origin/main")
    git(theirs, "reset", "--quiet", "--hard", "origin/main")
    if edit == "run":
        record_run(theirs, message)
    else:
        write(theirs, "README.md", read(theirs, "README.md") + f"{message}\n")
    git(theirs, "commit", "--quiet", "--all", "-m", message)
    git(theirs, "push", "--quiet", "origin", "HEAD:refs/heads/main")
    return git(theirs, "rev-parse", "HEAD")


def clone(origin: Path, name: str) -> Path:
    """A clone of ``origin`` beside it, named ``name``."""
    path = origin.parent / name
    git(origin.parent, "clone", "--quiet", str(origin), str(path))
    return path


def subjects(repo: Path, ref: str = "main") -> list[str]:
    """Commit subjects on ``ref``, newest first."""
    return git(repo, "log", "--format=%s", ref).splitlines()


def tip(repo: Path, ref: str = "main") -> str:
    return git(repo, "rev-parse", "--verify", ref)


def fresh_origin(root: Path) -> Path:
    """A bare ``origin.git`` whose ``main`` holds one commit (a README): a user's new repository."""
    bare = root / "origin.git"
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = root / "seed"
    git(root, "clone", "--quiet", str(bare), str(seed))
    write(seed, "README.md", "a team's repository\n")
    git(seed, "add", "README.md")
    git(seed, "commit", "--quiet", "-m", "initial")
    git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main")
    return bare


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def install_hook(origin: Path, name: str, body: str) -> None:
    hook = origin / "hooks" / name
    hook.write_text(f"#!/bin/sh\n{body}")
    hook.chmod(0o755)


def race_on_next_push(repos: Repos, message: str) -> str:
    """A real ref-lock race: the other runner's README commit reaches origin's ``main`` while
    origin is receiving our next push (its pre-receive hook moves ``main``, once), so origin
    answers ours ``cannot lock ref 'refs/heads/main': is at X but expected Y``."""
    theirs = repos.theirs
    git(theirs, "fetch", "--quiet", "origin", "+refs/heads/main:refs/remotes/origin/main")
    git(theirs, "reset", "--quiet", "--hard", "origin/main")
    write(theirs, "README.md", read(theirs, "README.md") + f"{message}\n")
    git(theirs, "commit", "--quiet", "--all", "-m", message)
    git(theirs, "push", "--quiet", "origin", "HEAD:refs/heads/racing")
    sha = git(theirs, "rev-parse", "HEAD")
    marker = repos.origin / "raced"
    install_hook(
        repos.origin,
        "pre-receive",
        f"if [ ! -e '{marker}' ]; then\n"
        f"  touch '{marker}'\n"
        "  (unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES;\n"
        f"   git update-ref refs/heads/main {sha})\n"
        "fi\n",
    )
    return sha


def lock_error_on_next_push(origin: Path, calls: Path) -> None:
    """Origin's hook declines the next push once with git's lock message (the branch does not
    move), then accepts; every call is counted in ``calls``."""
    install_hook(
        origin,
        "pre-receive",
        f"echo called >> '{calls}'\n"
        f"if [ \"$(wc -l < '{calls}')\" -eq 1 ]; then\n"
        "  echo \"error: cannot lock ref 'refs/heads/main': reference already locked\" >&2\n"
        "  exit 1\n"
        "fi\n",
    )


def log_git_calls(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """A ``git`` first on PATH that appends its arguments to the returned file, one call a
    line, then runs the real git: what a run asks of git, counted."""
    calls, shim = folder / "git-calls", folder / "bin" / "git"
    shim.parent.mkdir(parents=True)
    shim.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexec "{shutil.which("git")}" "$@"\n'
    )
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    calls.touch()
    return calls


def git_verb(call: str) -> str:
    """``commit`` of ``-c core.editor=true -c user.name=x --literal-pathspecs commit ...``."""
    words = iter(call.split())
    for word in words:
        if word == "-c":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""
