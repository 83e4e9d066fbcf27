"""The JSON reader's limits (json_reader.py): what a fetch accepts, the next run can read back.

Catalogs that exercise the fetch path are served by the loopback server (tests/catalog_server.py);
bodies with NaN, 1e400 or a lone surrogate are written by hand, since ``json.dumps`` spells them
differently or not at all.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_watch.cli.app import main
from catalog_watch.errors import CatalogRejected, FetchError, SnapshotError
from catalog_watch.jobs.check import CheckOptions, check
from catalog_watch.model.json_text import JSONNumber
from catalog_watch.sources.fetch import FetchOptions, fetch_catalog
from catalog_watch.sources.json_duplicates import Duplicate, duplicates_in, find_duplicates
from catalog_watch.sources.json_reader import (
    MAX_DOCUMENT_DEPTH,
    JSONReadError,
    nesting_depth,
    read_stored,
    read_upstream,
)
from catalog_watch.sources.json_values import MAX_DEPTH, unstorable
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import (
    canonical_json,
    provider_files,
    read_document,
    read_snapshot,
)
from tests.catalog_server import CatalogServer, Reply
from tests.factories import MODELS_DEV, document, model, provider

FAST = FetchOptions(max_attempts=1)
PLACEHOLDER = '"@@BAD@@"'  # replaced in the served bytes by a value json.dumps cannot write


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def thirty_models(**bad_fields: Any) -> dict[str, Any]:
    """One provider of 30 models, ``bad`` carrying ``bad_fields``: 1 in 30 is under the 5 %."""
    models = [model(f"m{i}") for i in range(29)]
    return document(provider("acme", *models, model("bad", **bad_fields)))


def serve(server: CatalogServer, doc: dict[str, Any], bad_value: bytes | None = None) -> str:
    body = json.dumps(doc).encode()
    if bad_value is not None:
        assert body.count(PLACEHOLDER.encode()) == 1
        body = body.replace(PLACEHOLDER.encode(), bad_value)
    server.reply(Reply(body=body))
    return f"{server.url}/api.json"


@pytest.fixture
def server() -> Any:
    with CatalogServer() as running:
        yield running


# -- One bad record is rejected, the rest is accepted and reads back ----------------------------


def test_a_210_level_unknown_field_rejects_that_model_and_the_snapshot_reads_back(
    server: CatalogServer, tmp_path: Path
) -> None:
    doc = thirty_models(blob=nested(210))
    snapshots = tmp_path / "snap"
    options = CheckOptions(source=serve(server, doc), snapshots=snapshots, write=True, fetch=FAST)
    first = check(options)
    assert first.report is not None and first.written is not None
    [rejection] = first.report.rejections
    assert (rejection.provider, rejection.model, rejection.field) == ("acme", "bad", "blob")
    assert f"nested deeper than the {MAX_DEPTH} levels" in rejection.reason
    snapshot = read_snapshot(snapshots)
    assert snapshot is not None
    assert sorted(snapshot.document["acme"]["models"]) == sorted(f"m{i}" for i in range(29))
    for name, data in snapshot.files.items():
        assert read_stored(data) == snapshot.document[name.removesuffix(".json")]
    meta = read_stored((snapshots / "_meta.json").read_bytes())
    assert isinstance(meta, dict) and meta["rejected"][0]["field"] == "blob"
    # The next run reads the snapshot back (this is what failed with exit 6) and sees the same.
    serve(server, doc)
    second = check(options)
    assert second.report is not None
    assert [(r.model, r.field) for r in second.report.rejections] == [("bad", "blob")]


def test_the_command_line_exits_0_on_both_runs_with_a_deep_record(
    server: CatalogServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reported bug: run 1 committed the record, every later run ended with exit 6.
    good = [model(f"m{i}") for i in range(40)]
    deep = model("deep", blob=nested(210))
    nan = model("nan", cost={"input": "@@BAD@@", "output": 1})
    doc = document(provider("acme", *good, deep, nan))
    argv = ["check", "--snapshots", str(tmp_path / "snap"), "--write", "--format", "json"]
    for _ in range(2):
        url = serve(server, doc, b"NaN")
        assert main([*argv, "--source", url]) == 0
        report = json.loads(capsys.readouterr().out)
        rejected = sorted((r["model"], r["field"], r["value"]) for r in report["rejected"])
        assert rejected == [("deep", "blob", None), ("nan", "cost.input", "NaN")]


@pytest.mark.parametrize(
    ("bad_value", "field", "reason", "reported"),
    [
        (b"NaN", "extra.x", "NaN is not a JSON number", "NaN"),
        (b"Infinity", "extra.x", "Infinity", "Infinity"),
        (b"-Infinity", "extra.x", "-Infinity", "-Infinity"),
        (b"1e400", "extra.x", "too large for a 64-bit float", "Infinity"),
        (b'"\\ud800"', "extra.x", "lone surrogate", "\\ud800"),
        (b'["ok", "\\udfff!"]', "extra.x.1", "lone surrogate", "\\udfff!"),
    ],
)
def test_an_unstorable_value_in_an_unknown_field_rejects_that_record(
    server: CatalogServer,
    tmp_path: Path,
    bad_value: bytes,
    field: str,
    reason: str,
    reported: str,
) -> None:
    doc = thirty_models(extra={"x": "@@BAD@@"})
    url = serve(server, doc, bad_value)
    result = check(CheckOptions(source=url, snapshots=tmp_path / "snap", write=True, fetch=FAST))
    assert result.report is not None and result.written is not None
    [rejection] = result.report.rejections
    assert (rejection.provider, rejection.model, rejection.field) == ("acme", "bad", field)
    assert reason in rejection.reason
    assert rejection.value == reported
    meta = read_stored((tmp_path / "snap" / "_meta.json").read_bytes())  # the rejection is stored
    assert isinstance(meta, dict) and meta["rejected"][0]["value"] == reported
    assert read_snapshot(tmp_path / "snap") is not None


def test_a_lone_surrogate_in_a_field_name_rejects_the_record_and_is_reported_escaped() -> None:
    doc = thirty_models(extra={"\udc80name": 1})
    catalog = parse_catalog(doc)
    [rejection] = catalog.rejections
    assert (rejection.model, rejection.field) == ("bad", "extra.\\udc80name")
    assert "field name holds a lone surrogate" in rejection.reason
    canonical_json(rejection.to_json())  # writable


def test_a_nan_price_is_rejected_and_its_rejection_can_be_written() -> None:
    doc = thirty_models(cost={"input": float("nan"), "output": 1})
    [rejection] = parse_catalog(doc).rejections
    assert (rejection.field, rejection.value) == ("cost.input", "NaN")
    canonical_json(rejection.to_json())  # before, NaN made _meta.json unwritable


def test_a_bad_provider_field_rejects_the_provider() -> None:
    doc = document(
        provider("acme", model("m"), links=nested(80)),
        provider("beta", *(model(f"m{i}") for i in range(30))),
    )
    catalog = parse_catalog(doc, max_rejected_share=0.5)
    assert [(r.provider, r.model, r.field) for r in catalog.rejections] == [("acme", None, "links")]
    assert "acme" not in catalog.providers


def test_a_record_exactly_at_the_limit_is_accepted_and_one_level_more_is_not() -> None:
    # A record sits at level 3 of its provider file, so it may nest MAX_DEPTH - 2 levels.
    fits = thirty_models(blob=nested(MAX_DEPTH - 3))
    catalog = parse_catalog(fits)
    assert catalog.rejections == ()
    for name, data in provider_files(catalog).items():
        assert read_stored(data) == catalog.providers[name.removesuffix(".json")].to_document()
    too_deep = thirty_models(blob=nested(MAX_DEPTH - 2))
    assert [r.field for r in parse_catalog(too_deep).rejections] == ["blob"]


def test_litellm_entries_are_checked_as_the_records_they_become() -> None:
    from catalog_watch.sources.litellm import parse_litellm

    entries = {
        f"m{i}": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 1e-6}
        for i in range(30)
    }
    entries["m0"]["notes"] = {"x": float("inf")}
    catalog = parse_litellm(entries)
    assert [(r.model, r.field, r.value) for r in catalog.rejections] == [
        ("m0", "litellm.notes.x", "Infinity")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("limit", {"context": 10**400, "output": 4096}),
        ("extra", {"tokens": -(2**63) - 1}),
        ("extra", {"tokens": 2**64}),
    ],
)
def test_an_integer_past_64_bits_rejects_its_record_and_diff_still_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: dict[str, int]
) -> None:
    """10**400 spelled out is valid JSON: a context window of it made the inconsistency check's
    float maths raise OverflowError, so ``diff`` and every run on such a catalog failed."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(
        json.dumps(document(provider("acme", model("bad")), provider("zeta", model("bad"))))
    )
    new.write_text(json.dumps(thirty_models(**{field: value})))
    for form in ("text", "json"):
        assert main(["diff", str(old), str(new), "--format", form]) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    [rejection] = report["rejected"]
    assert (rejection["model"], rejection["field"].split(".")[0]) == ("bad", field)
    assert "an integer beyond 64 bits" in rejection["reason"]
    assert catalog_digits(rejection["value"])


