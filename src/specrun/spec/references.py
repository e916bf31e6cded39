"""Cross-reference checks of a built spec, each a SpecError at the referencing key.

:func:`link_ports` runs before scenarios are built (consumers must know their
producer's schema); :func:`check_references` runs on the finished model.
"""

from __future__ import annotations

from collections.abc import Iterable

from .build_steps import PortKeys
from .model import PipelineSpec, PortSpec, SpecError, StepSpec
from .placeholders import arg_placeholders, layout_fields
from .step_graph import Edge, find_edge_cycle

# Keys a consumer port inherits from its producer when it does not write them.
INHERITED_PORT_KEYS = ("format", "compression", "schema", "layout", "shards", "split", "header", "split_schemas")


def link_ports(spec: PipelineSpec, written: PortKeys) -> None:
    """Check every ``from: step.port`` and copy unwritten keys from the producer port."""
    for step in spec.steps.values():
        for port in step.inputs.values():
            if port.from_ is None:
                continue
            key = f"steps.{step.name}.inputs.{port.name}.from"
            producer_name, _, output = port.from_.partition(".")
            producer = spec.steps.get(producer_name)
            if producer is None:
                raise SpecError(f"unknown step {producer_name!r}{_known(spec.steps)}",
                                spec.where(key))
            if output not in producer.outputs:
                raise SpecError(f"step {producer_name!r} has no output {output!r}"
                                f"{_known(producer.outputs)}", spec.where(key))
            if producer is step:
                raise SpecError("a step cannot read its own output", spec.where(key))
            source = producer.outputs[output]
            keys = set(written.get((step.name, "inputs", port.name), set()))
            if keys & {"schema", "split_schemas"}:   # the consumer's own contract, of either kind
                keys |= {"schema", "split_schemas"}
            for key in INHERITED_PORT_KEYS:
                if key not in keys:
                    setattr(port, key, getattr(source, key))
            if "split" not in keys:      # split names chosen per case: the producer's rule
                port.split_rule = source.split_rule
            if "shards" not in keys:
                port.shards_template = source.shards_template


def check_references(spec: PipelineSpec) -> None:
    """Every check that needs the whole model (steps, scenarios, modes, dag)."""
    for step in spec.steps.values():
        _check_step(spec, step)
    _check_dag(spec)
    _check_modes(spec)


def _check_step(spec: PipelineSpec, step: StepSpec) -> None:
    base = f"steps.{step.name}"
    if step.retries and not step.transient:
        key = f"{base}.retries" if "retries" in _keys_under(spec, base) else "defaults.retries"
        raise SpecError(f"step {step.name!r} has retries: {step.retries} but no classification is marked "
                        "transient, so nothing would be retried (add e.g. transient: [TIMEOUT] to the step "
                        "or to defaults:)", spec.where(key))
    if step.call is not None and "args" in _keys_under(spec, base):
        raise SpecError("'call' and 'args' cannot be used together: 'call' runs "
                        "main(input_paths, output_paths, environ_vars, job_args), 'args' runs "
                        "the script as __main__", spec.where(f"{base}.call"))
    arguments = [("args", step.args)] + ([("command", step.command)] if step.command is not None else [])
    for key, index, arg in ((key, i, a) for key, values in arguments for i, a in enumerate(values)):
        where = spec.where(f"{base}.{key}.{index}")
        try:
            references = arg_placeholders(arg)
        except ValueError as error:
            raise SpecError(str(error), where) from None
        for prefix, port_name in references:
            ports = step.inputs if prefix == "inputs" else step.outputs
            if port_name not in ports:
                raise SpecError(f"{{{prefix}.{port_name}}} names no declared {prefix[:-1]} of step "
                                f"{step.name!r}{_known(ports)}", where)
    for direction, ports in (("inputs", step.inputs), ("outputs", step.outputs)):
        for port in ports.values():
            _check_port(spec, f"{base}.{direction}.{port.name}", port, direction)
    for index, prop in enumerate(step.properties):
        _check_property(spec, f"{base}.properties.{index}.{prop.kind}", step, prop.params)
        if prop.kind in ("part_rows", "class_balance", "disjoint"):
            _check_part_property(spec, f"{base}.properties.{index}.{prop.kind}", step, prop.params)


