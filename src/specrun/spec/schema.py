"""The strictyaml schema of a spec file.

Every key is typed here; values whose type depends on context (column ``min`` /
``max`` / ``isin``, ``set:`` values, ``job_args``, ``parametrize`` lists, mode
settings) are validated permissively and typed by the model builder
(:mod:`.values`).  Parameters of properties and mutations depend on their kind, so
they are revalidated with :data:`PROPERTY_PARAMS` / :data:`MUTATION_PARAMS`.
Custom scalar validators raise strictyaml errors whose *problem* is the final,
one-line message shown to the user.

This is the one definition of the grammar: the published JSON Schema is generated
from it (``python -m specrun.spec.jsonschema``).  Each :class:`Checked` scalar carries
its JSON Schema; what the validators cannot show (``$defs`` names, cross-field rules
the builder checks, per-kind parameters) is noted beside them with :func:`note`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import strictyaml as sy

from ..error_class import ErrorClass
from . import units
from .json_notes import Kinds, any_case, note
from .model import FORMATS
from .yamlnodes import warn_at

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_\-]*"
_NAME = re.compile(rf"^{NAME_PATTERN}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PORT_REF = re.compile(rf"^({NAME_PATTERN})\.({NAME_PATTERN})$")
_DAG_EDGE = re.compile(rf"^\s*({NAME_PATTERN}\.{NAME_PATTERN})\s*->\s*({NAME_PATTERN}\.{NAME_PATTERN})\s*$")
_MODULE_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*$")

BUILTIN_MUTATORS = ("nulls", "empty", "boundary", "extreme", "duplicates", "set",
                    "drop_columns", "wrong_dtype", "remove_file", "truncate_file", "extra_file",
                    "shard_columns")
BUILTIN_PROPERTIES = ("row_count", "no_nulls", "unique", "columns_added", "columns_removed",
                      "unchanged", "relation", "part_rows", "class_balance", "disjoint", "python")
COMPRESSIONS = ("gzip",)
ON_INVALID = ("reject", "tolerate", "any")
# Keys of a column the DSL defines; anything else is an option of a plugin type.
COLUMN_KEYS = ("type", "min", "max", "isin", "pattern", "nullable", "unique", "required", "checks")
TOP_LEVEL_KEYS = ("version", "pipeline", "plugins", "defaults", "schemas", "steps", "dag",
                  "scenarios", "modes")


class Checked(sy.ScalarValidator):
    """A scalar turned into a value by ``parse``; its ValueError message is the user's error.

    ``json_schema`` is the same rule as a JSON Schema, for the value as a YAML editor
    types it (``3`` an integer, ``3s`` a string).  ``warns``: ``parse`` may warn (re's
    FutureWarning for a pattern whose meaning a future Python changes); each warning is
    shown at the value's spec line and key instead (recording them costs a little on every
    value, so only the parsers that can warn do).
    """

    def __init__(self, parse: Callable[[str], Any], name: str,
                 json_schema: Mapping[str, Any], *, warns: bool = False) -> None:
        self._parse = parse
        self._name = name
        self._warns = warns
        self.json_schema: dict[str, Any] = dict(json_schema)

    def validate_scalar(self, chunk: Any) -> Any:
        if not self._warns:
            return self._parsed(chunk)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = self._parsed(chunk)
        for found in caught:
            warn_at(chunk, found)
        return value

    def _parsed(self, chunk: Any) -> Any:
        try:
            return self._parse(str(chunk.contents))
        except ValueError as error:
            chunk.expecting_but_found("", str(error))

    @property
    def rule_description(self) -> str:
        """What strictyaml says was expected when a mapping or list is found instead."""
        return self._name

    def to_yaml(self, data: Any) -> str:
        return str(data)

    def __repr__(self) -> str:
        return f"Checked({self._name!r})"


# a split name that may use {job_args.NAME} / {env.NAME}, resolved per case (spec/case_templates.py)
_TEMPLATED_NAME = re.compile(r"^(?:[A-Za-z0-9_\-]|\{(?:job_args|env)\.[A-Za-z_][A-Za-z0-9_]*\})+$")
_CASE_KEY = re.compile(r"^(?:job_args|env)\.[A-Za-z_][A-Za-z0-9_]*$")


def _templated_name(text: str) -> str:
    if not _TEMPLATED_NAME.match(text):
        raise ValueError(f"invalid split name {text!r}: use letters, digits, '_', '-' and "
                         "{job_args.NAME} / {env.NAME}")
    return text


_CASE_TEMPLATE = re.compile(r"^\{(?:job_args|env)\.[A-Za-z_][A-Za-z0-9_]*\}$")


def _case_template(text: str) -> str:
    if not _CASE_TEMPLATE.match(text):
        raise ValueError(f"expected an integer >= 1 or {{job_args.NAME}} / {{env.NAME}}, found {text!r}")
    return text


def _case_key(text: str) -> str:
    if not _CASE_KEY.match(text):
        raise ValueError(f"expected job_args.NAME or env.NAME, found {text!r}")
    return text


def _name(text: str) -> str:
    if not _NAME.match(text):
        raise ValueError(f"invalid name {text!r}: use letters, digits, '_' and '-', "
                         "starting with a letter or '_'")
    return text


def _identifier(text: str) -> str:
    if not _IDENTIFIER.match(text):
        raise ValueError(f"expected a Python identifier, found {text!r}")
    return text


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        stripped = text.strip()
        if not re.match(r"^[-+]?\d+$", stripped):
            raise ValueError(f"expected an integer, found {text!r}")
        value = int(stripped)
        if value < minimum:
            raise ValueError(f"expected an integer >= {minimum}, found {value}")
        return value
    return parse


def _one_of(choices: tuple[str, ...], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"unknown {what} {text!r} (expected one of: {', '.join(choices)})")
        return text
    return parse


def _version(text: str) -> int:
    if text.strip() != "1":
        raise ValueError(f"unsupported spec version {text!r} (this specrun reads version 1)")
    return 1


def _port_ref(text: str) -> str:
    if not _PORT_REF.match(text.strip()):
        raise ValueError(f"expected 'step.port', found {text!r}")
    return text.strip()


def _dag_edge(text: str) -> tuple[str, str]:
    match = _DAG_EDGE.match(text)
    if not match:
        raise ValueError(f"expected 'step.output -> step.input', found {text!r}")
    return match.group(1), match.group(2)


def _regex(text: str) -> str:
    try:
        re.compile(text)
    except re.error as error:
        raise ValueError(f"invalid regular expression {text!r}: {error}") from None
    return text


#: ``Category`` or ``Category: REGEX`` (``warns:`` / ``no_warns:``).
WARNING_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*(.*?))?\s*$", re.DOTALL)


def _warning_pattern(text: str) -> str:
    match = WARNING_PATTERN.match(text)
    if not match:
        raise ValueError(f"expected 'Category' or 'Category: REGEX', found {text!r}")
    if match.group(2):
        _regex(match.group(2))
    return text


def _module_ref(text: str) -> str:
    if not _MODULE_REF.match(text.strip()):
        raise ValueError(f"expected 'module:function', found {text!r}")
    return text.strip()


def _fraction(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"expected a number, found {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"expected a number from 0 to 1, found {text!r}")
    return value


def _negative_share(text: str) -> bool | float:
    """``negative:`` of a scenario: ``true`` / ``false``, or the share of property examples
    drawn off-contract (a number in (0, 1])."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        value = float(lowered)
    except ValueError:
        raise ValueError(f"expected true, false or a fraction in (0, 1], found {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise ValueError(f"expected true, false or a fraction in (0, 1], found {text!r}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"expected a number, found {text!r}") from None
    if not value >= 0.0:
        raise ValueError(f"expected a number >= 0, found {text!r}")
    return value


