"""Properties of the diff and the snapshot store over generated catalogs (hypothesis)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_watch.analysis.diff import diff_catalogs
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import provider_files, read_snapshot, write_snapshot
from tests.factories import model, provider

PROVIDERS = ["acme", "beta", "gamma"]
MODEL_IDS = ["m-1", "org/m-2", "m-3:free", "M-4@2025", "m.5"]
prices = st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False, allow_infinity=False))
tokens = st.integers(1, 2_000_000)


@st.composite
def records(draw: st.DrawFn, model_id: str) -> dict[str, Any]:
    return model(
        model_id,
        cost={"input": draw(prices), "output": draw(prices)},
        limit={"context": draw(tokens), "output": draw(tokens)},
        tool_call=draw(st.booleans()),
        reasoning=draw(st.booleans()),
        # Control characters and noncharacters (Cc, Cn) reject the record (json_reader's text rule).
        name=draw(
            st.text(st.characters(exclude_categories=("Cc", "Cs", "Cn")), min_size=1, max_size=12)
        ),
    )


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(PROVIDERS), min_size=1, unique=True))
    doc = {}
    for provider_id in chosen:
        ids = draw(st.lists(st.sampled_from(MODEL_IDS), min_size=1, unique=True))
        doc[provider_id] = provider(provider_id, *(draw(records(i)) for i in ids))
    return doc


EDITABLE = {
    "cost.input": lambda old: old + 1,
    "cost.output": lambda old: old * 2 + 1,
    "limit.context": lambda old: old + 7,
    "limit.output": lambda old: old - 1 if old > 1 else old + 1,
    "tool_call": lambda old: not old,
    "reasoning": lambda old: not old,
    "name": lambda old: old + "!",
    "status": lambda old: "deprecated",
}


def _set(record: dict[str, Any], field: str, value: Any) -> None:
    *parents, leaf = field.split(".")
    for key in parents:
        record = record[key]
    record[leaf] = value


def _get(record: dict[str, Any], field: str) -> Any:
    for key in field.split("."):
        record = record.get(key) if isinstance(record, dict) else None  # type: ignore[assignment]
    return record


@given(catalogs())
def test_diff_of_a_catalog_with_itself_is_empty(doc: dict[str, Any]) -> None:
    catalog = parse_catalog(doc)
    assert diff_catalogs(catalog, parse_catalog(copy.deepcopy(doc))) == []


@given(catalogs(), st.data())
def test_every_edit_is_reported_exactly_once(doc: dict[str, Any], data: st.DataObject) -> None:
    offerings = [(p, m) for p in doc for m in doc[p]["models"]]
    edits = data.draw(
        st.lists(
            st.tuples(st.sampled_from(offerings), st.sampled_from(sorted(EDITABLE))), unique=True
        )
    )
    new = copy.deepcopy(doc)
    for (provider_id, model_id), field in edits:
        record = new[provider_id]["models"][model_id]
        _set(record, field, EDITABLE[field](_get(record, field)))
    # an edit may cancel out (e.g. two flips) only if drawn twice; unique=True forbids that
    changes = diff_catalogs(parse_catalog(doc), parse_catalog(new))
    reported = [(c.provider, c.model, c.field) for c in changes]
    assert len(reported) == len(set(reported))
    assert set(reported) == {(p, m, f) for (p, m), f in edits}


@settings(max_examples=40)
@given(catalogs())
def test_snapshot_round_trips_byte_for_byte(tmp_path_factory: Any, doc: dict[str, Any]) -> None:
    directory: Path = tmp_path_factory.mktemp("snap")
    files = provider_files(parse_catalog(doc))
    write_snapshot(directory, files, {"format": 1})
    snapshot = read_snapshot(directory)
    assert snapshot is not None
    assert snapshot.document == json.loads(json.dumps(doc))
    again = provider_files(parse_catalog(snapshot.document))
    assert again == files
    assert write_snapshot(directory, again, {"format": 1}).changed is False
