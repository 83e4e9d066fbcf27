"""One model name, every command: the group key the site and `inconsistencies` print and any
provider's real id name the same offerings in `show`, `history`, `price-at` and
`inconsistencies --model`; `inconsistencies` filters by severity, provider and model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from catalog_watch.analysis.model_names import ModelNames, no_match_message
from catalog_watch.cli.app import main
from tests.factories import MODELS_DEV, document, model, provider, write_json

OFFERINGS = [
    ("acme", "gem-3.1-flash"),
    ("router", "vendor/gem-3.1-flash"),
    ("router", "vendor/gem-3.1-flash:free"),
    ("acme", "tool-1"),
    ("beta", "tool-1"),
]


def test_the_key_the_ids_and_provider_slash_id_name_one_group() -> None:
    names = ModelNames.of(OFFERINGS)
    group = [
        ("acme", "gem-3.1-flash"),
        ("router", "vendor/gem-3.1-flash"),
        ("router", "vendor/gem-3.1-flash:free"),
    ]
    for query in (
        "gem-3-1-flash",  # the group key
        "gem-3.1-flash",  # acme's id
        "vendor/gem-3.1-flash",  # router's id
        "router/vendor/gem-3.1-flash",  # <provider>/<model id>
        "ROUTER/Vendor/Gem-3.1-Flash",  # case does not matter
        "elsewhere/gem-3.1-flash",  # anything that normalizes to the key
    ):
        assert names.resolve(query) == "gem-3-1-flash", query
    assert names.members("gem-3-1-flash") == group
    assert names.resolve("gem-3-2-flash") is None
    assert names.resolve("  ") is None


def test_a_name_that_matches_nothing_gets_close_group_keys() -> None:
    names = ModelNames.of(OFFERINGS)
    assert names.suggestions("gem-3.1-flsh") == ["gem-3-1-flash"]
    assert no_match_message("gem-3.1-flsh", ["gem-3-1-flash"], "in the history") == (
        "no model matches 'gem-3.1-flsh' in the history; did you mean: gem-3-1-flash?"
    )
    assert no_match_message("zzz", []) == (
        "no model matches 'zzz'; try a group key from `catalog-watch inconsistencies` "
        "or <provider>/<model id>"
    )


def test_an_alias_moves_an_offering_into_the_group_it_names() -> None:
    names = ModelNames.of(OFFERINGS, aliases={"beta/tool-1": "gem-3.1-flash"})
    assert ("beta", "tool-1") in names.members(names.resolve("gem-3.1-flash") or "")
    assert names.members(names.resolve("acme/tool-1") or "") == [("acme", "tool-1")]


# -- the commands --------------------------------------------------------------------------------


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A high (window), a medium (tool calls) and a low (reasoning) inconsistency."""
    return write_json(
        tmp_path / "api.json",
        document(
            provider(
                "acme", model("gem-3.1-flash"), model("tool-1"), model("rsn-1", reasoning=True)
            ),
            provider("beta", model("tool-1", tool_call=False), model("rsn-1")),
            provider(
                "router", model("vendor/gem-3.1-flash", limit={"context": 65536, "output": 8192})
            ),
        ),
    )


def run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def found(catalog: Path, capsys: pytest.CaptureFixture[str], *options: str) -> list[str]:
    code, out, _ = run(["inconsistencies", str(catalog), "--format", "json", *options], capsys)
    assert code == 0
    return [item["id"] for item in json.loads(out)["inconsistencies"]]


def test_inconsistencies_keep_a_severity_and_the_more_urgent_ones(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = "limit_mismatch:gem-3-1-flash:limit.context"
    tools, reasoning = "capability_mismatch:tool-1:tool_call", "capability_mismatch:rsn-1:reasoning"
    assert found(catalog, capsys) == [window, tools, reasoning]
    assert found(catalog, capsys, "--severity", "high") == [window]
    assert found(catalog, capsys, "--severity", "medium") == [window, tools]
    assert found(catalog, capsys, "--severity", "info") == [window, tools, reasoning]


def test_inconsistencies_of_one_provider_and_of_one_model(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert found(catalog, capsys, "--provider", "beta") == [
        "capability_mismatch:tool-1:tool_call",
        "capability_mismatch:rsn-1:reasoning",
    ]
    window = ["limit_mismatch:gem-3-1-flash:limit.context"]
    for name in ("gem-3-1-flash", "gem-3.1-flash", "router/vendor/gem-3.1-flash"):
        assert found(catalog, capsys, "--model", name) == window, name
    assert found(catalog, capsys, "--model", "tool-1", "--provider", "router") == []
    _, out, _ = run(["inconsistencies", str(catalog), "--provider", "beta"], capsys)
    assert out.splitlines()[0] == "2 of 3 inconsistencies (1 medium, 1 low)"


def test_inconsistencies_refuse_a_model_or_provider_that_is_not_there(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["inconsistencies", str(catalog), "--model", "gem-3.1-flsh"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"catalog-watch: error: no model matches 'gem-3.1-flsh' in {catalog}; "
        "did you mean: gem-3-1-flash?\n"
    )
    code, _, err = run(["inconsistencies", str(catalog), "--provider", "bta"], capsys)
    assert (code, err) == (
        2,
        f"catalog-watch: error: no provider 'bta' in {catalog}; did you mean: beta?\n",
    )


def test_show_takes_the_key_and_the_real_id_alike(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_key = run(["show", "gem-3-1-flash", "--catalog", str(catalog), "--format", "json"], capsys)
    by_id = run(["show", "gem-3.1-flash", "--catalog", str(catalog), "--format", "json"], capsys)
    cards = [json.loads(out) for code, out, _ in (by_key, by_id) if code == 0]
    assert [card.pop("query") for card in cards] == ["gem-3-1-flash", "gem-3.1-flash"]
    assert cards[0] == cards[1]
    assert cards[0]["model"] == "gem-3-1-flash"


@pytest.mark.realdata
def test_real_catalog_inconsistencies_of_gemini_3_1_flash_image_preview_by_either_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    june = str(MODELS_DEV / "2026-06-28.json")
    by_key = found(Path(june), capsys, "--model", "gemini-3-1-flash-image-preview")
    by_id = found(Path(june), capsys, "--model", "gemini-3.1-flash-image-preview")
    assert by_key == by_id
    assert "limit_mismatch:gemini-3-1-flash-image-preview:limit.context" in by_key
    assert all(":gemini-3-1-flash-image-preview:" in item for item in by_key)
    google = found(Path(june), capsys, "--provider", "google", "--severity", "high")
    assert "limit_mismatch:gemini-3-1-flash-image-preview:limit.context" in google
