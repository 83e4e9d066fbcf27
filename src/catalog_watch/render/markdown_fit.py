"""Cut markdown to a size limit at a line, closing what the kept lines leave open, with a pointer.

One function for the two limits GitHub sets: a pull request's body (65,536 characters,
``publish/github.fit_body``) and a step's summary (1 MiB of UTF-8, ``actions``). Lines end as
CommonMark says (``\\n``, ``\\r\\n``, ``\\r``), so a cut never splits a table row; a code
fence (up to three spaces, then three backticks or tildes) or ``<details>`` block that the kept
lines leave open is closed before the pointer, so that the block does not swallow it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FENCE = re.compile(r" {0,3}(```|~~~)")
# A <details> block starts and ends a line (an HTML block); the same words inside a line are
# text or a code span (a model id), never a fold, however they read.
_OPEN = re.compile(r" {0,3}<details[\s>]", re.IGNORECASE)
_CLOSE = re.compile(r" {0,3}</details\s*>", re.IGNORECASE)


def fit_markdown(
    text: str,
    limit: int,
    pointer: Callable[[int, int], str],
    *,
    size: Callable[[str], int] = len,
) -> str | None:
    """``text`` itself if ``size(text) <= limit``, else as many whole first lines as fit with
    what follows them: the open fence and ``<details>`` blocks closed, a blank line, and
    ``pointer(kept, lines)`` (lines kept, lines in all) on its own line. None when not even the
    pointer alone fits. ``size`` is how the limit counts: ``len`` (code points) by default."""
    if size(text) <= limit:
        return text
    lines = _LINE.findall(text)
    best = (0, _tail(pointer(0, len(lines)), "", 0))
    used, fence, depth = 0, "", 0
    for kept, line in enumerate(lines, 1):
        used += size(line)
        if used > limit:
            break
        fence, depth = _blocks(line, fence, depth)
        tail = _tail(pointer(kept, len(lines)), fence, depth)
        if used + size(tail) <= limit:
            best = (kept, tail)
    kept, tail = best
    if kept == 0 and size(tail) > limit:
        return None
    return "".join(lines[:kept]) + tail


def _blocks(line: str, fence: str, depth: int) -> tuple[str, int]:
    """The fence marker and ``<details>`` depth left open after ``line``."""
    found = _FENCE.match(line)
    if found and found.group(1) == (fence or found.group(1)):
        return ("" if fence else found.group(1)), depth
    if not fence:
        depth = max(depth + bool(_OPEN.match(line)) - bool(_CLOSE.match(line)), 0)
    return fence, depth


def _tail(pointer: str, fence: str, depth: int) -> str:
    """What follows the kept lines: close the open fence and blocks, then the pointer."""
    closing = f"{fence}\n" if fence else ""
    return closing + "\n" + "</details>\n\n" * depth + pointer + "\n"


def utf8_size(text: str) -> int:
    """The size of ``text`` in UTF-8 bytes, for a limit counted in bytes."""
    return len(text.encode("utf-8"))
