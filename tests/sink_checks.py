"""What each sink must never do with catalog text, checked on the bytes it received.

* the Actions log: run a workflow command other than the tool's own (``tests/actions_runner``);
* GitHub markdown, rendered by cmark-gfm as GitHub does: a mention, an issue reference, an
  autolink, raw HTML other than the tool's own ``<details>`` fold, a table cell broken open;
* every text: a raw C0/C1 control or a bidirectional override;
* Slack mrkdwn: a ``<`` or ``&`` that Slack would read as markup (a mention, a link);
* the site: a page or feed that does not parse, an element or link the site never writes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import cmarkgfm
import feedparser
from cmarkgfm.cmark import Options

from tests.actions_runner import Command, commands
from tests.hostile_catalog import MARK

# -- The Actions log -------------------------------------------------------------------------

TOOL_COMMANDS = frozenset(
    {"group", "endgroup", "warning", "error", "notice", "add-mask", "stop-commands", "resume"}
)
_TOKEN = re.compile(r"[0-9a-f]{32}")
REPORT_GROUP = "catalog-watch report"


def forged(command: Command, *, token: str) -> str | None:
    """Why ``command`` cannot be the tool's own, or None when it can be."""
    if command.name not in TOOL_COMMANDS:
        return "a command the tool never writes"
    if command.data.lstrip().startswith(MARK):
        return "a message written by the catalog"
    if command.name in ("stop-commands", "resume") and not _TOKEN.fullmatch(command.data):
        return "a stop token that is not the tool's random one"
    if command.name == "add-mask" and command.data != token:
        return "a mask of something that is not a secret"
    if command.name == "group" and command.data != REPORT_GROUP:
        return "a group the tool never opens"
    return None


def assert_only_the_tools_commands(stdout: str, stderr: str, *, token: str) -> None:
    assert commands(stderr) == [], "stderr must never carry a workflow command"
    found = commands(stdout)
    bad = [(c, why) for c in found if (why := forged(c, token=token))]
    assert not bad, f"forged workflow commands: {bad}"
    names = [c.name for c in found]
    assert names.count("stop-commands") == names.count("resume"), "commands left stopped"
    fake = [line for line in stopped_lines(stdout) if line.startswith(("::", "##["))]
    assert not fake, f"report lines that look like workflow commands: {fake[:5]}"
    for level in ("error", "warning", "notice"):
        assert names.count(level) <= 10, f"{names.count(level)} {level} annotations in one step"


def stopped_lines(log: str) -> list[str]:
    """The lines inside ``::stop-commands::`` sections (the tool's text), the resume excluded."""
    inside: list[str] = []
    token: str | None = None
    for line in re.split(r"\r\n|\r|\n", log):
        if token is not None and line.strip() == f"::{token}::":
            token = None
        elif token is not None:
            inside.append(line)
        elif line.startswith("::stop-commands::"):
            token = line.removeprefix("::stop-commands::")
    return inside


# -- Control characters ----------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_no_controls(text: str, where: str) -> None:
    found = _CONTROL.search(text)
    assert found is None, f"{where}: raw {found.group()!r} at {found.start()}: {_near(text, found)}"


def _near(text: str, found: re.Match[str]) -> str:
    return repr(text[max(0, found.start() - 60) : found.end() + 60])


# -- GitHub markdown -------------------------------------------------------------------------

FOLD_LINES = frozenset({"<details><summary>show all</summary>", "</details>"})
"""The tool's own raw HTML: the fold around long lists, each line its own HTML block."""


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MARKDOWN_TAGS = words(
    "p strong em del h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tr th td code pre blockquote "
    "hr br details summary"
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9]")
_REFERENCE = re.compile(r"(?<![A-Za-z0-9_])#\d|(?<![A-Za-z0-9])(?i:gh)-\d")
_LINK = re.compile(r"(?i:https?|ftp)://|(?i:www)\.")
_SEVERITIES = frozenset({"high", "medium", "low", "info"})


def gfm(markdown: str, *, unsafe: bool = True) -> str:
    options = Options.CMARK_OPT_UNSAFE if unsafe else Options.CMARK_OPT_DEFAULT
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=options))