def catalog_digits(shown: object) -> bool:
    """A long integer is reported as a short text, not written whole into ``_meta.json``."""
    return isinstance(shown, str) and "digits)" in shown and len(shown) < 40


# -- What refuses a whole document --------------------------------------------------------------


def test_a_document_nested_too_deep_at_the_top_is_a_fetch_error_with_its_position(
    server: CatalogServer,
) -> None:
    levels = MAX_DOCUMENT_DEPTH  # under the top object: one too many
    body = b"{\n" + b'"a": {' * levels + b'"a": 1' + b"}" * levels + b"\n}"
    server.reply(Reply(body=body))
    with pytest.raises(FetchError) as caught:
        fetch_catalog(f"{server.url}/api.json", options=FAST)
    message = str(caught.value)
    assert message == (
        f"{server.url}/api.json is nested deeper than {MAX_DOCUMENT_DEPTH} levels at line 2 "
        f"column {6 * levels} (a document may nest at most "
        f"{MAX_DOCUMENT_DEPTH})"
    )
    assert "\n" not in message


def test_a_document_beyond_pythons_recursion_is_a_fetch_error_not_a_traceback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(FetchError, match=r"is nested deeper than 256 levels at line 1 column 257"):
        fetch_catalog(str(path))


def test_a_catalog_file_read_for_diff_has_the_same_limits_as_a_fetch(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(json.dumps(thirty_models(x=nested(MAX_DOCUMENT_DEPTH))).encode())
    with pytest.raises(CatalogRejected, match=rf"{path.name}: not a catalog: nested"):
        read_document(path)
    path.write_bytes(json.dumps(thirty_models(x=float("nan"))).encode())
    assert [r.model for r in parse_catalog(read_document(path)).rejections] == ["bad"]


# -- The strict reader of stored files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        (b"[" * 300 + b"]" * 300, f"nested deeper than {MAX_DEPTH} levels at line 1 column 65"),
        (b'{\n  "a": NaN\n}', "NaN at line 2 column 8 is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity at line 1 column 7 is not a JSON number"),
        (b'{\n  "a": [1, 1e400]\n}', "too large for a 64-bit float at line 2 column 12"),
        (b'["' + b"1" * 400 + b'.5"]', None),  # a string, not a number
        (b"[" + b"1" * 400 + b".5]", "too large for a 64-bit float at line 1 column 2"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b'{"a": "\xed\xa0\x80"}', "lone surrogate"),
        (b'{"a": ', "not valid JSON"),
    ],
)
def test_the_stored_reader_refuses_what_breaks_a_limit_and_says_where(
    data: bytes, words: str | None
) -> None:
    if words is None:
        assert read_stored(data) == json.loads(data)
        return
    with pytest.raises(JSONReadError, match=words) as caught:
        read_stored(data)
    assert "\n" not in str(caught.value)


