"""Issue 9, the git side: ref-lock races retried, user commits and uncommitted changes kept,
unpushed tool commits pushed by the next run, commits of exact paths. Real git, local origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog_watch import __version__
from catalog_watch.errors import GitError, PushRejected
from catalog_watch.publish.git import (
    Commit,
    Git,
    PushResult,
    describe,
    is_tool_commit,
    push_force_with_lease,
    push_with_recovery,
    sync,
    sync_with_origin,
)
from tests.git_repos import (
    CHANGELOG,
    LEDGER,
    NOTES,
    OWNED,
    SNAPSHOTS,
    Repos,
    git,
    isolate_git,
    lock_error_on_next_push,
    make_repos,
    push_from_theirs,
    race_on_next_push,
    read,
    record_run,
    status,
    subjects,
    tip,
    write,
)

META = f"{SNAPSHOTS}/_meta.json"


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repos:
    isolate_git(monkeypatch, tmp_path / "home")
    return make_repos(tmp_path)


@pytest.fixture
def ours(repos: Repos) -> Git:
    return Git(repos.ours)


def our_run(ours: Git, run: str) -> str:
    record_run(ours.path, run)
    sha = ours.commit(list(OWNED), run)
    assert sha is not None
    return sha


def user_commit(repo: Path, rel: str, text: str, subject: str) -> str:
    """The user's own commit in our checkout (their identity, their words)."""
    write(repo, rel, text)
    git(repo, "add", "--", rel)
    git(repo, "commit", "--quiet", "-m", subject, "--", rel)
    return tip(repo, "HEAD")


def never(git_: Git) -> str | None:
    raise AssertionError("redo must not be called")


def in_progress(repo: Path) -> list[str]:
    names = ("rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD", "MERGE_HEAD", "sequencer")
    return [name for name in names if (repo / ".git" / name).exists()]


def worktrees(repo: Path) -> int:
    return len(git(repo, "worktree", "list").splitlines())


def dirty(repo: Path) -> dict[str, bytes]:
    """Uncommitted changes outside the owned paths: unstaged, partly staged, staged, untracked."""
    write(repo, NOTES, "# Notes\n\nstaged line\n")
    git(repo, "add", NOTES)
    write(repo, NOTES, "# Notes\n\nstaged line\nunstaged line\n")
    write(repo, "docs/draft.md", "a staged new file\n")
    git(repo, "add", "docs/draft.md")
    write(repo, "scratch.txt", "untracked\r\nno newline at the end")
    return {rel: (repo / rel).read_bytes() for rel in (NOTES, "docs/draft.md", "scratch.txt")}


def staged_notes(repo: Path) -> str:
    return git(repo, "show", f":{NOTES}")


# -- 1. a simultaneous push is a race, not a refusal --------------------------------------------


def test_a_real_ref_lock_race_is_retried_like_a_moved_branch(repos: Repos, ours: Git) -> None:
    sha = our_run(ours, "ours")
    theirs = race_on_next_push(repos, "their readme edit")

    result = push_with_recovery(ours, "main", never, owned=OWNED)

    assert result.attempts == 2 and result.redone == 0
    assert subjects(repos.origin) == ["ours", "their readme edit", "initial snapshot"]
    assert git(repos.origin, "rev-parse", "main^") == theirs
    assert result.sha == tip(repos.origin) == ours.head() != sha
    assert status(ours.path) == ""


def test_a_lock_message_from_a_hook_is_retried_without_rewriting(
    repos: Repos, ours: Git, tmp_path: Path
) -> None:
    calls = tmp_path / "hook-calls"
    lock_error_on_next_push(repos.origin, calls)
    sha = our_run(ours, "ours")

    result = push_with_recovery(ours, "main", never, owned=OWNED)

    assert result == PushResult(sha=sha, attempts=2, redone=0)  # the branch had not moved
    assert tip(repos.origin) == sha
    assert calls.read_text() == "called\ncalled\n"


def test_a_lock_race_on_a_lease_push_is_a_stale_lease_not_a_refusal(
    repos: Repos, ours: Git, tmp_path: Path
) -> None:
    lock_error_on_next_push(repos.origin, tmp_path / "hook-calls")
    our_run(ours, "pr 1")

    with pytest.raises(GitError, match=r"lease .* is stale") as caught:
        push_force_with_lease(ours, "catalog-watch/update", None)

    assert not isinstance(caught.value, PushRejected)
    assert "cannot lock ref" in str(caught.value)


# -- 2. the user's own commits are never reset away ---------------------------------------------


