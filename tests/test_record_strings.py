"""Catalog text is held to the text rule (issue 10): a control character rejects its record alone.

Any string value or field name, at any depth, of a model record or of a provider's own fields:
C0 controls (tab, LF and CR allowed in free text: the real catalogs use them), DEL, C1 controls,
noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF and each plane's last two) and lone surrogates
reject that record, named, and its last good value stays in the snapshot. Field names and ids
hold no control character at all, names and statuses no line break.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_watch.cli.app import main
from catalog_watch.sources.json_reader import read_upstream
from catalog_watch.sources.json_values import PlainDocument, bad_record, printable, unstorable
from catalog_watch.sources.litellm import parse_litellm
from catalog_watch.sources.models_dev import RECORD_DEPTH, parse_catalog
from catalog_watch.sources.openrouter import parse_openrouter
from catalog_watch.store.snapshot import canonical_json
from tests.factories import MODELS_DEV, document, model, provider, write_json

C0 = [chr(c) for c in range(0x20)]
FREE_TEXT_CONTROLS = ["\t", "\n", "\r"]
FORBIDDEN = [c for c in C0 if c not in FREE_TEXT_CONTROLS] + [
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\ufdd0",
    "\ufdef",
    "\ufffe",
    "\uffff",
    "\U0001fffe",
    "\U0010ffff",
]


def named(character: str) -> str:
    kind = "noncharacter" if ord(character) > 0x9F else "control character"
    return f"holds {kind} U+{ord(character):04X}"


# -- The rule, on one record --------------------------------------------------------------------


@pytest.mark.parametrize("character", FORBIDDEN)
def test_a_forbidden_character_in_any_string_is_named_with_its_path(character: str) -> None:
    record = model("m", extra={"notes": ["fine", {"deep": f"a{character}b"}]})
    problem = bad_record(record, RECORD_DEPTH)
    assert problem is not None
    assert (problem.field, problem.reason) == ("extra.notes.1.deep", named(character))
    assert problem.value == printable(f"a{character}b") != f"a{character}b"
    assert unstorable(record, RECORD_DEPTH) is None  # storable all the same: the rule is ours


@pytest.mark.parametrize("character", [*FORBIDDEN, *FREE_TEXT_CONTROLS])
def test_a_field_name_holds_no_control_character_at_all(character: str) -> None:
    problem = bad_record(model("m", extra={f"k{character}": 1}), RECORD_DEPTH)
    assert problem is not None
    assert problem.field == f"extra.{printable('k' + character)}"
    assert problem.reason == f"the field name {named(character)}"


@pytest.mark.parametrize("character", FREE_TEXT_CONTROLS)
def test_tab_and_line_breaks_are_free_text(character: str) -> None:
    assert bad_record(model("m", description=f"one{character}two"), RECORD_DEPTH) is None


@pytest.mark.parametrize(
    ("field", "character"),
    [("name", "\n"), ("name", "\r"), ("status", "\n"), ("id", "\n"), ("id", "\t")],
)
def test_ids_names_and_statuses_are_one_line(field: str, character: str) -> None:
    record = model("m", **{field: f"m{character}"})
    problem = bad_record(record, RECORD_DEPTH)
    assert problem is not None and problem.field == field
    assert problem.reason.startswith(named(character))


def test_a_tab_in_a_name_is_accepted_as_the_real_catalogs_have_it() -> None:
    # models.dev 2026-03-10 and 2026-06-28: novita-ai "DeepSeek R1 (Turbo)\t" and three more.
    assert bad_record(model("m", name="DeepSeek R1 (Turbo)\t"), RECORD_DEPTH) is None


def test_other_unprintable_but_harmless_text_is_accepted() -> None:
    # Passed over by str.isprintable, allowed by the rule: NBSP, ZWJ in an emoji, private use.
    text = "a\u00a0b \U0001f469\u200d\U0001f4bb \ue000 \u3000"
    assert bad_record(model("m", name=text, extra={text: text}), RECORD_DEPTH) is None


def test_printable_escapes_what_a_sink_would_act_on() -> None:
    assert printable("\x1b[2J\x07\x00\x7f\x85\ufffe\U0001ffff\ud800\t") == (
        "\\x1b[2J\\x07\\x00\\x7f\\x85\\ufffe\\U0001ffff\\ud800\\x09"
    )
    assert printable("plain é 😀") == "plain é 😀"


# -- Rejected alone, in a catalog ---------------------------------------------------------------


def thirty(**bad_fields: Any) -> dict[str, Any]:
    """acme: 29 good models and ``bad`` carrying ``bad_fields`` (1 in 30 is under the 5 %)."""
    models = [model(f"m{i}") for i in range(29)]
    return document(provider("acme", *models, model("bad", **bad_fields)))


def test_a_control_character_rejects_the_model_with_a_named_rejection() -> None:
    catalog = parse_catalog(thirty(name="evil\x1b[2J"))
    [rejection] = catalog.rejections
    assert str(rejection) == (
        "provider 'acme' model 'bad' field 'name': holds control character U+001B "
        "(got 'evil\\\\x1b[2J')"
    )
    assert "bad" not in catalog.providers["acme"].models
    assert len(catalog.providers["acme"].models) == 29
    canonical_json(rejection.to_json())  # and _meta.json can hold it


def test_a_control_character_in_a_model_key_rejects_that_model() -> None:
    doc = thirty()
    doc["acme"]["models"]["bad\x1b"] = model("bad\x1b")
    catalog = parse_catalog(doc)
    assert [(r.model, r.field) for r in catalog.rejections] == [("bad\\x1b", "id")]


def test_a_control_character_in_a_provider_field_rejects_the_provider() -> None:
    doc = document(
        provider("acme", model("m"), name="Acme\x07"),
        provider("beta", *(model(f"m{i}") for i in range(30))),
    )
    catalog = parse_catalog(doc)
    assert [(r.provider, r.model, r.field) for r in catalog.rejections] == [("acme", None, "name")]
    assert list(catalog.providers) == ["beta"]


def run_check(source: Path, snap: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    args = ["check", "--source", str(source), "--snapshots", str(snap), "--write"]
    assert main([*args, "--format", "json"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def catalog_of_three() -> dict[str, Any]:
    return document(
        provider("acme", *(model(f"m{i}") for i in range(30))),
        provider("beta", *(model(f"m{i}") for i in range(10))),
        provider("gamma", model("g")),
    )


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("name",), "evil\x1b[2J"),
        (("status",), "beta\n::error::x"),
        (("release_date",), "2025\x00"),
        (("extra", "deep", "text"), "\ufffe"),
        (("extra", "list"), ["ok", "\x85"]),
    ],
)
def test_check_keeps_the_last_good_record_byte_for_byte_and_writes_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: tuple[str, ...], value: Any
) -> None:
    snap = tmp_path / "snap"
    run_check(write_json(tmp_path / "api.json", catalog_of_three()), snap, capsys)
    before = json.loads((snap / "acme.json").read_bytes())
    new = catalog_of_three()
    record = new["acme"]["models"]["m3"]
    for key in where[:-1]:
        record = record.setdefault(key, {})
    record[where[-1]] = value
    new["acme"]["models"]["m4"]["cost"]["input"] = 4
    new["beta"]["models"]["m0"]["limit"]["output"] = 4096
    report = run_check(write_json(tmp_path / "api.json", new), snap, capsys)

    [rejected] = report["rejected"]
    assert (rejected["provider"], rejected["model"]) == ("acme", "m3")
    assert rejected["reason"].startswith("holds ")
    assert sorted((c["provider"], c["model"], c["field"]) for c in report["changes"]) == [
        ("acme", "m4", "cost.input"),
        ("beta", "m0", "limit.output"),
    ]
    after = json.loads((snap / "acme.json").read_bytes())
    assert canonical_json(after["models"]["m3"]) == canonical_json(before["models"]["m3"])
    assert after["models"]["m4"]["cost"]["input"] == 4
    stored = json.loads((snap / "_meta.json").read_bytes())["rejected"]
    assert [(r["model"], r["field"]) for r in stored] == [("m3", rejected["field"])]


def test_check_keeps_a_provider_whose_own_field_broke_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "snap"
    run_check(write_json(tmp_path / "api.json", catalog_of_three()), snap, capsys)
    kept = (snap / "gamma.json").read_bytes()
    new = catalog_of_three()
    new["gamma"]["name"] = "Gamma\r\nInjected: header"
    new["gamma"]["models"]["g"]["cost"]["input"] = 9  # not taken: the provider is rejected
    new["acme"]["models"]["m0"]["cost"]["input"] = 9
    report = run_check(write_json(tmp_path / "api.json", new), snap, capsys)
    assert [(r["provider"], r["model"], r["field"]) for r in report["rejected"]] == [
        ("gamma", None, "name")
    ]
    assert (snap / "gamma.json").read_bytes() == kept
    assert [(c["provider"], c["model"]) for c in report["changes"]] == [("acme", "m0")]


# -- Anywhere in a record -----------------------------------------------------------------------

texts = st.lists(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")), max_size=5)


@st.composite
def poisoned(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A catalog of 30 models and the id of the one given a forbidden character somewhere: in
    a string value or a field name, known fields or unknown ones, at any depth."""
    doc = thirty()
    doc["acme"]["models"]["bad"] = record = copy.deepcopy(doc["acme"]["models"]["m0"])
    record["id"] = "bad"
    record["extra"] = draw(st.recursive(texts.map("".join), _nest, max_leaves=6))
    bad = draw(st.sampled_from(FORBIDDEN))
    text = "".join(draw(texts)) + bad + "".join(draw(texts))
    spot = draw(st.sampled_from(["name", "family", "key", "nested", "modality", "list"]))
    if spot == "key":
        record["extra"] = {text: record["extra"]}
    elif spot == "nested":
        record["extra"] = {"a": [{"b": text}, record["extra"]]}
    elif spot == "modality":
        record["modalities"]["input"].append(text)
    elif spot == "list":
        record["reasoning_options"] = [{"effort": text}]
    else:
        record[spot] = text
    return doc, "bad"