def test_a_snapshot_file_too_deep_is_a_snapshot_error_naming_the_file(tmp_path: Path) -> None:
    # What snapshot._parse_json (read_snapshot) raises once it calls read_stored, as _read_json
    # calls read_upstream: the file, then the reader's clause.
    path = tmp_path / "acme.json"
    path.write_bytes(canonical_json({"id": "acme", "models": {"m": nested(MAX_DEPTH)}}))
    with pytest.raises(JSONReadError) as caught:
        read_stored(path.read_bytes())
    error = SnapshotError(f"{path}: cannot read snapshot file: {caught.value}")
    assert str(error).startswith(f"{path}: cannot read snapshot file: nested deeper than 64")
    assert f"line {MAX_DEPTH + 2} column" in str(error)


@pytest.mark.realdata
def test_the_two_readers_agree_with_json_loads_on_a_real_catalog() -> None:
    data = (MODELS_DEV / "2026-06-28.json").read_bytes()
    expected = json.loads(data)
    assert read_upstream(data) == read_stored(data) == expected
    assert nesting_depth(data, MAX_DEPTH) == python_depth(expected) == 9


def python_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(python_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(python_depth, value), default=0)
    return 0


# -- The invariant ------------------------------------------------------------------------------

# Characters of every kind, lone surrogates among them, and a few picked so that they come up.
characters = st.characters(codec=None, exclude_categories=()) | st.sampled_from(
    ["a", "\u00e9", "\U0001f600", "\ud800", "\udfff", '"', "\\", "["]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities included
    st.sampled_from([math.nan, math.inf, -math.inf, 1.7976931348623157e308, 5e-324, -0.0]),
    st.lists(characters, max_size=4).map("".join),  # st.text() would leave surrogates out
)
keys = st.lists(characters, max_size=3).map("".join)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)


