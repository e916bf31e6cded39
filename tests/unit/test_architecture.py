"""The floor plan, enforced: data flows one way and no modules import each other in a circle.

Every module of ``src/specrun`` is parsed with :mod:`ast`; every import of a specrun
module (top level, inside functions, under ``if TYPE_CHECKING:``) becomes an edge of a
directed graph.  Two rules are checked:

* **Layers.**  Each module belongs to one layer (``LAYERS``, lowest first); a module may
  import its own layer and the layers below, never one above.  ``TYPE_CHECKING`` imports
  obey this rule too (an annotation naming a higher layer's type is a dependency on it),
  except in the *interface* modules (``hooks``, ``plugin_types``, ``hook_guard``): they sit
  at the bottom so that everyone can import them, and their job is to describe the types
  of every layer, which they only name under ``TYPE_CHECKING``.
* **No cycles.**  Among the imports that run (everything but ``TYPE_CHECKING`` ones,
  which never execute and so cannot make an import-time circle), ``networkx`` finds no
  simple cycle.

Placement decisions: ``results.py`` and ``plan.py`` are records (dataclasses, enums, the
planned case and its seed) shared by contract, execution, modes and report, so they sit
just above ``spec``, with ``run_options`` (the run's typed options, read by modes and
reporters); ``atomic``, ``keywords``, ``interrupts``, ``workspace_lock`` and ``lazy`` are
standard-library-only helpers at the bottom.

``KNOWN_BACK_EDGES`` and ``KNOWN_CYCLE_EDGES`` list what was already there when the test
was written (issue 9, point 2): the test fails on anything new *and* on any listed entry
that has gone, so the lists only shrink.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Lowest first.  A name matches a module and everything under it; the longest match wins.
LAYERS: list[tuple[str, ...]] = [
    ("specrun.atomic", "specrun.keywords", "specrun.interrupts", "specrun.workspace_lock", "specrun.lazy",
     "specrun._version", "specrun.errors", "specrun.arg_types", "specrun.error_class",
     "specrun.hooks", "specrun.hook_guard", "specrun.plugin_types", "specrun.display"),
    ("specrun.spec",),
    ("specrun.results", "specrun.plan", "specrun.run_options"),
    ("specrun.contract",),
    ("specrun.analysis",),
    ("specrun.execution",),
    ("specrun.sources",),
    ("specrun.modes",),
    ("specrun.report",),
    ("specrun", "specrun.preflight", "specrun.session", "specrun.config", "specrun.project_config",
     "specrun.plugin", "specrun.cli", "specrun.commands", "specrun.__main__", "specrun.pytest_plugin"),
]
INTERFACE_MODULES = {"specrun.hooks", "specrun.plugin_types", "specrun.hook_guard"}

# Imports against the layer order, each with a comment saying why it must stay: (importer, imported).
# Empty since issue 9, point 2: modes take a ``plugin_types.SessionLike``, not the session.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()
# Import edges that lie on a cycle, each with a comment saying why.  Empty since
# ``__version__`` moved to ``_version.py`` (the session no longer imports the package).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    """One import of a specrun module by a specrun module."""

    importer: str
    imported: str
    line: int
    type_checking: bool
    in_function: bool


def module_names(src: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Dotted name → (file, is a package ``__init__``) for every module under ``src/specrun``."""
    modules: dict[str, tuple[Path, bool]] = {}
    for file in sorted((src / "specrun").rglob("*.py")):
        parts = list(file.relative_to(src).with_suffix("").parts)
        package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if package else parts)] = (file, package)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(name: str, file: Path, package: bool, modules: set[str]) -> list[Import]:
    tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
    here = name if package else name.rpartition(".")[0]
    found: list[Import] = []

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST, type_checking: bool, in_function: bool) -> None:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from . import x`` imports the module ``x`` when there is one.
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                       for alias in node.names]
        for target in targets:
            resolved = resolve(target) if target.split(".")[0] == "specrun" else None
            if resolved is not None and resolved != name:
                found.append(Import(name, resolved, getattr(node, "lineno", 0), type_checking, in_function))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True, in_function)
            for child in node.orelse:
                visit(child, type_checking, in_function)
            return
        inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking, inner)

    visit(tree, False, False)
    return found