def _cpu_share(text: str) -> float:
    """``cpu:``: cores' worth of CPU time per wall second, a number > 0 (``1.5``)."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"expected a number of cores such as 0.5 or 1.5, found {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"expected a number of cores > 0, found {text!r}")
    return value


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


# JSON forms of scalars: strictyaml reads every scalar as text; an editor types it.
SCALAR_JSON: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
_TEXT_JSON: dict[str, Any] = {"type": ["string", "number", "boolean"], "pattern": r"\S"}


def _text_pattern(pattern: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern}


def _duration_json() -> dict[str, Any]:
    number = r"(\d+(\.\d+)?|\.\d+)"
    units_ = "|".join(any_case(unit) for unit in sorted(units._DURATION_UNITS, key=len, reverse=True))
    return {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                      _text_pattern(rf"^\s*{number}\s*$"),
                      _text_pattern(rf"^\s*({number}\s*({units_})\s*)+$")]}


def _memory_json() -> dict[str, Any]:
    units_ = "|".join(any_case(unit) for unit in sorted(units._MEMORY_UNITS, key=len, reverse=True)
                      if unit)
    return {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                      _text_pattern(rf"^\s*(\d+(\.\d+)?|\.\d+)\s*({units_})?\s*$")]}


# Validator factories, named like strictyaml's own (``Name()`` beside ``Str()``).
def Name() -> Checked:
    return Checked(_name, "a name", _text_pattern(_NAME.pattern))


def TemplatedName() -> Checked:
    return Checked(_templated_name, "a split name", _text_pattern(_TEMPLATED_NAME.pattern))


def split_validator() -> sy.Validator:
    """``split:``: the names, or ``{when: {job_args.NAME: VALUE}, then: [...], else: [...]}``."""
    names = sy.Seq(TemplatedName())
    return names | note(sy.Map({
        "when": sy.MapPattern(Checked(_case_key, "job_args.NAME or env.NAME", _text_pattern(_CASE_KEY.pattern)),
                              sy.Str()),
        "then": names,
        "else": names,
    }), name="split_when", description="the split names chosen per case: 'then' when every "
        "job_args.NAME / env.NAME of 'when' has its value in the case, else 'else'")


def Identifier() -> Checked:
    return Checked(_identifier, "an identifier", _text_pattern(_IDENTIFIER.pattern))


def NonEmptyStr() -> Checked:
    return Checked(_non_empty, "a text value", _TEXT_JSON)


def Count(minimum: int = 0) -> Checked:
    return Checked(_int_at_least(minimum), f"an integer >= {minimum}",
                   {"type": "integer", "minimum": minimum})


def Seed() -> Checked:
    return Checked(_int_at_least(0), "an integer seed", {"type": "integer", "minimum": 0})


def Duration() -> Checked:
    return note(Checked(units.parse_duration, "a duration", _duration_json()), name="duration",
                description="seconds (a number) or a duration: 500ms, 90s, 5m, 1h30m, 1d")


def MemorySize() -> Checked:
    return note(Checked(units.parse_memory, "a memory size", _memory_json()), name="memory",
                description="bytes (a number) or a size: 512MB, 2GB (powers of 1000), "
                            "1GiB (powers of 1024)")


def CpuShare() -> Checked:
    return note(Checked(_cpu_share, "a number of cores > 0", {"type": "number", "exclusiveMinimum": 0}),
                description="CPU time per wall second, in cores (1.5: one and a half cores); held by the "
                            "case cgroup's cpu.max where specrun can make one, else by pinning the "
                            "script to ceil(cpu) cores")


def OutputSize() -> Checked:
    return note(Checked(units.parse_memory, "a size", _memory_json()), name="size",
                description="the case's disk budget: bytes (a number) or a size such as 100MB, 1GiB; "
                            "a run whose outputs take more is killed (RESOURCE_ERROR)")


def PortRef() -> Checked:
    return Checked(_port_ref, "'step.port'", _text_pattern(_PORT_REF.pattern))


def DagEdge() -> Checked:
    return Checked(_dag_edge, "'step.output -> step.input'", _text_pattern(_DAG_EDGE.pattern))


def RegexText() -> Checked:
    return Checked(_regex, "a regular expression",
                   {"type": ["string", "number", "boolean"], "format": "regex"}, warns=True)


def WarningPattern() -> Checked:
    return Checked(_warning_pattern, "'Category' or 'Category: REGEX'",
                   _text_pattern(WARNING_PATTERN.pattern), warns=True)


def ModuleRef() -> Checked:
    return Checked(_module_ref, "'module:function'", _text_pattern(_MODULE_REF.pattern))


def Fraction() -> Checked:
    return Checked(_fraction, "a number from 0 to 1", {"type": "number", "minimum": 0, "maximum": 1})


def NegativeShare() -> Checked:
    return Checked(_negative_share, "true, false or a fraction in (0, 1]",
                   {"anyOf": [{"type": "boolean"}, {"type": "number", "exclusiveMinimum": 0, "maximum": 1}]})


def Tolerance() -> Checked:
    return Checked(_non_negative, "a number >= 0", {"type": "number", "minimum": 0})


def Version() -> Checked:
    return Checked(_version, "the version number 1", {"const": 1})


def Format() -> Checked:
    return Checked(_one_of(FORMATS, "format"), "a format", {"enum": list(FORMATS)})


def Compression() -> Checked:
    return Checked(_one_of(COMPRESSIONS, "compression"), "a compression",
                   {"enum": list(COMPRESSIONS)})


def Classification() -> Checked:
    names = tuple(member.name for member in ErrorClass)
    return Checked(_one_of(names, "classification"), "a classification", {"enum": list(names)})


#: the classifications a run may end with that ``transient:`` may name: how the process
#: ended, not what specrun decided about its outputs or its input
TRANSIENT_CLASSES = ("TIMEOUT", "CRASH", "RESOURCE_ERROR", "SCRIPT_ERROR", "DATA_ERROR", "IMPORT_ERROR")


def TransientClass() -> Checked:
    return Checked(_one_of(TRANSIENT_CLASSES, "transient classification"), "a classification",
                   {"enum": list(TRANSIENT_CLASSES)})


def retry_keys() -> dict[Any, sy.Validator]:
    """``retries``, ``transient`` and ``retry_delay``: a step's and ``defaults:``."""
    return {
        sy.Optional("retries"): note(
            Count(), description="run the script up to this many more times when it fails with a "
                                 "classification marked transient (default 0); a case that passes on "
                                 "a retry is reported flaky"),
        sy.Optional("transient"): note(
            sy.Seq(TransientClass()), rules={"minItems": 1},
            description="the classifications that are retried: " + ", ".join(TRANSIENT_CLASSES)),
        sy.Optional("retry_delay"): note(
            Duration(), description="the wait before the first retry, doubled before each next one "
                                    "(default 1s)"),
    }


