"""Long listings cut into pages of ``limit`` rows, every page reachable from every other.

Two ways to cut, both listing newest first:

* **From the oldest** (``stable``): for a listing that grows at its newest end (``index.html``,
  the filtered pages, ``runs.html``). Page *k* holds the *k*-th ``limit`` rows counted from the
  oldest and is ``index/page-k.html``; the listing's own name (``index.html``, the front) holds
  the newest rows, those not yet in a full page (1 to ``limit``). A new run adds rows to the
  front only, so every older page keeps its rows, its name and its bytes; when the front is
  full, the next row makes it page *k + 1*.
* **From the start**: for a listing that never changes (a run's own pages). Page 1 is the
  listing's own name, page *n* is ``run/<anchor>/page-n.html``.

Page *n* is ``<name>/page-n.html`` beside page 1, a folder no provider id, kind or severity can
name (ids hold no ``/``). Each page has a bar of links: newer, the front, the page numbers near
this one and the far end, older. A page cut from the oldest names neither how many pages there
are nor the newest one's number, so its bar changes only when a new page appears near it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Item = TypeVar("Item")
Group = TypeVar("Group")

NEAR = 3
"""Page numbers linked on each side of the current one (plus the far end)."""


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` of ``count`` of the listing named ``first``, ``offset`` rows after the
    newest. ``stable``: cut from the oldest, page 1 the oldest and ``count`` the front; else
    page 1 is the front."""

    first: str
    number: int
    count: int
    offset: int
    stable: bool = False

    @property
    def front(self) -> bool:
        return self.number == (self.count if self.stable else 1)

    @property
    def path(self) -> str:
        return self.first if self.front else page_path(self.first, self.number)

    @property
    def root(self) -> str:
        """The way back to the site root from this page (``""``, ``"../"``, ``"../../"``)."""
        return "../" * self.path.count("/")

    def at(self, number: int) -> Page:
        """The listing's page ``number``."""
        return Page(self.first, number, self.count, 0, self.stable)


def page_path(first: str, number: int) -> str:
    """``index/page-2.html`` for page 2 of the listing ``index.html``."""
    return f"{first.removesuffix('.html')}/page-{number}.html"


def page_sizes(total: int, limit: int, stable: bool) -> list[int]:
    """How many rows each page holds, newest page first."""
    if total == 0:
        return []
    full, rest = divmod(total, limit)
    if not stable:
        return [limit] * full + ([rest] if rest else [])
    if rest == 0:  # the newest full page stays the front until a row comes after it
        full, rest = full - 1, limit
    return [rest] + [limit] * full


def paginate(
    groups: Sequence[Group], items: Callable[[Group], Sequence[Item]], sizes: Sequence[int]
) -> list[list[tuple[Group, list[Item]]]]:
    """``groups`` (runs) with their ``items`` (records) cut into pages of ``sizes`` items, in
    order; a group may go on over the next page, an empty group is left out."""
    pages: list[list[tuple[Group, list[Item]]]] = []
    room, left = 0, list(sizes)
    for group in groups:
        rest = list(items(group))
        while rest:
            if room == 0:
                pages.append([])
                room = left.pop(0)
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
    """The links between the pages, newest on the left; none when there is only one."""
    if page.count <= 1:
        return []
    step = 1 if page.stable else -1  # the number of the next newer page is number + step
    links = []
    if not page.front:
        links.append(Link("← newer", _href(page, page.number + step), "prev"))
    previous: int | None = None
    for number in _numbers(page):
        if previous is not None and abs(number - previous) > 1:
            links.append(Link("…"))
        here = number == page.number
        text = "newest" if page.stable and number == page.count else f"{number:,}"
        links.append(Link(text, None if here else _href(page, number), current=here))
        previous = number
    if page.number != (1 if page.stable else page.count):
        links.append(Link("older →", _href(page, page.number - step), "next"))
    return links


def _numbers(page: Page) -> list[int]:
    """The pages the bar names, newest first: the front, those near this one, the far end
    (cut from the oldest, the newest numbered page only when it is near)."""
    near = range(max(1, page.number - NEAR), min(page.count, page.number + NEAR) + 1)
    if page.stable:
        return sorted({page.count, 1, *near}, reverse=True)
    return sorted({1, page.count, *near})


def _href(page: Page, number: int) -> str:
    return page.root + page.at(number).path
