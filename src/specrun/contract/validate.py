"""Validate a frame against a pandera schema and summarise what failed.

Failures are grouped per (column, check) with a count and a few distinct example
values, ready for :class:`~specrun.results.PortValidation`.  Bad data never raises.
The type failures the reader found (:mod:`specrun.contract.storage`) come first;
pandera's findings that only restate them are left out.  A frame of more than
``chunk_rows`` rows is validated in row slices (:mod:`specrun.contract.chunked_validation`),
with the very result whole-frame validation gives and a fraction of its memory.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import ColumnFailure, to_jsonable
from .arrow_pool import release_unused
from .chunked_validation import CHUNK_ROWS, validate_lazily
from .storage import TypeFailure, restate, type_failures

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa
else:
    pd = lazy_module("pandas")
    pa = lazy_module("pandera.pandas")

MAX_EXAMPLES = 5
_COLUMN_PRESENCE_CHECKS = ("column_in_dataframe", "column_in_schema")


def _column_name(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _group_failures(cases: pd.DataFrame) -> list[ColumnFailure]:
    grouped: dict[tuple[str | None, str], ColumnFailure] = {}
    seen: dict[tuple[str | None, str], set[str]] = {}
    blank = [None] * len(cases)
    contexts = cases["schema_context"] if "schema_context" in cases else blank
    columns = cases["column"] if "column" in cases else blank
    checks = cases["check"] if "check" in cases else ["unknown"] * len(cases)
    values = cases["failure_case"] if "failure_case" in cases else blank
    for context, column, check, value in zip(contexts, columns, checks, values, strict=True):
        if context == "DataFrameSchema":   # frame-level: name the column for missing/extra ones
            column = value if check in _COLUMN_PRESENCE_CHECKS else None
        key = (_column_name(column), str(check))
        failure = grouped.setdefault(key, ColumnFailure(column=key[0], check=key[1], count=0))
        failure.count += 1
        example = to_jsonable(value)
        marker = json.dumps(example, sort_keys=True, default=str)
        if len(failure.examples) < MAX_EXAMPLES and marker not in seen.setdefault(key, set()):
            seen[key].add(marker)
            failure.examples.append(example)
    return list(grouped.values())


def validate_frame(frame: pd.DataFrame, schema: pa.DataFrameSchema, *,
                   chunk_rows: int | None = CHUNK_ROWS) -> tuple[bool, list[ColumnFailure]]:
    """``(ok, failures)`` for ``frame`` under ``schema``: its declared types, then everything
    pandera checks (lazy), in slices of ``chunk_rows`` rows (None: the whole frame at once)."""
    found = type_failures(frame)
    try:
        ok, failures = _validate_pandera(frame, schema, chunk_rows)
    finally:
        release_unused()                # the checks' Arrow buffers (string columns)
    kept = [restated for f in failures if (restated := restate(f, found)) is not None]
    failures = [f.failure for f in found] + kept
    return ok and not found, failures


def judged(found: list[TypeFailure], errors: list[Any], schema: pa.DataFrameSchema,
           data: pd.DataFrame) -> tuple[bool, list[ColumnFailure]]:
    """``(ok, failures)`` as :func:`validate_frame` gives them, from the reader's type failures
    and the errors pandera's lazy validation collected, in its order (``data``: a frame with
    the validated frame's columns, for pandera's report; no rows needed)."""
    failures: list[ColumnFailure] = []
    if errors:
        raised = pa.errors.SchemaErrors(schema=schema, schema_errors=errors, data=data)
        failures = _group_failures(raised.failure_cases)
    kept = [restated for f in failures if (restated := restate(f, found)) is not None]
    return not errors and not found, [f.failure for f in found] + kept


def column_fails(frame: pd.DataFrame, schema: pa.DataFrameSchema, column: str | None) -> bool:
    """Whether ``column`` of ``frame`` alone fails its checks in ``schema``.  Then the whole
    frame fails too: the same pandera column on the same values, and the rest of the schema
    can only add failures.  It costs one column's checks instead of every column's (a
    negative case's proof that its input breaks the contract).  False when the column
    passes or cannot be judged alone (frame-level parsers, coercion or dropped rows; a
    check that needs another column raises here): the caller validates the whole frame."""
    if (column is None or column not in frame.columns or getattr(schema, "parsers", None)
            or getattr(schema, "drop_invalid_rows", False) or schema.coerce):
        return False
    spec = schema.columns.get(column)
    if spec is None:
        return False
    try:   # that column of the frame, no container; the first failure answers (no failure table)
        spec.validate(frame, lazy=False, inplace=True)
    except pa.errors.SchemaError:          # lazy=False: the first failure, never SchemaErrors
        return True
    except Exception:  # noqa: BLE001 - not judged here: the whole frame's validation says it
        return False
    finally:
        release_unused()
    return False


def _validate_pandera(frame: pd.DataFrame, schema: pa.DataFrameSchema,
                      chunk_rows: int | None) -> tuple[bool, list[ColumnFailure]]:
    try:
        if chunk_rows is not None:
            validate_lazily(frame, schema, chunk_rows)      # a frame of chunk_rows or fewer: whole
        else:
            schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return False, _group_failures(errors.failure_cases)
    except pa.errors.SchemaError as error:
        cases = error.failure_cases
        column = getattr(error.schema, "name", None) if isinstance(error.schema, pa.Column) else None
        check = str(error.check) if error.check is not None else (error.reason_code.name.lower()
                                                                   if error.reason_code else "schema")
        examples = ([to_jsonable(v) for v in cases["failure_case"].head(MAX_EXAMPLES)]
                    if isinstance(cases, pd.DataFrame) and "failure_case" in cases else [str(error)])
        count = len(cases) if isinstance(cases, pd.DataFrame) else 1
        return False, [ColumnFailure(column=column, check=check, count=count, examples=examples)]
    except Exception as exc:  # noqa: BLE001 - a check blew up on strange data: report, don't crash
        return False, [ColumnFailure(column=None, check="validation_error", count=1,
                                     examples=[f"{type(exc).__name__}: {exc}"])]
    return True, []
