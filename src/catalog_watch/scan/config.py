"""Model ids in configuration: YAML (LiteLLM proxy ``config.yaml``, GitHub workflows, settings),
TOML, JSON and ``.env`` files, read with real parsers (PyYAML's node tree keeps each value's line;
``tomllib`` and ``json`` do not, so a found value is located in the text afterwards).

What counts:

* a key named like a model (``model``, ``model_name``, ``deployment_id``...: ``ids.MODEL_KEYS``)
  holding a string, anywhere in the document; LiteLLM's ``model_list[].model_name`` is the
  proxy's public alias, not a catalog model, so only ``model_list[].litellm_params.model`` is
  read there;
* a key that says model in an environment style (``OPENAI_MODEL: gpt-4o`` under a workflow's
  ``env:``), and ``*_MODEL=`` lines of ``.env`` files;
* ``--model X`` / ``--model=X`` in a workflow step's ``run:`` script.

Values that point elsewhere (LiteLLM's ``os.environ/NAME``, ``${VAR}``) are not ids.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import yaml

from catalog_watch.model.usage import Use
from catalog_watch.scan.ids import is_model_key, looks_like_id, model_named

__all__ = ["scan_config"]

_STR_TAG = "tag:yaml.org,2002:str"
_FLAG = re.compile(r"--model(?:=|[ \t]+)(['\"]?)([A-Za-z0-9][\w./:@+-]*)\1")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def scan_config(path: str, source: str, language: str) -> list[Use]:
    """The uses in one config file (``yaml``, ``toml``, ``json`` or ``env``).

    Raises ``ValueError`` (``yaml.YAMLError``, ``tomllib.TOMLDecodeError`` and
    ``json.JSONDecodeError`` are subclasses or wrapped) when the file does not parse.
    """
    if language == "env":
        return list(_env(path, source))
    if language == "yaml":
        try:
            return list(_yaml(path, source))
        except yaml.YAMLError as error:
            raise ValueError(f"not valid YAML: {error}") from error
    document: Any = tomllib.loads(source) if language == "toml" else json.loads(source)
    return list(_located(path, source, language, _pairs(document, "")))


def _usable(text: str, where: str = "") -> bool:
    """Id-shaped and not a reference; only LiteLLM's model field vouches for a bare word."""
    vouched = where.endswith("litellm_params.model")
    return not text.startswith("os.environ/") and looks_like_id(text, vouched=vouched)


# -- YAML --------------------------------------------------------------------------------------


def _yaml(path: str, source: str) -> Iterator[Use]:
    lines = source.splitlines()
    workflow = "/.github/workflows/" in "/" + path
    for document in yaml.compose_all(source, Loader=yaml.SafeLoader):
        if document is not None:
            yield from _yaml_node(path, document, "", lines, workflow)


def _yaml_node(
    path: str, node: yaml.Node, where: str, lines: list[str], workflow: bool
) -> Iterator[Use]:
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _yaml_node(path, item, f"{where}[]", lines, workflow)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            continue
        dotted = f"{where}.{key}" if where else key
        if isinstance(value, yaml.ScalarNode) and value.tag == _STR_TAG:
            how = _key_kind(key, where)
            text = value.value
            if how is not None and _usable(text, dotted):
                line, column = value.start_mark.line + 1, value.start_mark.column + 1
                yield Use(path, line, column, text, "yaml", how, dotted)
            elif workflow and key == "run":
                yield from _flags(path, value, dotted, lines)
        else:
            yield from _yaml_node(path, value, dotted, lines, workflow)


def _key_kind(key: str, where: str) -> str | None:
    if where == "model_list[]" and key == "model_name":
        return None  # LiteLLM's public alias for the deployment
    if is_model_key(key):
        return "key"
    if model_named(key):
        return "env" if key.isupper() else "key"
    return None


def _flags(path: str, node: yaml.ScalarNode, where: str, lines: list[str]) -> Iterator[Use]:
    """``--model X`` in a ``run:`` script, at the line of the source that holds it."""
    first = node.start_mark.line + (1 if node.style in {"|", ">"} else 0)
    for offset, script_line in enumerate(str(node.value).splitlines()):
        for match in _FLAG.finditer(script_line):
            text = match.group(2)
            if not _usable(text):
                continue
            line = first + offset + 1
            source_line = lines[line - 1] if line <= len(lines) else ""
            column = source_line.find(match.group(0))
            column = column + match.start(2) - match.start() + 1 if column >= 0 else 1
            yield Use(path, line, column, text, "yaml", "flag", where)


# -- TOML and JSON -----------------------------------------------------------------------------


def _pairs(value: Any, where: str) -> Iterator[tuple[str, str, str, str]]:
    """(dotted path, key, how, text) of every model value in a parsed document."""
    if isinstance(value, list):
        for item in value:
            yield from _pairs(item, f"{where}[]")
    elif isinstance(value, dict):
        for key, item in value.items():
            dotted = f"{where}.{key}" if where else str(key)
            if isinstance(item, str):
                how = _key_kind(str(key), where)
                if how is not None and _usable(item, dotted):
                    yield dotted, str(key), how, item
            else:
                yield from _pairs(item, dotted)


def _located(
    path: str, source: str, language: str, pairs: Iterator[tuple[str, str, str, str]]
) -> Iterator[Use]:
    """Each found value at its place in the text: the first occurrence of ``key = "value"``
    (TOML) or ``"key": "value"`` (JSON) not given to an earlier value."""
    taken: set[int] = set()
    for dotted, key, how, text in pairs:
        if language == "json":
            spelled_key, spelled_value = json.dumps(key), json.dumps(text)
            pattern = rf"{re.escape(spelled_key)}\s*:\s*({re.escape(spelled_value)})"
        else:
            key_form = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
            value_form = rf"(\"{re.escape(text)}\"|'{re.escape(text)}')"
            pattern = rf"(?<![\w.-]){key_form}\s*=\s*{value_form}"
        match = next((m for m in re.finditer(pattern, source) if m.start(1) not in taken), None)
        if match is None:
            continue
        taken.add(match.start(1))
        line = source.count("\n", 0, match.start(1)) + 1
        column = match.start(1) - (source.rfind("\n", 0, match.start(1)) + 1) + 1
        yield Use(path, line, column, text, language, how, dotted)


# -- .env ----------------------------------------------------------------------------------------


def _env(path: str, source: str) -> Iterator[Use]:
    for number, raw in enumerate(source.splitlines(), start=1):
        if raw.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(raw)
        if match is None or not model_named(match.group(1)):
            continue
        value, start = match.group(2), match.start(2)
        if value[:1] in {'"', "'"}:
            end = value.find(value[0], 1)
            text = value[1:end] if end > 0 else value[1:]
        else:
            text = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        if _usable(text):
            yield Use(path, number, start + 1, text, "env", "env", match.group(1))