def assert_markdown_inert(markdown: str, where: str) -> None:
    """``markdown`` as GitHub renders it acts on nothing: see the module docstring."""
    own = sum(1 for line in markdown.splitlines() if line in FOLD_LINES)
    omitted = gfm(markdown, unsafe=False).count("<!-- raw HTML omitted -->")
    assert omitted == own, f"{where}: {omitted - own} raw HTML elements from the catalog"
    rendered = gfm(markdown)
    tags = [name.lower() for _, name in _TAG.findall(rendered)]
    assert set(tags) <= MARKDOWN_TAGS, f"{where}: elements {set(tags) - MARKDOWN_TAGS}"
    opened = sum(1 for close, name in _TAG.findall(rendered) if name == "details" and not close)
    closed = rendered.count("</details>")
    folds = sum(
        1 for line in markdown.splitlines() if line == "<details><summary>show all</summary>"
    )
    assert opened == closed == folds, (
        f"{where}: {opened} <details>, {closed} </details>, {folds} folds"
    )
    text = visible_text(rendered)
    for pattern, what in ((_MENTION, "mention"), (_REFERENCE, "reference"), (_LINK, "link")):
        found = pattern.search(text)
        assert found is None, f"{where}: a {what} GitHub would act on: {_near(text, found)}"
    for row in table_rows(rendered):
        assert_cells_in_place(row, where)


def visible_text(rendered: str) -> str:
    """What GitHub scans for mentions and references: text outside code, entities decoded."""
    outside_code = re.sub(r"<code>.*?</code>", " ", rendered, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", outside_code))


def table_rows(rendered: str) -> Iterator[dict[str, str]]:
    """Each body row of each table, as header → cell HTML."""
    for table in re.findall(r"<table>(.*?)</table>", rendered, flags=re.DOTALL):
        header = re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.DOTALL)
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>", 1)[-1], re.DOTALL):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
            yield dict(zip(header, cells, strict=False))


def assert_cells_in_place(row: dict[str, str], where: str) -> None:
    """A pipe or a backtick that broke a cell open shifts the cells after it."""
    if "severity" in row:
        assert row["severity"] in _SEVERITIES, f"{where}: cells shifted in {row}"
    if "model" in row:
        cell = row["model"]
        assert cell == "" or re.fullmatch(r"<code>[^<]*</code>", cell), f"{where}: {row}"


def assert_no_reference(text: str, where: str) -> None:
    """Plain text GitHub scans without rendering (a commit message): nothing it would act on."""
    for pattern, what in ((_MENTION, "mention"), (_REFERENCE, "reference"), (_LINK, "link")):
        found = pattern.search(text)
        assert found is None, f"{where}: a {what}: {_near(text, found)}"


# -- Slack -----------------------------------------------------------------------------------

_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def slack_texts(value: Any, mrkdwn: bool = True) -> Iterator[tuple[str, bool]]:
    """Every string Slack shows in a payload, and whether Slack reads it as mrkdwn."""
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            yield value["text"], mrkdwn and value.get("type") != "plain_text"
        for key, item in value.items():
            if key != "text" or not isinstance(item, str):
                yield from slack_texts(item, mrkdwn)
    elif isinstance(value, list):
        for item in value:
            yield from slack_texts(item, mrkdwn)


def assert_slack_inert(payload: dict[str, Any], links: tuple[str, ...]) -> None:
    """Only the tool's own ``<url|label>`` links are markup; catalog text is escaped."""
    for text, mrkdwn in slack_texts(payload):
        assert not re.search(r"<[!@#]", text), f"a Slack mention or channel link: {text!r}"
        if not mrkdwn:
            continue
        for url in re.findall(r"<([^|<>]*)\|[^<>]*>", text):
            assert url.startswith(links), f"a link the tool never makes: {url!r}"
        rest = re.sub(r"<[^|<>]*\|[^<>]*>", "", text)
        assert "<" not in rest and ">" not in rest, f"unescaped markup in Slack text: {text!r}"
        assert not _ENTITY.search(rest), f"an unescaped & in Slack text: {text!r}"


# -- The site --------------------------------------------------------------------------------

_VOID = words("area base br col embed hr img input link meta source track wbr")
_FORBIDDEN = words("script img iframe object embed form input base frame frameset")


class _Page(HTMLParser):
    """Collects the problems of one page: unbalanced elements, forbidden ones, links out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FORBIDDEN:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            linked = name in ("href", "src", "xlink:href") and _LINK.match(value or "")
            if linked and value != "https://models.dev":
                self.problems.append(f"a link out: {value!r}")


def page_problems(text: str) -> list[str]:
    page = _Page()
    page.feed(text)
    page.close()
    return page.problems + [f"<{tag}> never closed" for tag in page.stack]


def assert_site_parses(site: Path) -> None:
    feed = (site / "feed.xml").read_bytes()
    ElementTree.fromstring(feed)
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    pages = sorted(site.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text("utf-8")
        assert_no_controls(text, str(page))
        assert page_problems(text) == [], f"{page}: {page_problems(text)}"
