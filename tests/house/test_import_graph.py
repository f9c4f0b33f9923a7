"""The house rules that a reader relies on, read off the code itself: no import cycles in `dashboard/` (lazy
imports inside functions count), no module of it over 500 lines, and nothing on the request path imports
localappwrite."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dashboard"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file, functions included."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def dashboard_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def test_no_module_of_the_dashboard_is_part_of_an_import_cycle():
    graph = dashboard_graph()
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in trail:
                cycles.append(trail[trail.index(target) :] + [target])
            elif target not in done:
                visit(target, trail + [target])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_the_graph_sees_lazy_imports_inside_functions():
    graph = dashboard_graph()
    assert "localappwrite.launcher" in imports_of(PACKAGE / "demo.py")
    assert any(graph[name] for name in graph)  # the reader finds the package's own imports


def test_no_module_of_the_dashboard_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_nothing_but_the_demo_imports_localappwrite():
    importers = {
        module_name(path)
        for path in PACKAGE.rglob("*.py")
        if any(m == "localappwrite" or m.startswith("localappwrite.") for m in imports_of(path))
    }
    assert importers <= {"dashboard.demo"}
