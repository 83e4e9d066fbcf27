"""Headless Chromium for tests: a page's DOM after loading (``--dump-dom``; of many pages in one
browser run, :func:`dump_doms`), a screenshot, and the layout of many pages at a phone's width
in one browser run (:func:`measure`).

A plain subprocess per call (no webdriver): Debian's ``/usr/bin/chromium`` with the flags that
keep it off the network (this machine has none; without them Chromium keeps retrying
connections) and a throw-away profile. :func:`parse` turns the dumped DOM into a small tree
(``html.parser``) with just the lookups the tests need.

When Chromium is missing the browser tests skip, except under CI (``CI`` set), where they fail:
CI installs it (``.ci/run``).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
TIMEOUT = 180  # seconds: a hung browser fails the test instead of hanging the suite
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chromium() -> str:
    """The Chromium executable; skips the test (fails it under CI) when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 0, f"chromium exited {result.returncode}: {result.stderr[-2000:]}"
    return result


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM as Chromium serialises it after loading (scripts would have run)."""
    return _run(page, profile, "--dump-dom").stdout


DUMP_SCRIPT = """
window.addEventListener("load", () => {
  const frames = [...document.querySelectorAll("iframe")];
  const doms = frames.map((f) => f.contentDocument).map((d) =>
    (d.doctype ? `<!DOCTYPE ${d.doctype.name}>\\n` : "") + d.documentElement.outerHTML);
  document.getElementById("result").textContent = JSON.stringify(doms);
});
"""
"""Each framed page's document as ``--dump-dom`` prints a page: doctype, then the markup."""


def dump_doms(pages: Sequence[Path], profile: Path, work: Path) -> list[str]:
    """The DOM of each of ``pages`` after loading, as :func:`dump_dom` gives it, from one
    Chromium process for all of them."""
    doms: list[str] = _framed(pages, profile, work / "dump.html", DUMP_SCRIPT, "")
    assert len(doms) == len(pages)
    return doms


def _framed(
    pages: Sequence[Path], profile: Path, harness: Path, script: str, size: str, *flags: str
) -> Any:
    """What ``script`` wrote as JSON into ``<pre id="result">`` of a harness page that frames
    ``pages`` (``size``: the frames' width and height attributes), from one Chromium run.

    The pages keep their own Content-Security-Policy (no script runs inside them): the script
    runs in the harness, reading them from outside, which ``--allow-file-access-from-files``
    allows for ``file://`` frames.
    """
    harness.parent.mkdir(parents=True, exist_ok=True)
    frames = "".join(
        f'<iframe data-page="{html.escape(str(page))}" src="{html.escape(page.resolve().as_uri())}"'
        f"{size}></iframe>\n"
        for page in pages
    )
    harness.write_text(
        f'<!DOCTYPE html>\n<html><body>\n{frames}<pre id="result"></pre>\n'
        f"<script>\n{script}</script>\n</body></html>\n",
        encoding="utf-8",
    )
    dom = parse(
        _run(harness, profile, "--allow-file-access-from-files", *flags, "--dump-dom").stdout
    )
    result = dom.by_id("result")
    assert result is not None and result.text, f"the script of {harness.name} did not run"
    return json.loads(result.text)


def screenshot(page: Path, png: Path, profile: Path, size: tuple[int, int] = (1280, 2000)) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run(page, profile, f"--screenshot={png.resolve()}", f"--window-size={size[0]},{size[1]}")
    return png


MEASURE_SCRIPT = Path(__file__).with_name("page_measure.js")


def measure(
    pages: Sequence[Path], profile: Path, work: Path, width: int = 390, height: int = 844
) -> list[dict[str, Any]]:
    """Each page laid out in a ``width`` x ``height`` frame (an iPhone's 390 x 844 by default)
    and measured by ``page_measure.js``: one Chromium process for all of them. Overlay
    scrollbars, as on a phone, so the frame's whole width is the page's."""
    size = f' width="{width}" height="{height}"'
    script = MEASURE_SCRIPT.read_text()
    measured: list[dict[str, Any]] = _framed(
        pages, profile, work / "measure.html", script, size, "--hide-scrollbars"
    )
    return measured


@dataclass
class Node:
    """An element: tag (lower case), attributes, children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag) and (cls is None or cls in node.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag or '*'} class={cls!r}> under <{self.tag}>"
        return found[0]

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == element_id), None)


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root