def _check_port(spec: PipelineSpec, key: str, port: PortSpec, direction: str) -> None:
    if port.layout is not None:
        try:
            fields = layout_fields(port.layout)
        except ValueError as error:
            raise SpecError(str(error), spec.where(f"{key}.layout")) from None
        if "shard" in fields and port.shards is None and port.shards_template is None:
            raise SpecError("layout uses {shard} but the port has no 'shards'",
                            spec.where(f"{key}.layout"))
        if "split" in fields and port.split is None:
            raise SpecError("layout uses {split} but the port has no 'split'",
                            spec.where(f"{key}.layout"))
        if (port.shards is not None or port.shards_template is not None) and "shard" not in fields:
            raise SpecError("'shards' needs a layout with {shard}", spec.where(f"{key}.shards"))
        if port.split is not None and "split" not in fields:
            raise SpecError("'split' needs a layout with {split}", spec.where(f"{key}.split"))
    else:
        for attribute in ("shards", "shards_template", "split"):
            if getattr(port, attribute) is not None:
                name = attribute.partition("_")[0]
                raise SpecError(f"{name!r} needs a 'layout'", spec.where(f"{key}.{name}"))
    if not port.header:
        _check_headerless(spec, key, port)
    if port.checks:
        where = spec.where(f"{key}.checks")
        if direction != "outputs":
            raise SpecError("'checks' are for outputs: they check what a step wrote", where)
        if port.tabular:
            raise SpecError(f"'checks' are for non-tabular outputs; a {port.format} output is "
                            "checked by its 'schema'", where)
        if port.format != "json" and any(c.kind == "json_schema" for c in port.checks):
            raise SpecError(f"json_schema needs a 'json' output, not {port.format!r}", where)
    if port.split_schemas is not None:
        _check_split_schemas(spec, key, port)
    has_data = any(getattr(port, attribute) is not None
                   for attribute in ("schema", "split_schemas", "fixture", "sample", "from_", "source"))
    if direction == "inputs" and port.tabular and not has_data:
        raise SpecError("tabular input needs a 'schema' (or a 'fixture', 'sample', 'from' or "
                        "'source') so that its data can be generated or found", spec.where(key))


def _check_headerless(spec: PipelineSpec, key: str, port: PortSpec) -> None:
    """``header: false`` needs a csv/tsv port whose schema declares the columns (their order)."""
    if port.format not in ("csv", "tsv"):
        raise SpecError(f"'header: false' is for csv/tsv ports, not {port.format!r}",
                        spec.where(f"{key}.header"))
    if port.schema is None or not port.schema.columns:
        raise SpecError("'header: false' needs a schema with 'columns': a headerless file's "
                        "columns are named by their declared order", spec.where(f"{key}.header"))


def _check_split_schemas(spec: PipelineSpec, key: str, port: PortSpec) -> None:
    """``split_schemas`` names a schema for every split of a ``{split}`` layout, and no other."""
    where = f"{key}.split_schemas"
    if not port.split:
        raise SpecError("'split_schemas' needs the port's 'split' names (and a layout with {split})",
                        spec.where(where))
    for split in port.split_schemas or {}:
        if split not in port.split:
            raise SpecError(f"port {port.name!r} has no split {split!r}{_known(port.split)}",
                            spec.where(f"{where}.{split}"))
    missing = [split for split in port.split if split not in (port.split_schemas or {})]
    if missing:
        raise SpecError(f"'split_schemas' names no schema for split(s) {', '.join(missing)}: "
                        "every split needs one", spec.where(where))


