"""``scenarios:`` → :class:`ScenarioSpec`, with the built-in scenarios injected.

A user scenario named like a built-in one replaces only the keys it sets.  Column
overrides, ``set:`` values and ``parametrize`` lists are typed by the type of the
column in the input schemas of the steps the scenario applies to, and naming a
column, port or step those steps do not have is an error.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import units
from .build_golden import build_golden_inputs, build_golden_outputs, golden_ports, golden_steps
from .build_schemas import typed_isin, typed_scalar
from .model import ExpectSpec, MutationSpec, PartWhere, PortSpec, ScenarioSpec, StepSpec, WarningExpect
from .options import LoadOptions
from .placeholders import layout_fields
from .schema import (
    EXPECT_LOG_KEYS,
    EXPECT_WARN_KEYS,
    MUTATION_DEFAULTS,
    MUTATION_PARAMS,
    WARNING_PATTERN,
    where_validator,
)
from .values import as_bool, generic, generic_data
from .yamlnodes import Node

BUILTIN_SCENARIOS: dict[str, dict[str, Any]] = {
    "standard": {"rows": 1000},
    "edge_cases": {"rows": 10, "mutate": {"*": [MutationSpec("boundary", {})]}, "edges": True},
    "performance": {"rows": 100000},
    "negative": {"rows": 20, "negative": True},
}
_COUNT_PARAMS = ("rows", "seed", "examples", "max_rows")
_OVERRIDE_BOOLS = ("nullable", "unique", "required")
_COLUMN_LISTS = ("nulls", "boundary", "extreme", "duplicates", "wrong_dtype")
PARAMETRIZE_KEYS = "rows, seed, timeout, memory_limit, examples, max_rows, env.NAME, " \
                   "job_args.NAME or columns.COLUMN.(min|max|isin|pattern|nullable|unique|required)"


@dataclass
class ColumnScope:
    """Columns (name → type) that some input schemas declare; ``open`` if one is a
    pandera reference whose columns are only known later."""

    types: dict[str, str] = field(default_factory=dict)
    open: bool = False
    where: str = ""

    def type_of(self, node: Node, column: str) -> str | None:
        """The column's type, None if unknown but allowed, an error if undeclared."""
        if column in self.types:
            return self.types[column]
        if self.open:
            return None
        raise node.error(f"column {column!r} is not declared by {self.where}")


def affected_steps(node: Node, steps: dict[str, StepSpec]) -> list[str]:
    """Steps a scenario applies to: its ``steps:``, else steps with a mutated input or a
    replaced fixture (``step.port`` keys: that step only), else all."""
    if "steps" in node:
        for element in node["steps"].elements():
            if element.data not in steps:
                raise element.error(f"unknown step {element.data!r}{_known(steps)}")
        return list(node["steps"].data)
    mutated = list(node["mutate"].data) if "mutate" in node else []
    keys = [key for key in mutated + (list(node["fixtures"].data) if "fixtures" in node else [])
            if key != "*"]
    if keys and "*" not in mutated:
        return [name for name, step in steps.items() if any(_names_port(key, name, step) for key in keys)]
    return list(steps)


def _names_port(key: str, name: str, step: StepSpec) -> bool:
    owner, _, port = key.rpartition(".")
    return (not owner or owner == name) and port in step.inputs


def port_key(key: str, node: Node, steps: dict[str, StepSpec], names: list[str]) -> list[tuple[str, str]]:
    """The (step, input) pairs a ``mutate:`` / ``fixtures:`` key names: ``PORT`` (that input
    of every step the scenario applies to) or ``STEP.PORT``; an unknown step or port is an error."""
    owner, _, port = key.rpartition(".")
    if owner:
        if owner not in steps:
            raise node.error(f"{key!r}: unknown step {owner!r}{_known(steps)}")
        if port not in steps[owner].inputs:
            raise node.error(f"{key!r}: step {owner!r} has no input {port!r}{_known(steps[owner].inputs)}")
        if owner not in names:
            raise node.error(f"{key!r}: step {owner!r} is not among the scenario's steps ({', '.join(names)})")
        return [(owner, port)]
    found = [(name, port) for name in names if port in steps[name].inputs]
    if not found:
        where = "steps " + ", ".join(names) if names else "any step"
        raise node.error(f"no input port {port!r} in {where}")
    return found


