"""Golden data of a case: fixed inputs written for the script, and outputs compared with
what the scenario expects (rows, a file, or a snapshot under ``__snapshots__/``).

Expected frames are typed exactly as the script's output is read (the port's schema,
never coerced), then compared by :func:`specrun.analysis.frame_diff.diff_frames`.  A
snapshot that does not exist fails the case unless the run has ``--update-snapshots``,
which writes it from the script's output and reports it.  A snapshot that exists and
differs is rewritten too, but the case fails with the diff (a changed golden output is a
change someone must look at) unless ``--accept`` says the change is wanted.  The case
still fails on anything else that is wrong.  Non-tabular outputs compare bytes (JSON:
values).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.frame_diff import DiffOptions, diff_frames
from ..atomic import write_atomic
from ..contract.io import EXTENSIONS, PortReadError, read_port_frame
from ..contract.storage import type_failures
from ..execution.sandbox import safe_name
from ..lazy import lazy_module
from ..results import CaseResult, ErrorClass, Outcome
from ..spec.model import GoldenData, PipelineSpec, PortSpec, ScenarioSpec, SchemaSpec, SpecError

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

if TYPE_CHECKING:  # pragma: no cover
    from ..contract.types import TypeRegistry
    from ..plugin_types import SessionLike

SNAPSHOT_DIR = "__snapshots__"


@dataclass
class GoldenVerdict:
    """What the golden outputs of one case found: a problem per port (with its diff lines)
    and the snapshots written by ``--update-snapshots`` (``changed``: the ones that existed
    and differed)."""

    problems: dict[str, str] = field(default_factory=dict)
    diffs: dict[str, list[str]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        return "succeeded, but the outputs differ from the expected ones: " + "; ".join(
            f"output {port!r}: {problem}" for port, problem in self.problems.items())


def golden_frame(golden: GoldenData, port: PortSpec, schema: SchemaSpec | None,
                 types: TypeRegistry) -> pd.DataFrame:
    """The frame ``golden`` fixes (rows or a file), typed by ``schema``; a value that does not
    fit its type is a :class:`SpecError` at the golden entry."""
    if golden.rows is not None:
        return rows_frame(golden, schema, types)
    assert golden.file is not None
    return _read(golden, golden.file, port, schema, types)


def rows_frame(golden: GoldenData, schema: SchemaSpec | None, types: TypeRegistry) -> pd.DataFrame:
    """Rows written in the spec as a frame in the declared dtypes (the loader typed the values)."""
    rows = golden.rows or []
    declared = schema.columns if schema is not None else {}
    names = list(rows[0]) if rows else list(declared)
    series = {}
    for name in names:
        values = [row[name] for row in rows]
        column = declared.get(name)
        if column is None or column.type not in types:
            series[name] = pd.Series(values) if values else pd.Series([], dtype=object)
            continue
        try:
            typed = pd.Series(values, dtype=types.get(column.type).dtype(column))
        except (TypeError, ValueError, OverflowError) as exc:
            raise SpecError(f"column {name!r}: values do not fit type {column.type}: {exc}",
                            golden.location) from None
        lost = [v for v, t in zip(values, typed.isna(), strict=True) if t and v is not None]
        if lost:
            raise SpecError(f"column {name!r}: {lost[0]!r} is not a value of its type {column.type}",
                            golden.location)
        series[name] = typed
    return pd.DataFrame(series)


def _read(golden: GoldenData, file: Path, port: PortSpec, schema: SchemaSpec | None,
          types: TypeRegistry) -> pd.DataFrame:
    single = dataclasses.replace(port, layout=None, shards=None, split=None)
    try:
        frame = read_port_frame(single, file, schema, types=types)
    except PortReadError as exc:
        raise SpecError(f"cannot read {file} as {port.format}: {exc.message}", golden.location) from None
    failures = type_failures(frame)
    if failures:
        first = failures[0].failure
        raise SpecError(f"{file}: column {first.column!r}: {first.check} (e.g. {first.examples[:3]})",
                        golden.location)
    return frame


def snapshot_path(spec: PipelineSpec, case_id: str, golden: GoldenData, port: PortSpec) -> Path:
    """``__snapshots__/<spec stem>/<case id, made safe>/<name>.<format>`` next to the spec."""
    ext = EXTENSIONS.get(port.format, port.format)
    gz = port.compression == "gzip" and port.format != "parquet"
    suffix = (f".{ext}" if ext else "") + (".gz" if gz else "")
    folder = spec.path.parent / SNAPSHOT_DIR / spec.path.stem / safe_name(case_id, limit=120)
    return folder / f"{golden.snapshot}{suffix}"


def check_golden_outputs(spec: PipelineSpec, case_id: str, outputs: dict[str, GoldenData],
                         ports: dict[str, PortSpec], paths: dict[str, Path],
                         frames: dict[str, pd.DataFrame], types: TypeRegistry,
                         update_snapshots: bool = False, accept: bool = False) -> GoldenVerdict:
    """Compare each golden output with what the script wrote (``frames`` as read, ``paths``).

    ``update_snapshots``: write missing snapshots and rewrite differing ones; a rewritten
    one is still this case's problem (with its diff) unless ``accept``."""
    verdict = GoldenVerdict()
    for name, golden in outputs.items():
        port = ports[name]
        target = paths[name]
        expected_file = golden.file
        if golden.snapshot is not None:
            expected_file = snapshot_path(spec, case_id, golden, port)
            if update_snapshots:
                problem, lines = (None, []) if not expected_file.exists() else \
                    _difference(golden, port, expected_file, target, frames, types)
                if not expected_file.exists() or problem is not None:
                    _write_snapshot(target, expected_file)
                    verdict.written.append(str(expected_file))
                if problem is not None:
                    verdict.changed.append(str(expected_file))
                    if not accept:
                        verdict.problems[name] = (f"snapshot {golden.snapshot!r} changed and was rewritten "
                                                  f"({problem}); review the change and rerun, or pass --accept")
                        verdict.diffs[name] = lines
                continue
            if not expected_file.exists():
                verdict.problems[name] = (f"snapshot {golden.snapshot!r} does not exist: {expected_file} "
                                          "(run with --update-snapshots to write it)")
                continue
        try:
            problem, lines = _compare(golden, port, expected_file, target, frames, types)
        except SpecError as exc:
            problem, lines = str(exc), []
        if problem:
            verdict.problems[name] = problem
            verdict.diffs[name] = lines
    return verdict