def mutation_map() -> sy.Validator:
    """``{op: params}``, optionally with ``where:`` beside the op (checked by build_mutation)."""
    return sy.MapPattern(sy.Str(), sy.Any(), minimum_keys=1, maximum_keys=2)


def where_validator() -> sy.Validator:
    """``where:`` of a mutation: the split names and shard numbers whose files it changes."""
    return note(sy.Map({
        sy.Optional("split"): Name() | sy.Seq(Name()),
        sy.Optional("shard"): Count() | sy.Seq(Count()),
    }), name="mutation_where", rules={"minProperties": 1},
        description="only the files of these splits / shards of a layout port")


def one_key_map() -> sy.Validator:
    """``{name: anything}`` — the shape of a property, a mutation, a column check."""
    return sy.MapPattern(sy.Str(), sy.Any(), minimum_keys=1, maximum_keys=1)


def _column_constraints() -> dict[Any, sy.Validator]:
    """The constraint keys of a column, shared by columns and scenario overrides."""
    return {
        sy.Optional("min"): sy.Str(),
        sy.Optional("max"): sy.Str(),
        sy.Optional("isin"): note(sy.Seq(sy.Str()), rules={"minItems": 1}),
        sy.Optional("pattern"): RegexText(),
        sy.Optional("nullable"): sy.Bool(),
        sy.Optional("unique"): sy.Bool(),
        sy.Optional("required"): sy.Bool(),
    }


