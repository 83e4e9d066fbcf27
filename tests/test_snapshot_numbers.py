"""Snapshot files keep every number as upstream wrote it, on the four real models.dev catalogs.

Upstream writes ``0.000053`` and ``0.0000025`` in 2025-09 and 2026-01, where Python writes
``5.3e-05`` and orjson ``2.5e-6``: the reader keeps the text, the encoder writes it back.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from catalog_watch.jobs.check import CheckOptions, check
from tests.factories import MODELS_DEV

pytestmark = pytest.mark.realdata

CATALOGS = ("2025-09-15", "2026-01-05", "2026-03-10", "2026-06-28")
_NUMBER_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*')


class Spelled(str):
    """A number token as the file spells it."""


def number_texts(text: str) -> dict[tuple[str, ...], list[str]]:
    """Each number's text by its place (object keys; list positions left out, lists get sorted)."""
    found: dict[tuple[str, ...], list[str]] = defaultdict(list)

    def walk(value: Any, place: tuple[str, ...]) -> None:
        if isinstance(value, Spelled):
            found[place].append(str(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*place, key))
        elif isinstance(value, list):
            for item in value:
                walk(item, place)

    walk(json.loads(text, parse_float=Spelled, parse_int=Spelled), ())
    return {place: sorted(texts) for place, texts in found.items()}


def write(tmp_path: Path, name: str, folder: str) -> Path:
    snapshots = tmp_path / folder
    check(CheckOptions(source=str(MODELS_DEV / f"{name}.json"), snapshots=snapshots, write=True))
    return snapshots


@pytest.mark.parametrize("name", CATALOGS)
def test_every_number_is_written_as_upstream_wrote_it(tmp_path: Path, name: str) -> None:
    upstream = number_texts((MODELS_DEV / f"{name}.json").read_text(encoding="utf-8"))
    snapshots = write(tmp_path, name, "snap")
    checked = 0
    for path in sorted(snapshots.glob("*.json")):
        if path.name.startswith("_"):
            continue
        for place, texts in number_texts(path.read_text(encoding="utf-8")).items():
            assert texts == upstream[(path.stem, *place)], (path.name, place)
            checked += len(texts)
    assert checked > 1000


def test_the_numbers_python_would_respell_are_kept(tmp_path: Path) -> None:
    texts = b"".join(p.read_bytes() for p in write(tmp_path, "2026-01-05", "snap").glob("*.json"))
    assert b"0.0000025" in texts
    assert b"e-06" not in texts and b"e-6" not in texts


@pytest.mark.parametrize("name", CATALOGS)
def test_the_snapshot_is_deterministic_and_canonical(tmp_path: Path, name: str) -> None:
    first, second = write(tmp_path, name, "a"), write(tmp_path, name, "b")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for file_name in names:
        data = (first / file_name).read_bytes()
        assert data == (second / file_name).read_bytes(), file_name
        text = data.decode("utf-8")
        value = json.loads(text)
        again = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        # Sorted keys, 2-space indent, LF and a final newline: the same text as json.dumps
        # writes, the numbers' spelling aside.
        assert _without_numbers(text) == _without_numbers(again), file_name


def _without_numbers(text: str) -> str:
    return _NUMBER_OR_STRING.sub(lambda m: m.group() if m.group()[0] == '"' else "0", text)
