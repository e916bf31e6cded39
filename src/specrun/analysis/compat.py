"""Static compatibility of a producer's output contract with its consumer's input contract.

No data is read and nothing runs: each DAG edge (``producer.output -> consumer.input``)
compares the two declared ports and returns :class:`Finding` records that name both
ends and say which side's contract is the problem.

Findings fall in three classes, and ``validation: strict | lenient`` decides severity:

* **structural** — always an ``error``: a required column the producer does not
  declare; a dtype that does not widen; a ``category`` set that is not a subset (a
  category's set is part of its dtype); a declared producer column sent into a
  ``strict: true`` consumer schema; file format, compression or layout mismatches
  (shards vs splits, missing split names).
* **value** — an ``error`` in strict, a ``warning`` in lenient: ranges that do not fit
  (or that the producer does not bound), ``isin`` sets of non-category columns, a
  consumer's value or category set the producer does not state at all,
  nullability, uniqueness, row bounds, a producer column that may be absent, a pattern
  the producer does not state, differing layouts of the same kind or shard counts.
  Lenient trusts the runtime validation of the real data for these.
* **unknown** — always a ``warning``: one side has no schema, a plugin column type
  that cannot be compared, two different regex patterns, values that do not compare.

Dtype widening (producer → consumer) is the column types' own knowledge
(:meth:`~specrun.contract.types.ColumnType.widens_to`): for the built-ins, the same
type; ``int → float``; ``category → str``; ``str → category`` (its values are then
checked as categories).  ``bool → int``/``float`` is *not* a widening: pandas keeps a
distinct bool dtype and a pandera ``int`` column rejects it, so it is reported as an
incompatible dtype.  Ranges are compared for ordered types, and a consumer's value
set is structural for categorical types.

An input written as ``from: step.output`` inherits whatever it does not declare
(format, compression, layout, shards, split, schema) from the producer's output, so
only what the consumer states is checked.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal, cast

from ..contract.types import ColumnType, ColumnTypeBase, TypeRegistry
from ..spec.model import (
    ColumnSpec,
    Location,
    PipelineSpec,
    PortSpec,
    SchemaSpec,
    SpecError,
)
from ..spec.placeholders import layout_fields

# Re-exported: the edge record lives with the one step-graph builder (spec/step_graph.py).
from ..spec.step_graph import Edge as Edge

Severity = Literal["error", "warning"]
_STRUCTURAL, _VALUE, _UNKNOWN = "structural", "value", "unknown"
_TEXT_FORMATS = frozenset({"csv", "tsv", "jsonl", "json", "text"})
_INHERITED = {"format": "csv", "compression": None, "layout": None, "shards": None, "split": None}


@dataclass
class Finding:
    """One static incompatibility between the two ends of an edge."""

    severity: Severity
    edge: str                    # "producer.output -> consumer.input"
    producer: str                # "step.output"
    consumer: str                # "step.input"
    column: str | None
    kind: str                    # missing_column, dtype, categories, range, nullable, format …
    message: str
    side: str                    # whose contract is the problem: producer | consumer | both
    location: Location | None = None


class _Unregistered(ColumnTypeBase):
    """A type name the registry does not know: the defaults, so it compares with nothing."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Collector:
    """Gathers findings for one edge, turning a finding class into a severity."""

    def __init__(self, producer: str, consumer: str, strict: bool, location: Location | None,
                 types: TypeRegistry) -> None:
        self.producer, self.consumer, self.strict, self.location = producer, consumer, strict, location
        self.types = types
        self.findings: list[Finding] = []

    def type_of(self, column: ColumnSpec) -> ColumnType:
        if column.type in self.types:
            return self.types.get(column.type)
        return cast(ColumnType, _Unregistered(column.type))

    def add(self, cls: str, kind: str, side: str, message: str, column: str | None = None) -> None:
        severity: Severity = "error" if cls == _STRUCTURAL or (cls == _VALUE and self.strict) else "warning"
        where = f"column {column!r}: " if column else ""
        owner = {"producer": f"the producer's contract ({self.producer})",
                 "consumer": f"the consumer's contract ({self.consumer})",
                 "both": "the two contracts disagree"}[side]
        text = f"{self.producer} -> {self.consumer}: {where}{message} [{owner}]"
        self.findings.append(Finding(severity, f"{self.producer} -> {self.consumer}", self.producer,
                                     self.consumer, column, kind, text, side, self.location))


