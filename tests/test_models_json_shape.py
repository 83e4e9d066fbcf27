"""``--models-json`` takes models.dev's models.json and nothing else: another document would
regroup the offerings without a word (a LiteLLM file made gpt-4o 16 providers instead of 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.factories import MODELS_DEV, REAL_DATA, small_catalog, write_json

JUNE = MODELS_DEV / "2026-06-28.json"
JUNE_MODELS_JSON = MODELS_DEV / "2026-06-28.models.json"
LITELLM_JULY = REAL_DATA / "litellm" / "2026-07-24.json"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def show_with(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, index: Path
) -> tuple[int, str, str]:
    catalog = write_json(tmp_path / "api.json", small_catalog())
    return cli(capsys, "show", "fast-1", "--catalog", str(catalog), "--models-json", str(index))


LITELLM: dict[str, Any] = {
    "openai/gpt-4o": {"litellm_provider": "openai", "mode": "chat"},
    "gpt-4o": {"litellm_provider": "openai", "mode": "chat"},
}
OPENROUTER: dict[str, Any] = {"data": [{"id": "openai/gpt-4o", "pricing": {"prompt": "0"}}]}


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (small_catalog(), "is models.dev's api.json catalog, not models.dev's models.json"),
        (LITELLM, "is a LiteLLM catalog, not models.dev's models.json"),
        (OPENROUTER, "is an OpenRouter catalog, not models.dev's models.json"),
        ({}, "is not models.dev's models.json (model records keyed by <lab>/<model>): it holds"),
        ({"a": 1}, "models.json (model records keyed by <lab>/<model>): the key 'a' is not"),
        ({"openai/gpt-4o": {"id": "gpt-4o"}}, "the id of 'openai/gpt-4o' is not its key"),
    ],
    ids=["api.json", "litellm", "openrouter", "empty", "other-object", "id-not-key"],
)
def test_a_models_json_of_another_shape_is_refused_naming_the_file_and_what_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: Any, said: str
) -> None:
    index = write_json(tmp_path / "models.json", document)
    code, out, err = show_with(capsys, tmp_path, index)
    assert (code, out) == (4, "")
    [line] = err.splitlines()
    assert line.startswith(f"catalog-watch: error: --models-json file {index} ")
    assert said in line


def test_a_models_json_holding_an_array_is_not_called_a_catalog_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    index = tmp_path / "list.json"
    index.write_text("[1, 2]", encoding="utf-8")
    code, _, err = show_with(capsys, tmp_path, index)
    assert code == 3
    assert err.splitlines() == [
        f"catalog-watch: error: --models-json file {index} holds an array at the top level, "
        "expected a JSON object"
    ]


def test_a_missing_models_json_is_named_as_the_models_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = show_with(capsys, tmp_path, tmp_path / "nope.json")
    assert code == 2
    assert err.splitlines() == [
        f"catalog-watch: error: --models-json file {tmp_path / 'nope.json'} does not exist"
    ]


def test_check_refuses_a_models_json_of_another_shape_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = write_json(tmp_path / "api.json", small_catalog())
    index = write_json(tmp_path / "models.json", {"a": 1})
    code, out, err = cli(
        capsys, "check", "--source", str(catalog), "--models-json", str(index), "--write"
    )
    assert (code, out) == (4, "")
    assert f"--models-json file {index} is not models.dev's models.json" in err
    assert not (tmp_path / "snapshots").exists()


def test_check_names_a_models_json_holding_an_array_as_the_models_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = write_json(tmp_path / "api.json", small_catalog())
    index = tmp_path / "list.json"
    index.write_text("[1, 2]", encoding="utf-8")
    code, _, err = cli(capsys, "check", "--source", str(catalog), "--models-json", str(index))
    assert code == 3
    assert err.splitlines() == [
        f"catalog-watch: error: --models-json file {index} holds an array at the top level, "
        "expected a JSON object"
    ]


def test_a_small_models_json_of_the_right_shape_is_taken(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    index = write_json(tmp_path / "models.json", {"acme-lab/fast-1": {"id": "acme-lab/fast-1"}})
    code, out, err = show_with(capsys, tmp_path, index)
    assert (code, err) == (0, "")
    assert out.startswith("fast-1 (acme-lab/fast-1)\noffered by 2 providers")


@pytest.mark.realdata
def test_the_real_litellm_file_as_models_json_is_refused_and_the_real_one_is_taken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("show", "gpt-4o", "--catalog", str(JUNE), "--models-json")
    code, out, err = cli(capsys, *args, str(LITELLM_JULY))
    assert (code, out) == (4, "")
    assert f"--models-json file {LITELLM_JULY} is a LiteLLM catalog" in err
    code, out, _ = cli(capsys, *args, str(JUNE_MODELS_JSON))
    assert code == 0
    assert out.startswith("gpt-4o (openai/gpt-4o)\noffered by 17 providers")
