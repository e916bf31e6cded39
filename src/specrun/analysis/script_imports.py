"""What a script's result depends on in code: the local modules its imports reach, and the
installed distributions it imports.

The import graph is an ``ast`` walk (not ``modulefinder``, which also follows the
whole standard library and site-packages, whose files are not the key's business): every
``import`` and ``from … import`` statement anywhere in the file — at the top, inside
functions, under ``try`` — is resolved the way the child resolves it: against the script's
folder (the child's ``sys.path[0]``) and the ``PYTHONPATH`` entries, then, for relative
imports, against the importing package.  A module found there is *local*: its file is
part of the key and its own imports are followed.  A name found nowhere there that is not
in the standard library is an *installed* import: its distribution's version (through
``importlib.metadata``) is part of the key.  Imports built at run time
(``importlib.import_module(name)``, ``__import__``) are not seen; a helper reached only that
way is not in the key (docs/cli.md says so).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path


@dataclass
class ImportGraph:
    """The local files a script reaches (the script first), the top-level names of the
    packages it imports from outside them (``installed``), and every top-level name it
    imports outside the standard library (``names``: a distribution on ``PYTHONPATH`` is
    found as a file and has a version too)."""

    local: list[Path] = field(default_factory=list)
    installed: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def imported_names(source: str) -> list[tuple[str, int]]:
    """Every module an import statement names, as (dotted name, relative level); a
    ``from x import y`` also yields ``x.y`` (``y`` may be a submodule)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []   # the run reports it (IMPORT_ERROR); the file itself is in the key
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if base or node.level:
                found.append((base, node.level))
            found.extend((f"{base}.{alias.name}" if base else alias.name, node.level)
                         for alias in node.names if alias.name != "*")
    return found


def resolve(name: str, roots: Sequence[Path]) -> Path | None:
    """The file of module ``name`` (``a.b`` → ``a/b.py`` or ``a/b/__init__.py``) under the
    first of ``roots`` that has it, else None."""
    parts = name.split(".")
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def import_graph(script: Path, roots: Sequence[Path]) -> ImportGraph:
    """The local modules ``script`` reaches through its imports, resolved against
    ``roots`` (the script's folder first), and the installed top-level names it imports."""
    graph = ImportGraph()
    seen: set[Path] = set()
    todo = [Path(script).resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        graph.local.append(path)
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for name, level in imported_names(source):
            found = _resolve_relative(path, name, level) if level else resolve(name, roots)
            top = name.partition(".")[0]
            if not level and top and top not in sys.stdlib_module_names:
                graph.names.add(top)
            if found is not None:
                todo.append(found.resolve())
                for parent in _package_inits(found, name, roots) if not level else ():
                    todo.append(parent)
            elif not level and top and top not in sys.stdlib_module_names and resolve(top, roots) is None:
                graph.installed.add(top)
    graph.local = [graph.local[0], *sorted(graph.local[1:])]
    return graph


def _resolve_relative(importer: Path, name: str, level: int) -> Path | None:
    """``from .x import y`` inside ``importer``: the package folder, ``level - 1`` up."""
    package = importer.parent
    for _ in range(level - 1):
        package = package.parent
    if not name:
        init = package / "__init__.py"
        return init if init.is_file() else None
    return resolve(name, [package])


def _package_inits(found: Path, name: str, roots: Sequence[Path]) -> Iterable[Path]:
    """The ``__init__.py`` files a dotted import runs on its way to ``found``."""
    parts = name.split(".")
    for depth in range(1, len(parts)):
        init = resolve(".".join(parts[:depth]), roots)
        if init is not None and init.name == "__init__.py":
            yield init.resolve()


def version_of(dist: str) -> str:
    """The installed version of ``dist`` ("?" when not installed); the one lookup the key
    makes, so tests can replace it."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"
