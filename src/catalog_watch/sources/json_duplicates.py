"""Keys an object repeats: ``json.loads`` keeps the last, and which one upstream meant cannot be
told, so the source rejects the record that holds one (:func:`duplicates_in`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from catalog_watch.model.catalog import JSON
from catalog_watch.sources.json_values import printable


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key that one object of a document holds more than once (``json.loads`` keeps the last)."""

    path: tuple[str | int, ...]  # the keys and indexes down to the object that repeats it
    key: str
    lines: tuple[int, ...]  # the line of each occurrence, first to last

    @property
    def reason(self) -> str:
        """Why the record holding it is rejected (the rejection names the record and field)."""
        lines = ", ".join(str(line) for line in self.lines)
        return (
            f"appears {len(self.lines)} times in the document (lines {lines}); which one "
            "upstream means cannot be told"
        )

    def __str__(self) -> str:
        dotted = ".".join(printable(str(part)) for part in self.path)
        where = repr(dotted) if self.path else "the top level"
        lines = ", ".join(str(line) for line in self.lines)
        times = len(self.lines)
        return f"the key {printable(self.key)!r} appears {times} times in {where} (lines {lines})"


class DuplicatedObject(dict[str, JSON]):
    """A document (an object) some of whose objects repeat a key: see :func:`duplicates_in`."""

    __slots__ = ("duplicates",)

    def __init__(self, value: dict[str, JSON], duplicates: tuple[Duplicate, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


class DuplicatedArray(list[JSON]):
    """A document (an array) some of whose objects repeat a key: see :func:`duplicates_in`."""

    __slots__ = ("duplicates",)

    def __init__(self, value: list[JSON], duplicates: tuple[Duplicate, ...]) -> None:
        super().__init__(value)
        self.duplicates = duplicates


def duplicates_in(document: JSON) -> tuple[Duplicate, ...]:
    """The keys repeated in a document :func:`read_upstream` returned (none for any other value)."""
    if isinstance(document, DuplicatedObject | DuplicatedArray):
        return document.duplicates
    return ()


def find_duplicates(data: bytes) -> tuple[Duplicate, ...]:
    """Every key repeated within one object of the valid UTF-8 JSON ``data``, in document order.

    One pass over the strings and brackets in Python: several times slower than parsing, so
    ``json_reader.read_upstream`` calls it only once parsing has seen a repeat.
    """
    found: list[tuple[int, Duplicate]] = []
    stack: list[_Frame] = []
    for token in _STRUCTURE.finditer(data):
        text = token.group()
        top = stack[-1] if stack else None
        if text[0] == 0x22:  # a string: a key when its object waits for one
            if top is not None and top.expect_key:  # expect_key: only ever in an object
                top.take_key(json.loads(text.decode("utf-8", "surrogatepass")), token.start())
        elif text in (b"{", b"["):
            stack.append(_Frame(top.child() if top else (), is_object=text == b"{"))
        elif text == b",":
            if top is not None:
                top.next_member()
        elif top is not None:  # "}" or "]"
            found.extend(stack.pop().repeats(data))
    return tuple(duplicate for _, duplicate in sorted(found, key=lambda item: item[0]))


_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')


class _Frame:
    """An object or array :func:`find_duplicates` is inside of; an array's ``keys`` stay empty."""

    __slots__ = ("expect_key", "is_object", "keys", "member", "path")

    def __init__(self, path: tuple[str | int, ...], *, is_object: bool) -> None:
        self.path = path
        self.is_object = is_object
        self.keys: dict[str, list[int]] = {}
        self.member: str | int = 0
        self.expect_key = is_object

    def child(self) -> tuple[str | int, ...]:
        return (*self.path, self.member)

    def take_key(self, key: str, offset: int) -> None:
        self.keys.setdefault(key, []).append(offset)
        self.member, self.expect_key = key, False

    def next_member(self) -> None:
        if self.is_object:
            self.expect_key = True
        elif isinstance(self.member, int):
            self.member += 1

    def repeats(self, data: bytes) -> list[tuple[int, Duplicate]]:
        repeated = [(key, at) for key, at in self.keys.items() if len(at) > 1]
        return [
            (at[0], Duplicate(self.path, key, tuple(data.count(b"\n", 0, o) + 1 for o in at)))
            for key, at in repeated
        ]


def with_duplicates(document: JSON, duplicates: tuple[Duplicate, ...]) -> JSON:
    """``document`` carrying its repeated keys, for :func:`duplicates_in` to hand out."""
    if not duplicates:
        return document
    if isinstance(document, dict):
        return DuplicatedObject(document, duplicates)
    return DuplicatedArray(document, duplicates)