def _nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(texts.map("".join), inner, max_size=3)


def as_served(doc: dict[str, Any]) -> Any:
    """``doc`` read back from the compact bytes models.dev serves (orjson's spelling): the
    reader's orjson path, whose documents validation checks in C before walking them."""
    served = read_upstream(orjson.dumps(doc))
    assert isinstance(served, PlainDocument)
    return served


@settings(max_examples=150, deadline=None)
@given(poisoned(), st.booleans())
def test_a_forbidden_character_anywhere_rejects_that_record_and_only_it(
    case: tuple[dict[str, Any], str], served: bool
) -> None:
    doc, bad = case
    catalog = parse_catalog(as_served(doc) if served else doc)
    assert {r.model for r in catalog.rejections} == {bad}
    assert sorted(catalog.providers["acme"].models) == sorted(f"m{i}" for i in range(29))
    for rejection in catalog.rejections:
        assert bad_record(rejection.to_json(), 1) is None  # the rejection is inert itself
    assert catalog == parse_catalog(doc)


@settings(max_examples=100, deadline=None)
@given(st.recursive(texts.map("".join), _nest, max_leaves=8), st.booleans())
def test_text_without_a_forbidden_character_is_accepted_anywhere(extra: Any, served: bool) -> None:
    doc = thirty(extra=extra, description="a\tb\nc\r\nd")
    assert parse_catalog(as_served(doc) if served else doc).rejections == ()