def column_validator() -> sy.Validator:
    """A column of the DSL; keys outside :data:`COLUMN_KEYS` are options of plugin types."""
    return note(sy.MapCombined({
        sy.Optional("type"): note(Name(), description="int, float, str, bool, datetime, "
                                                      "category or a plugin type"),
        **_column_constraints(),
        sy.Optional("checks"): sy.Seq(one_key_map()),
    }, sy.Str(), sy.Any()), name="column", description="extra keys are options of plugin column types")


def column_override_validator() -> sy.Validator:
    """A scenario's ``columns:`` override: constraints only, not the type."""
    return note(sy.Map(_column_constraints()), name="column_override")


def schema_validator() -> sy.Validator:
    """A data contract: ``columns`` / ``extends`` / ``pandera`` plus row bounds and strictness."""
    return note(sy.Map({
        sy.Optional("columns"): sy.MapPattern(sy.Str(), column_validator()),
        sy.Optional("extends"): Name(),
        sy.Optional("pandera"): NonEmptyStr(),
        sy.Optional("rows"): sy.Map({sy.Optional("min"): Count(), sy.Optional("max"): Count()}),
        sy.Optional("strict"): sy.Bool(),
    }), name="schema",
        rules={"anyOf": [{"required": ["columns"]}, {"required": ["extends"]},
                         {"required": ["pandera"]}]})


