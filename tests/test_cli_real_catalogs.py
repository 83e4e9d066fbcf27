"""The CLI on the real models.dev catalogs in ../shared/data: facts checked by hand in the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from tests.factories import MODELS_DEV, tree_bytes

pytestmark = pytest.mark.realdata

MARCH = str(MODELS_DEV / "2026-03-10.json")
JUNE = str(MODELS_DEV / "2026-06-28.json")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(
    capsys: pytest.CaptureFixture[str], old: str, new: str, *extra: str
) -> dict[str, Any]:
    code, out, _ = run_cli(capsys, "diff", old, new, "--format", "json", *extra)
    assert code == 0
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.fixture(scope="module")
def march_to_june() -> dict[str, Any]:
    from catalog_watch.analysis.compare import compare
    from catalog_watch.settings.config import Config
    from catalog_watch.store.catalog_files import load_catalog

    config = Config()
    report = compare(load_catalog(Path(MARCH), config), load_catalog(Path(JUNE), config), config)
    return report.to_json()


def find(changes: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [c for c in changes if all(c.get(k) == v for k, v in match.items())]


def test_real_price_cut_on_vercel_gemini_image_preview(march_to_june: dict[str, Any]) -> None:
    [change] = find(
        march_to_june["changes"],
        provider="vercel",
        model="google/gemini-3.1-flash-image-preview",
        field="cost.output",
    )
    assert (change["kind"], change["old"], change["new"], change["change_pct"]) == (
        "price_changed",
        60,
        3,
        -95.0,
    )


def test_real_price_rise_and_context_cut_on_google(march_to_june: dict[str, Any]) -> None:
    found = find(
        march_to_june["changes"], provider="google", model="gemini-3.1-flash-image-preview"
    )
    by_field = {c["field"]: (c["old"], c["new"], c["severity"]) for c in found}
    assert by_field["cost.input"] == (0.25, 0.5, "high")
    assert by_field["limit.context"] == (131072, 65536, "high")


def test_real_provider_removed_and_added(march_to_june: dict[str, Any]) -> None:
    removed = find(march_to_june["changes"], kind="provider_removed")
    assert [c["provider"] for c in removed] == ["firmware"]
    added = {c["provider"] for c in find(march_to_june["changes"], kind="provider_added")}
    assert len(added) == 44 and {"databricks", "abliteration-ai"} <= added


def test_real_model_removed_and_deprecations(march_to_june: dict[str, Any]) -> None:
    assert find(
        march_to_june["changes"], kind="model_removed", provider="aihubmix", model="Kimi-K2-0905"
    )
    [deprecation] = find(
        march_to_june["changes"],
        provider="anthropic",
        model="claude-3-opus-20240229",
        field="status",
    )
    assert (deprecation["old"], deprecation["new"], deprecation["severity"]) == (
        None,
        "deprecated",
        "high",
    )


def test_real_schema_drift_reports_new_fields(march_to_june: dict[str, Any]) -> None:
    added = march_to_june["schema_drift"]["added"]
    assert {
        "model:cost.tiers",
        "model:reasoning_options",
        "model:experimental.modes.*.cost.input",
    } <= set(added)
    assert march_to_june["schema_drift"]["removed"] == []


def test_summary_counts_match_the_changes(march_to_june: dict[str, Any]) -> None:
    summary = march_to_june["summary"]
    assert summary["changes"] == len(march_to_june["changes"])
    assert summary["offerings"] == {"old": 3701, "new": 5247}
    assert summary["providers"] == {"old": 102, "new": 145}


def test_diff_output_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_cli(capsys, "diff", MARCH, JUNE, "--format", "json")
    second = run_cli(capsys, "diff", MARCH, JUNE, "--format", "json")
    assert first == second


def test_snapshot_folder_and_api_json_are_interchangeable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    snapshots = tmp_path / "snap"
    code, _, _ = run_cli(
        capsys, "check", "--source", MARCH, "--snapshots", str(snapshots), "--write"
    )
    assert code == 0
    assert (snapshots / "openai.json").exists()
    from_file = diff_json(capsys, MARCH, JUNE)
    from_folder = diff_json(capsys, str(snapshots), JUNE)
    assert from_folder == from_file


def test_check_on_the_real_pair_writes_then_reports_then_is_quiet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    snapshots = str(tmp_path / "snap")
    code, out, _ = run_cli(capsys, "check", "--source", MARCH, "--snapshots", snapshots, "--write")
    assert code == 0 and "baseline recorded: 102 providers, 3,701 offerings" in out
    code, out, _ = run_cli(
        capsys, "check", "--source", JUNE, "--snapshots", snapshots, "--write", "--allow-shrink"
    )
    assert code == 0
    assert "▼ cost.output $60.00 → $3.00 per 1M (-95 %)" in out
    before = tree_bytes(tmp_path / "snap")
    code, out, _ = run_cli(capsys, "check", "--source", JUNE, "--snapshots", snapshots, "--write")
    assert code == 0 and out.startswith("models.dev: no changes")
    assert tree_bytes(tmp_path / "snap") == before


def test_shrink_from_june_back_to_march_is_refused_with_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    snapshots = str(tmp_path / "snap")
    run_cli(capsys, "check", "--source", JUNE, "--snapshots", snapshots, "--write")
    before = tree_bytes(tmp_path / "snap")
    code, _, err = run_cli(capsys, "check", "--source", MARCH, "--snapshots", snapshots, "--write")
    assert code == 5
    assert "refusing to write: 2,488 of the 5,247 offerings (47.4%) are gone" in err
    assert "(5,247 → 3,701 offerings)" in err and "really shrank" in err and "--allow-shrink" in err
    assert tree_bytes(tmp_path / "snap") == before


def test_march_to_june_grew_and_the_shrink_guard_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The issue's report: 'are gone (3701 → 5247) ... If the catalog really shrank' about a
    catalog that grew 42 % (ids renamed upstream)."""
    snapshots = str(tmp_path / "snap")
    run_cli(capsys, "check", "--source", MARCH, "--snapshots", snapshots, "--write")
    code, _, err = run_cli(capsys, "check", "--source", JUNE, "--snapshots", snapshots, "--write")
    assert code == 5
    assert (
        "942 of the 3,701 offerings (25.5%) are gone; 2,488 offerings were added "
        "(44 new providers) (3,701 → 5,247 offerings)"
    ) in err
    assert "The catalog grew overall" in err and "really shrank" not in err


def test_markdown_has_price_table_and_folded_long_lists(march_to_june: dict[str, Any]) -> None:
    from catalog_watch.analysis.compare import compare
    from catalog_watch.render.markdown import render_markdown
    from catalog_watch.settings.config import Config
    from catalog_watch.store.catalog_files import load_catalog

    config = Config()
    report = compare(load_catalog(Path(MARCH), config), load_catalog(Path(JUNE), config), config)
    text = render_markdown(report)
    assert "### Price changes (809)" in text
    row = (
        "| ▼ | vercel | `google/gemini-3.1-flash-image-preview` | `cost.output` | $60.00 | $3.00 "
        "| -95 % | low |"
    )
    assert row in text
    assert "<details><summary>show all</summary>" in text


def test_missing_input_file_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, "diff", str(tmp_path / "nope.json"), JUNE)
    assert code == 2
    assert "nope.json: no such file or snapshot folder" in err and out == ""
