"""Golden data of a scenario: ``inputs:`` (fixed rows or files) and ``expect: {outputs: …}``.

Rows written in the spec are typed here by the port's schema, never coerced: a value
that does not fit its column's declared type, or a null in a column that is not
nullable, is an error at its line.  Values of a port without a schema (or with a
pandera reference), and of a column a non-strict schema does not declare, are typed
generically; a column a strict schema does not declare is an error.  A scenario with
golden data and no ``steps:`` applies to the steps that have all its golden ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import ColumnSpec, GoldenData, PortSpec, SchemaSpec, StepSpec
from .options import LoadOptions
from .values import NULL_WORDS, for_column, generic
from .yamlnodes import Node


@dataclass(frozen=True)
class _PortColumns:
    """The declared columns of a port, or None when any column may appear (no schema, pandera)."""

    columns: dict[str, ColumnSpec] | None
    where: str
    strict: bool = False

    def column(self, node: Node, name: str) -> ColumnSpec | None:
        """The declared column; None for an undeclared one a non-strict schema allows."""
        if self.columns is None:
            return None
        if name not in self.columns and self.strict:
            raise node.error(f"column {name!r} is not declared by {self.where} (a strict schema)")
        return self.columns.get(name)


def golden_ports(node: Node) -> tuple[list[str], list[str]]:
    """The input ports and output ports a scenario gives golden data for."""
    inputs = list(node["inputs"].data) if "inputs" in node else []
    expect = node.get("expect")
    outputs = list(expect["outputs"].data) if expect is not None and "outputs" in expect else []
    return inputs, outputs


def golden_steps(node: Node, steps: dict[str, StepSpec], names: list[str]) -> list[str]:
    """The steps among ``names`` that have every golden port; an error when none has."""
    inputs, outputs = golden_ports(node)
    chosen = [name for name in names
              if set(inputs) <= set(steps[name].inputs) and set(outputs) <= set(steps[name].outputs)]
    if not chosen:
        ports = [f"input {p!r}" for p in inputs] + [f"output {p!r}" for p in outputs]
        where = "steps " + ", ".join(names) if "steps" in node else "any step"
        raise node.error(f"no step has {' and '.join(ports)} ({where})")
    for key in ("examples", "negative"):
        if key in node:
            raise node[key].error(f"golden inputs and outputs do not combine with {key!r} "
                                  "(a case with fixed data runs once)")
    return chosen


def build_golden_inputs(node: Node, steps: dict[str, StepSpec], names: list[str],
                        options: LoadOptions) -> dict[str, GoldenData]:
    """``inputs: {PORT: {rows: …} | {file: …}}``."""
    found = {}
    for port, port_node in node.items():
        spec = steps[names[0]].inputs[port]
        found[port] = _golden(port, port_node, spec, _input_schema(steps, spec), options)
    return found


def build_golden_outputs(node: Node, steps: dict[str, StepSpec], names: list[str],
                         options: LoadOptions) -> dict[str, GoldenData]:
    """``expect: {outputs: {PORT: {rows | file | snapshot, ignore_order, key, tolerance, columns}}}``."""
    found = {}
    for port, port_node in node.items():
        spec = steps[names[0]].outputs[port]
        golden = _golden(port, port_node, spec, spec.schema, options)
        data = port_node.data
        golden.ignore_order = bool(data.get("ignore_order", False))
        golden.tolerance = float(data.get("tolerance", 0.0))
        key = data.get("key")
        golden.key = [key] if isinstance(key, str) else list(key or [])
        golden.columns = list(data["columns"]) if "columns" in data else None
        columns = _PortColumns(_declared(spec.schema), f"output {port!r}", strict=_strict(spec.schema))
        for name in golden.key + (golden.columns or []):
            columns.column(port_node, name)
        if golden.columns is not None and not set(golden.key) <= set(golden.columns):
            raise port_node.error("every 'key' column must be among 'columns'", "key")
        if golden.snapshot is not None and spec.is_dir:
            raise port_node.error("a snapshot of a layout (directory) output is not supported", "snapshot")
        found[port] = golden
    return found


def _golden(port: str, node: Node, spec: PortSpec, schema: SchemaSpec | None,
            options: LoadOptions) -> GoldenData:
    data = node.data
    golden = GoldenData(port=port, location=node.location)
    if "rows" in node:
        if not spec.tabular:
            raise node.error(f"'rows' needs a tabular port; {port!r} is {spec.format} (use 'file')", "rows")
        golden.rows = _rows(node["rows"], _PortColumns(_declared(schema), f"the schema of port {port!r}",
                                                       strict=_strict(schema)))
    if "file" in node:
        golden.file = options.resolve(str(data["file"]))
        if not golden.file.exists():
            raise node["file"].error(f"file not found: {golden.file}")
    if "snapshot" in node:
        golden.snapshot = str(data["snapshot"])
    return golden


def _rows(node: Node, columns: _PortColumns) -> list[dict[str, Any]]:
    rows = []
    first: list[str] | None = None
    for row_node in node.elements():
        names = [name for name, _ in row_node.items()]
        if first is None:
            first = names
        elif set(names) != set(first):
            raise row_node.error(f"every row needs the same columns: this one has {', '.join(names)}, "
                                 f"the first has {', '.join(first)}")
        rows.append({name: _cell(cell, columns.column(cell, name)) for name, cell in row_node.items()})
    return rows


def _cell(node: Node, column: ColumnSpec | None) -> Any:
    """One value typed for its column; ``null`` or ``~`` is a null, allowed if the column is nullable."""
    if node.is_mapping() or node.is_sequence():
        raise node.error("expected a single value")
    text = str(node.data)
    if text.strip() in NULL_WORDS:
        if column is not None and not column.nullable:
            raise node.error(f"null in column {column.name!r}, which is not nullable")
        return None
    if column is None:
        return generic(text)
    try:
        return for_column(text, column.type)
    except ValueError as error:
        raise node.error(str(error)) from None


def _declared(schema: SchemaSpec | None) -> dict[str, ColumnSpec] | None:
    if schema is None or schema.pandera is not None:
        return None
    return dict(schema.columns)


def _strict(schema: SchemaSpec | None) -> bool:
    return schema is not None and schema.strict


def _input_schema(steps: dict[str, StepSpec], port: PortSpec) -> SchemaSpec | None:
    """The port's schema, else (``from:``) the producer's output schema."""
    if port.schema is not None or not port.from_:
        return port.schema
    producer, _, output = port.from_.partition(".")
    step = steps.get(producer)
    return step.outputs[output].schema if step is not None and output in step.outputs else None
