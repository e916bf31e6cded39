"""Checks of each step's contract before anything runs.

The ``defaults.executor`` exists; a step's ``python:`` interpreter exists and can run the
child harness; the script exists and compiles; with ``call:`` the
function exists at the top level with a signature that accepts ``(input_paths,
output_paths, environ_vars, job_args)``; fixtures and samples exist and, when tabular
with a schema, honour it; pandera references load; every ``python:`` property's
module imports (from the spec's folder first, then the script's) and names a
function.  Every problem is a
:class:`SpecError` pointing at the spec key (and the script line where there is
one).  Nothing is imported or executed from the script: it is parsed with :mod:`ast`
(property modules are imported, in specrun's process, as the run would import them).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .contract.io import PortReadError, read_port
from .contract.properties import import_python_function, module_dirs, python_ref
from .contract.validate import validate_frame
from .modes.large_ports import checked_by_column
from .spec.model import Location, PipelineSpec, PortSpec, SpecError, StepSpec

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

MAIN_PARAMETERS = ("input_paths", "output_paths", "environ_vars", "job_args")


def preflight(spec: PipelineSpec, session: Session) -> None:
    executor = spec.defaults.executor
    if executor is not None and executor not in session.executor_factories:
        known = ", ".join(sorted(session.executor_factories))
        raise SpecError(f"unknown executor {executor!r} (known: {known})", spec.where("defaults.executor"))
    for schema in spec.schemas.values():
        if schema.pandera is not None:
            session.contracts.resolve(schema, spec.path.parent)
    for step in spec.steps.values():
        for port in [*step.inputs.values(), *step.outputs.values()]:
            if port.schema is not None and port.schema.pandera is not None:
                session.contracts.resolve(port.schema, spec.path.parent)
        check_interpreter(spec, step)
        if step.command is not None:
            check_command(step, spec.where(f"steps.{step.name}.command.0"))
        else:
            tree = check_script(step, spec.where(f"steps.{step.name}.script"))
            if step.call:
                check_entry_point(step, tree, spec.where(f"steps.{step.name}.call"))
        for name, port in step.inputs.items():
            check_static_data(session, spec, step, name, port)
        check_python_properties(spec, step)
    check_generation_size(spec, session)


def generated_bytes(spec: PipelineSpec, session: Session, step: StepSpec, rows: int | None) -> int:
    """About how many bytes of specrun's memory the generated inputs of ``step`` take with
    ``rows`` rows (a port's own ``rows`` wins): rows x the sum of the columns' value sizes."""
    from .modes.step_case import input_schema

    total = 0
    for port in step.inputs.values():
        schema = input_schema(spec, port)
        if port.fixture is not None or port.sample is not None or not port.tabular or schema is None:
            continue
        per_row = sum(session.types.for_column(column).value_bytes for column in schema.columns.values())
        total += (port.rows or rows or 0) * per_row
    return total


def check_generation_size(spec: PipelineSpec, session: Session) -> None:
    """A scenario whose generated inputs cannot fit in the memory of this machine (or its
    cgroup limit) is refused before anything is generated, at its ``rows`` line: the data
    is generated in specrun's own process, so it would fail there, not in a sandbox."""
    from .execution.oom import memory_ceiling
    from .spec.units import mib

    ceiling = memory_ceiling()
    for scenario in spec.scenarios.values():
        if scenario.examples is not None:      # property runs draw at most max_rows rows
            continue
        counts = [scenario.rows or 0] + [r for r in scenario.parametrize.get("rows", []) if isinstance(r, int)]
        rows = max(counts) or None
        steps = [spec.steps[n] for n in scenario.steps] if scenario.steps else list(spec.steps.values())
        for step in steps:
            needed = generated_bytes(spec, session, step, rows)
            if needed > ceiling:
                where = spec.where(f"scenarios.{scenario.name}.rows") if "rows" not in scenario.parametrize \
                    else spec.where(f"scenarios.{scenario.name}.parametrize.rows")
                raise SpecError(f"scenario {scenario.name!r} would generate about {mib(needed, 0)} of input for "
                                f"step {step.name!r} ({rows} rows) in specrun's own memory, more than the "
                                f"{mib(ceiling, 0)} this machine offers; lower rows", where)


def check_python_properties(spec: PipelineSpec, step: StepSpec) -> None:
    """Each ``python: module:function`` property of ``step`` can be imported and called."""
    for number, prop in enumerate(step.properties):
        if prop.kind != "python":
            continue
        where = prop.location or spec.where(f"steps.{step.name}.properties.{number}")
        import_python_function(python_ref(prop.params, where), module_dirs(step), where)


def check_interpreter(spec: PipelineSpec, step: StepSpec) -> None:
    """The step's ``python:`` (its own, else ``defaults.python``) exists, starts and is new
    enough to run the child harness; the error points at the key that named it."""
    if step.python is None:
        return
    from .execution.interpreter import InterpreterError, inspect_interpreter

    own = f"steps.{step.name}.python"
    where = spec.where(own if own in spec.locations else "defaults.python")
    try:
        inspect_interpreter(step.python)
    except InterpreterError as exc:
        raise SpecError(str(exc), where) from None


def check_command(step: StepSpec, where: Location) -> None:
    """A ``command`` step's program exists and is executable: a path as written (made
    absolute against the spec's folder), a bare name on the PATH the run will get (the
    step's declared ``env: {PATH: …}``, else the sandbox's default)."""
    import os
    import shutil

    from .execution.sandbox import child_env

    assert step.command is not None
    program = step.command[0]
    if os.sep not in program:
        search = child_env(Path(os.sep), step.env, python=step.python or sys.executable)["PATH"]
        if shutil.which(program, path=search) is None:
            raise SpecError(f"command not found: {program!r} is on no folder of the run's PATH ({search}); "
                            "write its path, or declare env: {PATH: …}", where)
        return
    if not os.path.isfile(program):
        raise SpecError(f"command not found: {program}", where)
    if not os.access(program, os.X_OK):
        raise SpecError(f"command is not executable: {program} (chmod +x, or run it through its "
                        "interpreter: [bash, script.sh])", where)


def check_script(step: StepSpec, where: Location) -> ast.Module:
    path = step.script
    assert path is not None
    if not path.is_file():
        raise SpecError(f"script not found: {path}", where)
    try:
        source = path.read_bytes()
        return ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise SpecError(f"script does not compile: {path}:{exc.lineno}: {exc.msg}", where) from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read script {path}: {exc}", where) from None


def check_entry_point(step: StepSpec, tree: ast.Module, where: Location) -> None:
    """``call: NAME`` must name a top-level function accepting the SageMaker arguments."""
    assert step.script is not None
    name = step.call
    found = [node for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name]
    if not found:
        raise SpecError(f"{step.script.name} defines no top-level function {name!r}", where)
    func = found[-1]
    if isinstance(func, ast.AsyncFunctionDef):
        raise SpecError(f"{step.script.name}:{func.lineno}: {name}() is async; specrun calls it synchronously", where)
    args = func.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if args.vararg is None and len(positional) < len(MAIN_PARAMETERS):
        missing = MAIN_PARAMETERS[len(positional):]
        keyword_names = {a.arg for a in args.kwonlyargs}
        if args.kwarg is None and not set(missing) <= keyword_names:
            raise SpecError(
                f"{step.script.name}:{func.lineno}: {name}({', '.join(positional)}) cannot be called as "
                f"{name}({', '.join(MAIN_PARAMETERS)})", where)
    required_extra = len(positional) - len(args.defaults) - len(MAIN_PARAMETERS)
    if required_extra > 0:
        raise SpecError(
            f"{step.script.name}:{func.lineno}: {name}() requires {required_extra} more positional "
            f"argument(s) than ({', '.join(MAIN_PARAMETERS)})", where)
    required_kwonly = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None
                       and a.arg not in MAIN_PARAMETERS]
    if required_kwonly:
        raise SpecError(f"{step.script.name}:{func.lineno}: {name}() requires keyword argument(s) "
                        f"{', '.join(required_kwonly)}", where)


