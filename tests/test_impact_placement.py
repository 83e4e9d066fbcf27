"""Cost impact: once per offering, after its price lines, and only for costs that moved."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from catalog_watch.analysis.compare import compare
from catalog_watch.analysis.policy import alerts_for
from catalog_watch.jobs.delivery import messages_for
from catalog_watch.model.report import Report
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.slack import Links
from catalog_watch.render.text import render_text
from catalog_watch.settings.config import Config, validate_config
from catalog_watch.settings.costs import Usage
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import document, edited, model, provider

# 1,000 x (5,000 x $0.25 + 500 x $60) / 1M = $31.25 before; with $3 output: $2.75
RAG = "RAG answer: $31.25 → $2.75 per 1,000 requests (-91.2 %)"


def base() -> dict[str, Any]:
    return document(provider("vercel", model("flash", cost={"input": 0.25, "output": 60})))


def cut_output_and_add_cache_read() -> dict[str, Any]:
    """The vercel case: cache_read (alphabetically first) appears, the output price falls."""
    doc = edited(base())
    doc["vercel"]["models"]["flash"]["cost"] = {"input": 0.25, "output": 3, "cache_read": 0.05}
    doc["vercel"]["models"]["flash"]["knowledge"] = "2025-01"
    return doc


def report(new: dict[str, Any], config: Config | None = None) -> Report:
    return compare(parse_catalog(base()), parse_catalog(new), config or Config())


def test_text_shows_the_impact_once_after_the_offerings_last_price_line() -> None:
    lines = render_text(report(cut_output_and_add_cache_read())).splitlines()
    impact = [n for n, line in enumerate(lines) if "cost impact:" in line]
    assert len(impact) == 1
    assert "cost.output $60.00 → $3.00" in lines[impact[0] - 1]
    assert "cost.cache_read" in lines[impact[0] - 2]
    assert RAG in lines[impact[0]]
    assert "knowledge" in lines[impact[0] + 1]  # the offering's other changes follow


def test_markdown_lists_each_offerings_impact_once() -> None:
    body = render_markdown(report(cut_output_and_add_cache_read()))
    assert body.count(RAG) == 1
    assert "### Cost impact (1 offering)" in body


def test_slack_shows_the_impact_once_after_the_price_lines_not_on_each_field() -> None:
    found = alerts_for(
        report(cut_output_and_add_cache_read()), Config(), from_snapshot="s", today=date(2026, 7, 1)
    )
    [message] = messages_for(found, Links())
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    [section] = [s for s in sections if "flash" in s]
    lines = section.splitlines()
    assert sum("RAG answer" in line for line in lines) == 1
    impact = next(n for n, line in enumerate(lines) if "RAG answer" in line)
    assert "↳ cost impact: " + RAG in lines[impact]
    assert "cost.output" in lines[impact - 1]
    assert "· RAG" not in section


def test_a_price_change_no_scenario_uses_carries_no_impact() -> None:
    """A cache_read change leaves every scenario's cost as it was: no "$31.25 → $31.25"."""
    doc = edited(base())
    doc["vercel"]["models"]["flash"]["cost"]["cache_read"] = 0.05
    result = report(doc)
    [change] = [c for c in result.changes if c.field == "cost.cache_read"]
    assert change.impact == () and "impact" not in change.to_json()
    assert "cost impact" not in render_text(result)
    assert "Cost impact" not in render_markdown(result)


def test_only_the_scenarios_whose_cost_moved_are_kept() -> None:
    """A 200k tier that only a long prompt crosses: every standard scenario stays the same."""
    doc = edited(base())
    tier = {"input": 0.5, "output": 120, "tier": {"type": "context", "size": 200_000}}
    doc["vercel"]["models"]["flash"]["cost"]["tiers"] = [tier]
    [change] = report(doc).changes
    assert change.field == "cost.tiers" and change.impact == ()


def test_an_unchanged_monthly_usage_is_left_out() -> None:
    usage = Usage(provider="vercel", model="flash", input_tokens=1_000_000, output_tokens=0)
    config = validate_config({"costs": {"usage": [dataclasses.asdict(usage)]}})
    doc = edited(base())
    doc["vercel"]["models"]["flash"]["cost"]["output"] = 3  # output: usage sends none
    [change] = report(doc, config).changes
    assert change.usage is None
    assert "usage_impact" not in json.dumps(change.to_json())