def port_validator() -> sy.Validator:
    """An input or output of a step."""
    return note(sy.Map({
        sy.Optional("format"): Format(),
        sy.Optional("compression"): Compression(),
        sy.Optional("schema"): Name() | schema_validator(),
        sy.Optional("layout"): NonEmptyStr(),
        sy.Optional("shards"): Count(1) | Checked(_case_template, "{job_args.NAME} or {env.NAME}",
                                                  _text_pattern(_CASE_TEMPLATE.pattern)),
        sy.Optional("split"): split_validator(),
        sy.Optional("header"): note(sy.Bool(), description=(
            "csv/tsv: false = files have no header row; columns are written and read in the "
            "schema's declared order")),
        sy.Optional("split_schemas"): note(sy.MapPattern(Name(), Name()), description=(
            "a named schema per split instead of 'schema' (every split named): each split's "
            "files are generated, read and validated by its own schema")),
        sy.Optional("fixture"): NonEmptyStr(),
        sy.Optional("sample"): NonEmptyStr(),
        sy.Optional("required"): sy.Bool(),
        sy.Optional("source"): NonEmptyStr(),
        sy.Optional("from"): PortRef(),
        sy.Optional("rows"): Count(),
        sy.Optional("checks"): sy.Seq(note(Name() | one_key_map(), kinds=Kinds(
            ARTIFACT_CHECK_PARAMS, bare=("not_empty",)))),
        sy.Optional("on_invalid"): note(
            Checked(_one_of(ON_INVALID, "on_invalid"), "reject, tolerate or any",
                    {"enum": list(ON_INVALID)}),
            description="What the step promises for an input that breaks this port's contract "
                        "(negative cases): reject (fail with an error), tolerate (exit 0 with "
                        "valid outputs) or any (either; the default)."),
    }), name="port")


def python_key() -> sy.Validator:
    """``python:``: the interpreter that runs a step's script."""
    return note(NonEmptyStr(), description=(
        "the Python interpreter that runs the script, e.g. a virtualenv's bin/python: a path "
        "relative to the spec's folder (~ and $VAR expanded) or a command name on PATH; "
        "default: specrun's own interpreter"))


# -- containers: SageMaker's conventional paths mapped onto a step's ports ------
#: ``container:`` kinds (see spec/build_container.py for the paths each maps).
CONTAINERS = ("sagemaker-processing", "sagemaker-training")


def container_key() -> dict[Any, sy.Validator]:
    """``container:``: a step's and ``defaults:``."""
    return {sy.Optional("container"): note(
        Checked(_one_of(CONTAINERS, "container"), "a container kind", {"enum": list(CONTAINERS)}),
        description="run the script with the job's conventional /opt/ml paths mapped onto its ports "
                    "(a private mount namespace; see docs/spec.md, Containers)")}


def container_paths_key() -> dict[Any, sy.Validator]:
    """``container_paths:`` of a step: an absolute folder under /opt/ml → ``inputs.NAME`` / ``outputs.NAME``."""
    return {sy.Optional("container_paths"): note(
        sy.MapPattern(NonEmptyStr(), NonEmptyStr()),
        description="explicit mounts: an absolute folder under /opt/ml -> inputs.NAME or outputs.NAME "
                    "(replaces that port's conventional path)")}


def step_validator() -> sy.Validator:
    """A step: its script, how it is called, its ports, limits and properties."""
    return note(sy.Map({
        sy.Optional("script"): NonEmptyStr(),
        sy.Optional("command"): note(sy.Seq(sy.Str()), rules={"minItems": 1}, description=(
            "instead of script: any executable and its arguments (a shell script, Rscript, a "
            "binary), with {inputs.NAME} / {outputs.NAME} placeholders")),
        sy.Optional("python"): python_key(),
        sy.Optional("call"): Identifier(),
        sy.Optional("args"): sy.Seq(sy.Str()),
        sy.Optional("env"): sy.MapPattern(Identifier(), sy.Str()),
        sy.Optional("job_args"): sy.MapPattern(Identifier(), sy.Any()),
        sy.Optional("timeout"): Duration(),
        sy.Optional("memory_limit"): MemorySize(),
        sy.Optional("cpu"): CpuShare(),
        sy.Optional("max_output_size"): OutputSize(),
        sy.Optional("network"): note(
            sy.Bool(),
            description="let the script reach the network (default false: under the namespace "
                        "sandbox it has no network, not even loopback; see docs/cli.md)"),
        **retry_keys(),
        **container_key(),
        **container_paths_key(),
        sy.Optional("sagemaker_step"): NonEmptyStr(),
        sy.Optional("inputs"): sy.MapPattern(Name(), port_validator()),
        sy.Optional("outputs"): sy.MapPattern(Name(), port_validator()),
        sy.Optional("properties"): sy.Seq(note(one_key_map(), kinds=Kinds(PROPERTY_PARAMS,
                                                                         plugins=True))),
        sy.Optional("deterministic"): note(
            sy.Bool() | sy.Map({sy.Optional("ignore_row_order"): sy.Bool()}),
            description="run the standard case twice on the same inputs and compare the outputs"),
    }), name="step", rules={"allOf": [
        {"not": {"required": ["call", "args"]}},
        {"anyOf": [{"required": ["script"]}, {"required": ["command"]}]},
        *({"not": {"required": ["command", key]}} for key in ("script", *COMMAND_EXCLUDES))]})


