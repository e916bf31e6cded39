"""The expression of a ``relation`` property: ``out.amount_usd == in.amount * in.rate``.

Columns are written ``in.NAME`` / ``out.NAME`` (a backtick-quoted NAME for other
characters); the text becomes a pandas expression over backtick-quoted columns of
the paired frame, and anything else (a bare name, a call of a Python function) is
refused here, when the spec is loaded.
"""

from __future__ import annotations

import ast
import re

# The functions pandas.eval offers (everything else is refused by pandas itself).
FUNCTIONS = frozenset({"sin", "cos", "tan", "exp", "log", "expm1", "log1p", "sqrt", "sinh", "cosh",
                       "tanh", "arcsin", "arccos", "arctan", "arccosh", "arcsinh", "arctanh", "abs",
                       "log10", "floor", "ceil", "arctan2"})
PREFIXED = re.compile(r"\b(in|out)\.(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)")


def relation_expression(expr: str) -> str:
    """``expr`` with ``in.x`` / ``out.x`` as backtick-quoted columns of the paired frame.

    Raises ValueError for text that is not an expression over prefixed columns.
    """
    if not PREFIXED.search(expr):
        raise ValueError(f"relation {expr!r} names no column as 'in.NAME' or 'out.NAME'")
    rewritten = PREFIXED.sub(lambda m: f"`{m.group(1)}.{m.group(2).strip('`')}`", expr)
    probe = re.sub(r"`[^`]*`", "_col", rewritten)
    try:
        tree = ast.parse(probe, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"relation {expr!r} is not an expression: {exc.msg}") from None
    called = {node.func.id for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)} & FUNCTIONS
    names = sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - {"_col"} - called)
    if names:
        raise ValueError(f"relation {expr!r}: {', '.join(names)} is not a column; write 'in.NAME' "
                         "or 'out.NAME'")
    return rewritten