@pytest.mark.parametrize("levels", [RECORD_DEPTH + 58, RECORD_DEPTH + 59, RECORD_DEPTH + 60])
def test_a_served_record_nested_to_the_limit_is_accepted_and_one_level_more_is_not(
    levels: int,
) -> None:
    # A record may nest MAX_DEPTH - RECORD_DEPTH + 1 = 62 levels, itself included.
    doc = thirty()
    deep: Any = 1
    for _ in range(levels - 1):
        deep = {"k": deep}
    doc["acme"]["models"]["m0"]["extra"] = deep
    expected = parse_catalog(doc)
    assert parse_catalog(as_served(doc)) == expected
    assert [r.model for r in expected.rejections] == ([] if levels <= 62 else ["m0"])


# -- The other sources --------------------------------------------------------------------------


def litellm_entry(**fields: Any) -> dict[str, Any]:
    return {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-06, **fields}


def test_litellm_entries_are_held_to_the_text_rule() -> None:
    entries = {f"m{i}": litellm_entry() for i in range(40)}
    entries["esc\x1b"] = litellm_entry()
    entries["m1"] = litellm_entry(notes="\x9b31m")
    catalog = parse_litellm(entries)
    assert sorted((r.model, r.field, r.reason) for r in catalog.rejections) == [
        ("esc\\x1b", "id", "holds control character U+001B"),
        ("m1", "litellm.notes", "holds control character U+009B"),
    ]


def openrouter_entry(model_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": model_id.upper(),
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "description": "Paragraph one.\n\nParagraph two.",  # dropped, as upstream writes it
        **fields,
    }


def test_openrouter_models_are_held_to_the_text_rule() -> None:
    entries = [openrouter_entry(f"org/m{i}") for i in range(40)]
    entries.append(openrouter_entry("org/bad", name="Bad\n::warning::x"))
    entries.append(openrouter_entry("org/worse", links={"x\x00": "y"}))
    catalog = parse_openrouter({"data": entries})
    assert sorted((r.model, r.field) for r in catalog.rejections) == [
        ("org/bad", "name"),
        ("org/worse", "openrouter.links.x\\x00"),
    ]
    assert len(catalog.providers["openrouter"].models) == 40


@pytest.mark.realdata
def test_the_real_names_with_a_tab_are_accepted() -> None:
    doc = json.loads((MODELS_DEV / "2026-06-28.json").read_bytes())
    catalog = parse_catalog(doc)
    tabbed = sorted(m for p, m, r in catalog.offerings() if "\t" in r["name"])
    assert tabbed == [
        "deepseek/deepseek-r1-turbo",
        "deepseek/deepseek-v3-turbo",
        "sao10K/l3-70b-euryale-v2.1",
        "sao10K/l3-8b-lunaris",
    ]
    assert catalog.rejections == ()
