"""The package's layers: catalog -> content -> grading -> (responses, rendering, charts) -> (session, widgets) -> tools.
A module imports only from lower layers (or its own package), lazily or not, so there is no import cycle."""

from __future__ import annotations

import ast

from conftest import REPO

PACKAGE = REPO / "nasams_course"
#: top-level module or package -> layer; a new module needs a place here
LAYERS = {
    "__init__": 0, "data": 0, "catalog": 0,
    "content": 1,
    "grading": 2,
    "responses": 3, "rendering": 3, "charts": 3, "coverage": 3, "workbooks": 3,
    "scoring_example": 4, "session": 4, "widgets": 4,
    "trainer": 5, "training": 5,
    "notebook": 6, "cli": 6, "bench": 6, "sphinx_ext": 6,
    "__main__": 7,
}


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports() -> dict[str, set[str]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nasams_course"):
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.startswith("nasams_course")}
        found[module] = names
    return found


def test_every_module_has_a_layer():
    assert {top(m) for m in imports()} <= set(LAYERS), "place the new module in LAYERS"


def test_no_module_imports_from_a_higher_layer():
    upward = [f"{m} imports {d}" for m, deps in imports().items() for d in deps
              if top(d) != top(m) and LAYERS[top(d)] >= LAYERS[top(m)]]
    assert upward == []


def test_no_import_cycle_inside_a_package():
    graph = imports()
    graph = {m.removesuffix(".__init__"): {d for d in deps if d in graph or f"{d}.__init__" in graph}
             for m, deps in graph.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for d in graph.get(start, ()):
            if d == goal or (d not in seen and (seen.add(d) or reaches(d, goal, seen))):
                return True
        return False

    # a package's __init__ re-exports its modules, so only cycles between the modules themselves count
    cycles = [m for m in graph if not m.endswith(("grading", "content", "rendering", "data"))
              and reaches(m, m, set()) and top(m) != "__init__"]
    assert cycles == []
