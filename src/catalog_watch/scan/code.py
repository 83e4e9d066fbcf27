"""Model ids in TypeScript/JavaScript, Go, Ruby, Java and Kotlin, from ``lexer.py``'s tokens.

A string literal is a use when the tokens right before it pass it as a model, and the token
after it ends the value (``,`` ``)`` ``}`` ``]`` ``;`` or a new line: ``"gpt-" + v`` is not
constant, ``"gpt-4o" | "gpt-4o-mini"`` is a TypeScript type):

* a key named like a model: ``model: "gpt-4o"`` (JS objects, Go struct fields ``Model:``, Ruby
  ``model:``), ``"model": "..."``, Ruby ``:model => "..."``;
* a call that takes a model id first: ``openai("gpt-4o")``, ``openai.chat("gpt-4o")``,
  ``gateway("xai/grok-3")``, builders ``.model("gpt-4o")`` / ``.modelName(...)`` /
  ``.withModel(...)``, Go ``openai.WithModel("...")``, Kotlin ``ModelId("...")``;
* an assignment or named argument whose name says model: ``const DEFAULT_MODEL = "..."``,
  ``model = "..."`` (Kotlin named arguments too), ``model := "..."``;
* a default: ``process.env.OPENAI_MODEL ?? "gpt-4o"``, ``ENV.fetch("OPENAI_MODEL", "gpt-4o")``.

A name passed as a model (``model: MODEL``, ``openai(config.MODEL)``) is followed to its
definition ``NAME = "..."`` in the same file, else in the one other file of the same language
that defines it (:func:`link_code`); the use is reported at the definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog_watch.model.usage import Use
from catalog_watch.scan.ids import (
    FACTORY_METHODS,
    POSITIONAL_CALLS,
    PROVIDER_CALLS,
    SDK_MODULES,
    STRICT_CALLS,
    Reference,
    definition_use,
    is_model_key,
    looks_like_id,
    model_named,
)
from catalog_watch.scan.lexer import Token, tokenize

__all__ = ["CodeFile", "link_code", "scan_code"]

_ENDS_VALUE = frozenset({",", ")", "}", "]", ";"})
_ENV_DEFAULT_CALLS = frozenset({"getenv", "get", "fetch", "getOrDefault", "getProperty"})
_PACKAGES = {
    "go-openai": "openai",
    "openai-go": "openai",
    "anthropic-sdk-go": "anthropic",
    "go-anthropic": "anthropic",
    "com.openai": "openai",
    "com.anthropic": "anthropic",
    "com.aallam.openai": "openai",
    "langchain4j.model.openai": "openai",
    "langchain4j.model.anthropic": "anthropic",
    "ruby-openai": "openai",
    "@ai-sdk/openai": "openai",
    "@ai-sdk/anthropic": "anthropic",
    "@ai-sdk/google": "google",
    "@ai-sdk/mistral": "mistral",
    **SDK_MODULES,
}


def _builder(name: str) -> bool:
    """``model``, ``modelName``, ``withModel``, ``with_model``: a builder method that sets it."""
    bare = name[4:] if name.lower().startswith("with") and len(name) > 4 else name
    return is_model_key(bare.lstrip("_"))


@dataclass(frozen=True, slots=True)
class _Definition:
    name: str
    token: Token


@dataclass(slots=True)
class CodeFile:
    """One file's direct uses, its ``NAME = "..."`` definitions and the names it passes."""

    path: str
    language: str
    uses: list[Use] = field(default_factory=list)
    definitions: dict[str, _Definition] = field(default_factory=dict)
    model_definitions: list[_Definition] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)


def scan_code(path: str, source: str, language: str) -> CodeFile:
    """The uses in one file of a lexer language (rules in the module docstring)."""
    tokens = tokenize(source, language)
    result = CodeFile(path=path, language=language)
    hint = _sdk_hint(tokens)
    for i, token in enumerate(tokens):
        if token.kind == "string":
            if _ends_value(tokens, i):
                _literal(result, tokens, i, hint)
        elif token.kind == "name" and _ends_value(tokens, i):
            start = i  # the start of ``config.MODEL``: what it is passed to is before that
            while _text(tokens, start - 1) == "." and _kind(tokens, start - 2) == "name":
                start -= 2
            passed = _passed_as(tokens, start, hint)
            if passed is not None:
                _, via, ref_hint = passed
                result.refs.append(Reference((token.text,), f"{path}:{token.line}", via, ref_hint))
    return result


def link_code(files: Sequence[CodeFile]) -> list[Use]:
    """Direct uses, plus each model-named or referenced definition (see the module docstring)."""
    defined_in: dict[tuple[str, str], list[CodeFile]] = {}
    for file in files:
        for name in file.definitions:
            defined_in.setdefault((_family(file.language), name), []).append(file)
    used: dict[tuple[str, str], list[Reference]] = {}
    for file in files:
        for ref in file.refs:
            if ref.chain[-1] in file.definitions:
                owner = file
            else:
                owners = defined_in.get((_family(file.language), ref.chain[-1]), [])
                if len(owners) != 1:
                    continue
                owner = owners[0]
            used.setdefault((owner.path, ref.chain[-1]), []).append(ref)
    found = [use for file in files for use in file.uses]
    for file in files:
        named = {id(d) for d in file.model_definitions}
        candidates = [*file.model_definitions]
        candidates += [d for d in file.definitions.values() if id(d) not in named]
        for definition in candidates:
            refs = used.get((file.path, definition.name), [])
            if definition is not file.definitions.get(definition.name):
                refs = []  # a reassignment: its own use, the references go to the first one
            token = definition.token
            found_at = Use(file.path, token.line, token.column, token.text, file.language,
                           "assignment", definition.name)  # fmt: skip
            use = definition_use(found_at, refs, named=id(definition) in named, how="assignment")
            if use is not None:
                found.append(use)
    return found


