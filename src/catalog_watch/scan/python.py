"""Model ids in Python source, read with the standard library's ``ast`` (a real parser).

A literal is a use when it is passed as a model: a keyword named like a model
(``model="gpt-4o"``, ``model_name=``, ``deployment_id=``), the first argument of a call that takes
a model id (``init_chat_model("gpt-4o")``, ``Agent("openai:gpt-4o")``), a dict key
(``{"model": "gpt-4o"}``), the default of ``os.getenv("OPENAI_MODEL", "gpt-4o")``, or a class
field named like a model (``openai_model: str = "gpt-4o"`` in a settings class). Comments,
docstrings and any other string are never hits, and an id inside a longer string is not either.

An f-string counts only when it is fully constant (``f"gpt-4o"``); ``"gpt-" + "4o"`` is folded.
A name passed as a model (``model=MODEL``, ``model=config.MODEL``) is followed to a module-level
constant, in the same file or through ``import``; the use is reported at the definition, with
every place it is passed (:func:`link_constants`). A module-level constant named like a model
(``DEFAULT_MODEL = "gpt-4o"``) is a use even when the scan sees no reference to it.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from catalog_watch.model.usage import Use
from catalog_watch.scan.ids import (
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

__all__ = ["PythonFile", "link_constants", "scan_python"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Where Python's tokenizer ends a line."""
_ANTHROPIC_CALLS = ("messages.create", "messages.stream")


@dataclass(frozen=True, slots=True)
class _Constant:
    line: int
    column: int
    text: str


@dataclass(slots=True)
class PythonFile:
    """One file's direct uses, and what :func:`link_constants` needs to follow names."""

    path: str
    module: str
    uses: list[Use] = field(default_factory=list)
    constants: dict[str, _Constant] = field(default_factory=dict)
    refs: list[Reference] = field(default_factory=list)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Local name → (module, imported name or None for a module)."""


def module_of(path: str) -> str:
    """``src/pkg/config.py`` → ``src.pkg.config``; ``pkg/__init__.py`` → ``pkg``."""
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def scan_python(path: str, source: str) -> PythonFile:
    """The uses in one Python file; raises ``SyntaxError`` (or ``ValueError``) when unparseable."""
    tree = ast.parse(source, filename=path)
    result = PythonFile(path=path, module=module_of(path))
    _Visitor(result, _Lines(source)).run(tree)
    return result


class _Lines:
    """``ast``'s positions on git's lines. Python ends a line at CR LF, LF or a lone CR; git, a
    diff and GitHub only at LF, so a lone CR (an old Mac line end left in a comment) would move
    every later use to the wrong line. The source is parsed as it is, and each ``ast`` line's
    offset in the text maps its positions back.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.ast_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(source)]
        self.starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def line(self, node: ast.expr) -> int:
        """The 1-based (LF-ended) line the node starts on."""
        return self.position(node)[0]

    def position(self, node: ast.expr) -> tuple[int, int]:
        """1-based line and column in characters (``ast`` counts UTF-8 bytes on its lines)."""
        index = min(node.lineno, len(self.ast_starts)) - 1
        start = self.ast_starts[index]
        end = self.ast_starts[index + 1] if index + 1 < len(self.ast_starts) else len(self.source)
        prefix = self.source[start:end].encode("utf-8")[: node.col_offset]
        offset = start + len(prefix.decode("utf-8", "replace"))
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def link_constants(files: Sequence[PythonFile]) -> list[Use]:
    """Every direct use, plus each referenced or model-named constant at its definition."""
    by_module: dict[str, list[PythonFile]] = {}
    for file in files:
        parts = file.module.split(".")
        for start in range(len(parts)):
            by_module.setdefault(".".join(parts[start:]), []).append(file)
    used: dict[tuple[str, str], list[Reference]] = {}
    for file in files:
        for ref in file.refs:
            target = _target(file, ref.chain, by_module)
            if target is not None:
                used.setdefault(target, []).append(ref)
    found: list[Use] = [use for file in files for use in file.uses]
    for file in files:
        for name, constant in file.constants.items():
            definition = Use(file.path, constant.line, constant.column, constant.text, "python",
                             "constant", name)  # fmt: skip
            refs = used.get((file.path, name), [])
            use = definition_use(definition, refs, named=model_named(name))
            if use is not None:
                found.append(use)
    return found


