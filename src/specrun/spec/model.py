"""Typed model of a spec: what the loader produces and every other layer consumes.

Every node keeps a :class:`Location` (file, line, key path) so that later checks
(references, contracts, plugins) can raise a :class:`SpecError` that points at the
exact place in the YAML file.  Paths in the model are absolute (resolved against
the spec file's folder by the loader).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..display import html as _display_html

# Formats a port may declare.  Tabular ones carry a schema; the others are copied
# from fixtures or produced by scripts and only checked for existence.
TABULAR_FORMATS = ("csv", "tsv", "parquet", "jsonl")
FORMATS = TABULAR_FORMATS + ("json", "pickle", "text", "file")
COLUMN_TYPES = ("int", "float", "str", "bool", "datetime", "category")


@dataclass(frozen=True)
class Location:
    """Where a node was written: file, 1-based line and dotted key path."""

    file: Path
    line: int
    key: str

    def child(self, key: str, line: int | None = None) -> Location:
        path = f"{self.key}.{key}" if self.key else key
        return Location(self.file, self.line if line is None else line, path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}"


class SpecError(Exception):
    """A user mistake in a spec, shown as one line ``file:line: key: message``."""

    def __init__(self, message: str, location: Location | None = None,
                 *, file: Path | str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        if location is not None:
            file = file if file is not None else location.file
            line = line if line is not None else location.line
            key = key if key is not None else location.key
        self.file = Path(file) if file is not None else None
        self.line = line
        self.key = key or ""
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = "<spec>" if self.file is None else f"{self.file}" if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass
class ColumnSpec:
    """One column of the column DSL.  ``type`` may also name a plugin column type."""

    name: str
    type: str
    min: Any = None
    max: Any = None
    isin: list[Any] | None = None
    pattern: str | None = None
    nullable: bool = False
    unique: bool = False
    required: bool = True
    options: dict[str, Any] = field(default_factory=dict)  # extra keys for plugin types/checks
    checks: list[dict[str, Any]] = field(default_factory=list)  # plugin checks: [{name: args}]
    location: Location | None = None

    def overridden(self, **changes: Any) -> ColumnSpec:
        """A copy with some constraints replaced (scenario ``columns:`` overrides)."""
        data = {**self.__dict__, **changes}
        return ColumnSpec(**data)


@dataclass
class SchemaSpec:
    """A data contract: either columns of the DSL or a reference to a pandera schema.

    ``columns`` is always filled after loading: for a pandera reference the loader
    (or ``contract``) derives it from the pandera schema, so generators can use it.
    """

    name: str
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    rows_min: int | None = None
    rows_max: int | None = None
    strict: bool = False          # reject columns not declared
    pandera: str | None = None    # "module:Name" or a path to a pandera YAML file
    extends: str | None = None    # already merged by the loader; kept for reports
    location: Location | None = None


@dataclass
class ArtifactCheck:
    """One check of a non-tabular output: ``not_empty`` (True), ``size`` ({min, max} bytes),
    ``json_schema`` (absolute path of the schema file) or ``python`` ("module:function")."""

    kind: str
    value: Any
    location: Location | None = None


@dataclass(frozen=True)
class SplitRule:
    """``split: {when: {job_args.NAME: VALUE}, then: [...], else: [...]}``: the split names
    follow the case (resolved by spec/case_templates.py before the case is planned)."""

    when: tuple[tuple[str, str], ...]       # ("job_args.job_type", "training") …
    then: tuple[str, ...]
    otherwise: tuple[str, ...]


@dataclass
class PortSpec:
    """A named input or output of a step: a file, or a directory with a layout."""

    name: str
    format: str = "csv"
    compression: str | None = None          # None or "gzip"
    schema: SchemaSpec | None = None
    layout: str | None = None               # e.g. "part-{shard:05d}.csv", "{split}/{split}.csv"
    shards: int | None = None
    shards_template: str | None = None      # shards: "{job_args.NAME}": resolved per case into ``shards``
    split: list[str] | None = None          # may hold {job_args.NAME} / {env.NAME} until resolved
    split_rule: SplitRule | None = None     # split names chosen per case (split: {when: …}); None once resolved
    header: bool = True                     # csv/tsv: False = no header row, columns in declared order
    #: a schema per split instead of ``schema`` (every split named): generated, read and
    #: validated split by split (contract/split_schemas.py)
    split_schemas: dict[str, SchemaSpec] | None = None
    fixture: Path | None = None             # static file or directory copied as-is
    sample: Path | None = None              # user-supplied sample data (validated, then used)
    required: bool = True
    source: str | None = None               # s3://… or a snapshot dir (deep dive)
    from_: str | None = None                # "step.output" — a DAG edge
    rows: int | None = None                 # rows for this port (overrides scenario rows)
    checks: list[ArtifactCheck] = field(default_factory=list)   # artifact contract (non-tabular outputs)
    on_invalid: str | None = None           # negative cases: reject | tolerate | any (None: any)
    location: Location | None = None

    @property
    def is_dir(self) -> bool:
        return self.layout is not None

    @property
    def tabular(self) -> bool:
        return self.format in TABULAR_FORMATS


@dataclass
class PropertySpec:
    """A check run after every successful case of a step.

    ``kind`` is ``row_count``, ``no_nulls``, ``unique``, ``columns_added``,
    ``columns_removed``, ``python`` or a plugin property; ``params`` its mapping.
    """

    kind: str
    params: dict[str, Any]
    location: Location | None = None


@dataclass
class DeterminismSpec:
    """``deterministic:`` of a step: two runs on the same inputs write the same outputs."""

    ignore_row_order: bool = False


@dataclass
class ContainerSpec:
    """``container:`` of a step: the job kind whose conventional paths are mapped onto the
    ports, the explicit ``container_paths:`` as written, and (after loading, see
    spec/build_container.py) every mount: ``(container folder, "inputs" | "outputs", port)``."""

    kind: str                               # "sagemaker-processing" | "sagemaker-training"
    explicit: dict[str, tuple[str, str]] = field(default_factory=dict)   # folder → (direction, port)
    mounts: list[tuple[str, str, str]] = field(default_factory=list)
    location: Location | None = None


@dataclass
class StepSpec:
    name: str
    script: Path | None                     # the Python script (None: a ``command`` step)
    python: str | None = None               # the interpreter that runs it (None: specrun's own)
    #: any executable and its arguments instead of a Python script (placeholders unfilled)
    command: list[str] | None = None
    #: the spec's folder: where a ``command`` step's relative paths were resolved
    base_dir: Path | None = field(default=None, compare=False)
    call: str | None = None                 # "main" → main(input_paths, output_paths, environ_vars, job_args)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    job_args: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, PortSpec] = field(default_factory=dict)
    outputs: dict[str, PortSpec] = field(default_factory=dict)
    properties: list[PropertySpec] = field(default_factory=list)
    timeout: float | None = None
    memory_limit: int | None = None         # bytes
    cpu: float | None = None                # cores' CPU time per wall second (None: unlimited)
    max_output_size: int | None = None      # bytes of disk the run's outputs may take (None: unlimited)
    network: bool = False                   # the script may reach the network (namespace sandbox)
    # retries of a transient failure; after loading, the step's own values or else defaults:'s
    retries: int | None = None              # more attempts after the first (None: not written)
    transient: list[str] | None = None      # classifications retried (names of ErrorClass)
    retry_delay: float | None = None        # seconds before the first retry, doubled each time
    sagemaker_step: str | None = None
    deterministic: DeterminismSpec | None = None   # None: not checked
    container: ContainerSpec | None = None  # SageMaker paths mapped onto the ports (None: none)
    location: Location | None = None

    @property
    def folder(self) -> Path:
        """The step's own folder: the script's, else (a ``command`` step) the program's
        when it is a file, else the spec's."""
        if self.script is not None:
            return self.script.parent
        program = Path(self.command[0]) if self.command else None
        if program is not None and program.is_absolute():
            return program.parent
        return self.base_dir or Path.cwd()

    @property
    def program(self) -> Path:
        """What runs: the script, else the command's program (as written when on PATH)."""
        if self.script is not None:
            return self.script
        return Path(self.command[0]) if self.command else Path(self.name)