def check_static_data(session: Session, spec: PipelineSpec, step: StepSpec, name: str, port: PortSpec) -> None:
    """A fixture or sample exists and, for tabular ports with a schema, honours it."""
    for key, path in (("fixture", port.fixture), ("sample", port.sample)):
        if path is None:
            continue
        where = spec.where(f"steps.{step.name}.inputs.{name}.{key}")
        if not Path(path).exists():
            raise SpecError(f"{key} not found: {path}", where)
        if not port.tabular or port.schema is None:
            continue
        checked = checked_by_column(session, name, "input", port, Path(path), port.schema)   # a large parquet file
        if checked is not None and checked[0] is not None:
            found = [("", checked[0].ok, checked[0].failures)]
        else:
            try:
                parts = read_port(port, Path(path), port.schema, types=session.types)
            except PortReadError as exc:
                raise SpecError(f"{key} cannot be read as {port.format}: {exc}", where) from None
            compiled = session.contracts.pandera(port.schema)
            found = [(relative, *validate_frame(frame, compiled)) for relative, frame in parts.items()]
        for relative, ok, failures in found:
            if not ok:
                detail = "; ".join(f"{f.column or '<frame>'}: {f.check} ({f.count} rows, e.g. {f.examples[:3]})"
                                   for f in failures[:3])
                label = f"{path}/{relative}" if relative else str(path)
                raise SpecError(f"{key} {label} violates schema {port.schema.name!r}: {detail}", where)
