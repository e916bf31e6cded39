"""Properties relating an output's values to an input's: ``unchanged`` and ``relation``.

Both pair input and output rows, by ``key`` (a column or a list) or, without one, by
position (only when the row counts match), then compare the paired values: exactly,
or within an absolute ``tolerance``.  ``relation`` evaluates a pandas expression over
the paired rows (``out.amount_usd == in.amount * in.rate``) with ``DataFrame.eval`` and
no variables other than the prefixed columns.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import PropertyResult
from ..spec.model import Location, SpecError
from ..spec.relation_expr import PREFIXED as _PREFIXED
from ..spec.relation_expr import relation_expression

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

EXAMPLES = 5


class PairingError(Exception):
    """Input and output rows cannot be paired (reported as a failed property)."""


def _keys(params: dict[str, Any]) -> list[str]:
    key = params.get("key")
    if key is None:
        return []
    return [key] if isinstance(key, str) else [str(k) for k in key]


def paired(frame_in: pd.DataFrame, frame_out: pd.DataFrame, keys: list[str],
           what: str) -> pd.DataFrame:
    """One row per output row with an input row: columns ``in.<name>`` and ``out.<name>``.

    With ``keys``, output rows are joined to the input row of the same key (the key must
    be unique in the input); without, rows are paired by position.
    """
    left = frame_in.rename(columns=lambda c: f"in.{c}").reset_index(drop=True)
    right = frame_out.rename(columns=lambda c: f"out.{c}").reset_index(drop=True)
    if not keys:
        if len(frame_in) != len(frame_out):
            raise PairingError(f"{what}: input has {len(frame_in)} rows and output {len(frame_out)}; "
                               "rows can be paired by position only when the counts match (declare 'key')")
        return pd.concat([left, right], axis=1)
    for side, frame in (("input", frame_in), ("output", frame_out)):
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise PairingError(f"{what}: key column(s) {missing} missing from the {side}")
    duplicated = frame_in.duplicated(subset=keys, keep=False)
    if bool(duplicated.any()):
        examples = frame_in.loc[duplicated, keys].drop_duplicates().head(3).to_dict("records")
        raise PairingError(f"{what}: key {keys} is not unique in the input (e.g. {examples})")
    merged = right.merge(left, how="inner", left_on=[f"out.{k}" for k in keys],
                         right_on=[f"in.{k}" for k in keys])
    if len(frame_out) and merged.empty:
        raise PairingError(f"{what}: no output row has the key {keys} of an input row")
    return merged


def values_equal(a: pd.Series, b: pd.Series, tolerance: float) -> pd.Series:
    """Element-wise equality; nulls equal nulls; numbers within ``tolerance`` (absolute)."""
    both_null = a.isna().to_numpy() & b.isna().to_numpy()
    numeric = (pd.api.types.is_numeric_dtype(a.dtype) and pd.api.types.is_numeric_dtype(b.dtype)
               and not pd.api.types.is_bool_dtype(a.dtype) and not pd.api.types.is_bool_dtype(b.dtype))
    if numeric:
        x = a.to_numpy(dtype="float64", na_value=np.nan)
        y = b.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            same = (x == y) | (np.abs(x - y) <= tolerance)
    else:
        same = np.array([_same_value(u, v) for u, v in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)
    return pd.Series(same | both_null, index=a.index)


def _same_value(u: Any, v: Any) -> bool:
    try:
        return bool(u == v)
    except (TypeError, ValueError):
        return False


def _examples(rows: pd.DataFrame, keys: list[str], columns: list[str]) -> str:
    shown = []
    for position, (_, row) in enumerate(rows.head(EXAMPLES).iterrows()):
        where = ", ".join(f"{k}={row[f'out.{k}']!r}" for k in keys) if keys else f"row {rows.index[position]}"
        values = ", ".join(f"{c}: in={row[f'in.{c}']!r} out={row[f'out.{c}']!r}" for c in columns)
        shown.append(f"[{where}] {values}")
    return "; ".join(shown)


def check_unchanged(frame_in: pd.DataFrame, frame_out: pd.DataFrame,
                    params: dict[str, Any]) -> PropertyResult:
    """The listed columns (default: every column both frames have) keep their input values."""
    keys = _keys(params)
    what = f"output {params['output']!r} vs input {params['input']!r}"
    columns = params.get("columns")
    if columns is None:
        columns = [str(c) for c in frame_out.columns if c in frame_in.columns and c not in keys]
    else:
        columns = [columns] if isinstance(columns, str) else [str(c) for c in columns]
    for side, frame in (("output", frame_out), ("input", frame_in)):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            return PropertyResult("unchanged", False, f"{what}: column(s) {missing} missing from the {side}")
    if not columns:
        return PropertyResult("unchanged", False, f"{what}: no column in common to compare")
    try:
        rows = paired(frame_in, frame_out, keys, what)
    except PairingError as exc:
        return PropertyResult("unchanged", False, str(exc))
    tolerance = float(params.get("tolerance", 0.0))
    changed = {c: ~values_equal(rows[f"in.{c}"], rows[f"out.{c}"], tolerance) for c in columns}
    bad = {c: int(mask.sum()) for c, mask in changed.items() if bool(mask.any())}
    if bad:
        any_changed = np.logical_or.reduce([m.to_numpy() for m in changed.values()])
        detail = _examples(rows[any_changed], keys, list(bad))
        return PropertyResult("unchanged", False, f"{what}: values changed in "
                              + ", ".join(f"{c!r} ({n} of {len(rows)} rows)" for c, n in bad.items())
                              + f"; e.g. {detail}")
    return PropertyResult("unchanged", True, f"{what}: {columns} unchanged over {len(rows)} rows")


# -- relation ----------------------------------------------------------------------

def _comparison_sides(rewritten: str) -> tuple[str, str] | None:
    """The two sides of a single top-level ``==`` (compared within the tolerance), else None."""
    probe = re.sub(r"`[^`]*`", lambda m: "_" * len(m.group(0)), rewritten)
    tree = ast.parse(probe, mode="eval").body
    if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.Eq):
        operator_at = probe.index("==", tree.left.end_col_offset or 0)
        return rewritten[:operator_at], rewritten[operator_at + 2:]
    return None


def _evaluate(rows: pd.DataFrame, text: str) -> pd.Series:
    value = rows.eval(text, local_dict={}, global_dict={})
    if not isinstance(value, pd.Series):
        value = pd.Series([value] * len(rows), index=rows.index)
    return value


def check_relation(frame_in: pd.DataFrame, frame_out: pd.DataFrame,
                   params: dict[str, Any]) -> PropertyResult:
    """``expr`` holds on every paired row (a single ``==`` within ``tolerance``)."""
    expr = str(params["expr"])
    keys = _keys(params)
    what = f"relation {expr!r} between output {params['output']!r} and input {params['input']!r}"
    rewritten = relation_expression(expr)
    try:
        rows = paired(frame_in, frame_out, keys, what)
    except PairingError as exc:
        return PropertyResult("relation", False, str(exc))
    if rows.empty:
        return PropertyResult("relation", True, f"{what}: no rows to compare")
    tolerance = float(params.get("tolerance", 0.0))
    sides = _comparison_sides(rewritten)
    try:
        if sides is not None:
            holds = values_equal(_evaluate(rows, sides[0]), _evaluate(rows, sides[1]), tolerance)
        else:
            result = _evaluate(rows, rewritten)
            if not pd.api.types.is_bool_dtype(result.dtype):
                return PropertyResult("relation", False, f"{what}: evaluates to {result.dtype}, not true/false")
            holds = result.fillna(False).astype(bool)
    except Exception as exc:  # noqa: BLE001 - an unknown column, a type clash: the property fails
        return PropertyResult("relation", False, f"{what}: cannot evaluate: {type(exc).__name__}: {exc}")
    failing = rows[~holds.to_numpy()]
    if len(failing):
        columns = sorted({m.group(2).strip("`") for m in _PREFIXED.finditer(expr)})
        shown = []
        for position, (_, row) in enumerate(failing.head(EXAMPLES).iterrows()):
            where = ", ".join(f"{k}={row[f'out.{k}']!r}" for k in keys) if keys else f"row {failing.index[position]}"
            values = ", ".join(f"{side}.{c}={row[f'{side}.{c}']!r}" for side in ("in", "out")
                               for c in columns if f"{side}.{c}" in row.index)
            shown.append(f"[{where}] {values}")
        return PropertyResult("relation", False, f"{what}: fails on {len(failing)} of {len(rows)} rows; "
                                                 f"e.g. {'; '.join(shown)}")
    return PropertyResult("relation", True, f"{what}: holds on {len(rows)} rows")


def check_relation_params(params: dict[str, Any], where: Location | None) -> None:
    """A malformed ``expr`` is a SpecError (checked when the spec is loaded)."""
    try:
        relation_expression(str(params.get("expr", "")))
    except ValueError as exc:
        raise SpecError(str(exc), where) from None