def column_scope(steps: dict[str, StepSpec], names: list[str], port: str | None) -> ColumnScope:
    """Columns of the tabular inputs (only ``port``, if given) of the named steps."""
    scope = ColumnScope(where=(f"input {port!r} of steps " if port else "the inputs of steps ")
                        + ", ".join(names))
    for name in names:
        for port_name, spec in steps[name].inputs.items():
            if (port is None or port_name == port) and spec.schema is not None:
                scope.open = scope.open or spec.schema.pandera is not None
                for column_name, column in spec.schema.columns.items():
                    scope.types.setdefault(column_name, column.type)
    return scope


def build_scenarios(node: Node | None, steps: dict[str, StepSpec],
                    options: LoadOptions) -> dict[str, ScenarioSpec]:
    """Built-in scenarios first (overridden in place), then the user's in file order."""
    written = dict(node.items()) if node is not None else {}
    scenarios: dict[str, ScenarioSpec] = {}
    for name, fields in BUILTIN_SCENARIOS.items():
        if name not in written:
            scenarios[name] = ScenarioSpec(name=name, builtin=True, **_copy(fields))
    for name, scenario_node in written.items():
        base = _copy(BUILTIN_SCENARIOS.get(name, {}))
        fields = {**base, **scenario_fields(scenario_node, steps, options)}
        golden = bool(fields.get("inputs")) or ("expect" in fields and bool(fields["expect"].outputs))
        if golden and (fields.get("negative") or fields.get("edges")):
            raise scenario_node.error(f"the built-in scenario {name!r} plans its own cases; give golden "
                                      "inputs and outputs a scenario of another name")
        scenarios[name] = ScenarioSpec(name=name, builtin=False, location=scenario_node.location,
                                       **fields)
    order = [n for n in BUILTIN_SCENARIOS] + [n for n in written if n not in BUILTIN_SCENARIOS]
    return {name: scenarios[name] for name in order}


def _copy(fields: dict[str, Any]) -> dict[str, Any]:
    copied = dict(fields)
    if "mutate" in copied:
        copied["mutate"] = {port: [dataclasses.replace(m) for m in items]
                            for port, items in copied["mutate"].items()}
    return copied


def scenario_fields(node: Node, steps: dict[str, StepSpec], options: LoadOptions) -> dict[str, Any]:
    """The ScenarioSpec fields a user scenario sets."""
    names = affected_steps(node, steps)
    inputs, outputs = golden_ports(node)
    if inputs or outputs:
        names = golden_steps(node, steps, names)
    data = node.data
    fields: dict[str, Any] = {key: data[key] for key in
                              ("rows", "seed", "timeout", "memory_limit", "examples", "max_rows")
                              if key in data}
    if "negative" in data:
        fields["negative"] = _negative(node)
    if "steps" in data or inputs or outputs:
        fields["steps"] = list(data["steps"]) if "steps" in data and not (inputs or outputs) else names
    if inputs:
        fields["inputs"] = build_golden_inputs(node["inputs"], steps, names, options)
    if "columns" in node:
        scope = column_scope(steps, names, None)
        fields["columns"] = {column: _override(column_node, scope.type_of(column_node, column))
                             for column, column_node in node["columns"].items()}
    if "mutate" in node:
        fields["mutate"] = {port: _mutations(port, port_node, steps, names, options)
                            for port, port_node in node["mutate"].items()}
    if "fixtures" in node:
        fields["fixtures"] = _fixtures(node["fixtures"], steps, names, options)
    if any(m.on_files for items in fields.get("mutate", {}).values() for m in items) and "expect" not in node:
        # a removed, truncated, stray or reshaped file breaks the port's layout: the script must refuse it
        fields["expect"] = ExpectSpec(outcome="fail", location=node["mutate"].location)
    if "expect" in node:
        fields["expect"] = build_expect(node["expect"])
        if outputs:
            fields["expect"].outputs = build_golden_outputs(node["expect"]["outputs"], steps, names, options)
    if "parametrize" in node:
        fields["parametrize"] = {key: _parameter(key, values, steps, names)
                                 for key, values in node["parametrize"].items()}
    return fields