def _difference(golden: GoldenData, port: PortSpec, expected_file: Path, target: Path,
                frames: dict[str, pd.DataFrame], types: TypeRegistry) -> tuple[str | None, list[str]]:
    """How the output differs from an existing snapshot (None: it does not); a snapshot that
    no longer reads as the port's contract says differs too."""
    try:
        return _compare(golden, port, expected_file, target, frames, types)
    except SpecError as exc:
        return str(exc), []


def _compare(golden: GoldenData, port: PortSpec, expected_file: Path | None, target: Path,
             frames: dict[str, pd.DataFrame], types: TypeRegistry) -> tuple[str | None, list[str]]:
    """(None, []) when the output matches, else a one-line problem and the diff lines."""
    if not port.tabular:
        assert expected_file is not None
        return _compare_bytes(port, expected_file, target), []
    if golden.rows is not None:
        expected = rows_frame(golden, port.schema, types)
    else:
        assert expected_file is not None
        expected = _read(golden, expected_file, port, port.schema, types)
    options = DiffOptions(ignore_order=golden.ignore_order, key=tuple(golden.key), tolerance=golden.tolerance,
                          columns=tuple(golden.columns) if golden.columns is not None else None)
    diff = diff_frames(expected, frames[port.name], options)
    if diff.equal:
        return None, []
    return diff.summary(), diff.lines()


def _compare_bytes(port: PortSpec, expected_file: Path, target: Path) -> str | None:
    expected, actual = expected_file.read_bytes(), target.read_bytes()
    if port.format == "json":
        try:
            same = json.loads(expected) == json.loads(actual)
        except ValueError as exc:
            return f"not JSON: {exc}"
        return None if same else "JSON values differ from the expected file"
    if expected == actual:
        return None
    first = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
                 min(len(expected), len(actual)))
    return f"bytes differ from the expected file at byte {first} ({len(expected)} expected, {len(actual)} found)"


def _write_snapshot(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda temp: shutil.copyfile(source, temp))


def describe(verdict: GoldenVerdict) -> dict[str, Any]:
    """The record's ``details["golden"]``: the diff lines per port."""
    return {port: lines for port, lines in verdict.diffs.items()}


def judge_golden(session: SessionLike, spec: PipelineSpec, case_id: str, ports: dict[str, PortSpec],
                 paths: dict[str, Path], frames: dict[str, pd.DataFrame], scenario: ScenarioSpec,
                 result: CaseResult) -> None:
    """A passing case's outputs (``paths``, read as ``frames``) against the scenario's golden
    outputs: the case fails (``EXPECTATION_ERROR``, with the diff) when one differs; the
    snapshots ``--update-snapshots`` / ``--accept`` wrote are noted."""
    options = session.options
    verdict = check_golden_outputs(spec, case_id, scenario.expect.outputs, ports, paths, frames, session.types,
                                   options.update_snapshots or options.accept, accept=options.accept)
    if verdict.written:
        result.details["snapshots_written"] = verdict.written
        result.notices.extend(f"snapshot {'rewritten' if path in verdict.changed else 'written'}: {path}"
                              for path in verdict.written)
    if not verdict.ok:
        result.outcome, result.classification = Outcome.FAILED, ErrorClass.EXPECTATION_ERROR
        result.message = verdict.message()
        result.details["golden"] = describe(verdict)
