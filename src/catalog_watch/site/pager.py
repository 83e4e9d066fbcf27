"""Long listings cut into pages of ``limit`` rows, every page reachable from every other.

Page 1 keeps the listing's own name (``index.html``, ``provider/vercel.html``); page *n* is
``index/page-n.html`` beside it, a folder no provider id, kind or severity can name (ids hold no
``/``). Each page has the same bar of links: newer, the page numbers (the first, the last and
those near this one), older.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Item = TypeVar("Item")
Group = TypeVar("Group")

NEAR = 3
"""Page numbers linked on each side of the current one (plus the first and the last)."""


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` of ``count`` of the listing whose first page is ``first``; ``offset``
    rows come before it."""

    first: str
    number: int
    count: int
    offset: int

    @property
    def path(self) -> str:
        return page_path(self.first, self.number)

    @property
    def root(self) -> str:
        """The way back to the site root from this page (``""``, ``"../"``, ``"../../"``)."""
        return "../" * self.path.count("/")


def page_path(first: str, number: int) -> str:
    """``index.html`` for page 1, then ``index/page-2.html``, ``index/page-3.html``..."""
    return first if number == 1 else f"{first.removesuffix('.html')}/page-{number}.html"


def paginate(
    groups: Sequence[Group], items: Callable[[Group], Sequence[Item]], limit: int
) -> list[list[tuple[Group, list[Item]]]]:
    """``groups`` (runs) with their ``items`` (records) cut into pages of ``limit`` items,
    in order; a group may go on over the next page, an empty group is left out."""
    pages: list[list[tuple[Group, list[Item]]]] = []
    room = 0
    for group in groups:
        rest = list(items(group))
        while rest:
            if room == 0:
                pages.append([])
                room = limit
            pages[-1].append((group, rest[:room]))
            taken = min(room, len(rest))
            rest, room = rest[taken:], room - taken
    return pages


@dataclass(frozen=True, slots=True)
class Link:
    """One item of the bar (``pager.html``): a link, the current page's number or a gap."""

    text: str
    href: str | None = None  # None: not a link
    rel: str = ""  # prev, next
    current: bool = False


def pager_links(page: Page) -> list[Link]:
    """The links between the pages; none when there is only one."""
    if page.count <= 1:
        return []
    links = []
    if page.number > 1:
        links.append(Link("← newer", _href(page, page.number - 1), "prev"))
    previous = 0
    for number in _numbers(page):
        if number > previous + 1:
            links.append(Link("…"))
        here = number == page.number
        links.append(Link(f"{number:,}", None if here else _href(page, number), current=here))
        previous = number
    if page.number < page.count:
        links.append(Link("older →", _href(page, page.number + 1), "next"))
    return links


def _numbers(page: Page) -> list[int]:
    near = range(max(1, page.number - NEAR), min(page.count, page.number + NEAR) + 1)
    return sorted({1, page.count, *near})


def _href(page: Page, number: int) -> str:
    return page.root + page_path(page.first, number)
