"""Model ids in YAML files (LiteLLM proxy ``config.yaml``, GitHub workflows, settings).

PyYAML's node tree keeps each value's line and column. ``scan/config.py`` loads this module by
name for the first YAML file, so a repository without one does not import PyYAML.

An alias (``*name``) is the very node its anchor made, so the walk enters each collection node
once: a "billion laughs" file of 2 KB names 10**29 values through aliases, and its ids are all
at the anchor's line anyway.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from catalog_watch.model.usage import Use
from catalog_watch.scan.config import key_kind, usable

__all__ = ["scan_yaml"]

_STR_TAG = "tag:yaml.org,2002:str"
_FLAG = re.compile(r"--model(?:=|[ \t]+)(['\"]?)([A-Za-z0-9][\w./:@+-]*)\1")


def scan_yaml(path: str, source: str) -> list[Use]:
    """The uses in one YAML file; ``ValueError`` when it does not parse."""
    try:
        return list(_yaml(path, source))
    except yaml.YAMLError as error:
        raise ValueError(f"not valid YAML: {error}") from error


@dataclass(frozen=True, slots=True)
class _Source:
    """The text as the scanners need it: ``lines`` for a ``run:`` script's flags, and where each
    of git's lines starts (PyYAML's own marks also end a line at a lone CR, NEL, U+2028 and
    U+2029, as YAML does; git, GitHub and lint count line feeds only)."""

    lines: list[str]
    starts: list[int]

    @classmethod
    def of(cls, text: str) -> _Source:
        breaks = [at + 1 for at, char in enumerate(text) if char == "\n"]
        return cls(text.splitlines(), [0, *breaks])

    def place(self, mark: yaml.Mark) -> tuple[int, int]:
        """The 1-based line and column of a mark, in line feeds (``mark.index`` is the offset)."""
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


def _yaml(path: str, source: str) -> Iterator[Use]:
    text = _Source.of(source)
    workflow = "/.github/workflows/" in "/" + path
    for document in yaml.compose_all(source, Loader=yaml.SafeLoader):
        if document is not None:  # aliases stay in their document: a set per document
            yield from _yaml_node(path, document, "", text, workflow, set())


def _yaml_node(
    path: str, node: yaml.Node, where: str, text: _Source, workflow: bool, seen: set[int]
) -> Iterator[Use]:
    """The uses under ``node``, unless an alias already led here (``seen``: ids of the
    collection nodes entered)."""
    if not isinstance(node, yaml.SequenceNode | yaml.MappingNode) or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _yaml_node(path, item, f"{where}[]", text, workflow, seen)
        return
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            continue
        dotted = f"{where}.{key}" if where else key
        if isinstance(value, yaml.ScalarNode) and value.tag == _STR_TAG:
            how = key_kind(key, where)
            said = value.value
            if how is not None and usable(said, dotted):
                line, column = text.place(value.start_mark)
                yield Use(path, line, column, said, "yaml", how, dotted)
            elif workflow and key == "run":
                yield from _flags(path, value, dotted, text.lines)
        else:
            yield from _yaml_node(path, value, dotted, text, workflow, seen)


def _flags(path: str, node: yaml.ScalarNode, where: str, lines: list[str]) -> Iterator[Use]:
    """``--model X`` in a ``run:`` script, at the line of the source that holds it."""
    first = node.start_mark.line + (1 if node.style in {"|", ">"} else 0)
    for offset, script_line in enumerate(str(node.value).splitlines()):
        for match in _FLAG.finditer(script_line):
            text = match.group(2)
            if not usable(text):
                continue
            line = first + offset + 1
            source_line = lines[line - 1] if line <= len(lines) else ""
            column = source_line.find(match.group(0))
            column = column + match.start(2) - match.start() + 1 if column >= 0 else 1
            yield Use(path, line, column, text, "yaml", "flag", where)
