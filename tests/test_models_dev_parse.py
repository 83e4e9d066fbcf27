"""Validation of models.dev records: what is rejected, what refuses the catalog, what is kept."""

from __future__ import annotations

import json

import pytest

from catalog_watch.errors import CatalogRejected
from catalog_watch.sources.models_dev import parse_catalog
from tests.factories import MODELS_DEV, document, model, provider, small_catalog


def test_valid_catalog_is_accepted_with_records_untouched() -> None:
    doc = small_catalog()
    catalog = parse_catalog(doc)
    assert catalog.rejections == ()
    assert catalog.offering_count == 3
    assert catalog.providers["acme"].models["big-1"] == doc["acme"]["models"]["big-1"]


def test_unknown_fields_are_kept_not_dropped() -> None:
    doc = document(
        provider("acme", model("m", cost={"input": 1, "output": 2, "batch": 0.5}, new_flag=True))
    )
    record = parse_catalog(doc).providers["acme"].models["m"]
    assert record["new_flag"] is True
    assert record["cost"]["batch"] == 0.5


@pytest.mark.parametrize(
    ("cost", "field", "words"),
    [
        ({"input": "abc", "output": 2}, "cost.input", "valid"),
        ({"input": -1, "output": 2}, "cost.input", "greater than or equal to 0"),
        ({"input": float("nan"), "output": 2}, "cost.input", "finite"),
        ({"input": 1, "output": float("inf")}, "cost.output", "finite"),
        ({"input": 1, "output": True}, "cost.output", "valid"),
    ],
)
def test_bad_price_rejects_the_record_and_names_provider_model_field(
    cost: dict[str, object], field: str, words: str
) -> None:
    doc = document(provider("acme", model("good"), model("bad", cost=cost)))
    catalog = parse_catalog(doc, max_rejected_share=1)
    assert list(catalog.providers["acme"].models) == ["good"]
    [rejection] = [r for r in catalog.rejections if r.field.startswith(field.split(".")[0])]
    assert (rejection.provider, rejection.model, rejection.field) == ("acme", "bad", field)
    assert words in rejection.reason
    assert "provider 'acme' model 'bad' field" in str(rejection)


def test_model_whose_id_differs_from_its_key_is_rejected() -> None:
    doc = document(provider("acme", model("good")))
    doc["acme"]["models"]["alias"] = model("other")
    catalog = parse_catalog(doc, max_rejected_share=1)
    [rejection] = catalog.rejections
    assert (rejection.model, rejection.field, rejection.value) == ("alias", "id", "other")
    assert "alias" not in catalog.providers["acme"].models


def test_negative_or_fractional_limit_is_rejected() -> None:
    doc = document(
        provider(
            "acme",
            model("neg", limit={"context": -5, "output": 1}),
            model("frac", limit={"context": 1000.5, "output": 1}),
            model("ok"),
        )
    )
    catalog = parse_catalog(doc, max_rejected_share=1)
    assert {(r.model, r.field) for r in catalog.rejections} == {
        ("neg", "limit.context"),
        ("frac", "limit.context"),
    }


def test_a_context_of_zero_alone_is_accepted_as_no_published_window() -> None:
    doc = document(provider("acme", model("image-gen", limit={"context": 0, "output": 0})))
    assert parse_catalog(doc).rejections == ()


def test_bad_provider_field_rejects_the_whole_provider() -> None:
    doc = document(provider("acme", model("m"), name=42), provider("beta", model("m")))
    catalog = parse_catalog(doc, max_rejected_share=1)
    assert "acme" not in catalog.providers
    assert [(r.provider, r.model, r.field) for r in catalog.rejections] == [("acme", None, "name")]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ([], "expected a JSON object"),
        ({}, "no provider"),
        ({"acme": "x"}, "provider 'acme' is a str"),
        ({"acme": {"id": "acme", "name": "A"}}, "provider 'acme' field 'models'"),
    ],
)
def test_broken_shape_refuses_the_whole_catalog(doc: object, words: str) -> None:
    with pytest.raises(CatalogRejected, match=words):
        parse_catalog(doc)


def test_too_many_bad_records_refuse_the_whole_catalog() -> None:
    bad = [model(f"m{i}", cost={"input": "n/a", "output": 1}) for i in range(3)]
    doc = document(provider("acme", *bad, *[model(f"ok{i}") for i in range(7)]))
    with pytest.raises(CatalogRejected, match=r"3 of 10 offerings \(30.0%\).*more than the 5%"):
        parse_catalog(doc)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28"])
def test_every_real_catalog_validates_without_rejections(name: str) -> None:
    catalog = parse_catalog(json.loads((MODELS_DEV / f"{name}.json").read_bytes()))
    assert catalog.rejections == ()
    expected = {"2025-09-15": 672, "2026-01-05": 2028, "2026-03-10": 3701, "2026-06-28": 5247}
    assert catalog.offering_count == expected[name]