#: Step keys that make no sense beside ``command:`` (they are about a Python script).
COMMAND_EXCLUDES = ("call", "args", "python")


# ``pass: true`` alone, or ``fail: true`` with optional details (checked by build_expect).
_EXPECT_RULES: dict[str, Any] = {"oneOf": [
    {"required": ["pass"], "properties": {"pass": {"const": True}},
     "not": {"anyOf": [{"required": [key]} for key in ("fail", "error", "exit_code",
                                                        "classification")]}},
    {"required": ["fail"], "properties": {"fail": {"const": True}},
     "not": {"anyOf": [{"required": ["pass"]}, {"required": ["outputs"]}]}},
]}


#: ``expect:`` keys holding regexes over the script's stdout / stderr logs.
EXPECT_LOG_KEYS = ("stdout", "no_stdout", "stderr", "no_stderr")
#: ``expect:`` keys naming Python warnings.
EXPECT_WARN_KEYS = ("warns", "no_warns")


def _golden_rows() -> sy.Validator:
    return note(sy.Seq(sy.MapPattern(sy.Str(), sy.Any())),
                description="rows written inline, one mapping per row; values typed by the port's schema")


def golden_input_validator() -> sy.Validator:
    """A scenario's fixed input of one port: ``rows:`` inline or a ``file:`` in the port's format."""
    return note(sy.Map({
        sy.Optional("rows"): _golden_rows(),
        sy.Optional("file"): NonEmptyStr(),
    }), name="golden_input", rules={"oneOf": [{"required": ["rows"]}, {"required": ["file"]}]})


def golden_output_validator() -> sy.Validator:
    """What one output must hold: ``rows:``, a ``file:`` or a ``snapshot:``, and how it is compared."""
    return note(sy.Map({
        sy.Optional("rows"): _golden_rows(),
        sy.Optional("file"): NonEmptyStr(),
        sy.Optional("snapshot"): note(Name(), description="stored under __snapshots__/ next to the spec; "
                                                          "written by --update-snapshots"),
        sy.Optional("ignore_order"): sy.Bool(),
        sy.Optional("key"): _key(),
        sy.Optional("tolerance"): note(Tolerance(), description="float columns: equal when "
                                       "|a - b| <= max(tolerance * max(|a|, |b|), tolerance)"),
        sy.Optional("columns"): note(sy.Seq(sy.Str()), rules={"minItems": 1}),
    }), name="golden_output",
        rules={"oneOf": [{"required": ["rows"]}, {"required": ["file"]}, {"required": ["snapshot"]}]})


def expect_validator() -> sy.Validator:
    return note(sy.Map({
        sy.Optional("pass"): sy.Bool(),
        sy.Optional("fail"): sy.Bool(),
        sy.Optional("error"): RegexText(),
        sy.Optional("exit_code"): Checked(_int_at_least(-255), "an exit code",
                                           {"type": "integer", "minimum": -255}),
        sy.Optional("classification"): Classification(),
        **{sy.Optional(key): sy.Seq(RegexText()) | RegexText() for key in EXPECT_LOG_KEYS},
        **{sy.Optional(key): sy.Seq(WarningPattern()) | WarningPattern() for key in EXPECT_WARN_KEYS},
        sy.Optional("outputs"): note(sy.MapPattern(Name(), golden_output_validator()),
                                     description="golden outputs: what each output must hold (pass: true only)"),
    }), name="expect", rules=_EXPECT_RULES)


# Keys ``parametrize`` may vary (checked by build_scenarios._parameter).
_PARAMETRIZE_KEY = (r"^(rows|seed|timeout|memory_limit|examples|max_rows"
                    r"|env\.[A-Za-z_][A-Za-z0-9_]*|job_args\.[A-Za-z_][A-Za-z0-9_]*"
                    r"|columns\..+\.(min|max|isin|pattern|nullable|unique|required))$")