def test_is_tool_commit_reads_the_subject() -> None:
    assert is_tool_commit("catalog-watch: health")
    assert is_tool_commit("catalog-watch: 3 alerts delivered to Slack")
    assert is_tool_commit("catalog-watch")
    assert not is_tool_commit("catalog-watcher: mine")
    assert not is_tool_commit("models.dev: 3 price changes")
    assert not is_tool_commit('Revert "catalog-watch: health"')
    assert not is_tool_commit("docs: mention catalog-watch")


def test_owned_conflict_replays_the_users_commits_drops_the_tools_and_redoes_the_run(
    repos: Repos, ours: Git
) -> None:
    user_commit(ours.path, NOTES, "# Notes\n\nmine\n", "docs: my note")
    write(ours.path, META, '{"health": "stale"}\n')
    stale = ours.commit([SNAPSHOTS], "catalog-watch: health")  # a killed run's, never pushed
    config = "catalog-watch.toml"
    user_commit(ours.path, config, "[alerts]\n", "catalog-watch: my own config")  # not owned
    our_run(ours, "ours")
    theirs = push_from_theirs(repos, "theirs")
    seen: list[tuple[list[str], str]] = []

    def redo(git_: Git) -> str | None:
        seen.append((subjects(git_.path, "HEAD")[:4], git_.run("rev-parse", "HEAD~2")))
        return our_run(git_, "ours again")

    result = push_with_recovery(ours, "main", redo, owned=OWNED)

    assert seen == [
        (["catalog-watch: my own config", "docs: my note", "theirs", "initial snapshot"], theirs)
    ]
    assert result.attempts == 2 and result.redone == 1
    assert subjects(repos.origin) == [
        "ours again",
        "catalog-watch: my own config",
        "docs: my note",
        "theirs",
        "initial snapshot",
    ]
    assert result.sha == tip(repos.origin) == ours.head()
    assert git(repos.origin, "show", f"main:{NOTES}") == "# Notes\n\nmine"
    assert git(repos.origin, "show", f"main:{config}") == "[alerts]"
    assert stale is not None
    assert "catalog-watch: health" not in subjects(repos.origin)  # the stale tool commit: dropped
    ledger = git(repos.origin, "show", f"main:{LEDGER}").splitlines()
    assert ledger == ['{"run": 0}', '{"run": "theirs"}', '{"run": "ours again"}']
    assert status(ours.path) == "" and in_progress(ours.path) == [] and worktrees(ours.path) == 1


def test_a_conflict_outside_the_owned_paths_stops_and_keeps_every_commit(
    repos: Repos, ours: Git
) -> None:
    user_commit(ours.path, "README.md", "my readme\n", "docs: my readme")
    run = our_run(ours, "ours")
    theirs = push_from_theirs(repos, "their readme", edit="readme")

    with pytest.raises(GitError) as caught:
        push_with_recovery(ours, "main", never, owned=OWNED)

    message = str(caught.value)
    assert "\n" not in message
    assert "README.md" in message and "docs: my readme" in message
    assert "git pull --rebase origin main" in message
    assert CHANGELOG not in message and SNAPSHOTS not in message
    assert ours.head() == run
    assert subjects(ours.path)[:3] == ["ours", "docs: my readme", "initial snapshot"]
    assert tip(repos.origin) == theirs
    assert status(ours.path) == "" and in_progress(ours.path) == [] and worktrees(ours.path) == 1


def test_a_users_commit_to_owned_files_that_conflicts_is_never_dropped(
    repos: Repos, ours: Git
) -> None:
    body = read(ours.path, CHANGELOG).removeprefix("# Changelog\n\n")
    user_commit(ours.path, CHANGELOG, f"# Changelog\n\nmy hand-written note\n\n{body}", "my note")
    run = our_run(ours, "ours")
    theirs = push_from_theirs(repos, "theirs")

    with pytest.raises(GitError, match=r"your commit [0-9a-f]{12} \('my note'\)") as caught:
        push_with_recovery(ours, "main", never, owned=OWNED)

    assert CHANGELOG in str(caught.value) and "\n" not in str(caught.value)
    assert ours.head() == run  # HEAD where it was
    assert subjects(ours.path)[:2] == ["ours", "my note"]
    assert tip(repos.origin) == theirs
    assert status(ours.path) == "" and in_progress(ours.path) == [] and worktrees(ours.path) == 1


@pytest.mark.parametrize("form", ["absolute", "dot-slash", "trailing-slash"])
def test_owned_paths_may_be_spelled_absolute_or_relative(
    repos: Repos, ours: Git, form: str
) -> None:
    spelled = {
        "absolute": [str(ours.path / rel) for rel in OWNED],
        "dot-slash": [f"./{rel}" for rel in OWNED],
        "trailing-slash": [f"{SNAPSHOTS}/", CHANGELOG],
    }[form]
    our_run(ours, "ours")
    push_from_theirs(repos, "theirs")

    result = push_with_recovery(ours, "main", lambda g: our_run(g, "again"), owned=spelled)

    assert result.redone == 1
    assert subjects(repos.origin) == ["again", "theirs", "initial snapshot"]