# -- formats ------------------------------------------------------------------

def format_conflict(producer: PortSpec, consumer: PortSpec) -> str | None:
    """Why the consumer cannot read the producer's file at all, or None.

    A consumer of ``format: file`` accepts anything; ``text`` accepts any text format.
    """
    if consumer.format == "file":
        return None
    if producer.format != consumer.format and not (consumer.format == "text" and producer.format in _TEXT_FORMATS):
        return f"{producer.format} output read as {consumer.format} input"
    if producer.is_dir and not consumer.is_dir:
        return f"a directory (layout {producer.layout!r}) read as a single file"
    if consumer.is_dir and not producer.is_dir and producer.format != "file":
        return f"a single file read as a directory (layout {consumer.layout!r})"
    return None


def _check_files(producer: PortSpec, consumer: PortSpec, out: _Collector) -> None:
    conflict = format_conflict(producer, consumer)
    if conflict:
        out.add(_STRUCTURAL, "format", "both", conflict)
        return
    if consumer.format == "file":
        return
    if (producer.compression or None) != (consumer.compression or None):
        out.add(_STRUCTURAL, "compression", "both",
                f"compression {producer.compression or 'none'} written, {consumer.compression or 'none'} expected")
    if producer.header != consumer.header and consumer.format in ("csv", "tsv"):
        written, expected = ("row" if port.header else "none" for port in (producer, consumer))
        out.add(_STRUCTURAL, "header", "both", f"header {written} written, {expected} expected")
    if not (producer.is_dir and consumer.is_dir):
        return
    made, read = layout_fields(producer.layout or ""), layout_fields(consumer.layout or "")
    if made != read:
        out.add(_STRUCTURAL, "layout", "both", f"layout {producer.layout!r} ({', '.join(sorted(made)) or 'no fields'})"
                f" read as {consumer.layout!r} ({', '.join(sorted(read)) or 'no fields'})")
        return
    if producer.layout != consumer.layout:
        out.add(_VALUE, "layout", "both", f"file names differ: {producer.layout!r} written, {consumer.layout!r} read")
    if "split" in read and consumer.split:
        missing = [s for s in consumer.split if s not in (producer.split or [])]
        if missing:
            out.add(_STRUCTURAL, "split", "producer", f"splits {missing} are read but not written "
                    f"(written: {producer.split or []})")
    if "shard" in read and consumer.shards is not None and producer.shards != consumer.shards:
        out.add(_VALUE, "shards", "both", f"{producer.shards} shards written, {consumer.shards} expected")


# -- columns --------------------------------------------------------------------

def _check_bound(made: ColumnSpec, want: ColumnSpec, out: _Collector, bound: str) -> None:
    limit = getattr(want, bound)
    if limit is None:
        return
    name = want.name
    worse = (lambda a, b: a < b) if bound == "min" else (lambda a, b: a > b)
    made_type, want_type = out.type_of(made), out.type_of(want)
    try:
        wanted = want_type.comparable(want, limit)
        if made.isin:   # a closed set of values bounds the column by itself
            bad = [v for v in made.isin if v is not None and worse(made_type.comparable(made, v), wanted)]
            if bad:
                out.add(_VALUE, "range", "producer", f"allowed values {bad} break consumer {bound} {limit}", name)
            return
        have = getattr(made, bound)
        if have is None:
            out.add(_VALUE, "range", "producer", f"consumer needs {bound} {limit}; producer states no {bound}", name)
        elif have != limit and worse(made_type.comparable(made, have), wanted):
            out.add(_VALUE, "range", "producer", f"producer {bound} {have} does not fit consumer {bound} {limit}", name)
    except (TypeError, ValueError) as exc:
        out.add(_UNKNOWN, "range", "both", f"cannot compare {bound} values ({exc})", name)