@st.composite
def deep_values(draw: st.DrawFn) -> Any:
    """A value wrapped in 0 to 80 levels, so that both sides of MAX_DEPTH come up."""
    value = draw(values)
    for _ in range(draw(st.integers(0, 80))):
        value = [value] if draw(st.booleans()) else {"k": value}
    return value


@settings(max_examples=300, deadline=None)
@given(deep_values())
def test_a_value_is_storable_exactly_when_it_is_written_and_read_back_unchanged(
    value: Any,
) -> None:
    problem = unstorable(value)
    try:
        back = read_stored(canonical_json(value))
    except (ValueError, UnicodeEncodeError):  # canonical_json refuses NaN, read_stored the rest
        assert problem is not None
        return
    assert problem is None
    assert back == value
    assert pydantic_core.from_json(canonical_json(value)) == value  # today's snapshot reader too


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["extra", "blob", "notes"]), deep_values(), max_size=2))
def test_whatever_validation_accepts_is_written_and_read_back_unchanged(
    extra: dict[str, Any],
) -> None:
    doc = document(provider("acme", model("m", **extra), model("n")))
    catalog = parse_catalog(doc, max_rejected_share=1)
    files = provider_files(catalog)
    for name, data in files.items():
        assert read_stored(data) == catalog.providers[name.removesuffix(".json")].to_document()
    for rejection in catalog.rejections:
        canonical_json(rejection.to_json())
    # And the real write path: the snapshot folder reads back as the catalog.
    with tempfile.TemporaryDirectory() as folder:
        from catalog_watch.store.snapshot import write_snapshot

        meta = {"format": 1, "rejected": [r.to_json() for r in catalog.rejections]}
        write_snapshot(Path(folder), files, meta)
        snapshot = read_snapshot(Path(folder))
        assert snapshot is not None and snapshot.document == catalog.to_document()


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=4), st.booleans())
def test_the_upstream_reader_gives_the_values_json_loads_gives(
    value: list[Any], ascii_only: bool
) -> None:
    # Its fast path is pydantic-core's parser: NaN, infinities, -0.0, ints against floats and
    # lone surrogates (escaped or raw) must come out as Python's json reads them.
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    spelled = json.dumps(read_upstream(data), ensure_ascii=True)
    assert spelled == json.dumps(json.loads(data), ensure_ascii=True)


def careful_parse(data: bytes) -> Any:
    """What ``read_upstream`` gives without its orjson path: ``json.loads`` keeping the text of
    each float orjson would spell otherwise."""
    return json.loads(data, parse_float=lambda text: read_upstream(f"[{text}]".encode())[0])


@settings(max_examples=300, deadline=None)
@given(st.lists(values, max_size=4), st.booleans(), st.booleans())
def test_a_compact_document_reads_as_json_loads_and_keeps_each_numbers_text(
    value: list[Any], compact: bool, ascii_only: bool
) -> None:
    # Compact and with orjson's spellings, a document takes the orjson path; with Python's
    # spellings (5e-06, big integers, NaN, surrogates) or repeated keys, the careful one.
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    data = text.encode("utf-8", "surrogatepass")
    got = read_upstream(data)
    assert json.dumps(got) == json.dumps(json.loads(data))
    assert texts(got) == texts(json.loads(data, parse_float=str))