#: Mutations of a layout port's files rather than of its frame (see contract/part_mutations.py).
FILE_MUTATIONS = ("remove_file", "truncate_file", "extra_file", "shard_columns")


@dataclass(frozen=True)
class PartWhere:
    """``where:`` of a mutation: only the files of these splits and shards (None: any)."""

    split: tuple[str, ...] | None = None
    shard: tuple[int, ...] | None = None

    def matches(self, split: str | None, shard: int | None) -> bool:
        return (self.split is None or split in self.split) and (self.shard is None or shard in self.shard)

    def __str__(self) -> str:
        parts = ([f"split {'/'.join(self.split)}"] if self.split is not None else []) + \
                ([f"shard {'/'.join(map(str, self.shard))}"] if self.shard is not None else [])
        return ", ".join(parts)


@dataclass
class MutationSpec:
    """One edge-case transform applied to a generated input frame.

    ``op`` is one of ``nulls``, ``empty``, ``boundary``, ``extreme``, ``duplicates``,
    ``set``, ``drop_columns``, ``wrong_dtype`` (or a plugin mutator), or a file
    mutation (``remove_file``, ``truncate_file``, ``extra_file``, ``shard_columns``); ``params`` is its argument (a
    mapping, list or scalar as written).  ``where`` restricts it to some split or
    shard files of a layout port (None: the whole port).
    """

    op: str
    params: Any
    location: Location | None = None
    where: PartWhere | None = None

    @property
    def on_files(self) -> bool:
        """It changes the port's files (after writing), not the generated frame."""
        return self.op in FILE_MUTATIONS

    @property
    def targeted(self) -> bool:
        """It applies file by file (a ``where`` or a file mutation), after the whole-port ones."""
        return self.where is not None or self.on_files


