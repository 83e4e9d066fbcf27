"""history and price-at as CSV: catalog text a spreadsheet would evaluate is written as text."""

from __future__ import annotations

import csv
import io

import pytest

from catalog_watch.analysis.history import Period
from catalog_watch.inert.spreadsheet import cell
from catalog_watch.render.history import render_history, render_price_at

FORMULAS = [
    '=HYPERLINK("https://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
]  # a CR never reaches the file: the output stream spells it out (inert.terminal)


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def evaluated(value: str) -> bool:
    """What a spreadsheet would read as a formula: a leading = + - @ (after a tab or CR)."""
    return value.lstrip("\t\r")[:1] in ("=", "+", "-", "@") and cell(value) == value


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_history_cell_a_spreadsheet_would_evaluate_is_written_as_text(formula: str) -> None:
    period = Period(formula, formula, "name", formula, "2026-11-01T10:17:00Z", None)
    [header, row] = cells(render_history([period], "csv"))
    assert header == ["provider", "model", "field", "value", "from", "to"]
    assert row[:4] == [f"'{formula}", f"'{formula}", "name", f"'{formula}"]
    assert not any(evaluated(value) for value in row)


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_price_at_cell_a_spreadsheet_would_evaluate_is_written_as_text(formula: str) -> None:
    text = render_price_at([(formula, formula, {"cost.input": 2.5})], formula, "2026-11-12", "csv")
    [_, row] = cells(text)
    assert row[:3] == [f"'{formula}", f"'{formula}", "2.5"]


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    periods = [
        Period("acme", "m1", "cost.input", -0.5, None, None),
        Period("acme", "m1", "cost.output", 3, None, None),
        Period("acme", "m-2", "name", "M-2 = fast", None, None),
    ]
    rows = cells(render_history(periods, "csv"))[1:]
    assert {row[2]: row[3] for row in rows} == {
        "cost.input": "-0.5",
        "cost.output": "3",
        "name": "M-2 = fast",
    }