def texts(value: Any) -> list[str]:
    """Every float's text as the snapshot writer would take it (JSONNumber.text, else repr)."""
    if isinstance(value, dict):
        return [t for item in value.values() for t in texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in texts(item)]
    if isinstance(value, JSONNumber):
        return [value.text]
    if type(value) is str:
        return [value] if _looks_like_float(value) else []
    return [orjson.dumps(value).decode()] if type(value) is float else []


def _looks_like_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.lstrip("-").isalpha()  # "nan", "inf": strings, not number texts


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"a":0.0000025,"b":2.5e-6}', ["0.0000025", "2.5e-6"]),  # orjson writes 2.5e-6
        (b'{"a":1E3,"b":1.50,"c":1e400}', ["1E3", "1.50", "1e400"]),
    ],
)
def test_a_compact_document_orjson_would_respell_keeps_what_upstream_wrote(
    data: bytes, expected: list[str]
) -> None:
    document = read_upstream(data)
    assert texts(document) == expected
    assert json.dumps(document) == json.dumps(json.loads(data))


def test_a_compact_document_with_a_64_bit_overflowing_integer_keeps_it_an_integer() -> None:
    # orjson reads 123456789012345678901234567890 as a float; json.loads as the integer.
    assert read_upstream(b"[123456789012345678901234567890,-0]") == [
        123456789012345678901234567890,
        0,
    ]
    assert type(read_upstream(b"[123456789012345678901234567890]")[0]) is int


@pytest.mark.parametrize(
    "data",
    [
        b"[18446744073709551616]",  # 2**64: one past orjson's unsigned integers
        b'{"a": -9223372036854775809}',  # one below its signed ones: 19 digits
        b'{"a":\n  123456789012345678901234567890}',
        b"[1,-100000000000000000000]",
    ],
)
def test_a_stored_integer_past_64_bits_reads_back_an_integer(data: bytes) -> None:
    # orjson, the stored reader's fast parser, would read each of these as a float.
    value = read_stored(data)
    assert value == json.loads(data)
    assert json.dumps(value) == json.dumps(json.loads(data))  # 1.8e+19 would spell otherwise


@pytest.mark.parametrize(
    "data",
    [
        b'{"h": "1234567890123456789012"}',  # digits in a string: orjson reads them right
        b'{"h": "ab12345678901234567890123"}',  # a hash
        b'{"a": 0.12345678901234567890123}',  # a fraction
    ],
)
def test_nineteen_digits_that_are_no_integer_are_read_by_orjson(data: bytes) -> None:
    assert read_stored(data) == orjson.loads(data) == pydantic_core.from_json(data)


stored_texts = st.one_of(
    st.binary(max_size=40),
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30]),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=6),
        ),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=10,
    ).map(lambda value: json.dumps(value, indent=2).encode()),
    st.sampled_from([b"[1e400]", b"[NaN]", b'["\\ud800"]', b"[1,]", b"[01]", b"{} x"]),
)


@settings(max_examples=300, deadline=None)
@given(stored_texts)
def test_the_stored_reader_gives_pydantic_cores_value_or_refuses_what_it_refuses(
    data: bytes,
) -> None:
    try:
        expected = pydantic_core.from_json(data, allow_inf_nan=False)
    except ValueError:
        with pytest.raises(JSONReadError):
            read_stored(data)
        return
    try:
        got = read_stored(data)
    except JSONReadError:  # a float that overflows, or nesting: the limits on top
        assert unstorable(expected) is not None or nesting_depth(data, MAX_DEPTH) > MAX_DEPTH
        return
    assert json.dumps(got) == json.dumps(expected)  # types too: 1.8e+19 is not 2**64


def test_a_compact_document_that_repeats_a_key_still_has_its_repeats_found() -> None:
    document = read_upstream(b'{"p":{"models":{"m":{"cost":1,"cost":2}}}}')
    assert document == {"p": {"models": {"m": {"cost": 2}}}}
    assert duplicates_in(document) == (Duplicate(("p", "models", "m"), "cost", (1, 1)),)


@pytest.mark.parametrize("levels", [MAX_DOCUMENT_DEPTH - 2, MAX_DOCUMENT_DEPTH])
def test_a_compact_document_up_to_the_depth_limit_reads_and_one_level_more_does_not(
    levels: int,
) -> None:
    # orjson writes back at most 254 levels: the last two allowed ones take the careful path.
    assert read_upstream(b"[" * levels + b"]" * levels) == json.loads(b"[" * levels + b"]" * levels)
    deeper = b"[" * (levels + 1) + b"]" * (levels + 1)
    if levels == MAX_DOCUMENT_DEPTH:
        with pytest.raises(JSONReadError, match=f"nested deeper than {MAX_DOCUMENT_DEPTH} levels"):
            read_upstream(deeper)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28"])
