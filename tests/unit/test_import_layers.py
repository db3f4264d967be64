"""No import cycle between recurse's packages, read from the source with ``ast``.

Every import counts, at module level or inside a function (a lazy import is still a dependency), except
those under ``if TYPE_CHECKING:``, which never run. A node is a package (``recurse.data``, ``recurse.tasks``,
``recurse.cli``, …) or a top-level module of ``recurse`` (``recurse.solver``, ``recurse.errors``, …);
``recurse/__init__.py``, which only re-exports names on first use, is left out. A cycle that passes
through a package is an error; modules of the top level may import each other both ways. The model class
loads and saves itself, so ``recurse.model`` holds the refiner, its checkpoint I/O and its Hub methods, above
``recurse.checkpoints`` (the format) and ``recurse.hub`` (where checkpoints come from), which never import it.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Import name → folder, as pyproject.toml's package-dir installs them.
SOURCES = {"recurse": ROOT / "recurse", "recurse.tasks": ROOT / "tasks", "recurse.cli": ROOT / "cli"}


def _modules() -> dict[str, Path]:
    modules = {}
    for prefix, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([prefix, *parts])] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(module: str, path: Path) -> set[str]:
    """The recurse modules ``module`` imports anywhere in its body, except under ``if TYPE_CHECKING:``."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    return {name for name in found if name == "recurse" or name.startswith("recurse.")}


def node_of(module: str) -> str | None:
    """The package a module belongs to, or the module itself at the top level; None for ``recurse``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def import_graph() -> tuple[dict[str, dict[str, set[str]]], set[str]]:
    """node → node it imports → the modules whose imports make that edge; and the set of package nodes."""
    modules = _modules()
    nodes = {node_of(m) for m in modules} - {None}
    packages = {m for m, p in modules.items() if p.name == "__init__.py" and m in nodes}
    graph: dict[str, dict[str, set[str]]] = {}
    for module, path in modules.items():
        source = node_of(module)
        for name in _imported(module, path):
            target = node_of(name)
            if source is not None and target in nodes and target != source:
                graph.setdefault(source, {}).setdefault(target, set()).add(module)
    return graph, packages


def cycle_through(graph: dict[str, dict[str, set[str]]], start: str) -> list[str] | None:
    """The shortest import cycle from ``start`` back to it, or None."""
    parents: dict[str, str] = {}
    queue = deque(graph.get(start, {}))
    for first in graph.get(start, {}):
        parents[first] = start
    while queue:
        node = queue.popleft()
        if node == start:
            path = [start]
            step = parents[start]
            while step != start:
                path.append(step)
                step = parents[step]
            return [start, *reversed(path[1:]), start]
        for nxt in graph.get(node, {}):
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return None


def describe(graph: dict[str, dict[str, set[str]]], cycle: list[str]) -> str:
    steps = [f"{a} → {b} ({', '.join(sorted(graph[a][b]))})" for a, b in zip(cycle, cycle[1:])]
    return "; ".join(steps)


def test_the_graph_sees_the_packages_and_their_imports():
    graph, packages = import_graph()
    assert {"recurse.training", "recurse.data", "recurse.tasks", "recurse.cli", "recurse.config"} <= packages
    assert "recurse.data" in graph["recurse.training"]  # the trainer reads datasets
    assert {"recurse.checkpoints", "recurse.hub", "recurse.inference", "recurse.model"} <= packages
    # a function-level import (`recurse models list` reads recurse.hub.zoo) counts
    assert "recurse.cli.models" in graph["recurse.cli"]["recurse.hub"]
    assert "recurse.checkpoints" in graph["recurse.model"]  # the model saves and loads itself in that format


def test_the_search_finds_a_cycle_and_names_its_imports():
    graph = {"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}, "c": {"a": {"c.z"}, "d": {"c.w"}}}
    cycle = cycle_through(graph, "a")
    assert cycle == ["a", "b", "c", "a"]
    assert describe(graph, cycle) == "a → b (a.x); b → c (b.y); c → a (c.z)"
    assert cycle_through(graph, "d") is None


def test_no_import_cycle_passes_through_a_package():
    graph, packages = import_graph()
    cycles = [cycle for cycle in (cycle_through(graph, package) for package in sorted(packages)) if cycle]
    assert not cycles, "import cycle: " + describe(graph, cycles[0])