def _negative(node: Node) -> bool | float:
    """``negative:``: true / false, or a share of the examples of a property scenario."""
    value = node.data["negative"]
    if not isinstance(value, bool) and "examples" not in node.data:
        raise node["negative"].error(
            f"negative: {value} (a share of examples drawn off-contract) needs examples: "
            "(a property scenario); use negative: true for one case per constraint")
    return bool(value) if isinstance(value, bool) else float(value)


def _override(node: Node, column_type: str | None) -> dict[str, Any]:
    """A column override typed for the column (generic typing if its type is not known)."""
    result: dict[str, Any] = {}
    for key, child in node.items():
        result[key] = _override_value(key, child, column_type)
    return result


def _override_value(key: str, node: Node, column_type: str | None) -> Any:
    if key in _OVERRIDE_BOOLS:
        value = node.data
        if isinstance(value, bool):
            return value
        parsed = as_bool(str(value)) if isinstance(value, str) else None
        if parsed is None:
            raise node.error(f"expected true or false, found {value!r}")
        return parsed
    if key == "pattern":
        return str(node.data)
    if key == "isin":
        return typed_isin(node, column_type) if column_type else generic_data(node.data)
    if column_type == "bool":
        raise node.error("min/max do not apply to bool columns")
    return typed_scalar(node, column_type) if column_type else generic(str(node.data))


def _mutations(port: str, node: Node, steps: dict[str, StepSpec], names: list[str],
               options: LoadOptions) -> list[MutationSpec]:
    targets = port_key(port, node, steps, names) if port != "*" else []
    owners = [step for step, _ in targets] if "." in port else names
    scope = column_scope(steps, owners, None if port == "*" else port.rpartition(".")[2])
    mutations = [build_mutation(element, scope, options) for element in node.elements()]
    for mutation, element in zip(mutations, node.elements(), strict=True):
        if mutation.targeted:
            _check_where(mutation, element, port, [steps[s].inputs[p] for s, p in targets])
    return mutations


def _check_where(mutation: MutationSpec, node: Node, key: str, ports: list[PortSpec]) -> None:
    """A ``where:`` or a file mutation names a port, and its splits and shards are the port's."""
    if key == "*":
        raise node.error(f"mutation {mutation.op!r}{' with where' if mutation.where else ''} changes "
                         "some files of a port: name the port (PORT or STEP.PORT), not '*'")
    where = mutation.where
    for port in ports:
        fields = layout_fields(port.layout or "")
        if mutation.op in ("extra_file", "shard_columns") and port.layout is None:
            raise node.error(f"mutation {mutation.op!r} changes the files of a layout folder; input "
                             f"{port.name!r} is one file")
        if mutation.op == "shard_columns" and "rename" in mutation.params and not port.header:
            raise node.error(f"shard_columns rename leaves a header: false file of input {port.name!r} "
                             "as it was (it has no names); drop a column instead")
        if where is None:
            continue
        if where.split is not None:
            if "split" not in fields:
                raise node.error(f"where: split: input {port.name!r} has no {{split}} in its layout "
                                 f"({port.layout or 'a single file'})", "where")
            declared = port.split or []
            if not any("{" in name for name in declared):   # names following job_args are checked per case
                unknown = [s for s in where.split if s not in declared]
                if unknown:
                    raise node.error(f"where: split {', '.join(map(repr, unknown))} is not a split of input "
                                     f"{port.name!r} (splits: {', '.join(declared)})", "where")
        if where.shard is not None:
            if "shard" not in fields:
                raise node.error(f"where: shard: input {port.name!r} has no {{shard}} in its layout "
                                 f"({port.layout or 'a single file'})", "where")
            count = port.shards if isinstance(port.shards, int) else None
            wrong = [n for n in where.shard if count is not None and n >= count]
            if wrong:
                raise node.error(f"where: shard {', '.join(map(str, wrong))} is out of range: input "
                                 f"{port.name!r} has {count} shard(s), numbered from 0", "where")


