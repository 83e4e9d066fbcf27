"""``publish.git`` against real git: a bare ``origin``, our clone and another runner's clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_watch import __version__
from catalog_watch.errors import GitError, PushRejected
from catalog_watch.publish.git import (
    FALLBACK_EMAIL,
    FALLBACK_NAME,
    SUBJECT_LIMIT,
    TOOL_TRAILER,
    Git,
    PushResult,
    delete_remote_branch,
    push_force_with_lease,
    push_with_recovery,
    short_subject,
)
from tests.git_repos import (
    CHANGELOG,
    LEDGER,
    OWNED,
    SNAPSHOTS,
    Repos,
    git,
    isolate_git,
    make_repos,
    push_from_theirs,
    read,
    record_run,
    status,
    subjects,
    tip,
    write,
)

BRANCH = "catalog-watch/update"


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repos:
    isolate_git(monkeypatch, tmp_path / "home")
    return make_repos(tmp_path)


@pytest.fixture
def ours(repos: Repos) -> Git:
    return Git(repos.ours)


def our_run(ours: Git, run: str) -> str:
    record_run(ours.path, run)
    sha = ours.commit([SNAPSHOTS, CHANGELOG], run)
    assert sha is not None
    return sha


def never(git: Git) -> str | None:
    raise AssertionError("redo must not be called")


# -- commit ------------------------------------------------------------------------------------


def test_commit_contains_exactly_the_named_paths_including_deletions(ours: Git) -> None:
    write(ours.path, f"{SNAPSHOTS}/acme.json", '{"id": "acme", "new": true}\n')
    (ours.path / SNAPSHOTS / "beta.json").unlink()
    write(ours.path, f"{SNAPSHOTS}/gamma.json", '{"id": "gamma"}\n')
    write(ours.path, CHANGELOG, "# Changelog\n\n## run 1\n")
    write(ours.path, "README.md", "staged but not ours to commit\n")
    git(ours.path, "add", "README.md")
    write(ours.path, "notes.txt", "untracked, not named\n")
    before = ours.head()

    sha = ours.commit([SNAPSHOTS, CHANGELOG], "run 1\n\nbody")

    assert sha is not None and sha == ours.head() != before
    assert git(ours.path, "rev-parse", f"{sha}^") == before
    changed = git(ours.path, "show", "--name-status", "--format=", sha).splitlines()
    assert sorted(changed) == sorted(
        [
            f"M\t{CHANGELOG}",
            f"M\t{SNAPSHOTS}/acme.json",
            f"D\t{SNAPSHOTS}/beta.json",
            f"A\t{SNAPSHOTS}/gamma.json",
        ]
    )
    assert git(ours.path, "log", "-1", "--format=%B", sha) == (
        f"run 1\n\nbody\n\nCatalog-Watch-Commit: {__version__}"
    )
    assert status(ours.path).splitlines() == ["M  README.md", "?? notes.txt"]


# The headline of the real 2026-03-10 → 2026-06-28 models.dev run as issue 11 quotes it
# (tests/test_run_commit_mode.py makes today's from the real catalogs).
JUNE_HEADLINE = (
    "models.dev: 809 price changes, 407 limit changes, 1,859 capability changes, 123 modality "
    "changes, 68 status changes, 2,488 models added, 942 models removed, 44 providers added, "
    "1 provider removed, 18 provider fields changed, 103 cheapest channels changed, "
    "572 metadata changes, 64 deprecated"
)


def test_a_long_headline_becomes_a_short_subject_and_moves_whole_into_the_body(
    ours: Git,
) -> None:
    record_run(ours.path, "june")
    sha = ours.commit([SNAPSHOTS, CHANGELOG], JUNE_HEADLINE)
    assert sha is not None
    subject = git(ours.path, "log", "-1", "--format=%s", sha)
    assert subject == "models.dev: 809 price changes, 407 limit changes, …"
    assert len(subject) <= SUBJECT_LIMIT
    body = git(ours.path, "log", "-1", "--format=%b", sha)
    assert body == f"{JUNE_HEADLINE}\n\n{TOOL_TRAILER}: {__version__}"
    trailer = f"--format=%(trailers:key={TOOL_TRAILER},valueonly)"
    assert git(ours.path, "log", "-1", trailer, sha) == __version__


def test_a_long_subject_keeps_the_body_that_followed_it(ours: Git) -> None:
    record_run(ours.path, "failed")
    line = "catalog-watch: run failed: " + "refused " * 12
    sha = ours.commit([SNAPSHOTS, CHANGELOG], f"{line}\n\ndetails below")
    assert sha is not None
    subject, _, body = git(ours.path, "log", "-1", "--format=%B", sha).partition("\n\n")
    assert subject == "catalog-watch: run failed: refused refused refused refused refused…"
    assert len(subject) <= SUBJECT_LIMIT
    assert body.startswith(f"{line.rstrip()}\n\ndetails below\n\n{TOOL_TRAILER}:")


@pytest.mark.parametrize(
    ("first", "subject"),
    [
        ("x" * 72, "x" * 72),  # fits: unchanged
        ("x" * 100, "x" * 71 + "…"),  # one long word: cut mid-word
        ("word " * 20, "word " * 13 + "word…"),  # no clause: cut at a word
    ],
)
def test_short_subject_cuts_only_what_does_not_fit(first: str, subject: str) -> None:
    assert short_subject(first).partition("\n")[0] == subject


def test_commit_with_nothing_changed_returns_none_and_creates_no_commit(ours: Git) -> None:
    write(ours.path, "README.md", "changed, but not under the named paths\n")
    before = ours.head()

    assert ours.commit([SNAPSHOTS, CHANGELOG], "nothing") is None
    assert ours.head() == before
    assert status(ours.path) == "M README.md"


def test_commit_without_identity_uses_the_fallback_identity(ours: Git) -> None:
    assert ours.run("config", "--get-regexp", "^user\\.", check=False) == ""
    sha = our_run(ours, "1")
    who = git(ours.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha)
    fallback = f"{FALLBACK_NAME} <{FALLBACK_EMAIL}>"
    assert who == f"{fallback}|{fallback}"


@pytest.mark.parametrize("source", ["config", "environment"])
def test_commit_keeps_an_identity_that_is_set(
    ours: Git, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if source == "config":
        git(ours.path, "config", "user.name", "Jo Maintainer")
        git(ours.path, "config", "user.email", "jo@example.com")
    else:
        for role in ("AUTHOR", "COMMITTER"):
            monkeypatch.setenv(f"GIT_{role}_NAME", "Jo Maintainer")
            monkeypatch.setenv(f"GIT_{role}_EMAIL", "jo@example.com")
    sha = our_run(ours, "1")
    who = git(ours.path, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha)
    assert who == "Jo Maintainer <jo@example.com>|Jo Maintainer <jo@example.com>"


# -- push_with_recovery ------------------------------------------------------------------------


def test_push_succeeds_on_the_first_attempt_when_the_remote_did_not_move(
    repos: Repos, ours: Git
) -> None:
    sha = our_run(ours, "ours")

    result = push_with_recovery(ours, "main", never)

    assert result == PushResult(sha=sha, attempts=1, redone=0)
    assert tip(repos.origin) == sha
    assert ours.remote_sha("main") == sha


def test_push_race_with_an_unrelated_commit_is_recovered_by_rebase(repos: Repos, ours: Git) -> None:
    our_run(ours, "ours")
    theirs = push_from_theirs(repos, "their readme edit", edit="readme")

    result = push_with_recovery(ours, "main", never)

    assert result.attempts == 2 and result.redone == 0
    assert subjects(repos.origin) == ["ours", "their readme edit", "initial snapshot"]
    assert result.sha == tip(repos.origin) == ours.head()
    assert git(repos.origin, "rev-parse", "main^") == theirs
    assert status(ours.path) == ""


def test_push_race_with_a_conflicting_commit_redoes_the_run_on_the_new_tip(
    repos: Repos, ours: Git
) -> None:
    our_run(ours, "ours")
    theirs = push_from_theirs(repos, "theirs")
    seen: list[tuple[Path, str, str]] = []

    def redo(git_: Git) -> str | None:
        seen.append((git_.path, git_.head(), status(git_.path)))
        return our_run(git_, "ours again")

    result = push_with_recovery(ours, "main", redo, owned=OWNED)

    assert seen == [(ours.path, theirs, "")]  # called once, on origin's tip, with a clean tree
    assert result.attempts == 2 and result.redone == 1
    assert subjects(repos.origin) == ["ours again", "theirs", "initial snapshot"]
    assert result.sha == tip(repos.origin) == ours.head()
    assert status(ours.path) == ""
    assert not (ours.path / ".git" / "rebase-merge").exists()
    assert not (ours.path / ".git" / "rebase-apply").exists()
    ledger = git(repos.origin, "show", f"main:{LEDGER}").splitlines()
    assert ledger == ['{"run": 0}', '{"run": "theirs"}', '{"run": "ours again"}']
    changelog = git(repos.origin, "show", f"main:{CHANGELOG}")
    assert changelog.count("## run theirs") == 1 and changelog.count("## run ours again") == 1
    assert "## run ours\n" not in changelog


def test_push_race_where_the_redo_finds_nothing_to_commit_pushes_nothing(
    repos: Repos, ours: Git
) -> None:
    our_run(ours, "ours")
    theirs = push_from_theirs(repos, "theirs")
    calls: list[str] = []

    def redo(git_: Git) -> str | None:
        calls.append(git_.head())
        return git_.commit([SNAPSHOTS, CHANGELOG], "nothing new")

    result = push_with_recovery(ours, "main", redo, owned=OWNED)

    assert result == PushResult(sha=None, attempts=1, redone=1)
    assert calls == [theirs]
    assert tip(repos.origin) == theirs == ours.head()
    assert subjects(repos.origin) == ["theirs", "initial snapshot"]


def test_push_race_where_origin_already_has_the_same_change_pushes_nothing(
    repos: Repos, ours: Git
) -> None:
    our_run(ours, "same")
    theirs = push_from_theirs(repos, "same")  # byte for byte the change we committed

    result = push_with_recovery(ours, "main", never)

    assert result == PushResult(sha=None, attempts=1, redone=0)
    assert tip(repos.origin) == theirs == ours.head()


def test_push_gives_up_after_the_attempts_when_the_remote_keeps_moving(
    repos: Repos, ours: Git
) -> None:
    our_run(ours, "ours")
    push_from_theirs(repos, "theirs 0")
    redos: list[str] = []

    def redo_that_always_loses(git_: Git) -> str | None:
        redos.append(git_.head())
        push_from_theirs(repos, f"theirs {len(redos)}")  # moves again before we push
        return our_run(git_, f"ours {len(redos)}")

    with pytest.raises(GitError, match=r"after 3 attempts") as caught:
        push_with_recovery(ours, "main", redo_that_always_loses, owned=OWNED, attempts=3)

    assert not isinstance(caught.value, PushRejected)
    assert len(redos) == 2  # between the three pushes, none after the last
    assert subjects(repos.origin) == ["theirs 2", "theirs 1", "theirs 0", "initial snapshot"]


@pytest.mark.parametrize(
    "refusal",
    [
        "GH006: Protected branch update failed for refs/heads/main.",
        "GH013: Repository rule violations found for refs/heads/main.",
        "no pushes here",
        "GH006: Protected branch update failed: cannot lock ref refs/heads/main",
    ],
)
def test_protected_branch_raises_push_rejected_without_retry(
    repos: Repos, ours: Git, refusal: str
) -> None:
    calls = repos.origin.parent / "hook-calls"
    hook = repos.origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho called >> '{calls}'\necho 'error: {refusal}' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = tip(repos.origin)
    our_run(ours, "ours")

    with pytest.raises(PushRejected) as caught:
        push_with_recovery(ours, "main", never)

    message = str(caught.value)
    assert "protection" in message and "--mode pull-request" in message
    assert refusal in message  # git's stderr, with the remote's own words
    assert "git push origin HEAD:refs/heads/main" in message
    assert calls.read_text() == "called\n"
    assert tip(repos.origin) == before


def test_push_failure_that_is_not_a_rejection_is_a_git_error_and_not_retried(
    repos: Repos, ours: Git, tmp_path: Path
) -> None:
    git(ours.path, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    our_run(ours, "ours")

    with pytest.raises(GitError, match=r"git push origin HEAD:refs/heads/main") as caught:
        push_with_recovery(ours, "main", never)

    assert not isinstance(caught.value, PushRejected)
    assert "gone.git" in str(caught.value)


# -- force-with-lease and branches -------------------------------------------------------------


def test_force_with_lease_creates_the_branch_then_rewrites_it(repos: Repos, ours: Git) -> None:
    first = our_run(ours, "pr 1")
    assert ours.remote_sha(BRANCH) is None

    assert push_force_with_lease(ours, BRANCH, None) == first
    assert tip(repos.origin, BRANCH) == first

    git(ours.path, "reset", "--quiet", "--hard", "origin/main")
    second = our_run(ours, "pr 2")
    assert push_force_with_lease(ours, BRANCH, first) == second
    assert tip(repos.origin, BRANCH) == second
    assert subjects(repos.origin, BRANCH) == ["pr 2", "initial snapshot"]  # history rewritten
    assert tip(repos.origin) != second  # main untouched


@pytest.mark.parametrize("expected", ["stale sha", "absent"])
def test_force_with_lease_with_a_stale_expectation_fails_and_leaves_the_branch(
    repos: Repos, ours: Git, expected: str
) -> None:
    first = our_run(ours, "pr 1")
    push_force_with_lease(ours, BRANCH, None)
    git(repos.theirs, "fetch", "--quiet", "origin", BRANCH)
    git(repos.theirs, "commit", "--quiet", "--allow-empty", "-m", "someone else")
    git(repos.theirs, "push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{BRANCH}")
    moved = tip(repos.origin, BRANCH)
    assert moved != first
    our_run(ours, "pr 2")

    with pytest.raises(GitError, match=r"lease .* is stale") as caught:
        push_force_with_lease(ours, BRANCH, first if expected == "stale sha" else None)

    assert "stale info" in str(caught.value)  # git's own stderr
    assert tip(repos.origin, BRANCH) == moved


def test_delete_remote_branch_removes_it_and_is_fine_when_already_gone(
    repos: Repos, ours: Git
) -> None:
    our_run(ours, "pr 1")
    push_force_with_lease(ours, BRANCH, None)
    assert ours.remote_sha(BRANCH) is not None

    delete_remote_branch(ours, BRANCH)
    assert ours.remote_sha(BRANCH) is None
    assert BRANCH not in git(repos.origin, "branch", "--list")

    delete_remote_branch(ours, BRANCH)  # no error
    assert ours.remote_sha(BRANCH) is None


# -- worktree ----------------------------------------------------------------------------------


def test_worktree_changes_do_not_touch_the_main_checkout(repos: Repos, ours: Git) -> None:
    write(ours.path, CHANGELOG, "the user's uncommitted edit\n")
    head = ours.head()

    with ours.worktree("origin/main") as tree:
        assert tree.path != ours.path
        assert read(tree.path, CHANGELOG).startswith("# Changelog")
        sha = our_run(tree, "pr")
        push_force_with_lease(tree, BRANCH, None)
        folder = tree.path

    assert tip(repos.origin, BRANCH) == sha
    assert ours.head() == head
    assert read(ours.path, CHANGELOG) == "the user's uncommitted edit\n"
    assert status(ours.path) == f"M {CHANGELOG}"
    assert not folder.exists()
    assert len(git(ours.path, "worktree", "list").splitlines()) == 1


def test_worktree_is_removed_when_the_body_raises(ours: Git) -> None:
    folders: list[Path] = []

    with pytest.raises(RuntimeError, match="boom"), ours.worktree("HEAD") as tree:
        folders.append(tree.path)
        write(tree.path, CHANGELOG, "half-done\n")
        raise RuntimeError("boom")

    assert len(folders) == 1 and not folders[0].exists()
    assert len(git(ours.path, "worktree", "list").splitlines()) == 1
    assert status(ours.path) == ""


def test_worktree_of_an_unknown_ref_is_a_git_error_and_leaves_nothing(ours: Git) -> None:
    with pytest.raises(GitError, match="no-such-ref"), ours.worktree("no-such-ref"):
        raise AssertionError("the body must not run")
    assert len(git(ours.path, "worktree", "list").splitlines()) == 1


# -- reading state and errors ------------------------------------------------------------------


def test_current_branch_names_the_branch_and_refuses_a_detached_head(ours: Git) -> None:
    assert ours.current_branch() == "main"
    git(ours.path, "checkout", "--quiet", "--detach")
    with pytest.raises(GitError, match="detached"):
        ours.current_branch()


def test_remote_sha_and_fetch_see_origin_as_it_is_now(repos: Repos, ours: Git) -> None:
    theirs = push_from_theirs(repos, "theirs")
    assert ours.remote_sha("main") == theirs
    assert ours.remote_sha("no-such-branch") is None
    assert tip(ours.path, "origin/main") != theirs
    ours.fetch("main")
    assert tip(ours.path, "origin/main") == theirs


def test_git_error_names_the_command_and_gits_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "not-a-repo"
    folder.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(GitError) as caught:
        Git(folder).run("rev-parse", "--verify", "HEAD")
    message = str(caught.value)
    assert "`git rev-parse --verify HEAD` failed" in message
    assert "not a git repository" in message
    assert str(folder) in message


def test_run_without_check_returns_stdout_of_a_failing_command(ours: Git) -> None:
    assert ours.run("config", "--get", "no.such-key", check=False) == ""
    with pytest.raises(GitError, match=r"git config --get no\.such-key"):
        ours.run("config", "--get", "no.such-key")