# A share of off-contract examples needs examples (checked by build_scenarios._negative).
_SCENARIO_RULES: dict[str, Any] = {
    "if": {"required": ["negative"], "properties": {"negative": {"type": "number"}}},
    "then": {"required": ["examples"]},
}


def scenario_validator() -> sy.Validator:
    return note(sy.Map({
        sy.Optional("rows"): Count(),
        sy.Optional("seed"): Seed(),
        sy.Optional("timeout"): Duration(),
        sy.Optional("memory_limit"): MemorySize(),
        sy.Optional("steps"): sy.Seq(Name()),
        sy.Optional("columns"): sy.MapPattern(sy.Str(), column_override_validator()),
        sy.Optional("mutate"): note(sy.MapPattern(sy.Str(), sy.Seq(note(
            Name() | mutation_map(), name="mutation", kinds=Kinds(
                MUTATION_PARAMS, plugins=True, siblings={"where": where_validator},
                bare=tuple(op for op, default in MUTATION_DEFAULTS.items() if default is not None))))),
            description="input port (every step's port of that name), STEP.PORT (that step's only) "
                        "or '*' (every generated input) → mutations applied in order"),
        sy.Optional("fixtures"): note(
            sy.MapPattern(sy.Str(), NonEmptyStr()),
            description="PORT or STEP.PORT → a file or folder fed as it is instead of the port's "
                        "own fixture or generated data (relative to the spec's folder)"),
        sy.Optional("expect"): expect_validator(),
        sy.Optional("parametrize"): note(
            sy.MapPattern(sy.Str(), note(sy.Seq(sy.Any()), rules={"minItems": 1})),
            rules={"propertyNames": {"pattern": _PARAMETRIZE_KEY}}),
        sy.Optional("examples"): Count(1),
        sy.Optional("max_rows"): Count(),
        sy.Optional("negative"): NegativeShare(),
        sy.Optional("inputs"): note(sy.MapPattern(Name(), golden_input_validator()),
                                    description="fixed inputs: these ports get these rows or this file, "
                                                "not generated data"),
    }), name="scenario", rules=_SCENARIO_RULES)


def spec_validator(extra_keys: Mapping[str, sy.Validator] | None = None) -> sy.Validator:
    """The whole spec file; ``extra_keys`` are plugin-owned optional top-level keys."""
    keys: dict[Any, sy.Validator] = {
        "version": Version(),
        "pipeline": NonEmptyStr(),
        sy.Optional("plugins"): sy.Seq(NonEmptyStr()),
        sy.Optional("defaults"): sy.Map({
            sy.Optional("timeout"): Duration(),
            sy.Optional("memory_limit"): MemorySize(),
            sy.Optional("cpu"): CpuShare(),
            sy.Optional("max_output_size"): OutputSize(),
            sy.Optional("seed"): Seed(),
            sy.Optional("executor"): Name(),
            sy.Optional("python"): python_key(),
            **retry_keys(),
            **container_key(),
        }),
        sy.Optional("schemas"): sy.MapPattern(Name(), schema_validator()),
        "steps": sy.MapPattern(Name(), step_validator()),
        sy.Optional("dag"): sy.Seq(DagEdge()),
        sy.Optional("scenarios"): sy.MapPattern(Name(), scenario_validator()),
        sy.Optional("modes"): sy.MapPattern(Name(), sy.MapPattern(sy.Str(), sy.Any())),
    }
    for key, validator in (extra_keys or {}).items():
        if key in TOP_LEVEL_KEYS:
            raise ValueError(f"plugin spec key {key!r} clashes with a built-in spec key")
        keys[sy.Optional(key)] = validator
    # The published schema is read without plugins, which may add top-level keys.
    return note(sy.Map(keys), description="A specrun spec file (version 1). See docs/spec.md. "
                                          "Plugins may add top-level keys.",
                rules={"additionalProperties": True})


# -- kind-dependent parameters (revalidated by the builder) -------------------

def _columns_map(*required: str, rate: bool = False) -> sy.Validator:
    keys: dict[Any, sy.Validator] = {sy.Optional("columns"): sy.Seq(sy.Str())}
    if rate:
        keys[sy.Optional("rate")] = note(sy.Float(), rules={"minimum": 0, "maximum": 1})
    for key in required:
        keys[key] = Name()
    return sy.Map(keys)