def test_a_real_catalog_reads_as_the_careful_parse_reads_it(name: str) -> None:
    data = (MODELS_DEV / f"{name}.json").read_bytes()
    document = read_upstream(data)
    assert document == careful_parse(data)
    assert texts(document) == texts(careful_parse(data))


# -- A byte order mark (issue 10) ---------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def test_one_leading_byte_order_mark_is_skipped_by_both_readers() -> None:
    data = canonical_json({"a": [1, "é"]})
    assert read_upstream(BOM + data) == read_stored(BOM + data) == {"a": [1, "é"]}
    for reader in (read_upstream, read_stored):
        with pytest.raises(JSONReadError, match="not valid JSON"):
            reader(BOM + BOM + data)


def test_positions_are_counted_without_the_byte_order_mark() -> None:
    body = b"[" * 300 + b"]" * 300
    with pytest.raises(JSONReadError) as plain:
        read_stored(body)
    with pytest.raises(JSONReadError) as marked:
        read_stored(BOM + body)
    assert str(marked.value) == str(plain.value)


def test_check_diff_and_show_all_read_a_catalog_with_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.json"
    plain.write_bytes(json.dumps(thirty_models()).encode())
    marked = tmp_path / "marked.json"
    marked.write_bytes(BOM + plain.read_bytes())
    snap = str(tmp_path / "snap")
    assert main(["check", "--source", str(marked), "--snapshots", snap, "--write"]) == 0
    assert main(["diff", str(marked), str(plain)]) == 0
    assert main(["diff", snap, str(marked)]) == 0
    assert main(["show", "m1", "--catalog", str(marked)]) == 0
    assert "no changes" in capsys.readouterr().out


def test_a_snapshot_file_saved_with_a_byte_order_mark_reads_and_is_written_back_canonical(
    tmp_path: Path,
) -> None:
    source = tmp_path / "api.json"
    source.write_bytes(json.dumps(thirty_models()).encode())
    options = CheckOptions(source=str(source), snapshots=tmp_path / "snap", write=True, fetch=FAST)
    check(options)
    stored = tmp_path / "snap" / "acme.json"
    canonical = stored.read_bytes()
    stored.write_bytes(BOM + canonical)  # an editor that adds one
    again = check(options)
    assert again.report is not None and again.report.changes == ()
    assert stored.read_bytes() == canonical


# -- Repeated keys (issue 10) -------------------------------------------------------------------


def test_a_document_without_repeated_keys_is_a_plain_value() -> None:
    document = read_upstream(b'{"a": {"b": [1, {"c": 2}]}}')
    assert type(document) is dict and duplicates_in(document) == ()


def test_repeated_keys_are_found_with_their_path_and_lines_and_the_last_one_wins() -> None:
    data = (
        b'{"p": {"models": {\n"m": {"cost": 1,\n "cost": 2}},\n "x": [{"k": 1, "k": 3}]},\n"p": 4}'
    )
    document = read_upstream(data)
    assert document == json.loads(data) == {"p": 4}
    assert duplicates_in(document) == (
        Duplicate((), "p", (1, 5)),
        Duplicate(("p", "models", "m"), "cost", (2, 3)),
        Duplicate(("p", "x", 0), "k", (4, 4)),
    )
    assert str(duplicates_in(document)[1]) == (
        "the key 'cost' appears 2 times in 'p.models.m' (lines 2, 3)"
    )


def test_escaped_keys_are_compared_as_the_text_they_spell() -> None:
    document = read_upstream(b'{"a\\u0062": 1, "ab": 2, "\\"": 3, "\\u0022": 4}')
    assert [(d.key, d.lines) for d in duplicates_in(document)] == [("ab", (1, 1)), ('"', (1, 1))]


pairs_values = st.recursive(
    st.integers(0, 9),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(st.tuples(st.sampled_from(["a", "b", 'q"', "\\"]), inner), max_size=4)
    ),
    max_leaves=10,
)


