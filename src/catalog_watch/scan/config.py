"""Model ids in configuration: YAML (LiteLLM proxy ``config.yaml``, GitHub workflows, settings),
TOML, JSON and ``.env`` files, read with real parsers (PyYAML's node tree, in ``yaml_config.py``,
keeps each value's line; ``tomllib`` and ``json`` do not, so once they have parsed the text a
small walk over it finds each value's place).

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

import bisect
import importlib
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
    if next(_pairs(document, ""), None) is None:
        return []  # most files; the walk below costs more than the parse
    return _Toml(path, source).run() if language == "toml" else list(_json(path, source))


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


# -- TOML and JSON: where a value is ----------------------------------------------------------
#
# ``tomllib`` and ``json`` give no positions, so once they have parsed (validated) the text, a
# small walk over it finds each string value with its key path, spelled as ``key_kind`` expects
# (``model_list[].litellm_params.model``). Comments, multi-line strings and escapes are read as
# the parsers read them, so a value is never placed on a comment or inside another string.


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


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],]', re.S)


@dataclass(slots=True)
class _JsonLevel:
    """An open object or array: its path, the key last read, and the uses under each key (a
    repeated key's last value wins, as in ``json.loads``; an array's are under "")."""

    where: str
    is_object: bool
    key: str | None = None
    found: dict[str, list[Use]] = field(default_factory=dict)

    def child(self) -> str:
        return _join(self.where, self.key or "") if self.is_object else f"{self.where}[]"

    def uses(self) -> list[Use]:
        return [use for uses in self.found.values() for use in uses]


def _json(path: str, source: str) -> Iterator[Use]:
    """The model values of valid JSON, each at its opening quote."""
    levels: list[_JsonLevel] = []
    place = _Places(source)
    for match in _JSON_TOKEN.finditer(source):  # a whole string is one token: no quote is missed
        c = source[match.start()]
        if c == '"':
            if levels and levels[-1].is_object:
                _json_string(path, place, match.start(), match.end(), levels[-1])
        elif c in "{[":
            levels.append(_JsonLevel(levels[-1].child() if levels else "", c == "{"))
        elif c in "}]":
            done = levels.pop().uses()
            if not levels:
                yield from done
            else:
                levels[-1].found.setdefault(levels[-1].key or "", []).extend(done)
        elif levels:
            levels[-1].key = None


def _json_string(path: str, place: _Places, at: int, end: int, level: _JsonLevel) -> None:
    """A key (the next value's), or a value under the key last read."""
    raw = place.source[at + 1 : end - 1]
    text: str = json.loads(place.source[at:end]) if "\\" in raw else raw
    if level.key is None:
        level.key = text
        level.found[text] = []
        return
    how = key_kind(level.key, level.where)
    dotted = _join(level.where, level.key)
    if how is not None and usable(text, dotted):
        line, column = place(at)
        level.found[level.key] = [Use(path, line, column, text, "json", how, dotted)]


_TOML_GAP = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_TOML_BARE = re.compile(r"[A-Za-z0-9_-]+")
_TOML_SCALAR = re.compile(r"[^\s,\]}#]+(?: \d[^\s,\]}#]*)?")  # a date-time may hold one space
_TOML_STRING = re.compile(
    r'"""[^"\\]*(?:(?:\\.|"{1,2}(?!"))[^"\\]*)*"{3,5}'
    r"|'''.*?'{3,5}"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\n]*'",
    re.S,
)


class _Toml:
    """The model values of valid TOML, each at its opening quote: tables and arrays of tables,
    dotted and quoted keys, inline tables and arrays; comments and strings skipped whole."""

    def __init__(self, path: str, source: str) -> None:
        self.path, self.src, self.i = path, source, 0
        self.place = _Places(source)
        self.arrays: set[tuple[str, ...]] = set()
        self.uses: list[Use] = []

    def run(self) -> list[Use]:
        table = ""
        while self._gap() < len(self.src):
            if self.src[self.i] == "[":
                table = self._header()
            else:
                self._pair(table)
        return self.uses

    def _gap(self) -> int:
        """Skips blanks, line ends and comments; the offset after them."""
        gap = _TOML_GAP.match(self.src, self.i)
        self.i = gap.end() if gap else self.i
        return self.i

    def _header(self) -> str:
        """``[a.b]`` or ``[[a.b]]``: the path of the keys under it (``a[].b`` under ``[[a]]``)."""
        double = self.src.startswith("[[", self.i)
        self.i += 2 if double else 1
        parts = tuple(self._key())
        self.i += 2 if double else 1
        if double:
            self.arrays.add(parts)
        where = ""
        for n, part in enumerate(parts, start=1):
            where = _join(where, part) + ("[]" if parts[:n] in self.arrays else "")
        return where

    def _pair(self, where: str) -> None:
        parts = self._key()
        self.i += 1  # "="
        for part in parts[:-1]:
            where = _join(where, part)
        self._value(where, parts[-1])

    def _key(self) -> list[str]:
        """A dotted key's parts (``llm.model``, ``"a.b".c``), up to the ``=`` or ``]``."""
        parts = []
        while True:
            self._gap()
            if self.src.startswith(('"', "'"), self.i):
                parts.append(self._string()[1])
            else:
                bare = _TOML_BARE.match(self.src, self.i)
                self.i = bare.end() if bare else self.i + 1
                parts.append(bare.group() if bare else "")
            if self._gap() >= len(self.src) or self.src[self.i] != ".":
                return parts
            self.i += 1

    def _value(self, where: str, key: str | None) -> None:
        """The value at ``self.i``: ``key``'s in the table at ``where``, or an array's item."""
        self._gap()
        path = _join(where, key) if key is not None else where
        opening = self.src[self.i : self.i + 1]
        if opening in {'"', "'"}:
            at, text = self._string()
            how = key_kind(key, where) if key is not None else None
            if how is not None and usable(text, path):
                line, column = self.place(at)
                self.uses.append(Use(self.path, line, column, text, "toml", how, path))
        elif opening in {"{", "["}:
            self.i += 1
            while self._gap() < len(self.src) and self.src[self.i] not in "}]":
                if self.src[self.i] == ",":
                    self.i += 1
                elif opening == "{":
                    self._pair(path)
                else:
                    self._value(f"{path}[]", None)
            self.i += 1
        else:
            scalar = _TOML_SCALAR.match(self.src, self.i)
            self.i = scalar.end() if scalar else self.i + 1

    def _string(self) -> tuple[int, str]:
        """(offset, value) of the string at ``self.i``, decoded as ``tomllib`` decodes it."""
        at = self.i
        match = _TOML_STRING.match(self.src, at)
        self.i = match.end() if match else len(self.src)
        raw = self.src[at : self.i]
        if len(raw) >= 2 and raw[1] != raw[0] and (raw[0] == "'" or "\\" not in raw):
            return at, raw[1:-1]  # a one-line string without escapes
        value = tomllib.loads(f"v = {raw}").get("v")
        return at, value if isinstance(value, str) else ""


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Places:
    """1-based line (git's: ended by LF only) and column of offsets in one text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts: list[int] = []

    def __call__(self, offset: int) -> tuple[int, int]:
        if not self.starts:  # the first use in the file
            self.starts = [0] + [m.end() for m in re.finditer(r"\n", self.source)]
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


# -- .env ----------------------------------------------------------------------------------------


def _env(path: str, source: str) -> Iterator[Use]:
    """``*_MODEL=`` lines, numbered as git numbers them (``splitlines`` would also break at a
    form feed or U+2028 in a comment)."""
    for number, line in enumerate(source.split("\n"), start=1):
        raw = line.removesuffix("\r")
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
