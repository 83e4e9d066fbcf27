"""Provider ids are file names (issue 10): a strict rule, and a bad id rejects its provider alone.

A provider id becomes ``snapshots/<source>/<id>.json``, a site page and an SVG element id, so
``catalog.PROVIDER_ID`` (lowercase letters, digits, ``.``, ``_``, ``-``; 1-64 characters, a
letter or digit at both ends; no Windows device name) is checked with ``fullmatch``. A provider
whose id breaks it is rejected on its own, named, and the rest of the catalog is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.cli.app import main
from catalog_watch.errors import SnapshotError
from catalog_watch.model.catalog import (
    MAX_PROVIDER_ID,
    PROVIDER_ID,
    provider_id_problem,
    reserved_on_windows,
)
from catalog_watch.sources.json_values import printable
from catalog_watch.sources.litellm import parse_litellm
from catalog_watch.sources.models_dev import parse_catalog
from catalog_watch.store.snapshot import SAFE_PROVIDER_ID, provider_files
from tests.factories import MODELS_DEV, REAL_DATA, document, model, provider, write_json

BAD_IDS = {
    "../evil": "it holds '/'",
    "x" * 300: "it is 300 characters long, more than 64",
    "openai\n": "it holds U+000A",
    "CON": "Windows device name",
    "com1": "Windows device name",
    "Nul.": "Windows device name",
    "con.json": "Windows device name",
    "LPT9.txt": "Windows device name",
    "aux ": "Windows device name",
    "OpenAI": "uppercase letters and would be the same file as 'openai'",
    "Mistral": "the uppercase letter 'M'",
    "-lead": "must start and end with a lowercase letter or a digit",
    "trail.": "must start and end with a lowercase letter or a digit",
    "a b": "it holds U+0020",
    "a/b": "it holds '/'",
    "a\\b": "it holds '\\\\'",
    "é": "it holds 'é'",
    "": "it is empty",
}
GOOD_IDS = ["302ai", "wafer.ai", "vertex_ai-anthropic_models", "a", "z" * MAX_PROVIDER_ID]


# -- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("provider_id", "words"), BAD_IDS.items())
def test_a_bad_provider_id_is_named_with_what_is_wrong(provider_id: str, words: str) -> None:
    problem = provider_id_problem(provider_id, ["openai"])
    assert problem is not None
    assert problem.startswith("not usable as a provider id (a file name): ")
    assert words in problem
    assert SAFE_PROVIDER_ID.fullmatch(provider_id) is None or reserved_on_windows(provider_id)


@pytest.mark.parametrize("provider_id", GOOD_IDS)
def test_ids_like_the_real_ones_are_good(provider_id: str) -> None:
    assert provider_id_problem(provider_id) is None


def test_the_rule_has_no_trailing_newline_hole_and_caps_the_length() -> None:
    # The old rule ended in "$" and was used with match(): "openai\n" passed.
    assert PROVIDER_ID.fullmatch("openai\n") is None
    assert provider_id_problem("a" * (MAX_PROVIDER_ID + 1)) is not None


@pytest.mark.parametrize(
    "name", ["CON", "con", "Con.json", "nul.", "NUL.tar.gz", "com0", "COM9", "lpt1", "prn", "aux"]
)
def test_windows_device_names_are_reserved_whatever_the_case_or_extension(name: str) -> None:
    assert reserved_on_windows(name)


@pytest.mark.parametrize("name", ["console", "com10", "lpt", "nul_", "auxiliary", "conn.json"])
def test_names_that_only_start_like_a_device_are_not(name: str) -> None:
    assert not reserved_on_windows(name)


@pytest.mark.realdata
def test_every_real_provider_id_follows_the_rule() -> None:
    """146 models.dev ids (2025-09 to 2026-06), 127 LiteLLM providers, OpenRouter's one."""
    ids: set[str] = {"openrouter"}
    for path in sorted(MODELS_DEV.glob("20??-??-??.json")):
        ids |= set(json.loads(path.read_bytes()))
    for path in sorted((REAL_DATA / "litellm").glob("*.json")):
        entries = json.loads(path.read_bytes())
        entries.pop("sample_spec", None)  # documentation: "one of https://docs.litellm.ai/..."
        ids |= {e["litellm_provider"] for e in entries.values() if "litellm_provider" in e}
    assert len(ids) > 200
    assert [i for i in sorted(ids) if provider_id_problem(i, ids)] == []
    assert all(i == i.lower() for i in ids)  # no uppercase at all: the rule is lowercase only


# -- Rejected alone -----------------------------------------------------------------------------


def good_catalog() -> dict[str, Any]:
    """40 offerings over three providers: one bad provider of one model stays under the 5 %."""
    return document(
        provider("good-a", *(model(f"m{i}") for i in range(30))),
        provider("good-b", *(model(f"m{i}") for i in range(9))),
        provider("openai", model("gpt-x")),
    )


