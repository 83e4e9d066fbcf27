"""Resolution of found ids against a catalog, and the usage report in its three formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_watch.analysis.usage import resolve_uses
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.usage import Use
from catalog_watch.render.usage import render_usage
from catalog_watch.scan import scan_source
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, document, model, provider


def small() -> Catalog:
    return parse_catalog(
        document(
            provider(
                "openai",
                model("gpt-4o"),
                model("gpt-4o-2024-08-06"),
                model("gpt-4o-mini", cost={"input": 0.15, "output": 0.6}),
            ),
            provider(
                "azure",
                model(
                    "gpt-4o",
                    cost={"input": 2, "output": 8},
                    limit={"context": 65536, "output": 8192},
                ),
            ),
            provider(
                "anthropic",
                model("claude-3-5-sonnet-20240620", status="deprecated"),
                model("claude-3-5-sonnet-20241022", status="deprecated"),
                model("claude-sonnet-4-5", cost={"input": 3, "output": 15}),
            ),
            provider(
                "openrouter", model("anthropic/claude-sonnet-4.5", cost={"input": 3, "output": 15})
            ),
        )
    )


def use(text: str, hint: str | None = None) -> Use:
    return Use("a.py", 1, 1, text, "python", "keyword", "model", hint)


@pytest.mark.parametrize(
    ("text", "hint", "how", "first"),
    [
        ("openai/gpt-4o", None, "offering", ("openai", "gpt-4o")),
        ("azure/gpt-4o", None, "offering", ("azure", "gpt-4o")),
        ("openai:gpt-4o-mini", None, "offering", ("openai", "gpt-4o-mini")),
        ("gpt-4o", "openai", "provider", ("openai", "gpt-4o")),
        ("GPT-4o", "azure", "provider", ("azure", "gpt-4o")),
        ("gpt-4o-2024-08-06", "openai", "provider", ("openai", "gpt-4o-2024-08-06")),
        ("gpt-4o-2099-01-01", "openai", "alias", ("openai", "gpt-4o")),
        (
            "claude-3-5-sonnet-latest",
            "anthropic",
            "alias",
            ("anthropic", "claude-3-5-sonnet-20241022"),
        ),
        ("claude-sonnet-4.5", None, "identity", ("anthropic", "claude-sonnet-4-5")),
        (
            "anthropic/claude-sonnet-4.5",
            "openrouter",
            "provider",
            ("openrouter", "anthropic/claude-sonnet-4.5"),
        ),
        ("gpt-4o", "anthropic", "identity", ("azure", "gpt-4o")),
    ],
)
def test_resolution_rules(text: str, hint: str | None, how: str, first: tuple[str, str]) -> None:
    (resolved,) = resolve_uses([use(text, hint)], small())
    assert resolved.resolution.how == how
    assert resolved.resolution.offerings[0] == first


def test_identity_lists_every_offering_of_the_model_with_the_cheapest_channel() -> None:
    (resolved,) = resolve_uses([use("gpt-4o")], small())
    assert resolved.resolution.offerings == (("azure", "gpt-4o"), ("openai", "gpt-4o"))
    assert resolved.cheapest is not None and resolved.cheapest.label == "azure/gpt-4o"
    assert "limit.context" in {i.field for i in resolved.inconsistencies}
    assert "limit.context varies" in render_usage([resolved])


def test_unknown_ids_get_a_did_you_mean() -> None:
    (resolved,) = resolve_uses([use("gpt-4o-mni", "openai")], small())
    assert resolved.resolution.how == "unresolved"
    assert resolved.resolution.suggestions[0] == "gpt-4o-mini"
    text = render_usage([resolved])
    assert "did you mean: gpt-4o-mini" in text


def test_a_did_you_mean_is_spelled_as_the_catalog_spells_the_id_not_as_its_group_key() -> None:
    """The group key of ``claude-sonnet-4.5`` is ``claude-sonnet-4-5``; code writes the ids the
    offerings use, and a gateway's ``anthropic/claude-sonnet-4.5`` only when nothing else does."""
    catalog = parse_catalog(
        document(
            provider("acme", model("claude-sonnet-4.5")),
            provider("bee", model("claude-sonnet-4.5")),
            provider("openrouter", model("anthropic/claude-sonnet-4.5")),
        )
    )
    (resolved,) = resolve_uses([use("claude-sonet-4.5")], catalog)
    assert resolved.resolution.suggestions == ("claude-sonnet-4.5",)


def test_status_and_render_formats_are_deterministic_and_inert() -> None:
    uses, _ = scan_source(
        {
            "b.py": 'import anthropic\nc.messages.create(model="claude-3-5-sonnet-20240620")\n',
            "a.ts": 'const r = { model: "gpt-4o-mini\\u001b[31m" };\nopenai("gpt-4o")\n',
        }
    )
    resolved = resolve_uses(uses, small())
    text = render_usage(resolved)
    assert text.index("a.ts:2") < text.index("b.py:2")
    assert "anthropic/claude-3-5-sonnet-20240620: $2.50 in / $10.00 out per 1M" in text
    assert "deprecated" in text
    markdown = render_usage(list(reversed(resolved)), "markdown")
    assert markdown == render_usage(resolved, "markdown")
    assert "| `a.ts:2` | `gpt-4o` | `openai/gpt-4o` |" in markdown
    data = json.loads(render_usage(resolved, "json"))
    assert [u["path"] for u in data["uses"]] == ["a.ts", "b.py"]
    assert data["uses"][1]["offerings"][0]["status"] == "deprecated"


@pytest.mark.realdata
def test_fixture_repository_against_the_real_catalog(tmp_path: Path) -> None:
    catalog = parse_catalog(json.loads((MODELS_DEV / "2026-06-28.json").read_text("utf-8")))
    fixtures = Path(__file__).parent / "fixtures" / "usage"
    sources = {
        p.relative_to(fixtures).as_posix(): p.read_text("utf-8")
        for p in fixtures.rglob("*")
        if p.is_file()
    }
    uses, _ = scan_source(sources)
    resolved = {(r.use.path, r.use.line): r for r in resolve_uses(uses, catalog)}
    agent = resolved["python/agent.py", 10].resolution
    assert (agent.how, agent.offerings[0]) == ("provider", ("anthropic", "claude-sonnet-4-5"))
    assert resolved["litellm/config.yaml", 5].resolution.offerings[0] == ("azure", "gpt-4o")
    assert resolved["python/agent.py", 13].resolution.offerings[0] == (
        "openai",
        "gpt-4o-2024-08-06",
    )
    assert resolved["settings/app.json", 4].resolution.how == "identity"
    assert all(r.resolution.resolved for r in resolved.values())