def _row_count() -> sy.Validator:
    return note(sy.Map({
        "output": Name(),
        sy.Optional("equals"): Name() | sy.Seq(Name()),
        sy.Optional("le"): Name() | sy.Seq(Name()),
        sy.Optional("ge"): Name() | sy.Seq(Name()),
        sy.Optional("ratio"): sy.Map({"input": Name(), sy.Optional("min"): sy.Float(),
                                      sy.Optional("max"): sy.Float()}),
    }), rules={"anyOf": [{"required": [key]} for key in ("equals", "le", "ge", "ratio")]})


def _key() -> sy.Validator:
    return sy.Str() | sy.Seq(sy.Str())


def _unchanged() -> sy.Validator:
    return sy.Map({"output": Name(), "input": Name(), sy.Optional("columns"): sy.Seq(sy.Str()),
                   sy.Optional("key"): _key(), sy.Optional("tolerance"): Tolerance()})


def _relation() -> sy.Validator:
    return sy.Map({"output": Name(), "input": Name(), "expr": NonEmptyStr(),
                   sy.Optional("key"): _key(), sy.Optional("tolerance"): Tolerance()})


def _part_rows() -> sy.Validator:
    return note(sy.Map({"output": Name(), sy.Optional("min"): Count(), sy.Optional("max"): Count(),
                        sy.Optional("shares"): sy.MapPattern(Name(), Fraction()),
                        sy.Optional("tolerance"): Tolerance()}),
                rules={"anyOf": [{"required": [key]} for key in ("min", "max", "shares")]})


def _class_balance() -> sy.Validator:
    return sy.Map({"output": Name(), "column": NonEmptyStr(), "tolerance": Tolerance()})


def _disjoint() -> sy.Validator:
    return sy.Map({"output": Name(), "column": NonEmptyStr(),
                   sy.Optional("splits"): note(sy.Seq(Name()), rules={"minItems": 2})})


# Checks of a non-tabular output (``checks:`` of a port), revalidated by the builder.
ARTIFACT_CHECK_PARAMS: dict[str, Callable[[], sy.Validator]] = {
    "not_empty": sy.Bool,
    "size": lambda: note(sy.Map({sy.Optional("min"): MemorySize(), sy.Optional("max"): MemorySize()}),
                         rules={"minProperties": 1}),
    "json_schema": NonEmptyStr,
    "python": ModuleRef,
}

PROPERTY_PARAMS: dict[str, Callable[[], sy.Validator]] = {
    "row_count": _row_count,
    "no_nulls": lambda: _columns_map("output"),
    "unique": lambda: _columns_map("output"),
    "columns_added": lambda: _columns_map("output", "input"),
    "columns_removed": lambda: _columns_map("output", "input"),
    "unchanged": _unchanged,
    "relation": _relation,
    "part_rows": _part_rows,
    "class_balance": _class_balance,
    "disjoint": _disjoint,
    "python": ModuleRef,
}

# A bare ``- boundary`` item means the op with these parameters; None: parameters required.
MUTATION_DEFAULTS: dict[str, Any] = {
    "nulls": {}, "empty": True, "boundary": {}, "extreme": {}, "duplicates": {},
    "set": None, "drop_columns": None, "wrong_dtype": {},
    "remove_file": True, "truncate_file": {"fraction": 0.5}, "extra_file": {}, "shard_columns": None,
}

MUTATION_PARAMS: dict[str, Callable[[], sy.Validator]] = {
    "nulls": lambda: _columns_map(rate=True),
    "empty": sy.Bool,
    "boundary": lambda: _columns_map(),
    "extreme": lambda: _columns_map(),
    "duplicates": lambda: _columns_map(rate=True),
    "set": lambda: sy.MapPattern(sy.Str(), sy.Str()),
    "drop_columns": lambda: sy.Seq(sy.Str()),
    "wrong_dtype": lambda: _columns_map(),
    "remove_file": sy.Bool,
    "truncate_file": lambda: note(sy.Map({
        sy.Optional("bytes"): Count(),
        sy.Optional("fraction"): note(sy.Float(), rules={"minimum": 0, "maximum": 1}),
    }), rules={"maxProperties": 1}),
    "extra_file": lambda: sy.Map({sy.Optional("name"): NonEmptyStr()}),
    "shard_columns": lambda: note(sy.Map({
        sy.Optional("drop"): sy.Str(),
        sy.Optional("rename"): sy.MapPattern(sy.Str(), sy.Str()),
    }), rules={"minProperties": 1, "maxProperties": 1}),
}
