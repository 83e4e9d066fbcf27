"""Input digests: what a page is made of, in a few bytes, so that a rebuild renders again only
the pages whose inputs changed (``incremental.py``).

A digest covers everything the page's bytes follow from: the ledger lines it shows (each line's
:func:`token`, a hash of its JSON), the links and words around them, and the
:func:`fingerprint` of the code and templates that render it. Equal digests mean equal bytes;
a digest that changes without the bytes changing costs one render, never a wrong page.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

import orjson

SIZE = 16
"""Bytes of a token and of a digest (BLAKE2b): collisions are out of reach at any site size."""
_SOURCES = (".py", ".html", ".svg", ".css")
NOT_RENDERING = frozenset({"cli", "jobs", "publish", "scan"})
"""Subpackages that parse options, orchestrate runs, talk to servers or scan code."""


def token(value: object) -> bytes:
    """A ledger line (any JSON value; a number with the text upstream wrote keeps its text) as
    :data:`SIZE` bytes; equal tokens, equal values."""
    try:
        data = orjson.dumps(value, default=_other)
    except orjson.JSONEncodeError:  # an integer past 64 bits, nesting past orjson's limit
        data = _SLOW + json.dumps(value, default=_other, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(data, digest_size=SIZE).digest()


_SLOW = b"\x00json:"  # no orjson output starts so: the two encoders' tokens never meet


def _other(value: object) -> list[str]:
    """What orjson does not write itself (``json_text.JSONNumber``, a float subclass)."""
    return [type(value).__name__, repr(value), str(getattr(value, "text", ""))]


def digest(*parts: bytes | str | int | None) -> str:
    """The hex digest of ``parts`` in order (each length-prefixed: no two lists of parts give
    the same bytes to hash)."""
    hasher = hashlib.blake2b(digest_size=SIZE)
    for part in parts:
        if isinstance(part, str):
            data = part.encode("utf-8", "surrogatepass")
        else:
            data = part if isinstance(part, bytes) else repr(part).encode()
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def keyed(data: bytes, text: str) -> bytes:
    """A token and a text (a record and its row's link) as one token."""
    return hashlib.blake2b(data + text.encode("utf-8", "surrogatepass"), digest_size=SIZE).digest()


def fingerprint() -> str:
    """The code and the templates that render the site: every source file of the package but
    those that only gather its inputs or never run for it (:data:`NOT_RENDERING`: what they
    hand over is digested itself), the Jinja2 version and Python's. A change to any of them
    renders every page again."""
    root = Path(__file__).resolve().parents[1]  # catalog_watch/
    hasher = hashlib.blake2b(digest_size=SIZE)
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_RENDERING or "__pycache__" in parts:
            continue
        if path.suffix in _SOURCES:
            hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            hasher.update(path.read_bytes())
    jinja = importlib.import_module("jinja2")  # the site extra, checked by require_site_extra
    hasher.update(f"\0{jinja.__version__}\0{sys.version_info[:2]}".encode())
    return hasher.hexdigest()
