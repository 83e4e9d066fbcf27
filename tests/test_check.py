"""``check``: fetch → validate → guard → diff → write, against files and a loopback server."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from catalog_watch.cli.app import main
from catalog_watch.errors import CatalogRejected, FetchError, ShrinkRefused
from catalog_watch.jobs.check import CheckOptions, CheckResult, Outcome, check, evaluate, fetch_for
from catalog_watch.model.changes import ChangeKind
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.text import render_text
from catalog_watch.settings.config import Config
from catalog_watch.settings.inconsistencies import ConsistencySettings
from catalog_watch.sources.fetch import FetchOptions
from tests.catalog_server import CatalogServer, Reply
from tests.factories import document, edited, model, provider, small_catalog, tree_bytes, write_json

FAST = FetchOptions(max_attempts=2, backoff_initial=0.001, backoff_max=0.001)


def run(tmp_path: Path, doc: Any, **kwargs: Any) -> CheckResult:
    source = write_json(tmp_path / "api.json", doc)
    options = CheckOptions(
        source=str(source), snapshots=tmp_path / "snap", write=True, fetch=FAST, **kwargs
    )
    return check(options)


def test_first_run_records_the_baseline(tmp_path: Path) -> None:
    result = run(tmp_path, small_catalog())
    assert result.report is not None and result.report.first_run
    assert result.report.changes == ()
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == [
        "_meta.json",
        "acme.json",
        "beta.json",
    ]
    meta = json.loads((tmp_path / "snap" / "_meta.json").read_text())
    assert meta["counts"] == {"providers": 2, "offerings": 3, "rejected": 0}
    assert "cost.input" in meta["fields"]["model"]


def test_snapshot_files_are_canonical_json(tmp_path: Path) -> None:
    run(tmp_path, small_catalog())
    text = (tmp_path / "snap" / "beta.json").read_bytes()
    assert text.endswith(b"}\n") and b"\r" not in text
    assert text.decode() == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"


def test_second_run_reports_changes_and_rewrites_only_changed_providers(tmp_path: Path) -> None:
    old = small_catalog()
    run(tmp_path, old)
    untouched = (tmp_path / "snap" / "beta.json").stat()
    new = edited(old)
    new["acme"]["models"]["fast-1"]["cost"]["input"] = 3
    result = run(tmp_path, new)
    assert result.report is not None
    assert [(c.kind, c.model, c.field) for c in result.report.changes] == [
        (ChangeKind.PRICE_CHANGED, "fast-1", "cost.input")
    ]
    assert result.written is not None
    assert set(result.written.written) == {"acme.json", "_meta.json"}
    after = (tmp_path / "snap" / "beta.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (untouched.st_ino, untouched.st_mtime_ns)


def test_run_with_no_change_writes_nothing_at_all(tmp_path: Path) -> None:
    run(tmp_path, small_catalog())
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "snap").iterdir()}
    result = run(tmp_path, small_catalog())
    assert result.written is None
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "snap").iterdir()} == before


def test_rejected_record_keeps_its_last_good_value_and_is_not_a_removal(tmp_path: Path) -> None:
    doc = document(provider("acme", *(model(f"m{i}") for i in range(30))))
    run(tmp_path, doc)
    good = (tmp_path / "snap" / "acme.json").read_bytes()
    broken = edited(doc)
    broken["acme"]["models"]["m3"]["cost"]["input"] = "call us"
    result = run(tmp_path, broken)
    assert result.report is not None
    assert result.report.changes == ()
    [rejection] = result.report.rejections
    assert (rejection.provider, rejection.model, rejection.field) == ("acme", "m3", "cost.input")
    assert (tmp_path / "snap" / "acme.json").read_bytes() == good
    meta = json.loads((tmp_path / "snap" / "_meta.json").read_text())
    assert meta["rejected"][0]["model"] == "m3"


def test_context_window_dropping_to_zero_is_rejected(tmp_path: Path) -> None:
    doc = small_catalog()
    run(tmp_path, doc)
    broken = edited(doc)
    broken["beta"]["models"]["fast-1"]["limit"]["context"] = 0
    result = run(tmp_path, broken)
    assert result.report is not None and result.report.changes == ()
    [rejection] = result.report.rejections
    assert (rejection.provider, rejection.model, rejection.field) == (
        "beta",
        "fast-1",
        "limit.context",
    )
    assert "131072" in rejection.reason


def test_shrink_guard_refuses_and_leaves_the_snapshot_untouched(tmp_path: Path) -> None:
    doc = document(
        provider("acme", *(model(f"m{i}") for i in range(10))), provider("beta", model("x"))
    )
    run(tmp_path, doc)
    before = tree_bytes(tmp_path / "snap")
    shrunk = edited(doc)
    for i in range(4):
        del shrunk["acme"]["models"][f"m{i}"]
    with pytest.raises(ShrinkRefused) as refused:
        run(tmp_path, shrunk)
    assert str(refused.value) == (
        "models.dev: refusing to write: 4 of the 11 offerings (36.4%) are gone; none was added "
        "(11 → 7 offerings); the limit is 20%. If the catalog really shrank, run again with "
        "--allow-shrink."
    )
    assert tree_bytes(tmp_path / "snap") == before
    result = run(tmp_path, shrunk, allow_shrink=True)
    assert result.report is not None and result.report.count(ChangeKind.MODEL_REMOVED) == 4


def test_shrink_guard_counts_dropped_providers(tmp_path: Path) -> None:
    doc = document(
        provider("acme", *(model(f"m{i}") for i in range(3))), provider("beta", model("x"))
    )
    run(tmp_path, doc)
    with pytest.raises(ShrinkRefused, match=r"1 provider holding 3 offerings .* acme"):
        run(tmp_path, document(doc["beta"]))


def test_shrink_guard_counts_one_of_anything_in_the_singular(tmp_path: Path) -> None:
    """One provider of one offering gone, one offering added: no "1 offerings were added"."""
    doc = document(
        provider("acme", *(model(f"m{i}") for i in range(3))), provider("beta", model("x"))
    )
    run(tmp_path, doc)
    with pytest.raises(ShrinkRefused) as refused:
        run(tmp_path, document(provider("acme", *(model(f"m{i}") for i in range(4)))))
    message = str(refused.value)
    assert "1 of the 4 offerings (25.0%) is gone" in message
    assert "1 provider holding 1 offering (25.0%) is gone: beta" in message
    assert "1 offering was added" in message


def test_shrink_guard_says_what_was_added_when_the_catalog_grew(tmp_path: Path) -> None:
    """Ids renamed upstream: 4 of 6 offerings gone, 8 new ones (2 in a new provider)."""
    doc = document(provider("acme", *(model(f"m{i}") for i in range(6))))
    run(tmp_path, doc)
    renamed = document(
        provider("acme", model("m0"), model("m1"), *(model(f"m{i}-v2") for i in range(2, 8))),
        provider("beta", model("x"), model("y")),
    )
    with pytest.raises(ShrinkRefused) as refused:
        run(tmp_path, renamed)
    message = str(refused.value)
    assert "4 of the 6 offerings (66.7%) are gone; 8 offerings were added (1 new provider)" in (
        message
    )
    assert "(6 → 10 offerings)" in message
    assert "The catalog grew overall: if those removals are real" in message
    assert "really shrank" not in message


@pytest.mark.parametrize(
    ("payload", "error", "words"),
    [
        (b"<html>502 Bad Gateway</html>", FetchError, "not valid JSON"),
        (b'{"acme": ', FetchError, "not valid JSON"),
        (b"[]", FetchError, "array"),
        (b'{"acme": {"id": "acme", "name": "A"}}', CatalogRejected, "field 'models'"),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(
    tmp_path: Path, payload: bytes, error: type[Exception], words: str
) -> None:
    run(tmp_path, small_catalog())
    before = tree_bytes(tmp_path / "snap")
    (tmp_path / "api.json").write_bytes(payload)
    with pytest.raises(error, match=words):
        check(
            CheckOptions(source=str(tmp_path / "api.json"), snapshots=tmp_path / "snap", write=True)
        )
    assert tree_bytes(tmp_path / "snap") == before


def test_without_write_nothing_is_written(tmp_path: Path) -> None:
    source = write_json(tmp_path / "api.json", small_catalog())
    result = check(CheckOptions(source=str(source), snapshots=tmp_path / "snap"))
    assert result.report is not None and result.report.first_run
    assert not (tmp_path / "snap").exists()


def test_schema_drift_names_new_and_vanished_fields(tmp_path: Path) -> None:
    doc = small_catalog()
    run(tmp_path, doc)
    new = edited(doc)
    for record in new["acme"]["models"].values():
        record["cost"]["batch_input"] = 1
    for prov in new.values():
        for record in prov["models"].values():
            record.pop("temperature")
    result = run(tmp_path, new)
    assert result.report is not None
    assert result.report.drift.added == ("model:cost.batch_input",)
    assert result.report.drift.removed == ("model:temperature",)


def test_etag_is_stored_and_a_304_is_a_no_op(tmp_path: Path) -> None:
    body = json.dumps(small_catalog()).encode()
    with CatalogServer() as server:
        server.reply(
            Reply(
                body=body,
                headers={"ETag": '"v1"', "Last-Modified": "Tue, 01 Sep 2026 10:00:00 GMT"},
            )
        )
        options = CheckOptions(
            source=server.url + "/api.json", snapshots=tmp_path / "snap", write=True, fetch=FAST
        )
        check(options)
        before = tree_bytes(tmp_path / "snap")
        server.reply(Reply(status=304, body=b"", content_type=None))
        result = check(options)
    assert result.not_modified and result.report is None
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert server.requests[1].headers["if-modified-since"] == "Tue, 01 Sep 2026 10:00:00 GMT"
    assert json.loads(before["_meta.json"])["etag"] == '"v1"'
    assert tree_bytes(tmp_path / "snap") == before


def test_the_no_change_shortcut_reports_what_the_full_comparison_does(tmp_path: Path) -> None:
    doc = small_catalog()
    doc["acme"]["models"]["big-1"]["cost"]["cache_read"] = 9  # above input: an inconsistency
    run(tmp_path, doc)
    same = run(tmp_path, doc).report
    snap = tmp_path / "snap"
    (snap / "beta.json").write_bytes((snap / "beta.json").read_bytes() + b" ")  # hash mismatch
    full = run(tmp_path, doc).report
    assert same is not None and full is not None
    assert same.to_json() == full.to_json()
    assert same.current == 1 and same.old == same.new and not same.first_run


def test_a_provider_file_edited_by_hand_is_put_back_on_an_unchanged_run(tmp_path: Path) -> None:
    run(tmp_path, small_catalog())
    path = tmp_path / "snap" / "beta.json"
    canonical = path.read_bytes()
    path.write_bytes(canonical.replace(b"  ", b"    "))
    result = run(tmp_path, small_catalog())
    assert result.written is not None and "beta.json" in result.written.written
    assert path.read_bytes() == canonical


def test_numbers_keep_their_text_through_a_snapshot_write(tmp_path: Path) -> None:
    source = tmp_path / "api.json"
    text = json.dumps(small_catalog()).replace('"input": 2.5', '"input": 0.0000025')
    source.write_text(text.replace('"output": 10', '"output": 1E1'), encoding="utf-8")
    check(CheckOptions(source=str(source), snapshots=tmp_path / "snap", write=True, fetch=FAST))
    written = (tmp_path / "snap" / "beta.json").read_text(encoding="utf-8")
    assert '"input": 0.0000025,' in written and '"output": 1E1\n' in written


def _check_output(capsys: pytest.CaptureFixture[str], source: Path, snap: Path) -> list[str]:
    """``check``'s stdout in every format, as the command prints it."""
    outputs = []
    for form in ("text", "markdown", "json"):
        assert (
            main(["check", "--source", str(source), "--snapshots", str(snap), "--format", form])
            == 0
        )
        outputs.append(capsys.readouterr().out)
    return outputs