@dataclass(frozen=True)
class WarningExpect:
    """A Python warning named by ``warns:`` / ``no_warns:``: a category (matching its
    subclasses too; bare or qualified name) and optionally a regex for the message."""

    category: str
    message: str | None = None

    def __str__(self) -> str:
        return self.category + (f": {self.message}" if self.message else "")


@dataclass
class GoldenData:
    """Fixed data of one port: rows written in the spec (typed by the port's schema), a file
    in the port's format, or (outputs only) a named snapshot under ``__snapshots__/``.
    The comparison options apply to expected outputs (see analysis/frame_diff.py)."""

    port: str
    rows: list[dict[str, Any]] | None = None
    file: Path | None = None
    snapshot: str | None = None
    ignore_order: bool = False
    key: list[str] = field(default_factory=list)
    tolerance: float = 0.0
    columns: list[str] | None = None
    location: Location | None = None


@dataclass
class ExpectSpec:
    """What a case must end with.  ``outcome`` is ``pass`` (the script exits 0 and its
    outputs keep their contracts) or ``fail`` (the script itself fails).  The log keys
    apply to either: regexes that must (``stdout``, ``stderr``) or must not
    (``no_stdout``, ``no_stderr``) match the script's whole output, and warnings it
    must (``warns``) or must not (``no_warns``) emit."""

    outcome: str = "pass"
    error: str | None = None                # regex searched in the error message and stderr
    exit_code: int | None = None
    classification: str | None = None       # e.g. DATA_ERROR
    stdout: list[str] = field(default_factory=list)
    no_stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    no_stderr: list[str] = field(default_factory=list)
    warns: list[WarningExpect] = field(default_factory=list)
    no_warns: list[WarningExpect] = field(default_factory=list)
    outputs: dict[str, GoldenData] = field(default_factory=dict)   # golden outputs (``pass`` only)
    location: Location | None = None


