"""Nothing outside the column-type module switches on a built-in type's name.

Each built-in type owns its behaviour (generation, validation, profiling,
compatibility, display); code elsewhere asks the type, so a plugin type behaves like
a built-in.  The spec grammar (``spec/``) may still parse the DSL's literal values by
type name: it runs before any type registry exists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import specrun
from specrun.contract.builtin_types import BUILTIN_NAMES

SOURCE = Path(specrun.__file__).parent
OWNERS = {SOURCE / "contract" / "builtin_types.py"}
GRAMMAR = SOURCE / "spec"
# Not yet moved onto the types: mapping a pandera schema's dtypes and checks back to
# column specs.  Remove the entry when it is done.
PENDING: set[Path] = set()


def _names(node: ast.AST) -> list[str]:
    """Built-in type names written as string literals directly in ``node``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in BUILTIN_NAMES:
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [n for element in node.elts for n in _names(element) if isinstance(element, ast.Constant)]
    return []


def type_name_switches(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each place ``tree`` compares against, keys by, or lists built-in type names."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            names = [n for side in (node.left, *node.comparators) for n in _names(side)]
            if names:
                found.append((node.lineno, f"compares with {names}"))
        elif isinstance(node, ast.Dict):
            names = [n for key in node.keys if key is not None for n in _names(key)]
            if len(names) >= 2:       # a table per type (one key may be a record field: "category")
                found.append((node.lineno, f"a dict keyed by {names}"))
        elif isinstance(node, ast.MatchValue) and _names(node.value):
            found.append((node.lineno, f"matches {_names(node.value)}"))
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(_names(node)) >= 2:
            found.append((node.lineno, f"lists {_names(node)}"))
    return sorted(set(found))


def test_the_walker_finds_each_kind_of_switch() -> None:
    code = '''
if column.type == "str": pass
if kind in ("int", "float"): pass
hints = {"bool": "boolean", "int": "Int64"}
KNOWN = frozenset({"datetime", "category"})
match column.type:
    case "int": pass
'''
    assert sorted({line for line, _ in type_name_switches(ast.parse(code))}) == [2, 3, 4, 5, 7]
    assert type_name_switches(ast.parse('if column.type == other.type: pass\nx = "int"\n'
                                        'entry = {"category": "UserWarning", "message": "m"}\n')) == []


def test_no_module_outside_the_type_module_switches_on_builtin_type_names() -> None:
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path in OWNERS or path in PENDING or GRAMMAR in path.parents:
            continue
        for line, what in type_name_switches(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(SOURCE)}:{line}: {what}")
    assert offenders == [], "ask the column type instead:\n" + "\n".join(offenders)