def _family(language: str) -> str:
    return {"typescript": "javascript", "kotlin": "java"}.get(language, language)


def _ends_value(tokens: Sequence[Token], i: int) -> bool:
    if i + 1 >= len(tokens):
        return True
    following = tokens[i + 1]
    return following.line > tokens[i].end_line or following.text in _ENDS_VALUE


def _literal(result: CodeFile, tokens: Sequence[Token], i: int, hint: str | None) -> None:
    token = tokens[i]
    definition = _definition(tokens, i)
    if definition is not None:
        entry = _Definition(definition, token)
        result.definitions.setdefault(definition, entry)
        if model_named(definition):
            result.model_definitions.append(entry)
        return
    passed = _passed_as(tokens, i, hint)
    if passed is None:
        return
    how, via, use_hint = passed
    if not looks_like_id(token.text, vouched=use_hint is not None):
        return
    strict = STRICT_CALLS.get(via) if how == "argument" else None
    if strict is not None and not strict.fullmatch(token.text):
        return
    result.uses.append(
        Use(result.path, token.line, token.column, token.text, result.language, how, via,
            use_hint)
    )  # fmt: skip


def _text(tokens: Sequence[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def _kind(tokens: Sequence[Token], i: int) -> str:
    return tokens[i].kind if 0 <= i < len(tokens) else ""


def _definition(tokens: Sequence[Token], i: int) -> str | None:
    """``NAME`` of ``NAME = <literal>`` / ``NAME := <literal>`` / ``name: Type = <literal>``."""
    if _text(tokens, i - 1) not in {"=", ":="} or _kind(tokens, i - 2) != "name":
        return None
    if _text(tokens, i - 3) == ":" and _kind(tokens, i - 4) == "name":
        return tokens[i - 4].text  # Kotlin/TypeScript ``val model: String = "..."``
    return tokens[i - 2].text


def _passed_as(
    tokens: Sequence[Token], i: int, hint: str | None
) -> tuple[str, str, str | None] | None:
    """(how, via, provider hint) when the value at ``i`` is passed as a model, else None."""
    before, key = _text(tokens, i - 1), _text(tokens, i - 2)
    key_kind = _kind(tokens, i - 2)
    if before in {":", "=>"} and key_kind in {"name", "string"}:
        if is_model_key(key.lstrip(":")) and _text(tokens, i - 3) != "?":
            return "key", key, hint
        return None
    if before in {"=", ":="} and key_kind == "name" and model_named(key):
        return "key", key, hint  # a name passed on: ``model = MODEL`` (Kotlin named argument)
    if before in {"??", "||"} and key_kind == "name" and model_named(key):
        return "default", key, hint
    if before == "," and key_kind == "string" and _text(tokens, i - 3) == "(":
        if _text(tokens, i - 4) in _ENV_DEFAULT_CALLS and model_named(key.lower()):
            return "default", key, hint
        return None
    if before != "(" or key_kind != "name":
        return None
    receiver = _text(tokens, i - 4) if _text(tokens, i - 3) == "." else ""
    if key in FACTORY_METHODS and receiver in PROVIDER_CALLS:
        return "argument", f"{receiver}.{key}", PROVIDER_CALLS[receiver]
    if key in POSITIONAL_CALLS and (receiver == "" or key[0].isupper() or key == "gateway"):
        return "argument", key, PROVIDER_CALLS.get(key, hint)
    if _text(tokens, i - 3) == "." and _builder(key):
        return "argument", key, hint
    return None


def _sdk_hint(tokens: Sequence[Token]) -> str | None:
    """The provider of the one SDK the file imports (``from "openai"``, ``import com.openai``)."""
    found: set[str] = set()
    for i, token in enumerate(tokens):
        opener = _text(tokens, i - 1)
        if opener == "(" and _text(tokens, i - 2) in {"require", "import"}:
            opener = "require"
        go_import = token.kind == "string" and token.text.startswith("github.com/")
        if go_import or (token.kind == "string" and opener in {"from", "require", "import"}):
            candidate = token.text
        elif token.kind == "name" and token.text == "import":
            parts = []
            j = i + 1
            while _kind(tokens, j) == "name" or _text(tokens, j) == ".":
                parts.append(tokens[j].text)
                j += 1
            candidate = "".join(parts)
        else:
            continue
        for package, provider in _PACKAGES.items():
            if (
                candidate == package
                or package in candidate.split("/")[-1:]
                or ("." in package and candidate.startswith(package))
                or candidate.endswith("/" + package)
            ):
                found.add(provider)
    return found.pop() if len(found) == 1 else None
