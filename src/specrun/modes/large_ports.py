"""A large single-file parquet port validated and profiled one column at a time.

:func:`~specrun.contract.columnwise.check_columnwise` gives the very validation result of the
whole read; each column it hands over is profiled at once and let go, so specrun's process
never holds the frame (a step's outputs in pipeline mode, a fixture's profile and its check
before the run).  None where the port is checked whole: small files, contracts that need
other columns, and what the whole read must report (see :mod:`specrun.contract.columnwise`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.profile import ColumnProfile, DataProfile, assembled, profile_column
from ..contract.columnwise import check_columnwise
from ..results import ColumnFailure, PortValidation
from ..spec.model import PortSpec, SchemaSpec

if TYPE_CHECKING:
    from ..plugin_types import SessionLike


def port_validation(name: str, direction: str, rows: int, failures: list[ColumnFailure],
                    schema: SchemaSpec) -> PortValidation:
    """The validation record of a port whose files gave ``failures`` under ``schema``."""
    if failures:
        summary = "; ".join(f"{f.column or '<frame>'}: {f.check} ({f.count})" for f in failures[:5])
        return PortValidation(name, direction, False, rows=rows,
                              message=f"{direction} {name!r} violates schema {schema.name!r}: {summary}",
                              failures=failures)
    return PortValidation(name, direction, True, rows=rows)


def checked_by_column(session: SessionLike, name: str, direction: str, port: PortSpec, path: Path,
                      schema: SchemaSpec | None, *, validate: bool = True, profile_as: str | None = None,
                      nbytes: int | None = None) -> tuple[PortValidation | None, DataProfile | None] | None:
    """``(validation, profile)`` of the port's file read one column at a time: ``validation``
    against ``schema`` when ``validate`` (None otherwise), ``profile`` named ``profile_as``
    (None when not asked); None where the file must be read whole."""
    if port.split_schemas or port.format != "parquet" or port.is_dir:
        return None          # read whole, before anything is compiled (as it always was)
    compiled: Any = session.contracts.pandera(schema) if validate and schema is not None else None
    columns: list[ColumnProfile] = []

    def visit(column: str, series: Any) -> None:
        if profile_as is not None:
            columns.append(profile_column(series, column))

    checked = check_columnwise(port, path, schema, compiled, session.types, visit)
    if checked is None:
        return None
    rows, judged = checked
    validation = None
    if validate and schema is not None and judged is not None:
        validation = port_validation(name, direction, rows, judged[1], schema)
    elif validate:
        validation = PortValidation(name, direction, True, rows=rows, message="no schema declared")
    profile = assembled(columns, profile_as, rows, nbytes) if profile_as is not None else None
    return validation, profile
