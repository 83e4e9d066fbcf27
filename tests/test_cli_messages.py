"""What a user who got something wrong reads (issue 11, item 10): one line that says what the
input is, what was expected and what to do, with the documented exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
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


def test_a_file_that_is_not_json_is_not_a_catalog_not_a_damaged_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was 'cannot read snapshot file' with exit 6, the damaged-folder code, about README.md."""
    readme = tmp_path / "README.md"
    readme.write_text("# catalog-watch\n", encoding="utf-8")
    api = write_json(tmp_path / "api.json", small_catalog())
    code, out, err = cli(capsys, "diff", str(readme), str(api))
    assert (code, out) == (4, "")
    [line] = err.splitlines()
    assert line.startswith(f"catalog-watch: error: {readme}: not a catalog: not valid JSON")
    assert "snapshot" not in line


def test_compare_with_one_catalog_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = write_json(tmp_path / "api.json", small_catalog())
    code, out, err = cli(capsys, "compare", str(api))
    assert (code, out) == (2, "")
    assert "compare needs catalogs of two or more sources (models.dev, litellm, openrouter)" in err
    assert err.endswith(f"got only {api}\n")


def test_compare_with_two_catalogs_of_one_source_points_to_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was '0 disagreements between models.dev'."""
    old = write_json(tmp_path / "old.json", small_catalog())
    new = write_json(tmp_path / "new.json", small_catalog())
    code, out, err = cli(capsys, "compare", str(old), str(new))
    assert (code, out) == (2, "")
    assert f"{old} and {new} are both models.dev catalogs" in err
    assert "use diff" in err


def test_a_config_error_reaches_the_terminal_as_one_line_with_its_line_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "catalog-watch.toml"
    config.write_text('[[watch]]\nname = "costs"\nkinds = "price_changed"\n', encoding="utf-8")
    api = write_json(tmp_path / "api.json", small_catalog())
    code, _, err = cli(capsys, "diff", str(api), str(api), "--config", str(config))
    assert code == 2
    assert err == (
        f"catalog-watch: error: {config}:3: watch#1.kinds: expected a list such as "
        '["a", "b"], got "price_changed"\n'
    )
