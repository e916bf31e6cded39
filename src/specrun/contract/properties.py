"""Built-in step properties, registered as a plugin (``specrun_properties``).

A property is checked after a successful run of a step, on its input and output
frames: ``row_count``, ``no_nulls``, ``unique``, ``columns_added``,
``columns_removed``, ``unchanged`` and ``relation`` (input values against output
values, :mod:`.relations`), ``part_rows``, ``class_balance`` and ``disjoint`` (the files
of a split or sharded output, :mod:`.part_properties`) and ``python`` (a user function, whose
module is imported from the spec's folder first, then the script's).  A property
that gets no frame to check fails, saying so.  Each checker is
``checker(params, context) -> PropertyResult``; malformed params are a
:class:`SpecError` at ``context.location``.
"""

from __future__ import annotations

import importlib
import inspect
import operator
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..hooks import hookimpl
from ..lazy import lazy_module
from ..results import PropertyResult
from ..spec.model import Location, SpecError, StepSpec
from .part_properties import check_class_balance, check_disjoint, check_part_rows, output_parts
from .relations import check_relation, check_unchanged

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


@dataclass
class PropertyContext:
    """What a property sees: the step, its input and output frames, where its modules live."""

    step: StepSpec
    inputs: dict[str, pd.DataFrame]
    outputs: dict[str, pd.DataFrame]
    base_dir: Path
    location: Location | None = None      # where the property is written (for SpecError)
    output_parts: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # output → file → frame
    module_dirs: tuple[Path, ...] = ()     # python: modules are looked up here first (else base_dir)

    def where(self) -> Location | None:
        return self.location if self.location is not None else self.step.location


class _Unavailable(Exception):
    """A frame the property needs is missing (reported as a failed property)."""


def _params(params: Any, context: PropertyContext, kind: str) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise SpecError(f"{kind} needs a mapping of parameters, got {params!r}", context.where())
    return params


def _required(params: dict[str, Any], key: str, context: PropertyContext, kind: str) -> Any:
    if key not in params:
        raise SpecError(f"{kind} needs '{key}'", context.where())
    return params[key]


def _frame(frames: dict[str, pd.DataFrame], name: str, direction: str, context: PropertyContext) -> pd.DataFrame:
    ports = context.step.outputs if direction == "output" else context.step.inputs
    if ports and name not in ports:
        raise SpecError(f"step {context.step.name!r} has no {direction} {name!r} "
                        f"(has: {', '.join(ports)})", context.where())
    if name not in frames:
        raise _Unavailable(f"{direction} {name!r} has no tabular data to check")
    return frames[name]


def _columns(params: dict[str, Any], frame: pd.DataFrame) -> list[str]:
    columns = params.get("columns")
    if columns is None:
        return [str(c) for c in frame.columns]
    return [columns] if isinstance(columns, str) else list(columns)


def _guard(kind: str, check: Callable[[dict[str, Any], PropertyContext], PropertyResult]
           ) -> Callable[[Any, PropertyContext], PropertyResult]:
    def checker(params: Any, context: PropertyContext) -> PropertyResult:
        try:
            return check(_params(params, context, kind) if kind != "python" else params, context)
        except _Unavailable as exc:
            return PropertyResult(kind, False, str(exc))
    checker.__name__ = kind
    checker.__doc__ = check.__doc__
    return checker


_COMPARISONS = {"equals": (operator.eq, "=="), "le": (operator.le, "<="), "ge": (operator.ge, ">=")}