@dataclass
class ScenarioSpec:
    name: str
    rows: int | None = None
    seed: int | None = None
    timeout: float | None = None
    memory_limit: int | None = None
    steps: list[str] | None = None          # restrict to these steps
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)   # column overrides
    # port ("*" = all, "step.port" = that step's port only) → mutations
    mutate: dict[str, list[MutationSpec]] = field(default_factory=dict)
    fixtures: dict[str, Path] = field(default_factory=dict)   # port or "step.port" → fixture path
    expect: ExpectSpec = field(default_factory=ExpectSpec)
    parametrize: dict[str, list[Any]] = field(default_factory=dict)   # "rows", "env.X", "job_args.Y", "columns.c.isin"
    examples: int | None = None             # property scenario
    max_rows: int | None = None             # property scenario
    # one case per input constraint, each broken alone; with ``examples:`` the property
    # examples drawn off-contract: all (True) or this share of them (a float in (0, 1])
    negative: bool | float = False
    edges: bool = False                     # one case per edge the inputs allow (empty, single row …)
    inputs: dict[str, GoldenData] = field(default_factory=dict)   # fixed inputs (rows or a file)
    builtin: bool = False
    location: Location | None = None

    def mutations_for(self, step: str, port: str) -> list[MutationSpec]:
        """The mutations landing on input ``port`` of ``step``: the port's, the step-qualified
        ``step.port``'s, then every input's (``"*"``), in that order."""
        return (self.mutate.get(port, []) + self.mutate.get(f"{step}.{port}", [])
                + self.mutate.get("*", []))

    def fixture_for(self, step: str, port: str) -> Path | None:
        """The fixture this scenario feeds input ``port`` of ``step`` instead of the port's own."""
        return self.fixtures.get(f"{step}.{port}", self.fixtures.get(port))

    def port_of(self, step: StepSpec, port: PortSpec) -> PortSpec:
        """``port`` as this scenario feeds it: with the scenario's fixture when it gives one."""
        fixture = self.fixture_for(step.name, port.name)
        if fixture is None:
            return port
        return replace(port, fixture=fixture, sample=None)

    def names_ports_of(self, step: StepSpec) -> bool | None:
        """Whether the scenario's ``mutate:`` / ``fixtures:`` keys name an input of ``step``
        (None: they name no port, so they restrict nothing)."""
        keys = [k for k in [*self.mutate, *self.fixtures] if k != "*"]
        if not keys:
            return None
        for key in keys:
            owner, _, port = key.rpartition(".")
            if (owner == step.name or not owner) and port in step.inputs:
                return True
        return False

    @property
    def negative_share(self) -> float:
        """The share of a property scenario's examples drawn off-contract (0.0: none)."""
        if isinstance(self.negative, bool):
            return 1.0 if self.negative else 0.0
        return float(self.negative)


@dataclass
class Defaults:
    """The spec's ``defaults:``: what every run gets unless a step, scenario, mode option or
    the command line says otherwise (``None``: not written)."""

    timeout: float | None = None            # seconds
    memory_limit: int | None = None         # bytes
    cpu: float | None = None                # cores
    max_output_size: int | None = None      # bytes
    seed: int | None = None
    executor: str | None = None
    python: str | None = None               # the interpreter of every step without its own
    retries: int | None = None
    transient: list[str] | None = None
    retry_delay: float | None = None
    container: str | None = None            # the container kind of every script step without its own


@dataclass
class PipelineSpec:
    """One spec file."""

    path: Path
    pipeline: str
    version: int = 1
    defaults: Defaults = field(default_factory=Defaults)
    schemas: dict[str, SchemaSpec] = field(default_factory=dict)
    steps: dict[str, StepSpec] = field(default_factory=dict)
    scenarios: dict[str, ScenarioSpec] = field(default_factory=dict)
    modes: dict[str, dict[str, Any]] = field(default_factory=dict)
    dag: list[tuple[str, str]] = field(default_factory=list)    # extra edges "a.out -> b.in" parsed
    plugins: list[str] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)    # plugin-owned top-level keys
    locations: dict[str, Location] = field(default_factory=dict)  # dotted key path → location

    def _repr_html_(self) -> str | None:
        """The spec in a notebook: its step DAG as the HTML report draws it (see specrun/display.py)."""
        return _display_html("spec", self)

    def where(self, key: str) -> Location:
        """Best location for a dotted key path (falls back to its nearest parent)."""
        probe = key
        while probe:
            if probe in self.locations:
                return Location(self.path, self.locations[probe].line, key)
            probe = probe.rpartition(".")[0]
        return Location(self.path, 1, key)
