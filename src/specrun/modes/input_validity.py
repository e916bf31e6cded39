"""Whether the inputs a case fed to a script satisfied their contracts.

The answer decides whom a failure blames: an exception on valid input is the
script's bug (SCRIPT_ERROR), on invalid input a rejection (DATA_ERROR; see
execution/classify.py), and a clean exit under ``expect: fail`` with broken outputs
is ACCEPTED_INVALID only when the input was invalid.  A frame generated from the
port's own contract and not mutated is valid by construction; anything else a case
feeds (a mutated frame, one drawn from overridden constraints, a fixture) is
validated against the port's declared contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..contract.io import PortReadError, read_port
from ..contract.split_files import file_schema
from ..lazy import lazy_module
from ..results import PortValidation
from ..spec.model import PortSpec, SchemaSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

#: Validates one input port's frames (by file) against a contract, e.g.
#: ``lambda name, parts, schema: validate_port_parts(session, name, "input", parts, schema)``.
PortCheck = Callable[[str, Mapping[str, "pd.DataFrame"], SchemaSpec], PortValidation]


@dataclass
class FedInputs:
    """What a case fed on its contract-bound ports, collected while it writes them."""

    frames: dict[str, tuple[SchemaSpec, pd.DataFrame]] = field(default_factory=dict)
    #: fixtures to check; the schema None for a ``split_schemas`` port (each file by its split's)
    files: dict[str, tuple[PortSpec, SchemaSpec | None, Path]] = field(default_factory=dict)
    broken_files: dict[str, str] = field(default_factory=dict)   # port → the files removed or cut

    def broken(self, name: str, what: str) -> None:
        """A file the port's layout declares was removed or truncated: the input is invalid."""
        self.broken_files[name] = what

    def frame(self, name: str, schema: SchemaSpec, frame: pd.DataFrame) -> None:
        """A frame that must be checked (mutated, overridden or given)."""
        self.frames[name] = (schema, frame)

    def fixture(self, name: str, port: PortSpec, schema: SchemaSpec | None, path: Path) -> None:
        """A copied fixture; only a tabular port with a contract can break one."""
        if (schema is not None or port.split_schemas) and port.tabular:
            self.files[name] = (port, schema, path)

    def valid(self, check: PortCheck) -> bool:
        """Every checked input satisfies its declared contract."""
        if self.broken_files:
            return False
        for name, (schema, frame) in self.frames.items():
            if not check(name, {"": frame}, schema).ok:
                return False
        for name, (port, contract, path) in self.files.items():
            try:
                parts = read_port(port, path, contract)
            except PortReadError:
                return False
            if not all(check(name, files, declared).ok for declared, files in _by_schema(port, parts, contract)):
                return False
        return True


def _by_schema(port: PortSpec, parts: Mapping[str, pd.DataFrame], schema: SchemaSpec | None,
               ) -> list[tuple[SchemaSpec, dict[str, pd.DataFrame]]]:
    """The files of a port grouped by the schema that judges them: ``schema``, else (a
    ``split_schemas`` port) each file's split's."""
    if schema is not None:
        return [(schema, dict(parts))]
    grouped: dict[str, tuple[SchemaSpec, dict[str, pd.DataFrame]]] = {}
    for relative, frame in parts.items():
        declared = file_schema(port, relative)
        if declared is not None:
            grouped.setdefault(declared.name, (declared, {}))[1][relative] = frame
    return list(grouped.values())
