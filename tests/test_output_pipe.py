"""The CLI's output when its reader goes away or a name is not UTF-8: no traceback, no lost
work, and output that stays valid UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog_watch.cli.app import main
from tests.factories import MODELS_DEV, document, model, provider, write_json


@pytest.mark.realdata
def test_a_reader_that_closes_the_pipe_early_ends_the_output_not_the_command() -> None:
    """``diff ... | true``: the old stream raised BrokenPipeError, a traceback and exit 1."""
    command = [
        sys.executable,
        "-m",
        "catalog_watch.cli.app",
        "diff",
        str(MODELS_DEV / "2026-03-10.json"),
        str(MODELS_DEV / "2026-06-28.json"),
    ]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line (as ``| true``)
    errors = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0, errors
    assert errors == ""


def test_a_file_name_that_is_not_utf8_is_spelled_out_and_the_json_stays_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    catalog = write_json(tmp_path / "api.json", document(provider("openai", model("gpt-4o"))))
    code = tmp_path / "code"
    code.mkdir()
    (code / "agent.py").write_text('client.chat.completions.create(model="gpt-4o")\n')
    # A name that is not UTF-8: Python carries its 0xff byte as the lone surrogate U+DCFF.
    (code / os.fsdecode(b"bad\xffname.py")).write_text('model = "gpt-4o"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["usage", str(code), "--catalog", str(catalog), "--format", "json"]) == 0
    out = capsysbinary.readouterr().out
    report = json.loads(out.decode("utf-8"))  # the old output held the raw 0xff byte
    assert b"bad\\udcffname.py" in out  # the byte spelled out, as JSON escapes it
    assert report["scan"]["files_scanned"] == 2