def _stored_count(snap: Path, count: int) -> None:
    meta = json.loads((snap / "_meta.json").read_text())
    meta["unchanged_report"]["inconsistencies"] = count
    (snap / "_meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _stored_as_seven(tmp_path: Path) -> Any:
    """A catalog with one inconsistency, checked, its stored count then set to 7: a report
    that says 7 read the count from ``_meta.json``, one that says 1 counted again."""
    doc = small_catalog()
    doc["acme"]["models"]["big-1"]["cost"]["cache_read"] = 9
    run(tmp_path, doc)
    _stored_count(tmp_path / "snap", 7)
    return doc


def test_the_same_body_again_reports_from_meta_what_the_full_comparison_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = small_catalog()
    doc["acme"]["models"]["big-1"]["cost"]["cache_read"] = 9  # above input: an inconsistency
    run(tmp_path, doc)
    snap, source = tmp_path / "snap", tmp_path / "api.json"
    meta = json.loads((snap / "_meta.json").read_text())
    assert meta["upstream_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert meta["unchanged_report"]["inconsistencies"] == 1
    same = run(tmp_path, doc).report  # the same bytes: nothing parsed
    quiet = _check_output(capsys, source, snap)
    source.write_text(json.dumps(doc, indent=3), encoding="utf-8")  # same content, other bytes
    respelled = check(CheckOptions(source=str(source), snapshots=snap, fetch=FAST)).report
    hashed = _check_output(capsys, source, snap)
    run(tmp_path, doc)
    (snap / "beta.json").write_bytes((snap / "beta.json").read_bytes() + b" ")  # hash mismatch
    before = tree_bytes(snap)
    full = check(CheckOptions(source=str(source), snapshots=snap, fetch=FAST)).report
    compared = _check_output(capsys, source, snap)
    assert tree_bytes(snap) == before
    assert same is not None and respelled is not None and full is not None
    assert same.to_json() == respelled.to_json() == full.to_json()
    assert same.current == 1 and same.old == same.new and not same.first_run
    assert quiet == hashed == compared


def test_the_stored_report_is_used_only_under_the_settings_it_was_counted_with(
    tmp_path: Path,
) -> None:
    doc = _stored_as_seven(tmp_path)
    quiet = run(tmp_path, doc).report
    assert quiet is not None and quiet.current == 7
    aliased = Config(inconsistencies=ConsistencySettings(aliases={"acme/big-1": "fast-1"}))
    found = run(tmp_path, doc, config=aliased).report
    assert found is not None and found.current != 7
    compared = run(tmp_path, doc, compare_with=(tmp_path / "snap",)).report
    assert compared is not None and compared.current != 7
    doc["acme"]["models"]["fast-1"]["cost"]["input"] = 4  # another body: counted again
    changed = run(tmp_path, doc).report
    assert changed is not None and changed.current == 1


def test_the_same_content_in_other_bytes_reports_the_stored_count_under_the_same_settings(
    tmp_path: Path,
) -> None:
    doc = _stored_as_seven(tmp_path)
    source = tmp_path / "respelled.json"
    source.write_text(json.dumps(doc, indent=3), encoding="utf-8")  # same content, other bytes

    def respelled(**kwargs: Any) -> int:
        options = CheckOptions(source=str(source), snapshots=tmp_path / "snap", fetch=FAST)
        report = check(replace(options, **kwargs)).report
        assert report is not None and report.changes == () and not report.first_run
        return report.current

    assert respelled() == 7  # the content the count was stored for: not counted again
    aliased = Config(inconsistencies=ConsistencySettings(aliases={"acme/big-1": "fast-1"}))
    assert respelled(config=aliased) != 7
    assert respelled(compare_with=(tmp_path / "snap",)) != 7


def _respelled(tmp_path: Path, text: str) -> Outcome:
    """``evaluate`` of ``text`` (a new spelling of the stored catalog) against the snapshot."""
    source = tmp_path / "respelled.json"
    source.write_text(text, encoding="utf-8")
    options = CheckOptions(source=str(source), snapshots=tmp_path / "snap", fetch=FAST)
    return evaluate(options.snapshots, fetch_for(options.snapshots, options), options)


def test_the_same_document_in_other_bytes_is_unchanged_from_its_hash_without_validation(
    tmp_path: Path,
) -> None:
    doc = _stored_as_seven(tmp_path)
    meta = json.loads((tmp_path / "snap" / "_meta.json").read_text(encoding="utf-8"))
    compact = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)  # the document, keys sorted
    assert meta["upstream_document_sha256"] == hashlib.sha256(compact).hexdigest()
    outcome = _respelled(tmp_path, json.dumps(doc, indent=3, sort_keys=True))
    assert outcome.unchanged and outcome.report.current == 7
    # The stored meta, carried over (the content-hash path writes a fresh one without it):
    # decided before the provider files were validated and encoded again.
    assert outcome.meta.get("upstream_document_sha256") == meta["upstream_document_sha256"]


def test_a_repeated_key_in_the_same_document_is_validated_not_taken_as_unchanged(
    tmp_path: Path,
) -> None:
    doc = _stored_as_seven(tmp_path)
    text = json.dumps(doc, indent=1)
    repeated = text.replace('"input": 3,', '"input": 3, "input": 3,', 1)  # the same value twice
    assert repeated != text
    # Its record is rejected, and one of three is more than the catalog may lose: refused.
    twice = re.escape("model 'big-1' field 'cost.input': appears 2 times")
    with pytest.raises(CatalogRejected, match=twice):
        _respelled(tmp_path, repeated)


def test_nan_where_the_stored_document_has_null_is_validated_not_taken_as_unchanged(
    tmp_path: Path,
) -> None:
    doc = small_catalog()
    doc["acme"]["models"]["big-1"]["x_note"] = None  # an extra field: null is kept as it is
    run(tmp_path, doc)
    text = json.dumps(doc, indent=1)
    nan = text.replace('"x_note": null', '"x_note": NaN', 1)  # orjson would write NaN as null
    assert nan != text
    with pytest.raises(CatalogRejected, match=re.escape("model 'big-1' field 'x_note'")):
        _respelled(tmp_path, nan)


def test_the_stored_report_is_tied_to_the_models_json_given(tmp_path: Path) -> None:
    doc = small_catalog()
    index = write_json(tmp_path / "models.json", {"acme-lab/x-1": {"id": "acme-lab/x-1"}})
    run(tmp_path, doc, models_json=str(index))
    _stored_count(tmp_path / "snap", 7)
    quiet = run(tmp_path, doc, models_json=str(index)).report
    assert quiet is not None and quiet.current == 7
    without = run(tmp_path, doc).report
    assert without is not None and without.current == 0
    write_json(index, {"acme-lab/x-2": {"id": "acme-lab/x-2"}})
    other = run(tmp_path, doc, models_json=str(index)).report
    assert other is not None and other.current == 0


def test_a_document_orjson_cannot_write_keeps_no_hash_and_is_compared_in_full(
    tmp_path: Path,
) -> None:
    """The int rejects its record (catalogs hold none past 64 bits) but stays in the document,
    so the document's bytes cannot be rewritten by orjson to hash them."""
    doc = document(provider("acme", *(model(f"m{n}") for n in range(30))))
    doc["acme"]["models"]["m0"]["x_serial"] = 2**70  # an int over 64 bits: orjson refuses it
    assert run(tmp_path, doc).report.rejections[0].model == "m0"
    meta = json.loads((tmp_path / "snap" / "_meta.json").read_text(encoding="utf-8"))
    assert "upstream_document_sha256" not in meta and "upstream_sha256" in meta
    outcome = _respelled(tmp_path, json.dumps(doc, indent=3))
    assert outcome.report.changes == ()  # compared in full: the same catalog
    assert [r.runs for r in outcome.report.rejections] == [2]  # a rejection counts every run


def test_a_stored_record_that_no_longer_validates_is_named_not_dropped_silently(
    tmp_path: Path,
) -> None:
    """A hand-edited provider file (or a check newer than the version that wrote it): its record
    is read as absent, so the next change reported its model "added" with nothing said."""
    doc = small_catalog()
    run(tmp_path, doc)
    stored = tmp_path / "snap" / "acme.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    data["models"]["big-1"]["cost"]["input"] = -1
    stored.write_text(json.dumps(data), encoding="utf-8")
    report = run(tmp_path, doc).report
    [note] = [n for n in report.notes if n.startswith("the snapshot's")]
    assert note.startswith("the snapshot's provider 'acme' model 'big-1' field 'cost.input': ")
    assert "-1" in note and note.endswith("; read as absent")
    assert "note: the snapshot's provider 'acme'" in render_text(report)


def test_the_note_on_a_stored_record_names_it_inert_in_text_and_markdown(
    tmp_path: Path,
) -> None:
    """The note names the stored record by its keys, catalog text (here a hand-edited model key):
    it reaches the terminal and the pull request's markdown only through their inert renderers."""
    doc = small_catalog()
    run(tmp_path, doc)
    stored = tmp_path / "snap" / "acme.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    hostile = "\x1b]8;;https://evil.example\x07<b>x</b>\n::error::PWNED"
    data["models"][hostile] = {**data["models"]["big-1"], "id": hostile}  # a hand edit
    stored.write_text(json.dumps(data), encoding="utf-8")
    report = run(tmp_path, doc).report
    [note] = [n for n in report.notes if n.startswith("the snapshot's")]
    assert "<b>x</b>" in note and "PWNED" in note  # quoted: the renderers must make it inert
    text = render_text(report)
    assert "\x1b" not in text and "\x07" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    markdown = render_markdown(report)
    assert "<b>" not in markdown and "\x1b" not in markdown
    assert not [line for line in markdown.splitlines() if line.lstrip("> ").startswith("::")]
