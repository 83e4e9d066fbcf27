"""Writing a file so that a crash or a full disk leaves it either old or new, never half written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write a temporary file beside ``path``, flush it to disk, then rename it over ``path``."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_text_if_any(path: Path) -> str | None:
    """``path``'s UTF-8 text, or None when there is no such file (a first run, a new month)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