def build_mutation(node: Node, scope: ColumnScope, options: LoadOptions) -> MutationSpec:
    """``- op`` or ``- {op: params[, where: …]}``; built-in ops' parameters and columns are checked."""
    where = None
    if node.is_mapping():
        entries = [(key, child) for key, child in node.items() if key != "where"]
        if len(entries) != 1:
            raise node.error("a mutation is one {op: parameters} mapping, optionally with 'where:' beside it")
        (op, params_node), = entries
        if "where" in node:
            where = _where(node["where"])
    else:
        op, params_node = str(node.data), None
    if op not in options.mutators:
        known = ", ".join(sorted(options.mutators))
        raise node.error(f"unknown mutation {op!r} (known: {known})",
                         op if params_node is not None else None)
    if params_node is None:
        default = MUTATION_DEFAULTS.get(op, {})
        if default is None:
            raise node.error(f"mutation {op!r} needs parameters, e.g. {{{op}: …}}")
        return MutationSpec(op, copy.deepcopy(default), node.location, where)
    if op not in MUTATION_PARAMS:
        return MutationSpec(op, generic_data(params_node.data), node.location, where)
    params_node.revalidate(MUTATION_PARAMS[op]())
    params = params_node.data
    if op in _COLUMN_LISTS and isinstance(params, dict):
        params = dict(params)
        for column_node in params_node["columns"].elements() if "columns" in params_node else []:
            scope.type_of(column_node, str(column_node.data))
        if "rate" in params and not 0.0 <= params["rate"] <= 1.0:
            raise params_node.error(f"rate must be between 0 and 1, found {params['rate']}",
                                    "rate")
    elif op == "drop_columns":
        params = list(params)
        for column_node in params_node.elements():
            scope.type_of(column_node, str(column_node.data))
    elif op == "set":
        params = {column: _set_value(value_node, scope.type_of(value_node, column))
                  for column, value_node in params_node.items()}
    elif op == "truncate_file":
        params = dict(params) or {"fraction": 0.5}
        if not 0.0 <= float(params.get("fraction", 0.0)) <= 1.0:
            raise params_node.error(f"fraction must be between 0 and 1, found {params['fraction']}", "fraction")
    elif op == "shard_columns":
        params = {key: (dict(value) if isinstance(value, dict) else value) for key, value in params.items()}
        if len(params) != 1 or (isinstance(params.get("rename"), dict) and len(params["rename"]) != 1):
            raise params_node.error("shard_columns takes one of {drop: COLUMN} or {rename: {COLUMN: NEW}}")
        column = params.get("drop") or next(iter(params.get("rename") or {}), "")
        scope.type_of(params_node, str(column))
    elif op == "extra_file":
        params = dict(params)
    elif op == "remove_file" and params is not True:
        raise params_node.error("remove_file takes no parameters (write '- remove_file' or "
                                "'- {remove_file: true, where: …}')")
    return MutationSpec(op, params, node.location, where)


def _where(node: Node) -> PartWhere:
    """``where: {split: NAME | [NAMES], shard: N | [N…]}``."""
    revalidated = node.revalidate(where_validator())
    data = revalidated.data

    def listed(value: Any) -> list[Any]:
        return list(value) if isinstance(value, list) else [value]
    split = tuple(str(v) for v in listed(data["split"])) if "split" in data else None
    shard = tuple(int(v) for v in listed(data["shard"])) if "shard" in data else None
    return PartWhere(split=split, shard=shard)