def _check_values(made: ColumnSpec, want: ColumnSpec, out: _Collector) -> None:
    name = want.name
    made_type, want_type = out.type_of(made), out.type_of(want)
    if want.isin is not None:
        cls, kind = (_STRUCTURAL, "categories") if want_type.categorical else (_VALUE, "isin")
        if made.isin is None:
            out.add(_VALUE, kind, "producer", f"consumer accepts only {sorted(map(str, want.isin))}; "
                    "producer states no value set", name)
        else:
            extra = [v for v in made.isin if v not in want.isin]
            if extra:
                out.add(cls, kind, "producer", f"producer values {extra} are not in the consumer's set "
                        f"{list(want.isin)}", name)
    if made_type.ordered or want_type.ordered:
        _check_bound(made, want, out, "min")
        _check_bound(made, want, out, "max")
    if want.pattern and made.pattern != want.pattern:
        if made.isin is not None and all(isinstance(v, str) and re.match(want.pattern, v) for v in made.isin):
            pass
        elif made.pattern is None:
            out.add(_VALUE, "pattern", "producer", f"consumer requires pattern {want.pattern!r}; "
                    "producer states none", name)
        else:
            out.add(_UNKNOWN, "pattern", "both", f"cannot verify pattern {made.pattern!r} against "
                    f"{want.pattern!r}", name)
    if made.nullable and not want.nullable:
        out.add(_VALUE, "nullable", "producer", "producer may write nulls; consumer forbids them", name)
    if want.unique and not made.unique:
        out.add(_VALUE, "unique", "producer", "consumer requires unique values; producer does not guarantee them", name)


def _check_column(made: ColumnSpec, want: ColumnSpec, out: _Collector) -> None:
    name = want.name
    if want.required and not made.required:
        out.add(_VALUE, "optional_column", "producer", "consumer requires it; producer may omit it", name)
    if made.type != want.type:
        made_type, want_type = out.type_of(made), out.type_of(want)
        widens = made_type.widens_to(want_type)
        if widens is None:
            widens = want_type.widens_from(made_type)
        shown = made_type.describe(made), want_type.describe(want)
        if widens is None:
            out.add(_UNKNOWN, "dtype", "both", "cannot compare types {} and {}".format(*shown), name)
            return
        if not widens:
            out.add(_STRUCTURAL, "dtype", "both", "producer writes {}, consumer expects {}".format(*shown), name)
            return
    _check_values(made, want, out)


def _check_schemas(made: SchemaSpec, want: SchemaSpec, out: _Collector) -> None:
    for name, column in want.columns.items():
        produced = made.columns.get(name)
        if produced is None:
            if column.required:
                out.add(_STRUCTURAL, "missing_column", "producer",
                        f"consumer requires it ({out.type_of(column).describe(column)}); "
                        "producer does not declare it", name)
            continue
        _check_column(produced, column, out)
    if want.strict:
        for name, column in made.columns.items():
            if name not in want.columns:
                out.add(_STRUCTURAL if column.required else _VALUE, "extra_column", "consumer",
                        "producer writes it; the consumer's strict schema rejects undeclared columns", name)
    for bound, worse in (("rows_min", lambda a, b: a < b), ("rows_max", lambda a, b: a > b)):
        limit, have = getattr(want, bound), getattr(made, bound)
        if limit is not None and (have is None or worse(have, limit)):
            said = f"producer {bound} {have}" if have is not None else f"producer states no {bound}"
            out.add(_VALUE, "rows", "producer", f"consumer needs {bound} {limit}; {said}")


# -- public API -------------------------------------------------------------------

def check_edge(producer_port: PortSpec, consumer_port: PortSpec, strict: bool,
               *, edge: Edge | None = None, types: TypeRegistry | None = None) -> list[Finding]:
    """Findings for one edge: formats and layouts, then the two schemas column by column.

    ``edge`` names both ends in the findings (otherwise the port names are used);
    ``types`` are the session's column types (default: the built-ins).
    """
    producer = edge.source if edge else producer_port.name
    consumer = edge.target if edge else consumer_port.name
    out = _Collector(producer, consumer, strict, edge.location if edge else consumer_port.location,
                     types if types is not None else TypeRegistry.builtin())
    _check_files(producer_port, consumer_port, out)
    if not (producer_port.tabular and consumer_port.tabular):
        return out.findings
    if consumer_port.schema is None and consumer_port.from_ is not None:
        return out.findings        # the producer's schema is used at run time
    if producer_port.schema is None or consumer_port.schema is None:
        side = "producer" if producer_port.schema is None else "consumer"
        out.add(_UNKNOWN, "no_schema", side, f"cannot check: the {side} port declares no schema")
        return out.findings
    _check_schemas(producer_port.schema, consumer_port.schema, out)
    return out.findings


