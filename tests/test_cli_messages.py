"""What a user who got something wrong reads (issue 11, item 10): one line that says what the
input is, what was expected and what to do, with the documented exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli import main
from tests.factories import document, model, provider, small_catalog, write_json


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def models_json() -> dict[str, Any]:
    """The shape of models.dev's models.json: records keyed by <lab>/<model>, no provider."""
    records = (model("gpt-4o"), model("o3"))
    return {f"openai/{m['id']}": {**m, "id": f"openai/{m['id']}"} for m in records}


@pytest.mark.parametrize("command", ["diff", "check"])
def test_models_json_given_as_the_catalog_says_to_pass_it_with_models_json(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    wrong = write_json(tmp_path / "models.json", models_json())
    api = write_json(tmp_path / "api.json", small_catalog())
    args = (
        ("diff", str(wrong), str(api)) if command == "diff" else ("check", "--source", str(wrong))
    )
    code, out, err = cli(capsys, *args)
    assert code == 4
    assert out == ""
    [line] = err.splitlines()
    assert f"{wrong} is models.dev's models.json" in line
    assert "pass it with --models-json" in line
    assert "field 'models'" not in line
    assert not (tmp_path / "snapshots").exists()


def test_a_catalog_with_a_lab_prefixed_provider_is_still_a_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a document whose every key holds a '/' and names its own record is models.json."""
    api = write_json(tmp_path / "api.json", document(provider("acme", model("m"))))
    code, out, _ = cli(capsys, "diff", str(api), str(api))
    assert code == 0 and out.startswith("models.dev: no changes")
