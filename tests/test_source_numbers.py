"""The LiteLLM and OpenRouter adapters' numbers: a price or token count is read only as JSON
spells a number, within what a catalog stores, and anything else rejects its record by the
source's own field name (never a hang, a traceback or a price made free)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.model.catalog import Catalog
from catalog_watch.sources.litellm import parse_litellm
from catalog_watch.sources.openrouter import parse_openrouter
from catalog_watch.sources.units import MAX_TOKENS
from tests.test_source_litellm import entry
from tests.test_source_openrouter import model


def litellm(**fields: Any) -> Catalog:
    """A LiteLLM document of one good entry and one with these fields, every rejection kept."""
    document = {"good": entry(), "odd": entry(**fields)}
    return parse_litellm(document, max_rejected_share=1.0)


def openrouter(**fields: Any) -> Catalog:
    document = {"data": [model("acme/good"), model("acme/odd", **fields)]}
    return parse_openrouter(document, max_rejected_share=1.0)


def rejected(catalog: Catalog) -> list[tuple[str | None, str]]:
    return [(r.model, r.field) for r in catalog.rejections]


@pytest.mark.parametrize(
    "count", ["1e999999999", "1e5000", 1e20, 2**64, str(2**64), "1_000", "١٢٨", "0x10"]
)
def test_a_token_count_beyond_64_bits_or_not_spelled_as_json_rejects_its_record(
    count: object,
) -> None:
    catalog = litellm(max_input_tokens=count)
    assert rejected(catalog) == [("odd", "max_input_tokens")]
    assert "good" in catalog.providers["acme"].models


def test_the_largest_token_count_a_catalog_holds_is_kept() -> None:
    catalog = litellm(max_input_tokens=MAX_TOKENS, max_output_tokens=str(MAX_TOKENS))
    assert catalog.rejections == ()
    limit = catalog.providers["acme"].models["odd"]["limit"]
    assert (limit["context"], limit["output"]) == (MAX_TOKENS, MAX_TOKENS)


@pytest.mark.parametrize(
    "price",
    [
        "1e999999",  # decimal.Overflow when scaled to 1M
        "1e5000",  # a 5,000-digit integer nobody can print
        "1e-400",  # read as 0: a price made free
        1e-320,  # a subnormal float: 1e-314 per 1M would read back as a different number
        "1_000",  # Decimal's own syntax, not JSON's
        "٣",  # an Arabic-Indic digit
        "NaN",
    ],
)
def test_a_price_no_float_holds_per_1m_or_not_spelled_as_json_rejects_its_record(
    price: object,
) -> None:
    catalog = litellm(input_cost_per_token=price)
    assert rejected(catalog) == [("odd", "input_cost_per_token")]
    [rejection] = catalog.rejections
    assert rejection.reason.startswith("not a price")


def test_a_huge_but_finite_price_is_kept_as_the_float_it_is() -> None:
    """README: any finite price is accepted, however large (a unit error is the checks' job)."""
    catalog = litellm(input_cost_per_token=1e300)
    assert catalog.rejections == ()
    assert catalog.providers["acme"].models["odd"]["cost"]["input"] == 1e306


def test_a_price_string_with_spaces_around_a_json_number_is_read_exactly() -> None:
    catalog = litellm(input_cost_per_token=" 0.000000075 ")
    assert catalog.providers["acme"].models["odd"]["cost"]["input"] == 0.075


def test_openrouter_rejects_an_overflowing_price_and_a_context_of_a_billion_digits() -> None:
    price = openrouter(pricing={"prompt": "1e999999", "completion": "0.00001"})
    assert rejected(price) == [("acme/odd", "pricing.prompt")]
    context = openrouter(context_length="1e999999999")
    assert rejected(context) == [("acme/odd", "context_length")]


def test_the_hourly_check_on_a_count_of_a_billion_digits_answers_at_once(tmp_path: Path) -> None:
    """The old adapter built the integer (a billion digits: minutes of CPU and gigabytes): the
    run hung. Now the record is rejected by name and the other 40 are reported."""
    document = {f"m{i}": entry() for i in range(40)}
    document["huge"] = entry(max_input_tokens="1e999999999")
    catalog = tmp_path / "litellm.json"
    catalog.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "catalog_watch.cli.app", "check", "--source", str(catalog)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "huge" in done.stdout and "max_input_tokens" in done.stdout
    assert "40 offerings" in done.stdout


def test_a_record_rejected_for_one_field_is_not_also_listed_as_accepted_with_a_warning() -> None:
    catalog = litellm(max_output_tokens="4096", input_cost_per_token="1e999999")
    assert rejected(catalog) == [("odd", "input_cost_per_token")]
    assert catalog.warnings == ()
    kept = litellm(max_output_tokens="4096")
    assert [(w.model, w.field) for w in kept.warnings] == [("odd", "max_output_tokens")]