def _target(
    file: PythonFile, chain: tuple[str, ...], by_module: dict[str, list[PythonFile]]
) -> tuple[str, str] | None:
    """(path, constant name) a name chain means, when it is a module-level constant we scanned."""
    head, name = chain[0], chain[-1]
    if len(chain) == 1:
        if head in file.constants:
            return file.path, head
        imported = file.imports.get(head)
        if imported is None or imported[1] is None:
            return None
        module = imported[0]
        name = imported[1]
    else:
        imported = file.imports.get(head)
        if imported is None:
            return None
        module = imported[0] if imported[1] is None else f"{imported[0]}.{imported[1]}"
        module = ".".join([module, *chain[1:-1]])
    candidates = by_module.get(module, [])
    if len(candidates) == 1 and name in candidates[0].constants:
        return candidates[0].path, name
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, result: PythonFile, lines: _Lines) -> None:
        self.result = result
        self.lines = lines
        self.sdk: str | None = None

    def run(self, tree: ast.Module) -> None:
        sdks = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                sdks.update(self._imports(node))
        self.sdk = sdks.pop() if len(sdks) == 1 else None
        for statement in tree.body:
            self._module_constant(statement)
        self.visit(tree)

    # -- collected facts ----------------------------------------------------------------------

    def _imports(self, node: ast.Import | ast.ImportFrom) -> set[str]:
        sdks: set[str] = set()
        if isinstance(node, ast.Import):
            for alias in node.names:
                sdks.update(_sdk(alias.name))
                if alias.asname:
                    self.result.imports[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    self.result.imports[top] = (top, None)
            return sdks
        module = self._absolute(node)
        sdks.update(_sdk(module))
        for alias in node.names:
            self.result.imports[alias.asname or alias.name] = (module, alias.name)
        return sdks

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.result.module.split(".")
        if not self.result.path.endswith("__init__.py"):
            package = package[:-1]
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        return ".".join([*base, *([node.module] if node.module else [])])

    def _module_constant(self, statement: ast.stmt) -> None:
        target, value = _assignment(statement)
        if target is None or value is None:
            return
        text = _folded(value)
        if text is not None:
            line, column = self.lines.position(value)
            self.result.constants[target] = _Constant(line, column, text)

    # -- the visit ----------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            target, value = _assignment(statement)
            if target is not None and value is not None and model_named(target):
                self._literal(value, "default", target, self.sdk)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            name = key.value if isinstance(key, ast.Constant) else None
            if isinstance(name, str) and is_model_key(name):
                self._value(value, "key", name, self.sdk)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee, dotted = _callee(node.func)
        hint = self._hint(node, callee, dotted)
        for keyword in node.keywords:
            if keyword.arg is not None and is_model_key(keyword.arg):
                self._value(keyword.value, "keyword", keyword.arg, hint)
        if node.args and callee in POSITIONAL_CALLS:
            self._value(node.args[0], "argument", callee, hint, STRICT_CALLS.get(callee))
        if callee in {"getenv", "get"} and len(node.args) >= 2:
            name = _folded(node.args[0])
            if name is not None and (is_model_key(name) or model_named(name)):
                self._literal(node.args[1], "default", name, hint)
        self.generic_visit(node)

    def _hint(self, node: ast.Call, callee: str, dotted: str) -> str | None:
        for keyword in node.keywords:
            if keyword.arg == "model_provider":
                provider = _folded(keyword.value)
                if provider:
                    return provider.replace("_", "-")
        if callee in PROVIDER_CALLS:
            return PROVIDER_CALLS[callee]
        if dotted.split(".", 1)[0] == "litellm":  # "anthropic/..." names its own provider
            return None
        if self.sdk is None and dotted.endswith(_ANTHROPIC_CALLS):
            return "anthropic"
        return self.sdk

    # -- values -------------------------------------------------------------------------------

    def _value(
        self,
        value: ast.expr,
        how: str,
        via: str,
        hint: str | None,
        strict: re.Pattern[str] | None = None,
    ) -> None:
        chain = _chain(value)
        if chain is not None:
            where = f"{self.result.path}:{self.lines.line(value)}"
            self.result.refs.append(Reference(chain, where, via, hint))
            return
        self._literal(value, how, via, hint, strict)

    def _literal(
        self,
        value: ast.expr,
        how: str,
        via: str,
        hint: str | None,
        strict: re.Pattern[str] | None = None,
    ) -> None:
        text = _folded(value)
        if text is None or not looks_like_id(text, vouched=hint is not None):
            return
        if strict is not None and not strict.fullmatch(text):
            return
        line, column = self.lines.position(value)
        self.result.uses.append(Use(self.result.path, line, column, text, "python", how, via, hint))


def _sdk(module: str) -> Iterable[str]:
    for name, provider in SDK_MODULES.items():
        if module == name or module.startswith(name + "."):
            yield provider


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _callee(func: ast.expr) -> tuple[str, str]:
    """The last name of a call and its dotted form (``client.messages.create``)."""
    chain = _chain(func)
    if chain is None:
        return "", ""
    return chain[-1], ".".join(chain)


def _chain(node: ast.expr) -> tuple[str, ...] | None:
    """``a.b.c`` as ``("a", "b", "c")``, None for anything but names and attributes."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return tuple(reversed(names))


def _folded(node: ast.expr) -> str | None:
    """A string the expression always is: a literal, a constant f-string, a constant sum."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = [_folded(value) for value in node.values]
        return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return None if left is None or right is None else left + right
    return None