# -- 3. uncommitted changes elsewhere do not stop the push --------------------------------------


@pytest.mark.parametrize("edit", ["readme", "run"])
def test_a_race_on_a_dirty_checkout_pushes_and_keeps_the_changes_byte_for_byte(
    repos: Repos, ours: Git, edit: str
) -> None:
    our_run(ours, "ours")
    before = dirty(ours.path)
    state = status(ours.path)
    push_from_theirs(repos, "theirs", edit=edit)

    def redo(git_: Git) -> str | None:
        assert status(git_.path) == state
        return our_run(git_, "ours again")

    result = push_with_recovery(ours, "main", redo, owned=OWNED)

    assert result.redone == (1 if edit == "run" else 0)
    expected = "ours again" if edit == "run" else "ours"
    assert subjects(repos.origin) == [expected, "theirs", "initial snapshot"]
    assert result.sha == tip(repos.origin) == ours.head()
    assert {rel: (ours.path / rel).read_bytes() for rel in before} == before
    assert status(ours.path) == state  # staged stays staged, untracked untracked
    assert staged_notes(ours.path) == "# Notes\n\nstaged line"
    assert in_progress(ours.path) == [] and worktrees(ours.path) == 1


def test_an_uncommitted_change_to_a_file_origin_changed_stops_with_nothing_lost(
    repos: Repos, ours: Git
) -> None:
    run = our_run(ours, "ours")
    write(ours.path, "README.md", "my uncommitted readme\n")
    theirs = push_from_theirs(repos, "their readme", edit="readme")

    with pytest.raises(GitError) as caught:
        push_with_recovery(ours, "main", never, owned=OWNED)

    message = str(caught.value)
    assert "README.md" in message and "commit or stash" in message and "\n" not in message
    assert read(ours.path, "README.md") == "my uncommitted readme\n"
    assert ours.head() == run and status(ours.path) == "M README.md"
    assert tip(repos.origin) == theirs


# -- 4. tool commits left unpushed are pushed by the next run -----------------------------------


def test_sync_pushes_a_tool_commit_a_killed_run_left_unpushed(repos: Repos, ours: Git) -> None:
    left = our_run(ours, "catalog-watch: run 1")
    assert ours.unpushed("main") == (Commit(left, "catalog-watch: run 1", __version__),)

    result = sync_with_origin(ours, "main", owned=OWNED)

    assert result.outcome == "pushed" and result.sha == left == tip(repos.origin)
    assert result.unpushed == (Commit(left, "catalog-watch: run 1", __version__),)
    assert ours.unpushed("main") == ()
    notice = result.notice()
    assert notice is not None and left[:12] in notice and "catalog-watch: run 1" in notice
    assert sync_with_origin(ours, "main", owned=OWNED).outcome == "up-to-date"
    assert sync(ours, "main", owned=OWNED) is None


def test_sync_replays_a_stale_tool_commit_onto_an_unrelated_change_and_pushes_it(
    repos: Repos, ours: Git
) -> None:
    write(ours.path, META, '{"health": "ok"}\n')
    assert ours.commit([SNAPSHOTS], "catalog-watch: health") is not None
    theirs = push_from_theirs(repos, "their readme", edit="readme")

    result = sync_with_origin(ours, "main", owned=OWNED)

    assert result.outcome == "pushed"
    assert subjects(repos.origin) == ["catalog-watch: health", "their readme", "initial snapshot"]
    assert git(repos.origin, "rev-parse", "main^") == theirs
    assert result.sha == tip(repos.origin) == ours.head()


def test_sync_drops_a_stale_tool_commit_that_conflicts_in_owned_files_and_keeps_the_users(
    repos: Repos, ours: Git
) -> None:
    user = user_commit(ours.path, NOTES, "# Notes\n\nmine\n", "docs: my note")
    our_run(ours, "catalog-watch: run 1")
    theirs = push_from_theirs(repos, "theirs")

    result = sync_with_origin(ours, "main", owned=OWNED)

    assert result.outcome == "dropped" and result.sha is None
    assert [c.subject for c in result.unpushed] == ["docs: my note", "catalog-watch: run 1"]
    assert tip(repos.origin) == theirs  # nothing pushed
    assert subjects(ours.path) == ["docs: my note", "theirs", "initial snapshot"]
    assert git(ours.path, "rev-parse", "HEAD^") == theirs
    assert read(ours.path, NOTES) == "# Notes\n\nmine\n"
    assert git(ours.path, "log", "-1", "--format=%an %s", "HEAD") == "Other Runner docs: my note"
    assert ours.head() != user  # replayed onto origin's tip, not reset away
    notice = sync(ours, "main", owned=OWNED)
    assert notice is not None and "docs: my note" in notice and "not pushed" in notice
    assert status(ours.path) == "" and in_progress(ours.path) == [] and worktrees(ours.path) == 1


