"""OpenRouter's ``pricing`` object → a models.dev ``cost`` block (``openrouter.py`` has the rules).

Prices are decimal strings in USD per token, converted exactly to USD per 1M (``reader.price``);
``"-1"`` is a dynamic price (a router), left out and flagged; ``pricing.overrides`` with
``min_prompt_tokens`` become ``cost.tiers``, the others stay raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from catalog_watch.model.catalog import JSON
from catalog_watch.sources.adapter import FieldReader

PRICE_FIELDS: Mapping[str, str] = {
    "prompt": "input",
    "completion": "output",
    "input_cache_read": "cache_read",
    "input_cache_write": "cache_write",
    "internal_reasoning": "reasoning",
}

_DYNAMIC = Decimal(-1)


def cost_block(
    pricing: dict[str, Any], reader: FieldReader
) -> tuple[dict[str, JSON], bool, dict[str, JSON]]:
    """``pricing`` → (cost block, whether any price is dynamic, the keys left unmapped)."""
    cost, dynamic = _prices(pricing, "pricing", reader)
    rest: dict[str, JSON] = {
        k: v for k, v in pricing.items() if k not in PRICE_FIELDS and k != "overrides"
    }
    overrides = pricing.get("overrides")
    if overrides is None:
        return cost, dynamic, rest
    if not isinstance(overrides, list):
        reader.reject("pricing.overrides", "should be a list", overrides)
        return cost, dynamic, rest
    tiers: list[dict[str, JSON]] = []
    raw: list[JSON] = []
    for index, item in enumerate(overrides):
        where = f"pricing.overrides[{index}]"
        if not isinstance(item, dict):
            reader.reject(where, "should be an object", item)
            continue
        if item.get("min_prompt_tokens") is None:
            raw.append(item)  # a time-of-day window or something new: not a context tier
            continue
        size = reader.tokens(item["min_prompt_tokens"], f"{where}.min_prompt_tokens")
        tier, tier_dynamic = _prices(item, where, reader)
        dynamic = dynamic or tier_dynamic
        if size is not None:
            tiers.append({**tier, "tier": {"type": "context", "size": size}})
        leftover = {
            k: v for k, v in item.items() if k not in PRICE_FIELDS and k != "min_prompt_tokens"
        }
        if leftover:
            raw.append({"min_prompt_tokens": item["min_prompt_tokens"], **leftover})
    if tiers:
        cost["tiers"] = sorted(tiers, key=lambda tier: tier["tier"]["size"])
    if raw:
        rest["overrides"] = raw
    return cost, dynamic, rest


def is_dynamic(value: JSON) -> bool:
    """OpenRouter's ``"-1"``: the price depends on where the request is routed."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        return Decimal(str(value).strip()) == _DYNAMIC
    except InvalidOperation:
        return False


def _prices(
    source: Mapping[str, Any], where: str, reader: FieldReader
) -> tuple[dict[str, JSON], bool]:
    """The prices of ``source`` (``pricing`` or one override) by models.dev name, and whether one
    of them is dynamic (left out)."""
    prices: dict[str, JSON] = {}
    dynamic = False
    for source_field, target in PRICE_FIELDS.items():
        value = source.get(source_field)
        if is_dynamic(value):
            dynamic = True
            continue
        price = reader.price(value, f"{where}.{source_field}")
        if price is not None:
            prices[target] = price
    return prices, dynamic
