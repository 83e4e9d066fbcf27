"""Model ids in configuration: YAML (LiteLLM proxy ``config.yaml``, GitHub workflows, settings),
TOML, JSON and ``.env`` files, read with real parsers (PyYAML's node tree, in ``yaml_config.py``,
keeps each value's line; ``tomllib`` and ``json`` do not, so a found value is located in the text
afterwards).

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

import importlib
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

from catalog_watch.model.usage import Use
from catalog_watch.scan.ids import is_model_key, looks_like_id, model_named

__all__ = ["key_kind", "scan_config", "usable"]

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")

YAML = "catalog_watch.scan.yaml_config"
"""The YAML reader, loaded by name for the first YAML file: PyYAML takes 35 ms to import."""


def scan_config(path: str, source: str, language: str) -> list[Use]:
    """The uses in one config file (``yaml``, ``toml``, ``json`` or ``env``).

    Raises ``ValueError`` (``yaml.YAMLError``, ``tomllib.TOMLDecodeError`` and
    ``json.JSONDecodeError`` are subclasses or wrapped) when the file does not parse.
    """
    if language == "env":
        return list(_env(path, source))
    if language == "yaml":
        scan_yaml: Callable[[str, str], list[Use]] = importlib.import_module(YAML).scan_yaml
        return scan_yaml(path, source)
    document: Any = tomllib.loads(source) if language == "toml" else json.loads(source)
    return list(_located(path, source, language, _pairs(document, "")))


def usable(text: str, where: str = "") -> bool:
    """Id-shaped and not a reference; only LiteLLM's model field vouches for a bare word."""
    vouched = where.endswith("litellm_params.model")
    return not text.startswith("os.environ/") and looks_like_id(text, vouched=vouched)


def key_kind(key: str, where: str) -> str | None:
    """How a string under ``key`` (at ``where``) names a model: "key", "env", or None."""
    if where == "model_list[]" and key == "model_name":
        return None  # LiteLLM's public alias for the deployment
    if is_model_key(key):
        return "key"
    if model_named(key):
        return "env" if key.isupper() else "key"
    return None


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
                how = key_kind(str(key), where)
                if how is not None and usable(item, dotted):
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
        if usable(text):
            yield Use(path, number, start + 1, text, "env", "env", match.group(1))
