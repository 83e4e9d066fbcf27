"""The bounds a catalog is held to wherever it comes from, fetched or read from a file: its size
and its record counts. No network here (``limits.py`` holds the HTTP side and re-exports these),
so reading a catalog file (``store/snapshot.read_document``) loads no HTTP stack.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path

from catalog_watch.errors import CatalogRejected
from catalog_watch.model.catalog import JSON

MAX_CATALOG_BYTES = 64 * 1024 * 1024
"""The largest catalog body or file read, decoded: a catalog file's cap, and the default of
``sources.fetch.FetchOptions.max_bytes`` for a fetched body."""

MAX_PROVIDERS = 2_000
"""The most providers a catalog may hold; more refuses it (exit 4) before any is validated.

Chosen from the real catalogs in ``../shared/data``: models.dev grew from 44 providers
(2025-09-15) to 145 (2026-06-28); LiteLLM's file names 124 distinct ``litellm_provider`` values
(2026-07-24); OpenRouter is one provider. 2,000 is over 13 times the largest and leaves years of
growth at models.dev's pace, while 100,000 providers (68 s and 763 MB of validation per run) are
refused in well under a second.
"""

MAX_OFFERINGS_PER_PROVIDER = 10_000
"""The most offerings (models) one provider may hold; more refuses the catalog (exit 4).

Chosen from the real catalogs in ``../shared/data``: the largest provider is models.dev's
nano-gpt with 617 models (2026-06-28, up from 512 in 2026-03-10); LiteLLM's largest is
fireworks_ai with 293 entries; OpenRouter's one provider holds 414 models (2026-08-19). 10,000 is
16 times the largest. Entries with no usable provider (LiteLLM) count as one provider.
"""

_NO_PROVIDER = "(no provider)"


def describe_size(n: int) -> str:
    """``64.0 MiB (67108864 bytes)`` from 1 MiB up, else ``1000 bytes``."""
    return f"{n / 2**20:.1f} MiB ({n} bytes)" if n >= 2**20 else f"{n} bytes"


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFO to open
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"))


class NotARegularFile(OSError):
    """A catalog path that names a folder, a pipe or a device: nothing a catalog is read from."""


def read_capped(path: Path, cap: int) -> bytes:
    """Up to ``cap + 1`` bytes of the regular file at ``path`` (one more than allowed: the caller
    refuses what is over). Opened without blocking and checked before any read: a named pipe no
    one writes to would hang the run, a device would never end. Raises OSError
    (:class:`NotARegularFile` for those)."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise NotARegularFile(f"{kind}, not a file")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(cap + 1)
    finally:
        os.close(fd)


# -- Records ------------------------------------------------------------------------------------


def check_catalog_counts(where: str, document: JSON) -> None:
    """Refuse (CatalogRejected) a document with too many providers or offerings in one of them.

    Counts in each source's shape: models.dev's ``{provider: {"models": {...}}}``, OpenRouter's
    ``{"data": [...]}`` or bare list (one provider) and LiteLLM's flat entries grouped by
    ``litellm_provider``. Any other value holds no provider: its parser will say so.
    """
    counts = _offerings_by_provider(document)
    if len(counts) > MAX_PROVIDERS:
        raise CatalogRejected(
            f"{where} holds {len(counts):,} providers, more than the {MAX_PROVIDERS:,} a catalog "
            "may hold (limits.MAX_PROVIDERS); refused before validating any"
        )
    provider, offerings = max(counts.items(), key=lambda item: item[1], default=("", 0))
    if offerings > MAX_OFFERINGS_PER_PROVIDER:
        raise CatalogRejected(
            f"{where}: provider {shown(provider)} holds {offerings:,} offerings, more than the "
            f"{MAX_OFFERINGS_PER_PROVIDER:,} allowed per provider "
            "(limits.MAX_OFFERINGS_PER_PROVIDER); refused before validating any"
        )


def _offerings_by_provider(document: JSON) -> Counter[str]:
    data = document.get("data") if isinstance(document, dict) else document
    if isinstance(data, list):  # OpenRouter: every model under its one provider
        return Counter({"data": len(data)})
    counts: Counter[str] = Counter()
    if not isinstance(document, dict):
        return counts
    for key, value in document.items():
        models = value.get("models") if isinstance(value, dict) else None
        if isinstance(models, dict | list):  # models.dev: a provider and its models
            counts[key] += len(models)
        else:  # LiteLLM: one flat entry per offering
            owner = value.get("litellm_provider") if isinstance(value, dict) else None
            counts[owner if isinstance(owner, str) else _NO_PROVIDER] += 1
    return counts


def shown(text: str, *, quoted: bool = True) -> str:
    """Upstream text (a provider name, a header) escaped and cut short for a one-line error."""
    shown = repr(text if len(text) <= 64 else text[:64] + "...")
    return shown if quoted else shown[1:-1]
