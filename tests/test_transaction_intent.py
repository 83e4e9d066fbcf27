"""A killed change's intent is replayed only as far as it stays inside the folder and cuts
nothing it did not write: a staging folder can also arrive by a commit or a hand edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_watch.errors import SnapshotError
from catalog_watch.store.transaction import (
    FILES_DIR,
    INTENT_FILE,
    STAGING_PREFIX,
    FolderChange,
    apply_change,
)
from tests.git_repos import clone, fresh_origin, git, isolate_git
from tests.runs import catalog, commit_run, repriced

FOLDER = "snapshots/models.dev"


def leave_intent(folder: Path, intent: dict[str, object], staged: dict[str, bytes]) -> Path:
    """A staging folder as a killed run leaves it: the staged bytes and the intent."""
    staging = folder / f"{STAGING_PREFIX}left"
    for name, data in staged.items():
        (staging / FILES_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / FILES_DIR / name).write_bytes(data)
    (staging / INTENT_FILE).write_text(json.dumps(intent), encoding="utf-8")
    return staging


def a_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / "snap"
    apply_change(FolderChange(folder, {"acme.json": b"old\n"}, appends={"changes.jsonl": b"1\n"}))
    return folder


@pytest.mark.parametrize(
    "name", ["../victim.txt", "a/../../victim.txt", "/tmp/victim.txt", "", "./acme.json", "a\\b"]
)
@pytest.mark.parametrize("part", ["remove", "replace", "appends"])
def test_an_intent_naming_a_path_outside_the_folder_is_refused_and_touches_nothing(
    tmp_path: Path, name: str, part: str
) -> None:
    folder = a_folder(tmp_path)
    victim = folder.parent / "victim.txt"
    victim.write_bytes(b"not the tool's\n")
    names: list[str] = [name]
    intent: dict[str, object] = {"appends": {}, "replace": [], "remove": []}
    intent[part] = {name: 0} if part == "appends" else names
    leave_intent(folder, intent, {"x": b"attack\n"})
    with pytest.raises(SnapshotError, match=r"intent.json: not an intent this tool writes: name"):
        apply_change(FolderChange(folder, {"acme.json": b"new\n"}))
    assert victim.read_bytes() == b"not the tool's\n"
    assert (folder / "acme.json").read_bytes() == b"old\n"


@pytest.mark.parametrize("length", [-2, True, "0", 1.5, None])
def test_an_intent_with_a_length_no_run_records_is_refused(tmp_path: Path, length: object) -> None:
    folder = a_folder(tmp_path)
    intent = {"appends": {"changes.jsonl": length}, "replace": [], "remove": []}
    leave_intent(folder, intent, {"changes.jsonl": b"2\n"})
    with pytest.raises(SnapshotError, match=r"not an intent this tool writes: length"):
        apply_change(FolderChange(folder, {"acme.json": b"new\n"}))
    assert (folder / "changes.jsonl").read_bytes() == b"1\n"


@pytest.mark.parametrize("length", [-1, 0, 1])
def test_an_append_never_cuts_bytes_the_interrupted_write_did_not_write(
    tmp_path: Path, length: int
) -> None:
    """A recorded length (or -1, "the file was new") that would cut the ledger back: it holds
    more than the interrupted write could have left, so another writer's lines are in it."""
    folder = a_folder(tmp_path)
    ledger = b"".join(b"line %d\n" % n for n in range(100))
    (folder / "changes.jsonl").write_bytes(ledger)
    intent = {"appends": {"changes.jsonl": length}, "replace": [], "remove": []}
    leave_intent(folder, intent, {"changes.jsonl": b"x\n"})
    with pytest.raises(SnapshotError, match=r"changes.jsonl: longer than the interrupted write"):
        apply_change(FolderChange(folder, {"acme.json": b"new\n"}))
    assert (folder / "changes.jsonl").read_bytes() == ledger


def test_a_committed_intent_reaching_outside_the_checkout_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe that found it: a committed staging folder whose intent removes a file beside
    the checkout; the next change run deleted it and exited 0."""
    isolate_git(monkeypatch, tmp_path / "home")
    repo = clone(fresh_origin(tmp_path), "ours")
    assert commit_run(repo, monkeypatch, capsys, catalog())[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"the runner's\n")
    intent = {"appends": {}, "replace": [], "remove": ["../../../victim.txt"]}
    leave_intent(repo / FOLDER, intent, {"x": b"x\n"})
    git(repo, "add", FOLDER)
    git(repo, "commit", "--quiet", "-m", "a staging folder committed by hand")
    git(repo, "push", "--quiet", "origin", "HEAD:main")
    code, _, err = commit_run(repo, monkeypatch, capsys, repriced())
    assert code == 6
    assert "intent.json: not an intent this tool writes: name '../../../victim.txt'" in err
    assert victim.read_bytes() == b"the runner's\n"
