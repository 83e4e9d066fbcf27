"""Two inputs of the wrong kind, refused as usage errors (exit 2) in one line rather than a
traceback or a nonsense report: a ``compare --since`` file that is not compare's JSON output, and
a ``diff`` of catalogs of two different sources (on both of diff's paths)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.factories import document, model, provider, write_json
from tests.test_source_openrouter import model as openrouter_model

FORMATS = ("text", "markdown", "json")


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def litellm_document() -> dict[str, Any]:
    """gpt-4o at $5 per 1M input tokens, where :func:`models_dev_document` says $2.50."""
    entry = {
        "litellm_provider": "openai",
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 8192,
        "input_cost_per_token": 5e-06,
        "output_cost_per_token": 1e-05,
    }
    return {"gpt-4o": entry}


def models_dev_document() -> dict[str, Any]:
    return document(provider("openai", model("gpt-4o")))


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A models.dev and a LiteLLM file that disagree on gpt-4o's input price; the working folder
    holds no catalog-watch.toml, so ``diff`` takes its no-config path unless given ``--config``."""
    monkeypatch.chdir(tmp_path)
    return (
        write_json(tmp_path / "api.json", models_dev_document()),
        write_json(tmp_path / "lite.json", litellm_document()),
    )


# -- compare --since -----------------------------------------------------------------------------

GOOD = {
    "id": "source_disagreement:openai/gpt-4o:cost.input",
    "kind": "source_disagreement",
    "model": "openai/gpt-4o",
    "field": "cost.input",
    "values": {"litellm:openai/gpt-4o": 5, "models.dev:openai/gpt-4o": 2.5},
    "severity": "high",
}
GONE = {
    **GOOD,
    "id": "source_disagreement:openai/gpt-4o:cost.output",
    "field": "cost.output",
    "values": {"litellm:openai/gpt-4o": 20, "models.dev:openai/gpt-4o": 10},
}
"""A disagreement of an earlier run that the catalogs no longer have: the report lists it."""


def test_compare_since_its_own_output_reads_it_and_tells_what_appeared(
    catalogs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, earlier, _ = cli(capsys, "compare", *catalogs, "--format", "json")
    assert code == 0 and json.loads(earlier)["disagreements"] == [GOOD]
    same = tmp_path / "same.json"
    same.write_text(earlier, encoding="utf-8")
    code, out, _ = cli(capsys, "compare", *catalogs, "--since", same, "--format", "json")
    assert code == 0
    assert (json.loads(out)["appeared"], json.loads(out)["resolved"]) == ([], [])
    gone = write_json(tmp_path / "gone.json", {**json.loads(earlier), "disagreements": [GONE]})
    code, out, _ = cli(capsys, "compare", *catalogs, "--since", gone, "--format", "json")
    assert code == 0
    assert (json.loads(out)["appeared"], json.loads(out)["resolved"]) == ([GOOD], [GONE])
    code, out, _ = cli(capsys, "compare", *catalogs, "--since", gone)
    assert code == 0
    assert "resolved (1):\n[high] openai/gpt-4o: cost.output varies: 20 " in out


def one(**fields: Any) -> dict[str, Any]:
    """An earlier output whose one disagreement (resolved since: the report would list it) has
    ``fields`` in place of the good ones."""
    return {"disagreements": [{**GONE, **fields}]}


MISSING_FIELD = {k: v for k, v in GONE.items() if k != "field"}


@pytest.mark.parametrize(
    ("earlier", "clause"),
    [
        (one(id=5), 'disagreement 0: "id" is a number, not a string'),
        (one(id=["l"]), 'disagreement 0: "id" is a list, not a string'),
        (one(model=None), 'disagreement 0: "model" is null, not a string'),
        (one(field=True), 'disagreement 0: "field" is a boolean, not a string'),
        (one(values="zz"), 'disagreement 0: "values" is a string, not an object'),
        (one(values=[1, 2]), 'disagreement 0: "values" is a list, not an object'),
        (one(kind="x"), 'disagreement 0: "kind" is no kind of finding catalog-watch writes'),
        (one(severity="hi"), 'disagreement 0: "severity" is not one of high, medium, low, info'),
        ({"disagreements": [GONE, MISSING_FIELD]}, 'disagreement 1 has no "field"'),
        ({"disagreements": [GONE, 3]}, "disagreement 1 is a number, not an object"),
        ({"disagreements": {"0": GONE}}, 'no "disagreements" list'),
        ([GONE], 'no "disagreements" list'),
    ],
)
def test_compare_since_a_file_of_the_wrong_shape_names_what_is_wrong(
    catalogs: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    earlier: Any,
    clause: str,
) -> None:
    """Was a traceback (exit 1) from the renderers, or Python's words for a KeyError."""
    since = write_json(tmp_path / "earlier.json", earlier)
    for output_format in FORMATS:
        code, out, err = cli(
            capsys, "compare", *catalogs, "--since", since, "--format", output_format
        )
        assert (code, out) == (2, ""), output_format
        assert err == (
            f"catalog-watch: error: {since}: not the JSON output of catalog-watch compare "
            f"({clause})\n"
        )


# -- diff of two sources -------------------------------------------------------------------------


@pytest.fixture(params=["no config", "config file"])
def config_args(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, ...]:
    """Nothing: ``diff``'s no-config path answers (``cli/diff_command``); ``--config``: the full
    command does (``cli/catalog_commands.diff``)."""
    if request.param == "no config":
        return ()
    config = tmp_path / "settings.toml"
    config.write_text("# every setting a default\n", encoding="utf-8")
    return ("--config", str(config))


def test_diff_of_catalogs_of_two_sources_is_refused_naming_both(
    catalogs: tuple[Path, Path], config_args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """Was exit 0 and every provider removed and added."""
    api, lite = catalogs
    for old, new, old_source, new_source in (
        (api, lite, "models.dev", "litellm"),
        (lite, api, "litellm", "models.dev"),
    ):
        code, out, err = cli(capsys, "diff", old, new, *config_args)
        assert (code, out) == (2, "")
        assert err == (
            f"catalog-watch: error: {old} is a {old_source} catalog, but {new} is a {new_source} "
            "catalog: diff compares one source over time; to compare catalogs of different "
            "sources, use compare\n"
        )


def test_diff_of_a_snapshot_folder_and_a_file_goes_by_the_folders_source(
    catalogs: tuple[Path, Path], config_args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    api, lite = catalogs
    assert cli(capsys, "check", "--source", lite, "--write")[0] == 0
    folder = Path("snapshots", "litellm")
    code, out, err = cli(capsys, "diff", folder, lite, *config_args)
    assert (code, err) == (0, "")
    assert out.startswith("litellm: no changes")
    code, out, err = cli(capsys, "diff", folder, api, *config_args)
    assert (code, out) == (2, "")
    assert f"{folder} is a litellm catalog, but {api} is a models.dev catalog" in err


def test_a_refusal_naming_an_openrouter_catalog_says_an(
    catalogs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, lite = catalogs
    routed = write_json(lite.parent / "router.json", {"data": [openrouter_model("openai/gpt-4o")]})
    code, _, err = cli(capsys, "diff", lite, routed)
    assert code == 2
    assert f"{lite} is a litellm catalog, but {routed} is an openrouter catalog: " in err
