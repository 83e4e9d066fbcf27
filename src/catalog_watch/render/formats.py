"""``--format``: the report renderers by name (text for the terminal, markdown, json)."""

from __future__ import annotations

from collections.abc import Callable

from catalog_watch.model.report import Report
from catalog_watch.render.json import render_json
from catalog_watch.render.markdown import render_markdown
from catalog_watch.render.text import render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
FORMATS = tuple(RENDERERS)