def with_provider(doc: dict[str, Any], provider_id: str) -> dict[str, Any]:
    bad = provider("placeholder", model("m0"))
    bad["id"] = provider_id
    return {**doc, provider_id: bad}


def check_json(source: Path, snap: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    args = ["check", "--source", str(source), "--snapshots", str(snap), "--write"]
    assert main([*args, "--format", "json"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.parametrize("provider_id", list(BAD_IDS))
def test_check_rejects_a_bad_provider_id_alone_and_writes_the_rest(
    tmp_path: Path, provider_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "snapshots" / "models.dev"
    check_json(write_json(tmp_path / "api.json", good_catalog()), snap, capsys)
    before = {p.name: p.read_bytes() for p in snap.iterdir()}
    new = with_provider(good_catalog(), provider_id)
    new["good-a"]["models"]["m0"]["cost"]["input"] = 3  # the rest of the run goes on
    report = check_json(write_json(tmp_path / "api.json", new), snap, capsys)

    [rejected] = report["rejected"]
    assert (rejected["provider"], rejected["model"], rejected["field"]) == (
        printable(provider_id),
        None,
        "id",
    )
    assert BAD_IDS[provider_id] in rejected["reason"]
    assert [(c["provider"], c["model"], c["field"]) for c in report["changes"]] == [
        ("good-a", "m0", "cost.input")
    ]
    assert sorted(p.name for p in snap.iterdir()) == sorted(before)  # no file for it
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        ["api.json", *before]
    )  # nor anywhere else ("../evil" would be snapshots/evil.json)
    for name in ("good-b.json", "openai.json"):
        assert (snap / name).read_bytes() == before[name]
    assert json.loads((snap / "good-a.json").read_bytes())["models"]["m0"]["cost"]["input"] == 3


def test_the_text_report_names_the_bad_id_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_json(tmp_path / "api.json", with_provider(good_catalog(), "openai\n"))
    args = ["check", "--source", str(source), "--snapshots", str(tmp_path / "snap"), "--write"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "provider 'openai\\\\x0a' field 'id': not usable as a provider id" in out
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == [
        "_meta.json",
        "good-a.json",
        "good-b.json",
        "openai.json",
    ]


def test_a_bad_id_whose_entry_is_not_even_an_object_is_still_rejected_alone() -> None:
    # The shape check refuses the whole catalog for a provider that is not an object; a bad id
    # is judged first, so its entry's shape does not matter.
    catalog = parse_catalog({**good_catalog(), "../evil": "not a provider"})
    assert [(r.provider, r.field) for r in catalog.rejections] == [("../evil", "id")]
    assert sorted(catalog.providers) == ["good-a", "good-b", "openai"]


def test_many_bad_ids_still_count_towards_the_share_that_refuses_a_catalog() -> None:
    doc = good_catalog()
    for index in range(3):
        doc = with_provider(doc, f"Bad{index}")
    from catalog_watch.errors import CatalogRejected

    with pytest.raises(CatalogRejected, match=r"3 of 43 offerings"):
        parse_catalog(doc)


def test_provider_files_refuses_a_catalog_nobody_checked() -> None:
    from catalog_watch.model.catalog import Catalog, Provider

    catalog = Catalog(providers={"CON": Provider("CON", {"id": "CON"}, {})})
    with pytest.raises(SnapshotError, match="provider 'CON': not usable as a provider id"):
        provider_files(catalog)


# -- LiteLLM: litellm_provider is the id --------------------------------------------------------


def entry(provider_id: str) -> dict[str, Any]:
    return {"litellm_provider": provider_id, "mode": "chat", "input_cost_per_token": 1e-06}


@pytest.mark.parametrize("provider_id", ["../acme", "acme\n", "NUL", "Acme", "x" * 65])
def test_a_litellm_entry_whose_provider_is_no_file_name_is_rejected_not_rewritten(
    provider_id: str,
) -> None:
    entries = {f"m{i}": entry("acme") for i in range(30)}
    entries["bad"] = entry(provider_id)
    catalog = parse_litellm(entries)
    assert list(catalog.providers) == ["acme"]
    assert "bad" not in catalog.providers["acme"].models  # "../acme" did not land in "acme"
    [rejection] = catalog.rejections
    assert (rejection.provider, rejection.model, rejection.field) == (
        "(unknown)",
        "bad",
        "litellm_provider",
    )
    assert rejection.value == printable(provider_id)
    assert rejection.reason.startswith("not usable as a provider id")


def test_check_of_a_litellm_file_rejects_the_bad_provider_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = {f"acme/m{i}": entry("acme") for i in range(30)}
    entries["evil/m"] = entry("../../evil")
    report = check_json(write_json(tmp_path / "litellm.json", entries), tmp_path / "s", capsys)
    assert [(r["model"], r["value"]) for r in report["rejected"]] == [("evil/m", "../../evil")]
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["_meta.json", "acme.json"]
    assert not (tmp_path.parent / "evil.json").exists()