def test_sync_leaves_the_users_own_unpushed_commits_alone(repos: Repos, ours: Git) -> None:
    user = user_commit(ours.path, NOTES, "# Notes\n\nmine\n", "docs: my note")
    # a subject like ours but touching a file the tool does not own: the user's, kept
    write(ours.path, "catalog-watch.toml", "[alerts]\n")
    git(ours.path, "add", "catalog-watch.toml")
    git(ours.path, "commit", "--quiet", "-m", "catalog-watch: my config")
    head = ours.head()
    push_from_theirs(repos, "theirs")
    before = tip(repos.origin)

    result = sync_with_origin(ours, "main", owned=OWNED)

    assert result.outcome == "kept"
    assert [c.subject for c in result.unpushed] == ["docs: my note", "catalog-watch: my config"]
    assert result.unpushed[0].sha == user
    assert ours.head() == head and tip(repos.origin) == before


def test_sync_fast_forwards_a_checkout_that_is_behind_keeping_its_changes(
    repos: Repos, ours: Git
) -> None:
    before = dirty(ours.path)
    state = status(ours.path)
    theirs = push_from_theirs(repos, "theirs")
    rewritten = ours.path / f"{LEDGER}.new"  # the same bytes in a new file: stale stat info only
    rewritten.write_bytes((ours.path / LEDGER).read_bytes())
    rewritten.replace(ours.path / LEDGER)

    result = sync_with_origin(ours, "main", owned=OWNED)

    assert result.outcome == "fast-forwarded" and result.sha == theirs == ours.head()
    assert result.notice() is None
    assert git(ours.path, "rev-parse", "main") == theirs  # the branch moved, not just HEAD
    assert {rel: (ours.path / rel).read_bytes() for rel in before} == before
    assert status(ours.path) == state
    assert read(ours.path, LEDGER).endswith('{"run": "theirs"}\n')


def test_describe_lists_commits_for_a_log_line() -> None:
    commits = (Commit("a" * 40, "catalog-watch: health"), Commit("b" * 40, "docs: note"))
    assert describe(commits) == "aaaaaaaaaaaa catalog-watch: health; bbbbbbbbbbbb docs: note"


# -- 5. commits of exact paths ------------------------------------------------------------------


def test_commit_of_exact_file_paths_commits_those_files_only(ours: Git) -> None:
    folder = ours.path / SNAPSHOTS
    write(ours.path, f"{SNAPSHOTS}/acme.json", '{"id": "acme", "v": 2}\n')  # listed
    (folder / "beta.json").unlink()  # listed: a deletion
    write(ours.path, f"{SNAPSHOTS}/[ab].json", '{"id": "odd name"}\n')  # listed, literal
    write(ours.path, f"{SNAPSHOTS}/a.json", "not listed, same folder\n")
    write(ours.path, LEDGER, '{"run": 0}\n{"run": "not listed"}\n')
    listed = [
        f"{SNAPSHOTS}/acme.json",
        f"{SNAPSHOTS}/beta.json",
        f"{SNAPSHOTS}/[ab].json",
        f"{SNAPSHOTS}/gone.json",  # neither on disk nor tracked: skipped
    ]

    sha = ours.commit(listed, "catalog-watch: exact")

    assert sha is not None
    changed = git(ours.path, "show", "--name-status", "--format=", sha).splitlines()
    assert sorted(changed) == sorted(
        [f"M\t{SNAPSHOTS}/acme.json", f"D\t{SNAPSHOTS}/beta.json", f"A\t{SNAPSHOTS}/[ab].json"]
    )
    assert git(ours.path, "diff", "--cached", "--name-only") == ""  # nothing left staged
    assert git(ours.path, "diff", "--name-only") == LEDGER
    assert git(ours.path, "ls-files", "--others") == f"{SNAPSHOTS}/a.json"
    assert ours.commit(listed, "catalog-watch: again") is None


def test_sync_pushes_a_run_commit_whatever_its_subject(repos: Repos, ours: Git) -> None:
    """The run's own commit is titled "models.dev: 3 price changes": the trailer marks it."""
    left = our_run(ours, "models.dev: 3 price changes")
    assert [c.tool for c in ours.unpushed("main")] == [True]
    sync_with_origin(ours, "main", owned=OWNED)
    assert tip(repos.origin) == left