def _check_property(spec: PipelineSpec, key: str, step: StepSpec, params: dict) -> None:
    for param, ports, what in (("output", step.outputs, "output"),
                               ("equals", step.inputs, "input"), ("le", step.inputs, "input"),
                               ("ge", step.inputs, "input"), ("input", step.inputs, "input")):
        value = params.get(param)
        if isinstance(value, str) and value not in ports:
            raise SpecError(f"step {step.name!r} has no {what} {value!r}{_known(ports)}",
                            spec.where(f"{key}.{param}"))
        for position, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, str) and item not in ports:
                raise SpecError(f"step {step.name!r} has no {what} {item!r}{_known(ports)}",
                                spec.where(f"{key}.{param}.{position}"))
    ratio = params.get("ratio")
    if isinstance(ratio, dict) and isinstance(ratio.get("input"), str) \
            and ratio["input"] not in step.inputs:
        raise SpecError(f"step {step.name!r} has no input {ratio['input']!r}"
                        f"{_known(step.inputs)}", spec.where(f"{key}.ratio.input"))


def _check_part_property(spec: PipelineSpec, key: str, step: StepSpec, params: dict) -> None:
    """``part_rows`` / ``class_balance`` need a layout output; ``shares`` name its splits."""
    port = step.outputs[params["output"]]
    if not port.is_dir:
        raise SpecError(f"output {port.name!r} is one file; this property checks the files of an "
                        "output with a 'layout' (split or shards)", spec.where(f"{key}.output"))
    for split in params.get("shares") or {}:
        if split not in (port.split or []):
            raise SpecError(f"output {port.name!r} has no split {split!r}{_known(port.split or [])}",
                            spec.where(f"{key}.shares.{split}"))
    if key.endswith(".disjoint") and not port.split:
        raise SpecError(f"disjoint compares the splits of an output; {port.name!r} has no 'split'",
                        spec.where(f"{key}.output"))
    if "splits" in params and len(set(params["splits"])) < 2:
        raise SpecError("disjoint 'splits' needs two or more different splits to compare",
                        spec.where(f"{key}.splits"))
    for index, split in enumerate(params.get("splits") or []):
        if split not in (port.split or []):
            raise SpecError(f"output {port.name!r} has no split {split!r}{_known(port.split or [])}",
                            spec.where(f"{key}.splits.{index}"))


def _check_dag(spec: PipelineSpec) -> None:
    edges: list[Edge] = []
    for index, (source, target) in enumerate(spec.dag):
        key = f"dag.{index}"
        for ref, direction in ((source, "outputs"), (target, "inputs")):
            step_name, _, port_name = ref.partition(".")
            step = spec.steps.get(step_name)
            if step is None:
                raise SpecError(f"unknown step {step_name!r}{_known(spec.steps)}", spec.where(key))
            ports = getattr(step, direction)
            if port_name not in ports:
                raise SpecError(f"step {step_name!r} has no {direction[:-1]} {port_name!r}"
                                f"{_known(ports)}", spec.where(key))
        (producer, _, output), (consumer, _, port_name) = source.partition("."), target.partition(".")
        edges.append(Edge(producer, output, consumer, port_name, spec.where(key)))
    for step in spec.steps.values():
        for port in step.inputs.values():
            if port.from_ is not None:
                producer, _, output = port.from_.partition(".")
                where = spec.where(f"steps.{step.name}.inputs.{port.name}.from")
                edges.append(Edge(producer, output, step.name, port.name, where))
    cycle = find_edge_cycle(edges)
    if cycle is not None:
        path, closing = cycle
        raise SpecError(f"the steps form a cycle: {path}", closing.location)


def _check_modes(spec: PipelineSpec) -> None:
    isolation = spec.modes.get("isolation") or {}
    if "scenarios" not in isolation:
        return
    names = isolation["scenarios"]
    key = "modes.isolation.scenarios"
    if not isinstance(names, list):
        raise SpecError("expected a list of scenario names", spec.where(key))
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in spec.scenarios:
            raise SpecError(f"unknown scenario {name!r}{_known(spec.scenarios)}",
                            spec.where(f"{key}.{index}"))


def _keys_under(spec: PipelineSpec, prefix: str) -> set[str]:
    """Direct child keys of ``prefix`` written in the file."""
    start = prefix + "."
    return {key[len(start):].partition(".")[0] for key in spec.locations if key.startswith(start)}


def _known(names: Iterable[str]) -> str:
    known = sorted(names)
    return f" (known: {', '.join(known)})" if known else " (none declared)"