def _row_count(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """Rows of an output against a number, an input's rows, or a ratio of an input's rows."""
    output = _required(params, "output", context, "row_count")
    actual = len(_frame(context.outputs, output, "output", context))
    if "ratio" in params:
        ratio = params["ratio"]
        if not isinstance(ratio, dict) or "input" not in ratio:
            raise SpecError("row_count ratio needs {input, min?, max?}", context.where())
        rows_in = len(_frame(context.inputs, ratio["input"], "input", context))
        value = actual / rows_in if rows_in else (1.0 if actual == 0 else float("inf"))
        low, high = ratio.get("min"), ratio.get("max")
        ok = (low is None or value >= float(low)) and (high is None or value <= float(high))
        return PropertyResult("row_count", ok,
                              f"output {output!r} has {actual} rows = {value:.4g} x input "
                              f"{ratio['input']!r} ({rows_in} rows); expected ratio in "
                              f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]")
    for key, (compare, symbol) in _COMPARISONS.items():
        if key in params:
            target = params[key]
            if isinstance(target, list) and target and all(isinstance(t, str) for t in target):
                counts = [len(_frame(context.inputs, t, "input", context)) for t in target]
                expected = sum(counts)
                what = f"{expected} (rows of inputs " + " + ".join(
                    f"{t!r} ({n})" for t, n in zip(target, counts, strict=True)) + ")"
            elif isinstance(target, bool) or not isinstance(target, (int, str)):
                raise SpecError(f"row_count {key} must be an input name or an integer, or a list "
                                "of input names", context.where())
            elif isinstance(target, int):
                expected, what = target, str(target)
            else:
                expected = len(_frame(context.inputs, target, "input", context))
                what = f"{expected} (rows of input {target!r})"
            ok = bool(compare(actual, expected))
            return PropertyResult("row_count", ok, f"output {output!r} has {actual} rows; "
                                                   f"expected {symbol} {what}")
    raise SpecError("row_count needs one of equals, le, ge or ratio", context.where())


def _missing(columns: list[str], frame: pd.DataFrame) -> list[str]:
    return [c for c in columns if c not in frame.columns]


def _no_nulls(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """No nulls in the listed (or all) columns of an output."""
    output = _required(params, "output", context, "no_nulls")
    frame = _frame(context.outputs, output, "output", context)
    columns = _columns(params, frame)
    missing = _missing(columns, frame)
    if missing:
        return PropertyResult("no_nulls", False, f"output {output!r} lacks column(s) {missing}")
    counts = {c: int(frame[c].isna().sum()) for c in columns}
    bad = {c: n for c, n in counts.items() if n}
    if bad:
        return PropertyResult("no_nulls", False, f"output {output!r}: expected no nulls, found "
                              + ", ".join(f"{n} in {c!r}" for c, n in bad.items()))
    return PropertyResult("no_nulls", True, f"output {output!r}: no nulls in {len(columns)} column(s)")


def _unique(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """The listed columns together (or whole rows) are unique in an output."""
    output = _required(params, "output", context, "unique")
    frame = _frame(context.outputs, output, "output", context)
    columns = _columns(params, frame)
    missing = _missing(columns, frame)
    if missing:
        return PropertyResult("unique", False, f"output {output!r} lacks column(s) {missing}")
    duplicated = frame.duplicated(subset=columns, keep="first") if columns else pd.Series(dtype=bool)
    count = int(duplicated.sum())
    if count:
        examples = frame.loc[duplicated, columns].head(3).to_dict("records")
        return PropertyResult("unique", False, f"output {output!r}: expected {columns} unique, found "
                                               f"{count} duplicate row(s), e.g. {examples}")
    return PropertyResult("unique", True, f"output {output!r}: {columns} unique over {len(frame)} rows")


def _column_change(kind: str) -> Callable[[dict[str, Any], PropertyContext], PropertyResult]:
    added = kind == "columns_added"

    def check(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
        output = _required(params, "output", context, kind)
        input_name = _required(params, "input", context, kind)
        out_cols = [str(c) for c in _frame(context.outputs, output, "output", context).columns]
        in_cols = [str(c) for c in _frame(context.inputs, input_name, "input", context).columns]
        changed = ([c for c in out_cols if c not in in_cols] if added
                   else [c for c in in_cols if c not in out_cols])
        verb = "added" if added else "removed"
        expected = params.get("columns")
        if expected is None:
            return PropertyResult(kind, True, f"columns {verb} from {input_name!r} to {output!r}: {changed}")
        expected = [expected] if isinstance(expected, str) else list(expected)
        missing = [c for c in expected if c not in changed]
        if missing:
            return PropertyResult(kind, False, f"expected {missing} {verb} from {input_name!r} to "
                                               f"{output!r}; actually {verb}: {changed}")
        return PropertyResult(kind, True, f"columns {verb} from {input_name!r} to {output!r}: {changed}")
    check.__doc__ = f"The listed columns are {('added to' if added else 'removed from')} an output."
    return check


def _unchanged(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """Values of the listed columns pass from an input to an output unchanged."""
    output = _required(params, "output", context, "unchanged")
    input_name = _required(params, "input", context, "unchanged")
    return check_unchanged(_frame(context.inputs, input_name, "input", context),
                           _frame(context.outputs, output, "output", context), params)


def _relation(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """A pandas expression over paired input and output rows holds on every row."""
    output = _required(params, "output", context, "relation")
    input_name = _required(params, "input", context, "relation")
    _required(params, "expr", context, "relation")
    return check_relation(_frame(context.inputs, input_name, "input", context),
                          _frame(context.outputs, output, "output", context), params)


def _parts(params: dict[str, Any], context: PropertyContext, kind: str) -> tuple[Any, dict[str, pd.DataFrame]]:
    output = _required(params, "output", context, kind)
    _frame(context.outputs, output, "output", context)
    port = context.step.outputs[output]
    if not port.is_dir:
        raise SpecError(f"{kind} needs an output with a 'layout' (split or shards); "
                        f"{output!r} is one file", context.where())
    parts = context.output_parts.get(output)
    if not parts:
        raise _Unavailable(f"output {output!r}: no files of its layout were read")
    return port, parts


def _part_rows(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """Rows per file of a split/sharded output, and each split's share of the rows."""
    port, parts = _parts(params, context, "part_rows")
    return check_part_rows(port, parts, params)


def _class_balance(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """A label column's class shares in each split (or shard) match the whole output's."""
    _required(params, "column", context, "class_balance")
    _required(params, "tolerance", context, "class_balance")
    port, parts = _parts(params, context, "class_balance")
    return check_class_balance(port, parts, params)


def _disjoint(params: dict[str, Any], context: PropertyContext) -> PropertyResult:
    """No value of a column appears in two splits of an output."""
    _required(params, "column", context, "disjoint")
    port, parts = _parts(params, context, "disjoint")
    return check_disjoint(port, parts, params)


def module_dirs(step: StepSpec) -> tuple[Path, ...]:
    """Where a ``python:`` property's module is looked up: the spec's folder first, then the script's."""
    dirs = [step.location.file.parent] if step.location is not None else []
    dirs.append(step.folder)
    return tuple(dict.fromkeys(Path(os.path.abspath(d)) for d in dirs))


def import_python_function(ref: str, dirs: Sequence[Path], where: Location | None) -> Callable[..., Any]:
    """The function ``module:function`` names, its module imported with ``dirs`` first on
    ``sys.path``; a :class:`SpecError` at ``where`` when it cannot be."""
    module_name, _, name = ref.partition(":")
    if not module_name or not name:
        raise SpecError(f"python property {ref!r} must be 'module:function'", where)
    added = [str(d) for d in dirs if str(d) not in sys.path]
    sys.path[:0] = added
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - the user's module could not be imported
        looked = ", ".join(str(d) for d in dirs)
        raise SpecError(f"cannot import {module_name!r} (looked in {looked} first): {type(exc).__name__}: {exc}",
                        where) from None
    finally:
        for entry in added:
            sys.path.remove(entry)
    function = getattr(module, name, None)
    if not callable(function):
        raise SpecError(f"{module_name!r} has no function {name!r}", where)
    return function


def python_ref(params: Any, where: Location | None) -> str:
    """The ``module:function`` of a ``python`` property's params."""
    ref = params.get("function") if isinstance(params, dict) else params
    if not isinstance(ref, str):
        raise SpecError("python property needs 'module:function'", where)
    return ref


def _call_python(function: Callable[..., Any], context: PropertyContext) -> Any:
    """``fn(inputs, outputs, step)``; a function with a parameter named ``parts`` is called by
    keyword with those of ``inputs``, ``outputs``, ``step`` and ``parts`` it names, ``parts``
    being every file of the outputs (:class:`~.part_properties.Part`: output, split, shard,
    path, frame)."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    if "parts" not in names:
        return function(context.inputs, context.outputs, context.step)
    available = {"inputs": context.inputs, "outputs": context.outputs, "step": context.step,
                 "parts": output_parts(context.step.outputs, context.outputs, context.output_parts)}
    return function(**{name: available[name] for name in names if name in available})


def _python(params: Any, context: PropertyContext) -> PropertyResult:
    """A user function ``fn(inputs, outputs, step)`` or ``fn(parts)``: None/True pass, False/str/raise fail."""
    ref = python_ref(params, context.where())
    if not context.outputs:
        raise _Unavailable(f"{ref} received no output frame: the step wrote no tabular output to check")
    function = import_python_function(ref, context.module_dirs or (context.base_dir,), context.where())
    try:
        verdict = _call_python(function, context)
    except Exception as exc:  # noqa: BLE001 - the user's check failed: that is the result
        return PropertyResult("python", False, f"{ref} raised {type(exc).__name__}: {exc}")
    if verdict is None or verdict is True:
        return PropertyResult("python", True, f"{ref} passed")
    if verdict is False:
        return PropertyResult("python", False, f"{ref} returned False")
    if isinstance(verdict, str):
        return PropertyResult("python", False, f"{ref}: {verdict}")
    return PropertyResult("python", False, f"{ref} returned {verdict!r}; expected None, True, False or a message")


BUILTIN_PROPERTIES: dict[str, Callable[[Any, PropertyContext], PropertyResult]] = {
    "row_count": _guard("row_count", _row_count),
    "no_nulls": _guard("no_nulls", _no_nulls),
    "unique": _guard("unique", _unique),
    "columns_added": _guard("columns_added", _column_change("columns_added")),
    "columns_removed": _guard("columns_removed", _column_change("columns_removed")),
    "unchanged": _guard("unchanged", _unchanged),
    "relation": _guard("relation", _relation),
    "part_rows": _guard("part_rows", _part_rows),
    "class_balance": _guard("class_balance", _class_balance),
    "disjoint": _guard("disjoint", _disjoint),
    "python": _guard("python", _python),
}


@hookimpl
def specrun_properties() -> Mapping[str, Callable[[Any, PropertyContext], PropertyResult]]:
    """Register the built-in properties."""
    return BUILTIN_PROPERTIES
