"""Each source type has its own snapshot folder (issue 11, item 1): without ``--source-type`` the
default folder follows the type of ``--source``, and a folder refuses a catalog of another type
(nothing written), ``--allow-shrink`` or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.catalog_server import CatalogServer, Reply
from tests.factories import document, model, provider, tree_bytes, write_json


def litellm_entry(provider_id: str, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "litellm_provider": provider_id,
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 8192,
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
    }
    entry.update(fields)
    return entry


def litellm_document() -> dict[str, Any]:
    return {"gpt-4o": litellm_entry("openai"), "claude-x": litellm_entry("anthropic")}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A folder that watches models.dev: snapshots/models.dev holds a baseline of 12 offerings."""
    monkeypatch.chdir(tmp_path)
    api = write_json(
        tmp_path / "api.json",
        document(provider("acme", *(model(f"m{i}") for i in range(12)))),
    )
    assert cli(capsys, "check", "--source", str(api), "--write")[0] == 0
    return tmp_path


def test_a_litellm_file_without_source_type_goes_to_the_litellm_folder(
    watched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_bytes(watched / "snapshots" / "models.dev")
    lite = write_json(watched / "lite.json", litellm_document())
    code, out, err = cli(capsys, "check", "--source", str(lite), "--write")
    assert code == 0, err
    assert "baseline recorded: 2 providers, 2 offerings" in out
    assert "under snapshots/litellm" in err
    meta = json.loads((watched / "snapshots" / "litellm" / "_meta.json").read_text())
    assert meta["source"] == "litellm"
    assert tree_bytes(watched / "snapshots" / "models.dev") == before


@pytest.mark.parametrize("extra", [(), ("--allow-shrink",), ("--source-type", "litellm")])
def test_a_snapshot_folder_refuses_a_catalog_of_another_source(
    watched: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    folder = watched / "snapshots" / "models.dev"
    before = tree_bytes(folder)
    lite = write_json(watched / "lite.json", litellm_document())
    args = ("check", "--source", str(lite), "--snapshots", str(folder), "--write", *extra)
    code, out, err = cli(capsys, *args)
    assert code == 2
    assert out == ""
    [line] = err.splitlines()
    assert "is a litellm catalog" in line and "holds a models.dev snapshot" in line
    assert "nothing written" in line and "snapshots/litellm" in line
    assert tree_bytes(folder) == before


def test_an_empty_default_folder_refuses_a_url_of_another_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL's type is only known once fetched: the default (models.dev) folder, still empty,
    refuses the LiteLLM document it turned out to be rather than take it in."""
    monkeypatch.chdir(tmp_path)
    with CatalogServer() as server:
        server.reply(Reply.json(litellm_document()))
        code, _, err = cli(capsys, "check", "--source", server.url + "/prices.json", "--write")
    assert code == 2
    assert "is a litellm catalog, but snapshots/models.dev holds a models.dev snapshot" in err
    assert "--source-type litellm" in err
    assert not (tmp_path / "snapshots").exists()


def test_a_url_stored_by_a_folder_goes_back_to_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with CatalogServer() as server:
        server.reply(Reply.json(litellm_document()), Reply.json(litellm_document()))
        url = server.url + "/prices.json"
        first = cli(capsys, "check", "--source-type", "litellm", "--source", url, "--write")
        assert first[0] == 0, first[2]
        code, out, err = cli(capsys, "check", "--source", url)
    assert code == 0, err
    assert out.startswith("litellm: no changes")
    assert not (tmp_path / "snapshots" / "models.dev").exists()


def test_a_file_a_folder_was_written_from_goes_back_to_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same bytes are the same document: recognised from the hash ``_meta.json`` keeps (not
    parsed again), it is still the LiteLLM folder's, and an edited copy is recognised by shape."""
    monkeypatch.chdir(tmp_path)
    lite = write_json(tmp_path / "lite.json", litellm_document())
    assert cli(capsys, "check", "--source", str(lite), "--write")[0] == 0
    code, out, err = cli(capsys, "check", "--source", str(lite), "--write")
    assert code == 0, err
    assert out.startswith("litellm: no changes")
    edited = litellm_document()
    edited["gpt-4o"]["input_cost_per_token"] = 5e-06
    write_json(lite, edited)
    code, out, err = cli(capsys, "check", "--source", str(lite), "--write")
    assert code == 0, err
    assert out.startswith("litellm: 1 price change")
    assert not (tmp_path / "snapshots" / "models.dev").exists()


def test_a_baseline_of_one_provider_and_one_offering_is_counted_in_the_singular(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The headline is also the commit subject and the changelog heading: no ``1 providers``."""
    monkeypatch.chdir(tmp_path)
    api = write_json(tmp_path / "api.json", document(provider("acme", model("m1"))))
    code, out, err = cli(capsys, "check", "--source", str(api))
    assert code == 0, err
    assert "baseline recorded: 1 provider, 1 offering, 0 inconsistencies" in out
