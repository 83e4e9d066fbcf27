"""``json_output``: the bytes a command prints for ``--format json``."""

from __future__ import annotations

import json

from catalog_watch.model.json_text import JSONNumber, json_output


def test_compact_output_has_sorted_keys_no_spaces_and_a_newline() -> None:
    assert json_output({"b": [1, 2], "a": {"z": None, "y": "é"}}) == (
        '{"a":{"y":"é","z":null},"b":[1,2]}\n'
    )


def test_indented_output_matches_the_standard_encoder() -> None:
    value = {"b": [1, {"c": True}], "a": {}, "d": [], "e": "x"}
    expected = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert json_output(value, indent=True) == expected


def test_a_number_keeps_the_text_upstream_wrote() -> None:
    value = {"price": JSONNumber(5.3e-05, "0.000053"), "tokens": JSONNumber(2.5e-06, "0.0000025")}
    assert json_output(value) == '{"price":0.000053,"tokens":0.0000025}\n'
    assert '"price": 0.000053' in json_output(value, indent=True)


def test_what_orjson_refuses_is_written_by_json_in_the_same_layout() -> None:
    big = 2**70  # past 64 bits: orjson refuses it
    assert json_output({"b": big, "a": "\ud800"}) == f'{{"a":"\ud800","b":{big}}}\n'
    assert json_output({"b": big}, indent=True) == f'{{\n  "b": {big}\n}}\n'


def test_integer_keys_are_sorted_as_numbers_like_the_standard_encoder() -> None:
    assert (
        json_output({2: "x", 10: "y"})
        == json.dumps({2: "x", 10: "y"}, sort_keys=True, separators=(",", ":")) + "\n"
    )


def test_nan_and_infinities_are_written_null_so_the_output_stays_json() -> None:
    text = json_output({"a": float("nan"), "b": float("-inf")})
    assert text == '{"a":null,"b":null}\n'
    assert json.loads(text) == {"a": None, "b": None}
