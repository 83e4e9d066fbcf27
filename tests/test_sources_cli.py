"""More than one catalog: --source-type, `compare` on the real samples, `show`, cost impact."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.identity import ModelIndex, load_model_index
from catalog_watch.cli.app import main
from catalog_watch.settings.config import Config
from catalog_watch.settings.costs import CostSettings, Usage
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, REAL_DATA, document, edited, model, provider

JUNE = str(MODELS_DEV / "2026-06-28.json")
LITELLM_JULY = str(REAL_DATA / "litellm" / "2026-07-24.json")
LITELLM_JANUARY = str(REAL_DATA / "litellm" / "2026-01-24.json")
OPENROUTER_AUGUST = str(REAL_DATA / "openrouter" / "2026-08-19.json")
OPENROUTER_MAY = str(REAL_DATA / "openrouter" / "2026-05-01.data-only.json")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


@pytest.mark.realdata
def test_compare_finds_real_disagreements_between_the_three_catalogs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(
        capsys, "compare", JUNE, LITELLM_JULY, OPENROUTER_AUGUST, "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert set(result["sources"]) == {"models.dev", "litellm", "openrouter"}
    found = by_id(result["disagreements"])
    deepseek = found["source_disagreement:deepseek/deepseek-chat:cost.input"]
    assert deepseek["values"] == {
        "litellm:deepseek/deepseek-chat": 0.28,
        "models.dev:deepseek/deepseek-chat": 0.14,
        "openrouter:openrouter/deepseek/deepseek-chat": 0.2574,
    }
    sonnet = found["source_disagreement:anthropic/claude-sonnet-4:limit.context"]
    assert sonnet["values"] == {
        "litellm:anthropic/claude-sonnet-4-20250514": 1000000,
        "models.dev:anthropic/claude-sonnet-4-20250514": 200000,
        "openrouter:openrouter/anthropic/claude-sonnet-4": 1000000,
    }
    sonnet_46 = found["source_disagreement:anthropic/claude-sonnet-4-6:limit.output"]
    assert sonnet_46["values"]["openrouter:openrouter/anthropic/claude-sonnet-4.6"] == 128000
    assert sonnet_46["values"]["models.dev:anthropic/claude-sonnet-4-6"] == 64000
    qwen = found["source_disagreement:alibaba/qwen-plus-2025-07-28:cost.input"]
    assert qwen["values"] == {
        "litellm:dashscope/dashscope/qwen-plus-2025-07-28": 0.4,
        "openrouter:openrouter/qwen/qwen-plus-2025-07-28": 0.26,
    }
    labels = [label for item in result["disagreements"] for label in item["values"]]
    assert not any(":free" in label or ":batch" in label for label in labels)
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"it finds\s+(\d+) disagreements", readme)
    assert quoted is not None and int(quoted[1]) == len(result["disagreements"])


@pytest.mark.realdata
def test_compare_since_an_earlier_run_reports_new_and_resolved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, earlier, _ = run_cli(
        capsys, "compare", JUNE, LITELLM_JANUARY, OPENROUTER_MAY, "--format", "json"
    )
    previous = tmp_path / "previous.json"
    previous.write_text("\ufeff" + earlier, encoding="utf-8")  # an editor's BOM is no harm
    code, out, _ = run_cli(
        capsys,
        "compare",
        JUNE,
        LITELLM_JULY,
        OPENROUTER_AUGUST,
        "--since",
        str(previous),
        "--format",
        "json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["appeared"] and result["resolved"]
    before = {item["id"] for item in json.loads(earlier)["disagreements"]}
    now = {item["id"] for item in result["disagreements"]}
    assert {item["id"] for item in result["appeared"]} == now - before
    assert {item["id"] for item in result["resolved"]} == before - now


@pytest.mark.realdata
def test_check_with_a_source_type_writes_that_sources_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(
        capsys, "check", "--source-type", "litellm", "--source", LITELLM_JULY, "--write"
    )
    assert code == 0
    assert "baseline recorded: 93 providers, 2,558 offerings" in out
    meta = json.loads((tmp_path / "snapshots" / "litellm" / "_meta.json").read_text())
    assert meta["source"] == "litellm"
    gpt = json.loads((tmp_path / "snapshots" / "litellm" / "openai.json").read_text())["models"][
        "gpt-4o"
    ]
    assert (gpt["cost"]["input"], gpt["cost"]["output"]) == (2.5, 10)


@pytest.mark.realdata
def test_show_prints_the_model_card_of_a_real_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "show", "gemini-3.1-flash-image-preview", "--catalog", JUNE, "--format", "json"
    )
    assert code == 0
    card = json.loads(out)
    assert card["provider_count"] == 6
    assert card["cheapest"]["provider"] == "fastrouter"
    code, _, err = run_cli(capsys, "show", "gemini-3.1-flash-image-previw", "--catalog", JUNE)
    assert code == 2 and "gemini-3-1-flash-image-preview" in err


def test_price_change_carries_scenarios_and_the_teams_usage_impact() -> None:
    old = document(provider("acme", model("m", cost={"input": 3, "output": 15, "cache_read": 0.3})))
    new = edited(old)
    new["acme"]["models"]["m"]["cost"] = {"input": 4, "output": 20, "cache_read": 0.5}
    usage = Usage(
        provider="acme",
        model="m",
        input_tokens=1_000_000_000,
        output_tokens=80_000_000,
        cache_read_tokens=200_000_000,
    )
    config = Config(costs=CostSettings(usage=(usage,)))
    report = compare(parse_catalog(old), parse_catalog(new), config)
    change = next(c for c in report.changes if c.field == "cost.input")
    assert change.to_json()["usage_impact"] == "+$1,240.00 / month for your usage"
    rag = change.to_json()["impact"][0]
    assert (rag["scenario"], rag["before"], rag["after"]) == ("RAG answer", 22.5, 30.0)


def test_cheapest_channel_change_is_a_change_record() -> None:
    old = document(
        provider("a", model("m", cost={"input": 1, "output": 2})),
        provider("b", model("m", cost={"input": 2, "output": 4})),
    )
    new = edited(old)
    new["a"]["models"]["m"]["cost"] = {"input": 3, "output": 6}
    report = compare(parse_catalog(old), parse_catalog(new), Config())
    [cheapest] = [c for c in report.changes if c.kind.value == "cheapest_changed"]
    assert (cheapest.model, cheapest.shown_old, cheapest.shown_new) == (
        "m",
        "a/m $6.00",
        "b/m $12.00",
    )
    assert cheapest.provider == "b"


def test_the_cheapest_channel_groups_offerings_as_models_json_does() -> None:
    """With models.json, digitalocean's ``openai-gpt-5`` is gpt-5 (as the inconsistencies have
    it), so its price rise moves gpt-5's cheapest channel to openai; without, it stays alone."""
    old = document(
        provider("openai", model("gpt-5", cost={"input": 2, "output": 8})),
        provider("digitalocean", model("openai-gpt-5", cost={"input": 1, "output": 4})),
    )
    new = edited(old)
    new["digitalocean"]["models"]["openai-gpt-5"]["cost"] = {"input": 4, "output": 16}
    index = load_model_index({"openai/gpt-5": {"id": "openai/gpt-5"}})

    def cheapest(with_index: ModelIndex | None) -> list[tuple[str | None, str | None]]:
        report = compare(parse_catalog(old), parse_catalog(new), Config(), with_index)
        changes = [c for c in report.changes if c.kind.value == "cheapest_changed"]
        return [(c.model, c.provider) for c in changes]

    assert cheapest(index) == [("gpt-5", "openai")]
    assert cheapest(None) == []


def test_disagreements_with_another_source_appear_in_the_run_report() -> None:
    from dataclasses import replace

    base = document(provider("openai", model("gpt-4o", cost={"input": 2.5, "output": 10})))
    other = replace(parse_catalog(base), source="litellm")
    new = edited(base)
    new["openai"]["models"]["gpt-4o"]["cost"]["input"] = 5
    report = compare(parse_catalog(base), parse_catalog(new), Config(), others=[other])
    assert [i.id for i in report.appeared] == ["source_disagreement:openai/gpt-4o:cost.input"]
    back = compare(parse_catalog(new), parse_catalog(base), Config(), others=[other])
    assert [i.id for i in back.resolved] == ["source_disagreement:openai/gpt-4o:cost.input"]