def key_location(spec: PipelineSpec, key: str, fallback: Location | None) -> Location:
    """Location of a dotted key: exact if the loader recorded it, else ``fallback``'s line."""
    if key in spec.locations or fallback is None:
        return spec.where(key)
    return Location(fallback.file, fallback.line, key)


def _split_ref(ref: str, where: Location, what: str) -> tuple[str, str]:
    step, dot, port = ref.strip().partition(".")
    if not dot or not step or not port:
        raise SpecError(f"{what} {ref!r} must be STEP.PORT", where)
    return step, port


def _resolve_port(spec: PipelineSpec, ref: str, direction: str, where: Location) -> tuple[str, str]:
    step, port = _split_ref(ref, where, "output" if direction == "outputs" else "input")
    if step not in spec.steps:
        raise SpecError(f"{ref!r} names unknown step {step!r} (steps: {', '.join(sorted(spec.steps))})", where)
    ports: dict[str, PortSpec] = getattr(spec.steps[step], direction)
    if port not in ports:
        known = ", ".join(sorted(ports)) or "none"
        raise SpecError(f"{ref!r}: step {step!r} has no {direction[:-1]} {port!r} ({direction}: {known})", where)
    return step, port


def resolve_edges(spec: PipelineSpec) -> list[Edge]:
    """Every edge of the spec, from ``inputs.X.from`` and the ``dag:`` list, deduplicated.

    A dangling reference or an input fed by two different outputs is a :class:`SpecError`
    at the consuming key.
    """
    found: dict[tuple[str, str], Edge] = {}

    def add(edge: Edge) -> None:
        known = found.get((edge.consumer, edge.input))
        if known is not None and known.source != edge.source:
            raise SpecError(f"input {edge.target!r} is fed by both {known.source!r} and {edge.source!r}",
                            edge.location)
        found.setdefault((edge.consumer, edge.input), edge)

    for step_name, step in spec.steps.items():
        for port_name, port in step.inputs.items():
            if port.from_ is not None:
                where = key_location(spec, f"steps.{step_name}.inputs.{port_name}.from", port.location)
                producer, output = _resolve_port(spec, port.from_, "outputs", where)
                add(Edge(producer, output, step_name, port_name, where))
    for index, (source, target) in enumerate(spec.dag):
        where = spec.where(f"dag.{index}")
        producer, output = _resolve_port(spec, source, "outputs", where)
        consumer, port_name = _resolve_port(spec, target, "inputs", where)
        add(Edge(producer, output, consumer, port_name, where))
    return list(found.values())


def effective_consumer_port(spec: PipelineSpec, edge: Edge) -> PortSpec:
    """The consumer's input as it will be read: a ``from:`` input inherits what it omits."""
    producer = spec.steps[edge.producer].outputs[edge.output]
    consumer = spec.steps[edge.consumer].inputs[edge.input]
    if consumer.from_ is None:
        return consumer
    prefix = f"steps.{edge.consumer}.inputs.{edge.input}."
    inherited = {attr: getattr(producer, attr) for attr, default in _INHERITED.items()
                 if getattr(consumer, attr) == default and prefix + attr not in spec.locations}
    if "split" in inherited:
        inherited["split_rule"] = producer.split_rule
    return dataclasses.replace(consumer, **inherited)


def check_pipeline(spec: PipelineSpec, strict: bool, types: TypeRegistry | None = None) -> list[Finding]:
    """Static findings over every edge of the spec (dangling references raise SpecError)."""
    findings: list[Finding] = []
    registry = types if types is not None else TypeRegistry.builtin()
    for edge in resolve_edges(spec):
        producer = spec.steps[edge.producer].outputs[edge.output]
        findings.extend(check_edge(producer, effective_consumer_port(spec, edge), strict, edge=edge,
                                   types=registry))
    return findings
