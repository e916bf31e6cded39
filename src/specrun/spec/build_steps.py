"""``steps:`` → :class:`StepSpec` with ports and properties.

Ports keep which keys were written (:data:`PortKeys`) so that a consumer port with
``from:`` can later inherit what it left out from its producer.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from typing import Any

from .build_artifact_checks import build_checks
from .build_container import build_container
from .build_schemas import build_inline_schema
from .model import Defaults, DeterminismSpec, PortSpec, PropertySpec, SchemaSpec, SplitRule, StepSpec
from .options import LoadOptions
from .relation_expr import relation_expression
from .schema import COMMAND_EXCLUDES, PROPERTY_PARAMS
from .values import generic_data
from .yamlnodes import Node

# (step, "inputs" | "outputs", port) → keys written in the spec
PortKeys = dict[tuple[str, str, str], set[str]]


def build_steps(node: Node, schemas: dict[str, SchemaSpec],
                options: LoadOptions) -> tuple[dict[str, StepSpec], PortKeys]:
    """Every step of ``steps:``, and the keys each port wrote."""
    steps: dict[str, StepSpec] = {}
    written: PortKeys = {}
    for name, step_node in node.items():
        steps[name] = build_step(name, step_node, schemas, options, written)
    return steps, written


def apply_retry_defaults(steps: Iterable[StepSpec], defaults: Defaults) -> None:
    """Fill each step's unwritten ``retries``, ``transient`` and ``retry_delay`` from
    ``defaults:``, then from the built-in defaults (no retries, 1 s delay)."""
    for step in steps:
        if step.retries is None:
            step.retries = defaults.retries if defaults.retries is not None else 0
        if step.transient is None:
            step.transient = list(defaults.transient or [])
        if step.retry_delay is None:
            step.retry_delay = defaults.retry_delay if defaults.retry_delay is not None else 1.0


def command_argv(command: list[str], options: LoadOptions) -> list[str]:
    """A ``command:`` as it runs, from the sandbox as the working directory: the program
    written as a path (``./clean.sh``, ``bin/tool``) made absolute against the spec's
    folder (a bare name stays, for PATH); every other element that is the relative path
    of an existing file or folder next to the spec (``clean.R``) made absolute too.
    Placeholders stay for the run to fill."""
    program, *rest = command
    if os.sep in program or program.startswith("~"):
        program = str(options.resolve(os.path.expanduser(program)))
    argv = [program]
    for arg in rest:
        candidate = options.base_dir / arg
        if arg and "{" not in arg and not os.path.isabs(arg) and not arg.startswith("-") and candidate.exists():
            arg = str(options.resolve(arg))
        argv.append(arg)
    return argv


def interpreter_path(value: str, options: LoadOptions) -> str:
    """A ``python:`` value as the path of the interpreter: ``~`` and ``$VAR`` / ``${VAR}``
    (specrun's environment) expanded, then a path relative to the spec's folder, or a bare
    command name looked up on PATH (kept as written when not found: preflight says so).
    Symbolic links are kept: a virtualenv's ``bin/python`` links to its base interpreter."""
    expanded = os.path.expanduser(os.path.expandvars(value))
    if os.sep not in expanded:
        return shutil.which(expanded) or expanded
    return str(options.resolve(expanded))


def apply_resource_defaults(steps: Iterable[StepSpec], defaults: Defaults) -> None:
    """Fill each step's unwritten ``cpu``, ``max_output_size`` and ``python`` from
    ``defaults:`` (None stays: unlimited; specrun's own interpreter)."""
    for step in steps:
        if step.python is None:
            step.python = defaults.python
        if step.cpu is None:
            step.cpu = defaults.cpu
        if step.max_output_size is None:
            step.max_output_size = defaults.max_output_size


def build_step(name: str, node: Node, schemas: dict[str, SchemaSpec],
               options: LoadOptions, written: PortKeys) -> StepSpec:
    ports: dict[str, dict[str, PortSpec]] = {"inputs": {}, "outputs": {}}
    for direction in ports:
        for port_name, port_node in node[direction].items() if direction in node else []:
            ports[direction][port_name] = build_port(
                port_name, port_node, f"{name}.{direction}.{port_name}", schemas, options)
            written[(name, direction, port_name)] = {key for key, _ in port_node.items()}
    if ("script" in node) == ("command" in node):
        raise (node.error("a step has either 'script' or 'command', not both", "command") if "script" in node
               else node.error("missing required key 'script' (a Python script), or 'command' (any "
                               "executable)", "script"))
    for key in COMMAND_EXCLUDES:
        if "command" in node and key in node:
            raise node.error(f"'{key}' is about a Python script: a 'command' step cannot have it "
                             "(write the arguments in the command)", key)
    step = StepSpec(
        name=name,
        script=options.resolve(str(node["script"].data)) if "script" in node else None,
        command=command_argv([str(a) for a in node["command"].data], options) if "command" in node else None,
        base_dir=options.base_dir,
        python=interpreter_path(str(node["python"].data), options) if "python" in node else None,
        call=_optional(node, "call"),
        args=[str(arg) for arg in node["args"].data] if "args" in node else [],
        env={str(k): str(v) for k, v in node["env"].data.items()} if "env" in node else {},
        job_args=_job_args(node["job_args"]) if "job_args" in node else {},
        inputs=ports["inputs"],
        outputs=ports["outputs"],
        properties=[build_property(element, options)
                    for element in node["properties"].elements()] if "properties" in node else [],
        timeout=node["timeout"].data if "timeout" in node else None,
        memory_limit=node["memory_limit"].data if "memory_limit" in node else None,
        cpu=node["cpu"].data if "cpu" in node else None,
        max_output_size=node["max_output_size"].data if "max_output_size" in node else None,
        network=bool(node["network"].data) if "network" in node else False,
        retries=node["retries"].data if "retries" in node else None,
        transient=[str(name) for name in node["transient"].data] if "transient" in node else None,
        retry_delay=node["retry_delay"].data if "retry_delay" in node else None,
        sagemaker_step=_optional(node, "sagemaker_step"),
        deterministic=_deterministic(node["deterministic"].data) if "deterministic" in node else None,
        location=node.location,
    )
    step.container = build_container(node, step)
    return step


def _deterministic(data: Any) -> DeterminismSpec | None:
    """``true`` / ``{ignore_row_order: …}`` → checked; ``false`` → not checked."""
    if isinstance(data, bool):
        return DeterminismSpec() if data else None
    return DeterminismSpec(ignore_row_order=bool(data.get("ignore_row_order", False)))


def _optional(node: Node, key: str) -> str | None:
    return str(node[key].data) if key in node else None


def _job_args(node: Node) -> dict[str, Any]:
    """``job_args`` values typed generically: ``3`` → 3, ``fast`` → "fast", lists kept."""
    for _, value in node.items():
        if value.is_mapping():
            raise value.error("job_args values must be scalars or lists")
    return {key: generic_data(value) for key, value in node.data.items()}


def build_port(name: str, node: Node, schema_name: str, schemas: dict[str, SchemaSpec],
               options: LoadOptions) -> PortSpec:
    """One input or output port; ``schema`` may name a schema or define one inline."""
    schema = None
    schema_node = node.get("schema")
    if schema_node is not None:
        if schema_node.is_mapping():
            schema = build_inline_schema(schema_name, schema_node, schemas, options)
        else:
            reference = str(schema_node.data)
            if reference not in schemas:
                known = ", ".join(sorted(schemas)) or "none declared"
                raise schema_node.error(f"unknown schema {reference!r} (known: {known})")
            schema = schemas[reference]
    split_schemas = _split_schemas(node, schemas)
    data = node.data
    return PortSpec(
        name=name,
        format=data.get("format", "csv"),
        compression=data.get("compression"),
        schema=schema,
        layout=data.get("layout"),
        shards=data["shards"] if isinstance(data.get("shards"), int) else None,
        shards_template=data["shards"] if isinstance(data.get("shards"), str) else None,
        split=_split_names(data["split"]) if "split" in data else None,
        split_rule=_split_rule(data["split"]) if isinstance(data.get("split"), dict) else None,
        header=data.get("header", True),
        split_schemas=split_schemas,
        fixture=options.resolve(data["fixture"]) if "fixture" in data else None,
        sample=options.resolve(data["sample"]) if "sample" in data else None,
        required=data.get("required", True),
        source=_source(data["source"], options) if "source" in data else None,
        from_=data.get("from"),
        rows=data.get("rows"),
        checks=build_checks(node["checks"], options) if "checks" in node else [],
        on_invalid=data.get("on_invalid"),
        location=node.location,
    )


def _split_names(value: Any) -> list[str]:
    """The split names as written; for ``{when, then, else}`` every name either branch gives
    (what load-time checks such as ``where: {split: …}`` compare with)."""
    if isinstance(value, dict):
        return list(dict.fromkeys([*value["then"], *value["else"]]))
    return list(value)


def _split_rule(value: dict[str, Any]) -> SplitRule:
    return SplitRule(when=tuple((str(k), str(v)) for k, v in value["when"].items()),
                     then=tuple(value["then"]), otherwise=tuple(value["else"]))


def _split_schemas(node: Node, schemas: dict[str, SchemaSpec]) -> dict[str, SchemaSpec] | None:
    """``split_schemas: {split: schema name}`` resolved (which splits: checked in references.py)."""
    mapping = node.get("split_schemas")
    if mapping is None:
        return None
    if "schema" in node:
        raise mapping.error("a port has 'schema' or 'split_schemas', not both (name the shared "
                            "schema for each split)")
    resolved = {}
    for split, name_node in mapping.items():
        reference = str(name_node.data)
        if reference not in schemas:
            known = ", ".join(sorted(schemas)) or "none declared"
            raise name_node.error(f"unknown schema {reference!r} (known: {known})")
        resolved[split] = schemas[reference]
    return resolved


def _source(value: str, options: LoadOptions) -> str:
    """``s3://…`` (any URL) as written; a local snapshot folder made absolute."""
    return value if "://" in value else str(options.resolve(value))


def build_property(node: Node, options: LoadOptions) -> PropertySpec:
    """``{kind: params}``; built-in kinds are checked, plugin kinds kept as plain data.

    ``python: module:function`` becomes ``params={"function": "module:function"}`` and a
    plugin property written with a scalar becomes ``params={"value": …}``.
    """
    (kind, params_node), = node.items()
    if kind not in options.properties:
        known = ", ".join(sorted(options.properties))
        raise node.error(f"unknown property {kind!r} (known: {known})", kind)
    if kind in PROPERTY_PARAMS:
        params_node.revalidate(PROPERTY_PARAMS[kind]())
        if kind == "python":
            return PropertySpec(kind, {"function": params_node.data}, node.location)
        params = dict(params_node.data)
        if kind == "row_count" and not {"equals", "le", "ge", "ratio"} & set(params):
            raise params_node.error("row_count needs one of 'equals', 'le', 'ge' or 'ratio'")
        if kind == "part_rows" and not {"min", "max", "shares"} & set(params):
            raise params_node.error("part_rows needs one of 'min', 'max' or 'shares'")
        if kind == "relation":
            try:
                relation_expression(params["expr"])
            except ValueError as error:
                raise params_node["expr"].error(str(error)) from None
        for key in ("equals", "le", "ge", "key", "columns", "splits"):
            if isinstance(params.get(key), list):
                params[key] = list(params[key])
        if isinstance(params.get("shares"), dict):
            params["shares"] = dict(params["shares"])
        return PropertySpec(kind, params, node.location)
    raw = params_node.data
    params = generic_data(raw) if isinstance(raw, dict) else {"value": generic_data(raw)}
    return PropertySpec(kind, params, node.location)