def spelled(value: Any) -> str:
    """JSON text for ``value``, where a list of (key, value) tuples is an object (keys may
    repeat), each member on its own line."""
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        members = ",\n".join(f"{json.dumps(k)}: {spelled(v)}" for k, v in value)
        return "{" + members + "}"
    if isinstance(value, list):
        return "[" + ", ".join(spelled(v) for v in value) + "]"
    return json.dumps(value)


def expected_repeats(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        keys = [k for k, _ in value]
        found += [(path, k, keys.count(k)) for k in dict.fromkeys(keys) if keys.count(k) > 1]
        last = dict(value)
        for key, item in value:
            if item is last[key]:
                found += expected_repeats(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += expected_repeats(item, (*path, index))
    return found


@settings(max_examples=200, deadline=None)
@given(pairs_values)
def test_every_repeated_key_is_found_where_it_is(value: Any) -> None:
    data = spelled(value).encode()
    document = read_upstream(data)
    assert document == json.loads(data)
    found = [(d.path, d.key, len(d.lines)) for d in find_duplicates(data)]
    # Repeats inside a value that a later repeat replaced are found too: they are in the text.
    assert set(expected_repeats(value)) <= set(found)
    assert bool(found) == bool(duplicates_in(document))


def test_a_repeated_provider_rejects_it_and_its_last_good_file_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = document(
        provider("acme", *(model(f"m{i}") for i in range(30))), provider("beta", model("b"))
    )
    source = tmp_path / "api.json"
    source.write_bytes(json.dumps(good, indent=1).encode())
    snap = tmp_path / "snap"
    args = ["check", "--source", str(source), "--snapshots", str(snap), "--write"]
    assert main(args) == 0
    capsys.readouterr()
    kept = (snap / "beta.json").read_bytes()
    good["acme"]["models"]["m0"]["cost"]["input"] = 7
    text = json.dumps(good, indent=1)
    # The reported bug: a stray second "beta" with no models replaced the real one.
    source.write_bytes((text[:-2] + ',\n "beta": {"id": "beta", "models": {}}\n}').encode())
    assert main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [rejected] = report["rejected"]
    assert (rejected["provider"], rejected["model"], rejected["field"]) == (
        "beta",
        None,
        "(record)",
    )
    assert rejected["reason"].startswith("appears 2 times in the document (lines ")
    assert (snap / "beta.json").read_bytes() == kept
    assert [(c["model"], c["field"]) for c in report["changes"]] == [("m0", "cost.input")]


def test_a_repeated_model_or_field_rejects_that_model() -> None:
    text = json.dumps(thirty_models(), indent=1)
    text = text.replace('"m1": {', '"m1": {"id": "m1"},\n  "m1": {', 1)
    text = text.replace('"context": 131072', '"context": 131072, "context": 0', 1)  # in m0
    catalog = parse_catalog(read_upstream(text.encode()), max_rejected_share=0.1)
    assert [(r.model, r.field) for r in catalog.rejections] == [
        ("m0", "limit.context"),
        ("m1", "(record)"),
    ]
    assert "which one upstream means cannot be told" in catalog.rejections[0].reason


def test_litellm_and_openrouter_reject_the_entry_that_repeats_a_key() -> None:
    from catalog_watch.sources.litellm import parse_litellm
    from catalog_watch.sources.openrouter import parse_openrouter

    entries = {f"m{i}": {"litellm_provider": "acme", "mode": "chat"} for i in range(30)}
    text = json.dumps(entries).replace('"m3": {', '"m3": {"mode": "chat", ', 1)
    text = text[:-1] + ', "m4": {"litellm_provider": "acme", "mode": "chat"}}'
    catalog = parse_litellm(read_upstream(text.encode()), max_rejected_share=0.1)
    assert sorted((r.model, r.field) for r in catalog.rejections) == [
        ("m3", "mode"),
        ("m4", "(record)"),
    ]
    model_list = [
        {
            "id": f"m{i}",
            "name": "M",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
            "pricing": {"prompt": "0", "completion": "0"},
        }
        for i in range(30)
    ]
    text = json.dumps({"data": model_list}).replace('"name": "M"', '"name": "M", "name": "N"', 1)
    assert [
        (r.model, r.field) for r in parse_openrouter(read_upstream(text.encode())).rejections
    ] == [("m0", "name")]
    twice = json.dumps({"data": model_list})[:-1] + ', "data": []}'
    with pytest.raises(CatalogRejected, match="the key 'data' appears 2 times"):
        parse_openrouter(read_upstream(twice.encode()))
