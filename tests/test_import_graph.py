"""No module of the portal imports a module that imports it back.

Module-level imports only (an import inside a function runs later and is how a task or a
service defers a dependency on purpose); migrations and tests are left out.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALL_LEVELS = True
APPS = (
    "accounts",
    "cases",
    "similarity",
    "reviews",
    "awards",
    "evaluations",
    "events",
    "notifications",
    "insights",
    "workspace",
    "kunshan_portal",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).parts
            if "migrations" in rel or "tests" in rel:
                continue
            found[_module_name(path)] = path
    return found


def _top_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(tree) if ALL_LEVELS else tree.body:
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets.add(module)
            targets |= {f"{module}.{alias.name}" for alias in node.names}
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _top_level_imports(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_module_that_imports_it_back():
    assert cycles(import_graph()) == []


def test_no_app_imports_the_workspace():
    """The campaign workspace is the top of the graph: it may use every app, and none may use it."""
    offenders = {
        name: sorted(t for t in targets if t.split(".")[0] == "workspace")
        for name, targets in import_graph().items()
        if name.split(".")[0] != "workspace"
    }
    assert {name: found for name, found in offenders.items() if found} == {}
