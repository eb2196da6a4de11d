"""The shape of the code, measured: no import circles, dependencies one way, small modules.

The import graph is read from the source (no import runs): every `import` and `from ... import`
of a contentgen module, at module level and inside functions alike, except those under
`if TYPE_CHECKING:` (annotations only). Layers, top down: the faces (CLI, web page, the public
package and the plugin test kit) -> batch -> the engine -> everything below it (checks, storage,
safety, routing, templates, ...); generators and tasks implement the contracts the engine
defines. Offline learning (feedback/) sits beside the batch layer: it drives engines and reads
the store, and the engine consults its bandit router.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "contentgen"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

FACES = (
    "contentgen",
    "contentgen.__main__",
    "contentgen.cli",
    "contentgen.web",
    "contentgen.testing",
)
BATCH = ("contentgen.batch",)
LEARNING = ("contentgen.feedback",)
ENGINE = ("contentgen.engine",)
# Imports that go up a layer on purpose, each with why. Keep this list short.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    ("contentgen.engine", "contentgen.batch"): (
        "Engine.batch() is the public way into a batch job (`engine.batch(...)`); it imports "
        "the batch layer inside the method. No circle can pass through it: the batch layer "
        "never imports the engine at run time, and nothing below the engine imports a face "
        "or batch (both tested here)"
    ),
}
# Functions longer than MAX_FUNCTION_LINES, each with why. Aim for none.
LONG_FUNCTIONS: dict[str, str] = {}
# Modules longer than MAX_MODULE_LINES, each with why. Aim for none.
LONG_MODULES: dict[str, str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every contentgen module by dotted name."""
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements anywhere in `node`, skipping `if TYPE_CHECKING:` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _import_nodes(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _import_nodes(child)


def _resolve(name: str) -> str | None:
    """The contentgen module a dotted name refers to (a name inside a module: that module)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the contentgen modules it imports at run time."""
    edges: dict[str, frozenset[str]] = {}
    for name, path in modules().items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                # `from pkg import sub` imports the submodule; `from mod import name` the module.
                targets = [f"{base}.{a.name}" for a in node.names]
            for target in targets:
                if target.startswith("contentgen"):
                    resolved = _resolve(target)
                    if resolved and resolved != name:
                        found.add(resolved)
        edges[name] = frozenset(found)
    return edges


def _cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _in(module: str, layer: tuple[str, ...]) -> bool:
    """Whether `module` belongs to a layer (the bare package name matches only itself)."""
    return any(module == p or (p != "contentgen" and module.startswith(p + ".")) for p in layer)


def _layer(module: str) -> str:
    for name, members in (
        ("face", FACES),
        ("batch", BATCH),
        ("learning", LEARNING),
        ("engine", ENGINE),
    ):
        if _in(module, members):
            return name
    return "below"


# Which layers each layer may import (its own included).
MAY_IMPORT = {
    "face": {"face", "batch", "learning", "engine", "below"},
    "batch": {"batch", "below"},
    "learning": {"learning", "engine", "below"},
    "engine": {"engine", "learning", "below"},
    "below": {"below"},
}


def test_the_graph_sees_function_level_imports_and_skips_type_checking_ones() -> None:
    edges = graph()
    # Engine.batch imports the batch package inside the method: a run-time import.
    assert "contentgen.batch" in edges["contentgen.engine"]
    # The batch runner names the engine only for annotations.
    assert "contentgen.engine" not in edges["contentgen.batch.runner"]


def test_there_are_no_import_circles() -> None:
    assert _cycles(graph()) == []


def test_a_circle_would_be_found() -> None:
    edges = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert _cycles(edges) == [["a", "b", "c"]]


def test_dependencies_point_one_way() -> None:
    wrong = sorted(
        f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"
        for module, targets in graph().items()
        for target in targets
        if _layer(target) not in MAY_IMPORT[_layer(module)]
        and (module, target) not in ALLOWED_UPWARD
    )
    assert wrong == []


def test_the_batch_layer_never_imports_the_engine_at_run_time() -> None:
    users = sorted(
        m for m, targets in graph().items() if _in(m, BATCH) and "contentgen.engine" in targets
    )
    assert users == []


def test_every_allowed_upward_import_is_still_needed() -> None:
    edges = graph()
    assert [pair for pair in ALLOWED_UPWARD if pair[1] not in edges.get(pair[0], ())] == []


def _functions(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            yield node.name, node.end_lineno - node.lineno + 1


def test_modules_are_at_most_400_lines() -> None:
    long = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in modules().items()
        if name not in LONG_MODULES
    }
    assert {n: lines for n, lines in long.items() if lines > MAX_MODULE_LINES} == {}


def test_functions_are_at_most_60_lines() -> None:
    long = {
        f"{name}.{function}": lines
        for name, path in modules().items()
        for function, lines in _functions(path)
        if lines > MAX_FUNCTION_LINES and f"{name}.{function}" not in LONG_FUNCTIONS
    }
    assert long == {}


def test_every_listed_exception_is_still_an_exception() -> None:
    sizes = {
        f"{name}.{function}": lines
        for name, path in modules().items()
        for function, lines in _functions(path)
    }
    assert [f for f in LONG_FUNCTIONS if sizes.get(f, 0) <= MAX_FUNCTION_LINES] == []
    assert [
        m
        for m in LONG_MODULES
        if len(modules()[m].read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES
    ] == []
