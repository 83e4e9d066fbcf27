"""Model ids in YAML files (LiteLLM proxy ``config.yaml``, GitHub workflows, settings).

PyYAML's node tree keeps each value's line and column. ``scan/config.py`` loads this module by
name for the first YAML file, so a repository without one does not import PyYAML.

An alias (``*name``) is the very node its anchor made, so the walk enters each collection node
once: a "billion laughs" file of 2 KB names 10**29 values through aliases, and its ids are all
at the anchor's line anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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


def _yaml(path: str, source: str) -> Iterator[Use]:
    lines = source.splitlines()
    workflow = "/.github/workflows/" in "/" + path
    for document in yaml.compose_all(source, Loader=yaml.SafeLoader):
        if document is not None:  # aliases stay in their document: a set per document
            yield from _yaml_node(path, document, "", lines, workflow, set())


def _yaml_node(
    path: str, node: yaml.Node, where: str, lines: list[str], workflow: bool, seen: set[int]
) -> Iterator[Use]:
    """The uses under ``node``, unless an alias already led here (``seen``: ids of the
    collection nodes entered)."""
    if not isinstance(node, yaml.SequenceNode | yaml.MappingNode) or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _yaml_node(path, item, f"{where}[]", lines, workflow, seen)
        return
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            continue
        dotted = f"{where}.{key}" if where else key
        if isinstance(value, yaml.ScalarNode) and value.tag == _STR_TAG:
            how = key_kind(key, where)
            text = value.value
            if how is not None and usable(text, dotted):
                line, column = value.start_mark.line + 1, value.start_mark.column + 1
                yield Use(path, line, column, text, "yaml", how, dotted)
            elif workflow and key == "run":
                yield from _flags(path, value, dotted, lines)
        else:
            yield from _yaml_node(path, value, dotted, lines, workflow, seen)


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
