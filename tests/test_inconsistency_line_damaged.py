"""A finding read back from a damaged or hand-edited ledger line: ``values`` of the right JSON type
(an object) but not the shape its kind's check writes. Every renderer gives a line, in the
kind's own words when it can read them, else in words naming the kind and the offerings; never
a traceback (``catalog-watch site`` once exited 1 on such a line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.model.severity import Severity
from catalog_watch.render.inconsistency_line import describe, inconsistency_line
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.ledger import LEDGER_FILE
from catalog_watch.store.snapshot import provider_files, write_snapshot
from tests import browser
from tests.factories import small_catalog
from tests.test_site import change_rows

K = InconsistencyKind
FIELDS = {
    K.OUTPUT_EXCEEDS_CONTEXT: "limit.output",
    K.CACHE_READ_ABOVE_INPUT: "cost.cache_read",
    K.ZERO_PRICE_IN_PAID_GROUP: "cost",
    K.TIER_BELOW_BASE: "cost.tiers",
    K.PRICE_SPREAD: "cost.input",
    K.PRICE_UNIT_ERROR: "cost.input",
}


def finding(kind: InconsistencyKind, values: dict[str, Any]) -> Inconsistency:
    field = FIELDS.get(kind, "limit.context")
    return Inconsistency(f"{kind}:m:{field}", kind, "m", field, values, Severity.MEDIUM)


def every_line(item: Inconsistency) -> list[str]:
    """The words as every renderer writes them: plain, with units, and both kinds of line."""
    lines = [inconsistency_line(item, markup) for markup in ("text", "markdown")]
    return [describe(item), describe(item, units=True), *lines]


BIG = 10**400  # a JSON number no float holds (``json`` reads it; ``float()`` overflows)

DAMAGED: list[tuple[InconsistencyKind, dict[str, Any]]] = [
    (K.OUTPUT_EXCEEDS_CONTEXT, {}),
    (K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": 5}),
    (K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": {"context": 8192}}),
    (K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": {"context": "8k", "output": "16k"}}),
    (K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": {"context": 1, "output": 2}, "b/y": {}}),
    (K.CACHE_READ_ABOVE_INPUT, {}),
    (K.CACHE_READ_ABOVE_INPUT, {"a/x": {"input": True, "cache_read": None}}),
    (K.TIER_BELOW_BASE, {}),
    (K.TIER_BELOW_BASE, {"a/x": {"below": 5}}),
    (K.TIER_BELOW_BASE, {"a/x": {"base": {"input": 2}, "below": []}}),
    (K.TIER_BELOW_BASE, {"a/x": {"base": {"input": 2}, "below": ["cheap"]}}),
    (K.TIER_BELOW_BASE, {"a/x": {"base": 2, "below": [{"input": 1}]}}),
    (K.ZERO_PRICE_IN_PAID_GROUP, {}),
    (K.ZERO_PRICE_IN_PAID_GROUP, {"a/x": {"input": 0, "output": 0}}),
    (K.ZERO_PRICE_IN_PAID_GROUP, {"a/x": {"input": 2}, "b/y": {"input": BIG}}),
    (K.ZERO_PRICE_IN_PAID_GROUP, {"a/x": "free", "b/y": {"input": 2}}),
    (K.LIMIT_MISMATCH, {}),
    (K.PRICE_SPREAD, {}),
]


@pytest.mark.parametrize(("kind", "values"), DAMAGED, ids=lambda v: json.dumps(v)[:40])
def test_values_not_of_the_kinds_shape_name_the_kind_and_the_offerings(
    kind: InconsistencyKind, values: dict[str, Any]
) -> None:
    item = finding(kind, values)
    offerings = ", ".join(values) or "no offering"
    words = f"{item.field}: {kind.value.replace('_', ' ')} on {offerings} (values unreadable)"
    escaped = words.replace("_", "\\_")  # markdown's escape of the field's underscore
    assert every_line(item) == [
        words,
        words,
        f"[medium] m: {words}",
        f"- **medium** `m`: {escaped}",
    ]


def test_an_unreadable_finding_escapes_its_offerings_in_markdown() -> None:
    item = finding(K.TIER_BELOW_BASE, {"a/*x*": {"below": 5}})
    line = inconsistency_line(item, "markdown")
    assert line == "- **medium** `m`: cost.tiers: tier below base on a/\\*x\\* (values unreadable)"


def test_a_price_spread_with_a_zero_median_is_told_without_a_factor() -> None:
    item = finding(K.PRICE_SPREAD, {"a/x": -1, "b/y": 1})
    assert describe(item) == "cost.input varies: 1 (b/y), -1 (a/x)"
    assert describe(item, units=True) == "cost.input varies: $1.00 (b/y), $-1.00 (a/x)"


def test_a_price_spread_names_the_outlier_among_the_positive_prices_only() -> None:
    item = finding(K.PRICE_SPREAD, {"a/x": 1, "b/y": 2, "c/z": 200, "d/w": -4, "e/v": "9"})
    assert describe(item).endswith("; median 2, c/z is 100x off (spread)")


@pytest.mark.parametrize(
    "values",
    [
        {"a/x": 1e308, "b/y": 1e308},  # their median is past a float's end
        {"a/x": 1e308, "b/y": 5e-324},  # their ratio is
        {"a/x": BIG, "b/y": 1},
        {"a/x": float("nan"), "b/y": float("inf")},  # ``json`` reads NaN and Infinity
    ],
    ids=["huge median", "huge ratio", "10**400", "NaN"],
)
def test_a_price_spread_of_numbers_no_float_compares_is_told_without_a_factor(
    values: dict[str, Any],
) -> None:
    for line in every_line(finding(K.PRICE_SPREAD, values)):
        assert "cost.input varies: " in line and "off" not in line


def test_a_number_no_float_holds_is_written_out_in_every_kind() -> None:
    digits = str(BIG)
    for kind in K:
        item = finding(kind, {"a/x": BIG, "b/y": {"input": BIG, "output": BIG, "context": 1}})
        assert all(line for line in every_line(item)), kind
    output = finding(K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": {"context": 8, "output": BIG}})
    assert describe(output, units=True) == f"limit.output {digits} exceeds limit.context 8 on a/x"
    zero = finding(
        K.ZERO_PRICE_IN_PAID_GROUP, {"a/x": {"input": 0, "output": 0}, "b/y": {"input": BIG}}
    )
    assert describe(zero) == f"a/x is priced 0/0 while the group is paid: b/y input {digits}"


def test_negative_and_empty_values_keep_the_kinds_own_words() -> None:
    output = finding(K.OUTPUT_EXCEEDS_CONTEXT, {"a/x": {"context": -1, "output": 0}})
    assert describe(output) == "limit.output 0 exceeds limit.context -1 on a/x"
    tiers = finding(K.TIER_BELOW_BASE, {"a/x": {"base": {}, "below": [{"input": -1}]}})
    assert (
        describe(tiers, units=True) == "cost.tiers below the base price (none) on a/x: input $-1.00"
    )
    empty = finding(K.LIMIT_MISMATCH, {"a/x": {}, "b/y": {}})
    assert describe(empty) == "limit.context varies: none (a/x, b/y)"


# -- Through ``catalog-watch site`` -----------------------------------------------------------

UNREADABLE = "(values unreadable)"
PROBED = [  # what a probe of the site command found: each a traceback, exit 1
    (
        K.OUTPUT_EXCEEDS_CONTEXT,
        {},
        f"limit.output: output exceeds context on no offering {UNREADABLE}",
    ),
    (K.PRICE_SPREAD, {"a/x": -1, "b/y": 1}, "cost.input varies: $1.00 (b/y), $-1.00 (a/x)"),
    (K.TIER_BELOW_BASE, {"a/x": {"below": 5}}, f"cost.tiers: tier below base on a/x {UNREADABLE}"),
]


def _snapshots_with(root: Path, item: Inconsistency) -> Path:
    """The small catalog, and a ledger of one line: ``item`` appeared."""
    snapshots = root / "snapshots"
    write_snapshot(snapshots, provider_files(parse_catalog(small_catalog())), {})
    stamp = {"source": "models.dev", "time": "2026-01-01T00:00:00Z", "commit": "a" * 40}
    line = {**item.to_json(), "inconsistency_kind": item.kind, "kind": "inconsistency_appeared"}
    (snapshots / LEDGER_FILE).write_text(json.dumps({**line, **stamp}) + "\n")
    return snapshots


@pytest.mark.parametrize(("kind", "values", "words"), PROBED, ids=[k for k, _, _ in PROBED])
def test_the_site_command_builds_a_site_from_a_ledger_line_of_damaged_values(
    tmp_path: Path, kind: InconsistencyKind, values: dict[str, Any], words: str
) -> None:
    snapshots = _snapshots_with(tmp_path, finding(kind, values))
    out = tmp_path / "out"
    assert main(["site", str(out), "--snapshots", str(snapshots)]) == 0
    rows = change_rows(browser.parse((out / "index.html").read_text()))
    assert [row["change"] for row in rows] == [f"appeared: {words}"]


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("old", [BIG, _nested(300)], ids=["10**400", "300 levels"])
def test_the_site_command_builds_a_site_from_a_price_line_orjson_cannot_write(
    tmp_path: Path, old: Any
) -> None:
    """A hand-edited ledger line's value past orjson's limits (an integer beyond 64 bits,
    nesting deeper than 254): the page digest's orjson.dumps raised, and ``site`` exited 1."""
    snapshots = _snapshots_with(tmp_path, finding(K.LIMIT_MISMATCH, {"a/x": 1, "b/y": 2}))
    stamp = {"source": "models.dev", "time": "2026-01-02T00:00:00Z", "commit": "b" * 40}
    line = {"kind": "price_changed", "provider": "acme", "model": "big-1", "field": "cost.input"}
    with (snapshots / LEDGER_FILE).open("a") as ledger:
        ledger.write(json.dumps({**line, "old": old, "new": 3, "severity": "high", **stamp}) + "\n")
    out = tmp_path / "out"
    assert main(["site", str(out), "--snapshots", str(snapshots)]) == 0
    rows = change_rows(browser.parse((out / "index.html").read_text()))
    [price] = [row for row in rows if row["kind"] == "price changed"]
    assert (price["model"], price["field"]) == ("big-1", "cost.input")
    assert "→ $3.00" in price["change"]
