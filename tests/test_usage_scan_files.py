"""The usage scan on hostile files: links out of the repository, named pipes, a YAML alias bomb,
Python too deep for the parser, a byte-order mark; ``usage`` on a PATH that is no folder; and the
bound on "did you mean" for many unknown ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog_watch.analysis.usage import MAX_SUGGESTED_IDS, resolve_uses
from catalog_watch.cli.app import main
from catalog_watch.model.usage import ScanResult, Use
from catalog_watch.scan import scan_repository, scan_source
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, model, provider, write_json
from tests.git_repos import git, isolate_git, write

LINK = "a symbolic link, not followed"
PIPE = "a named pipe, not a regular file"
CODE = 'import litellm\nlitellm.completion(model="openai/gpt-4o")\n'


@pytest.fixture(name="outside")
def fixture_outside(tmp_path: Path) -> Path:
    """Files beside the repository, each naming an id the scan must never report."""
    folder = tmp_path / "outside"
    write(folder, "secret.env", "OPENAI_MODEL=gpt-secret-1\n")
    write(folder, "conf.yaml", "model: gpt-secret-2\n")
    write(folder, "a.py", 'f(model="gpt-secret-3")\n')
    write(folder, "ignore", "*.py\n")
    return folder


@pytest.fixture(name="checkout")
def fixture_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    write(repo, "a.py", CODE)
    return repo


def texts(scan: ScanResult) -> set[str]:
    return {use.text for use in scan.uses}


def reasons(scan: ScanResult) -> dict[str, str]:
    return {skipped.path: skipped.reason for skipped in scan.skipped}


def test_tracked_links_are_skipped_and_never_read_through(checkout: Path, outside: Path) -> None:
    (checkout / "leak.env").symlink_to("../outside/secret.env")
    (checkout / "abs.yaml").symlink_to(outside / "conf.yaml")
    (checkout / "environ.env").symlink_to("/proc/self/environ")
    (checkout / "again.py").symlink_to("a.py")  # a.py is scanned at its own path
    git(checkout, "add", "--all")
    scan = scan_repository(checkout)
    assert scan.listing == "git"
    assert [(u.path, u.text) for u in scan.uses] == [("a.py", "openai/gpt-4o")]
    assert reasons(scan) == {p: LINK for p in ("abs.yaml", "again.py", "environ.env", "leak.env")}


def test_a_tracked_folder_swapped_for_a_link_is_not_followed(checkout: Path, outside: Path) -> None:
    write(checkout, "sub/a.py", CODE)
    git(checkout, "add", "--all")
    (checkout / "sub" / "a.py").unlink()
    (checkout / "sub").rmdir()
    (checkout / "sub").symlink_to(outside)
    scan = scan_repository(checkout)
    assert "gpt-secret-3" not in texts(scan)
    assert reasons(scan) == {"sub/a.py": f"under sub: {LINK}"}


def test_a_pipe_in_place_of_a_tracked_file_is_skipped_without_blocking(checkout: Path) -> None:
    write(checkout, "p.yaml", "model: gpt-4o\n")
    git(checkout, "add", "--all")
    (checkout / "p.yaml").unlink()
    os.mkfifo(checkout / "p.yaml")  # nobody writes: an open that blocks would never return
    scan = scan_repository(checkout)
    assert reasons(scan) == {"p.yaml": PIPE}
    assert scan.files_scanned == 1


def test_a_walk_skips_file_links_and_pipes_and_says_why(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "loose"
    write(folder, "ok.yaml", "model: gpt-4o\n")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "leak.env").symlink_to(outside / "secret.env")
    (folder / "out").symlink_to(outside, target_is_directory=True)
    scan = scan_repository(folder)
    assert scan.listing == "walk"
    assert texts(scan) == {"gpt-4o"}
    assert reasons(scan) == {"fifo.yaml": PIPE, "leak.env": LINK}


def test_a_linked_gitignore_is_not_applied_as_git_does_not_follow_one(
    tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "loose"
    write(folder, "a.py", CODE)
    (folder / ".gitignore").symlink_to(outside / "ignore")  # "*.py"
    assert texts(scan_repository(folder)) == {"openai/gpt-4o"}


BOMB = "\n".join(
    ["a0: &a0 {model: gpt-4o}"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 30)]
)


def test_a_yaml_alias_bomb_is_walked_once_with_its_id_at_the_anchor() -> None:
    """2 KB that names 10**29 mappings through aliases: each node is entered once."""
    uses, unparsed = scan_source({"bomb.yaml": BOMB})
    assert [(u.line, u.column, u.text, u.via) for u in uses] == [(1, 17, "gpt-4o", "a0.model")]
    assert unparsed == []


def test_python_too_deep_for_the_parser_is_skipped_as_not_parseable() -> None:
    deep = "x = " + "-" * 200_000 + "1\n"  # CPython's parser runs out of memory on it
    uses, unparsed = scan_source({"deep.py": deep, "ok.py": CODE})
    assert [(u.path, u.text) for u in uses] == [("ok.py", "openai/gpt-4o")]
    assert [(s.path, s.reason.split(":")[0]) for s in unparsed] == [
        ("deep.py", "not parseable as python")
    ]


BOM_FILES = {
    "bom.py": CODE,
    "bom.json": '{"model": "gpt-4o"}\n',
    "bom.toml": 'model = "gpt-4o"\n',
    ".env": "OPENAI_MODEL=gpt-4o\nANTHROPIC_MODEL=claude-sonnet-4-5\n",
    "bom.js": 'run({model: "gpt-4o"})\n',
    "bom.yaml": "model: gpt-4o\n",
}


@pytest.mark.parametrize("name", sorted(BOM_FILES))
def test_a_leading_bom_is_not_part_of_a_files_text(tmp_path: Path, name: str) -> None:
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    write(plain, name, BOM_FILES[name])
    marked.mkdir()
    (marked / name).write_bytes(b"\xef\xbb\xbf" + BOM_FILES[name].encode())
    scan = scan_repository(marked)
    assert scan.skipped == ()
    assert scan.uses == scan_repository(plain).uses  # same lines, same columns
    assert scan.uses


def test_usage_of_a_path_that_does_not_exist_is_a_usage_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_json(tmp_path / "c.json", document(provider("openai", model("gpt-4o"))))
    monkeypatch.chdir(tmp_path)
    assert main(["usage", "nope", "--catalog", str(catalog)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "catalog-watch: error: usage nope: no such folder\n")


def test_usage_of_a_file_is_a_usage_error_saying_path_is_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_json(tmp_path / "c.json", document(provider("openai", model("gpt-4o"))))
    write(tmp_path, "src/agent.py", CODE)
    monkeypatch.chdir(tmp_path)
    assert main(["usage", "src/agent.py", "--catalog", str(catalog)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("catalog-watch: error: usage src/agent.py: a file, not a folder")
    assert len(err.splitlines()) == 1


def test_only_the_first_distinct_unknown_ids_get_a_did_you_mean() -> None:
    """Each suggestion is a pass over the whole catalog: past ``MAX_SUGGESTED_IDS`` distinct
    unknown ids, none; an id seen before the bound keeps its suggestion at every use."""
    catalog = parse_catalog(document(provider("openai", model("gpt-4o-mini"))))
    ids = [f"gpt-4o-mini-x{i}" for i in range(MAX_SUGGESTED_IDS + 1)] + ["gpt-4o-mini-x0"]
    uses = [
        Use("a.py", line, 1, text, "python", "keyword", "model") for line, text in enumerate(ids, 1)
    ]
    resolved = resolve_uses(uses, catalog)
    assert [item.use for item in resolved] == uses
    suggested = [item.resolution.suggestions for item in resolved]
    assert suggested[:MAX_SUGGESTED_IDS] == [("gpt-4o-mini",)] * MAX_SUGGESTED_IDS
    assert suggested[MAX_SUGGESTED_IDS:] == [(), ("gpt-4o-mini",)]
    assert not any(item.resolution.resolved for item in resolved)