def all_imports(src: Path = SRC) -> list[Import]:
    """Every import of a specrun module in ``src/specrun``."""
    modules = module_names(src)
    return [imp for name, (file, package) in modules.items()
            for imp in _imports_of(name, file, package, set(modules))]


def layer_of(module: str) -> int:
    """Index in ``LAYERS`` of the longest prefix naming ``module``."""
    best, best_len = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best is None:
        raise AssertionError(f"{module} has no layer: add it to LAYERS in {__file__}")
    return best


def back_edges(imports: list[Import]) -> set[tuple[str, str]]:
    """(importer, imported) pairs where a module imports a layer above its own."""
    return {(imp.importer, imp.imported) for imp in imports
            if not (imp.type_checking and imp.importer in INTERFACE_MODULES)
            and layer_of(imp.imported) > layer_of(imp.importer)}


def runtime_graph(imports: list[Import]) -> nx.DiGraph:
    """The graph of imports that execute (``TYPE_CHECKING`` ones left out)."""
    graph = nx.DiGraph()
    graph.add_edges_from((imp.importer, imp.imported) for imp in imports if not imp.type_checking)
    return graph


def cycle_edges(graph: nx.DiGraph) -> set[tuple[str, str]]:
    """Every edge lying on some cycle: the edges inside a strongly connected component."""
    edges: set[tuple[str, str]] = set()
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            edges |= {(a, b) for a, b in graph.subgraph(component).edges}
    return edges


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_every_module_has_a_layer(imports: list[Import]) -> None:
    for name in module_names():
        layer_of(name)


def test_no_import_runs_against_the_flow(imports: list[Import]) -> None:
    found = back_edges(imports)
    lines = {(i.importer, i.imported): i.line for i in imports}
    new = sorted(found - KNOWN_BACK_EDGES)
    assert not new, "imports against the layer order:\n" + "\n".join(
        f"  {a} (line {lines[a, b]}) imports {b}: layer {layer_of(a)} < {layer_of(b)}" for a, b in new)
    gone = sorted(KNOWN_BACK_EDGES - found)
    assert not gone, f"fixed, remove from KNOWN_BACK_EDGES: {gone}"


def test_no_import_cycles(imports: list[Import]) -> None:
    graph = runtime_graph(imports)
    found = cycle_edges(graph)
    new = sorted(found - KNOWN_CYCLE_EDGES)
    example = next(iter(nx.simple_cycles(graph.edge_subgraph(new))), None) if new else None
    assert not new, f"import edges on a cycle: {new}; e.g. {' -> '.join(example or [])}"
    gone = sorted(KNOWN_CYCLE_EDGES - found)
    assert not gone, f"fixed, remove from KNOWN_CYCLE_EDGES: {gone}"


# -- the checker itself, on small made-up trees --------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in {"specrun/__init__.py": "", **files}.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_function_level_cycle_is_found(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"specrun/session.py": "from .config import X\n",
                           "specrun/config.py": "def f():\n    from .session import Session\n"})
    imports = all_imports(src)
    assert any(i.in_function for i in imports)
    assert cycle_edges(runtime_graph(imports)) == {("specrun.session", "specrun.config"),
                                                   ("specrun.config", "specrun.session")}


def test_a_type_checking_import_makes_no_cycle_but_still_counts_for_layers(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "specrun/spec/__init__.py": "",
        "specrun/spec/model.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                 "    from ..session import Session\n",
        "specrun/session.py": "from .spec.model import X\n",
        "specrun/hooks.py": "import typing\nif typing.TYPE_CHECKING:\n    from .session import Session\n"})
    imports = all_imports(src)
    assert cycle_edges(runtime_graph(imports)) == set()
    assert back_edges(imports) == {("specrun.spec.model", "specrun.session")}   # hooks is an interface


def test_an_upward_import_is_a_back_edge(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"specrun/sources/__init__.py": "",
                           "specrun/sources/s3.py": "import specrun.report.console\n",
                           "specrun/report/__init__.py": "", "specrun/report/console.py": ""})
    assert back_edges(all_imports(src)) == {("specrun.sources.s3", "specrun.report.console")}
