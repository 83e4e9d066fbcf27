"""Secrets in settings and errors: refused when they would break a header, never printed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SHOWABLE = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+")


def unsafe(secret: str) -> bool:
    """A space, or a character ``str.isprintable`` refuses: C0/C1 controls (line breaks, tabs,
    ESC, DEL), Unicode format characters (zero-width space, BOM) and other separators (NBSP).
    Such a secret breaks the header it goes into, and the HTTP library's error quotes it."""
    return " " in secret or not secret.isprintable()


def unsafe_message(name: str) -> str:
    """The refusal for setting ``name``, which names it and shows none of its value."""
    return (
        f"{name} holds a space or control character (a line break, a tab...); it is not shown: "
        "set it again, copied without them"
    )


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (no user info, no path: a path may hold the
    secret), or None when it is not one a message can show."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    shown = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    return shown if _SHOWABLE.fullmatch(shown) else None