def _fixtures(node: Node, steps: dict[str, StepSpec], names: list[str],
              options: LoadOptions) -> dict[str, Path]:
    """``fixtures: {PORT | STEP.PORT: path}``: an existing file or folder for each named input."""
    found: dict[str, Path] = {}
    for key, path_node in node.items():
        port_key(key, path_node, steps, names)
        path = options.resolve(str(path_node.data))
        if not path.exists():
            raise path_node.error(f"fixture not found: {path}")
        found[key] = path
    return found


def _set_value(node: Node, column_type: str | None) -> Any:
    """``set:`` values stay strings in str/category columns, else are typed generically
    (a value of another type is allowed: it is how a wrong value is injected)."""
    if column_type in ("str", "category"):
        return str(node.data)
    return generic(str(node.data))


def build_expect(node: Node) -> ExpectSpec:
    """``{pass: true}`` or ``{fail: true, error: REGEX, exit_code: N, classification: NAME}``,
    either with the log keys (``stdout``, ``stderr``, ``warns`` and their ``no_`` forms)."""
    data = node.data
    passes, fails = data.get("pass") is True, data.get("fail") is True
    if passes and fails:
        raise node.error("expect either 'pass: true' or 'fail: true', not both")
    if not passes and not fails:
        raise node.error("expect needs 'pass: true' or 'fail: true'")
    if fails and "outputs" in data:
        raise node.error("'outputs' (golden outputs) applies only with 'pass: true'", "outputs")
    if passes:
        for key in ("error", "exit_code", "classification"):
            if key in data:
                raise node.error(f"{key!r} applies only with 'fail: true'", key)
    logs = {key: _listed(data.get(key)) for key in EXPECT_LOG_KEYS}
    warned = {key: [_warning(text) for text in _listed(data.get(key))] for key in EXPECT_WARN_KEYS}
    return ExpectSpec(outcome="pass" if passes else "fail", error=data.get("error"),
                      exit_code=data.get("exit_code"), classification=data.get("classification"),
                      stdout=logs["stdout"], no_stdout=logs["no_stdout"],
                      stderr=logs["stderr"], no_stderr=logs["no_stderr"],
                      warns=warned["warns"], no_warns=warned["no_warns"], location=node.location)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _warning(text: str) -> WarningExpect:
    match = WARNING_PATTERN.match(text)
    assert match is not None     # the grammar checked it
    return WarningExpect(match.group(1), match.group(2) or None)


def _parameter(key: str, node: Node, steps: dict[str, StepSpec], names: list[str]) -> list[Any]:
    """One ``parametrize`` list, each value typed for the key it varies."""
    elements = node.elements()
    if not elements:
        raise node.error("a parametrize list needs at least one value")
    head, _, rest = key.partition(".")
    if key in _COUNT_PARAMS or key in ("timeout", "memory_limit"):
        return [_counted(key, element) for element in elements]
    if head in ("env", "job_args") and rest.isidentifier():
        if any(element.is_mapping() or element.is_sequence() for element in elements):
            raise node.error(f"{head} values must be scalars")
        return [str(e.data) if head == "env" else generic(str(e.data)) for e in elements]
    column, _, constraint = rest.partition(".")
    if head == "columns" and column and constraint in ("min", "max", "isin", "pattern",
                                                       *_OVERRIDE_BOOLS):
        column_type = column_scope(steps, names, None).type_of(node, column)
        return [_override_value(constraint, element, column_type) for element in elements]
    raise node.error(f"unknown parametrize key {key!r} (expected {PARAMETRIZE_KEYS})")


def _counted(key: str, node: Node) -> Any:
    text = str(node.data) if not (node.is_mapping() or node.is_sequence()) else None
    try:
        if text is None:
            raise ValueError(f"expected a single value for {key}")
        if key == "timeout":
            return units.parse_duration(text)
        if key == "memory_limit":
            return units.parse_memory(text)
        value = generic(text)
        minimum = 1 if key == "examples" else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"expected an integer >= {minimum} for {key}, found {text!r}")
        return value
    except ValueError as error:
        raise node.error(str(error)) from None


def _known(names: Any) -> str:
    return f" (known: {', '.join(sorted(names))})" if names else ""
