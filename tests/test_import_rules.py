"""Import rules for src/catalog_watch, read from the source with ``ast`` (only the command-table
test imports the package).

Every ``import`` counts: at the top of a module, inside a function (an import inside a function
hides a cycle, it does not break it) and under ``if TYPE_CHECKING:`` (a type-only cycle is still
two modules that need each other). The package's own ``__init__`` is left out: it re-exports the
public API for type checkers only and imports none of its modules when it runs
(tests/test_exported_members.py). Two rules:

- no import cycle, except the ones in ``ALLOWED_CYCLE_EDGES``;
- the pure layers (``render/`` now; ``model/`` and ``analysis/`` once they exist) do not import
  the side effects (``publish/``, ``store/``) or the modules that sequence I/O (the jobs and the
  command line).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "catalog_watch"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

# The edges (importer, imported) that close an import cycle today. THIS LIST MUST ONLY SHRINK:
# a new cycle fails test_no_new_import_cycle; a cycle broken must have its lines deleted here
# (test_the_allowed_cycles_still_exist says which), so that it cannot come back unnoticed.
ALLOWED_CYCLE_EDGES: frozenset[tuple[str, str]] = frozenset()

# Layer → what it must not import (module names under catalog_watch, prefixes match by folder).
PURE_LAYERS = ("render", "model", "analysis")
SIDE_EFFECTS_AND_JOBS = ("publish", "store", "jobs", "cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)  # "" is the package itself


def is_package(name: str) -> bool:
    return (SRC.joinpath(*name.split(".")) / "__init__.py").is_file() if name else True


def exists(name: str) -> bool:
    return is_package(name) or SRC.joinpath(*name.split(".")).with_suffix(".py").is_file()


def imports_of(path: Path) -> set[str]:
    """The package's own modules ``path`` imports, as names relative to the package."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
            found.update(_own(t) for t in targets if t == PACKAGE or t.startswith(PACKAGE + "."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            elif node.module == PACKAGE or (node.module or "").startswith(PACKAGE + "."):
                base = _own(node.module or "")
            else:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}" if base else alias.name
                found.add(sub if exists(sub) else base)  # `from pkg import module` or a name
    found.discard(here)
    found.discard("")  # the package root: see the module docstring
    return found


def _own(dotted: str) -> str:
    return dotted.removeprefix(PACKAGE).removeprefix(".")


def graph() -> dict[str, set[str]]:
    paths = sorted(p for p in SRC.rglob("*.py") if p != SRC / "__init__.py")
    return {module_name(p): imports_of(p) for p in paths}


def components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def cycle_edges(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every edge whose two ends are in one strongly connected component: the edges of cycles."""
    member_of = {name: i for i, part in enumerate(components(edges)) for name in part}
    return {
        (source, target)
        for source, targets in edges.items()
        for target in targets
        if target in member_of and member_of[source] == member_of[target]
    }


def in_layer(name: str, layers: tuple[str, ...]) -> bool:
    return any(name == layer or name.startswith(layer + ".") for layer in layers)


def test_the_walk_sees_the_known_imports() -> None:
    """A guard for the walker itself: type-only imports count."""
    edges = graph()
    assert "sources.fetch" in edges["jobs.check"]  # at the top
    assert "analysis.cost" in edges["model.changes"]  # under TYPE_CHECKING
    assert "publish.git" in edges["jobs.run"]  # `from catalog_watch.publish.git import Git`


def test_no_new_import_cycle() -> None:
    new = sorted(cycle_edges(graph()) - ALLOWED_CYCLE_EDGES)
    assert not new, f"imports that close a new cycle (importer, imported): {new}"


def test_the_allowed_cycles_still_exist() -> None:
    """The allowlist only shrinks: a cycle that is gone is deleted from ALLOWED_CYCLE_EDGES."""
    gone = sorted(ALLOWED_CYCLE_EDGES - cycle_edges(graph()))
    assert not gone, f"delete these from ALLOWED_CYCLE_EDGES, their cycle is broken: {gone}"


def test_pure_layers_do_not_import_side_effects_or_jobs() -> None:
    wrong = sorted(
        (source, target)
        for source, targets in graph().items()
        if in_layer(source, PURE_LAYERS)
        for target in targets
        if in_layer(target, SIDE_EFFECTS_AND_JOBS)
    )
    assert not wrong, f"forbidden imports (importer, imported): {wrong}"


def test_the_cycle_finder_finds_a_cycle_and_only_its_edges() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycle_edges(edges) == {("a", "b"), ("b", "c"), ("c", "a")}
    assert cycle_edges({"a": {"b"}, "b": set()}) == set()


# Modules that still import inside a function, and why. THIS LIST MUST ONLY SHRINK. The seams
# the package keeps load by name with importlib, not an import statement, each for one reason:
# cli/app.py's command table (each command loads only its own modules), the package's PEP 562
# ``__getattr__`` (the public API), jobs/check.EVALUATION, jobs/steps.APPLY, jobs/apply.SCAN and
# jobs/steps.DELIVERY (a run with nothing to do loads neither the analysis, a change's writers,
# the code scan nor Slack's client and renderer), jobs/run.DRY_RUN (the
# dry run previews Slack payloads, so the other modes do not load it), jobs/run.PULL_REQUEST (the
# GitHub client, in that mode only), settings/config.VALIDATION
# and store.LINE_SCHEMAS (pydantic for a config file, pydantic-core for a state file's lines),
# sources/fetch.HTTP (the HTTP stack, for a URL: a catalog file is read without it).
ALLOWED_FUNCTION_IMPORTS: frozenset[str] = frozenset(
    {
        "analysis.diff",
        "site.feed",
        "site.html",
    }
)


def function_imports(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return sum(
        isinstance(inner, ast.Import | ast.ImportFrom)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
    )


def test_the_function_import_counter_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from catalog_watch import errors\n", encoding="utf-8")
    assert function_imports(module) == 1
    module.write_text("from catalog_watch import errors\n", encoding="utf-8")
    assert function_imports(module) == 0


def test_imports_are_at_the_top_of_modules() -> None:
    paths = sorted(p for p in SRC.rglob("*.py"))
    hidden = {module_name(p) for p in paths if function_imports(p)}
    new = sorted(hidden - ALLOWED_FUNCTION_IMPORTS)
    assert not new, f"imports inside functions (move them to the top): {new}"
    gone = sorted(ALLOWED_FUNCTION_IMPORTS - hidden)
    assert not gone, f"delete these from ALLOWED_FUNCTION_IMPORTS, they import at the top: {gone}"


def test_every_command_of_the_parser_has_a_function_in_the_table() -> None:
    from catalog_watch.cli.app import COMMANDS, command_function
    from catalog_watch.cli.parser import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "name")
    assert set(subparsers.choices) == set(COMMANDS)  # type: ignore[arg-type]
    for name in COMMANDS:
        assert callable(command_function(name))
