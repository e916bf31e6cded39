"""Terminal output with rich: header, one line per case, FAILURES, summary.

On a terminal a transient progress bar shows how far the run is; in CI (no TTY)
the output is plain text, one line per case.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ..analysis.coverage import line_ranges, step_coverage
from ..hooks import hookimpl
from ..results import CaseResult, ChildError, ExitCode, Outcome, SessionResult
from ..run_options import RunOptions
from .failure_groups import folded_traceback, group_failures
from .json_report import to_stdout
from .safe_text import shown
from .warning_groups import group_warnings

STYLE = {Outcome.PASSED: "green", Outcome.FAILED: "red", Outcome.ERROR: "red", Outcome.SKIPPED: "yellow"}
TAIL_LINES = 20


def verbosity(config: argparse.Namespace) -> int:
    """How talkative the terminal reporters are: the ``-v`` count minus the ``-q`` count."""
    return RunOptions.from_namespace(config).verbosity


def shared_console(session: Any) -> Console:
    """The console reporter's console (prints then stay above its progress bar), else a new one."""
    for plugin in session.pm.get_plugins():
        if isinstance(plugin, ConsoleReporter):
            return plugin.console
    return Console(highlight=False, soft_wrap=True)


class ConsoleReporter:
    """Renders the lifecycle stream for a person."""

    name = "console"

    def __init__(self, config: argparse.Namespace, console: Console | None = None) -> None:
        self.config = config
        # with --json - stdout holds the record alone; the report goes to stderr
        self.console = console or Console(highlight=False, soft_wrap=True,
                                          stderr=to_stdout(RunOptions.from_namespace(config).json_path))
        self.verbosity = verbosity(config)
        self.progress: Progress | None = None
        self.task: Any = None
        self.spec_errors: list[str] = []
        self._lock = threading.Lock()

    # -- stream ----------------------------------------------------------------

    @hookimpl
    def specrun_sessionstart(self, session) -> None:
        if self.verbosity < 0:
            return
        v = session.result.versions
        parts = [f"specrun {v.get('specrun')}", f"python {v.get('python')}"]
        parts += [f"{k} {v[k]}" for k in ("pandas", "pandera", "numpy", "pyarrow") if k in v]
        self.console.rule("[bold]specrun session starts")
        self.console.print(" · ".join(parts))
        seed = session.seed if session.seed is not None else "from each spec's defaults.seed"
        self.console.print(f"seed: {seed}   workspace: {session.workspace}")
        result = session.result
        if result.isolation == "namespace":
            forks = ("every run" if session.options.hermetic
                     else "fresh runs; forked runs (--executor fork, property runs) process only")
            self.console.print(f"isolation: namespace for {forks} (read-only filesystem but the sandbox, "
                               "private /tmp, own PIDs, no network unless a step says network: true)")
        elif result.isolation is not None:
            self.console.print(f"[yellow]isolation: process only[/] ({shown(result.isolation_reason)}): "
                               "scripts can write outside their sandbox and reach the network")

    @hookimpl
    def specrun_spec_error(self, session, error) -> None:
        self.spec_errors.append(str(error))
        self.console.print(f"[red]ERROR[/] {shown(str(error))}")

    @hookimpl
    def specrun_collection_finish(self, session, cases: Sequence[Any]) -> None:
        by_mode: dict[str, int] = {}
        for case in cases:
            by_mode[case.mode] = by_mode.get(case.mode, 0) + 1
        detail = ", ".join(f"{mode}: {n}" for mode, n in by_mode.items())
        specs = len(session.specs)
        if self.verbosity >= 0:
            self.console.print(f"collected {len(cases)} case{'s' if len(cases) != 1 else ''} from "
                               f"{specs} spec{'s' if specs != 1 else ''}" + (f" ({detail})" if detail else ""))
            for note in getattr(session, "selection_notes", ()):   # --lf, --ff, --sw
                self.console.print(shown(note))
        if session.options.collect_only:
            for case in cases:
                self.console.print(f"  {shown(case.id)}")
            return
        if session.options.check_only:
            findings = list(session.result.records.get("check") or ())
            for finding in findings:   # static findings (specrun_static_check), e.g. pipeline edges
                severity = str(getattr(finding, "severity", "warning"))
                where = getattr(finding, "location", None)
                text = f"{where}: {finding.message}" if where else str(finding.message)
                self.console.print(f"[{'red' if severity == 'error' else 'yellow'}]{severity.upper():7}[/] "
                                   f"{shown(text)}")
            errors = sum(getattr(f, "severity", None) == "error" for f in findings)
            if errors:
                self.console.print(f"[red]static check failed[/]: {errors} error{'s' if errors != 1 else ''}, "
                                   f"{len(findings) - errors} warning(s) in {specs} spec{'s' if specs != 1 else ''}, "
                                   "nothing run")
                return
            self.console.print(f"[green]specs OK[/]: {specs} spec{'s' if specs != 1 else ''} loaded and checked"
                               + (f" ({len(findings)} warning{'s' if len(findings) != 1 else ''})" if findings else "")
                               + ", nothing run")
            return
        if cases and self.console.is_terminal and self.verbosity >= 0:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console, transient=True)
            self.task = self.progress.add_task("running", total=len(cases))
            self.progress.start()

    @hookimpl
    def specrun_case_finish(self, session, result: CaseResult) -> None:
        with self._lock:
            if self.progress is not None:
                self.progress.advance(self.task)
            if self.verbosity < 0 and result.passed:
                return
            style = STYLE[result.outcome]
            extra = ""
            if result.outcome is Outcome.PASSED and result.message and self.verbosity > 0:
                extra = f"  [dim]{shown(result.message[:120])}[/]"
            elif result.outcome is not Outcome.PASSED and result.classification:
                extra = f"  [{style}]{result.classification.value}[/]"
            word = result.outcome.value.upper()
            if result.flaky:   # passed only on a retry: never shown as a plain pass
                style, word = "yellow", "FLAKY"
                extra = f"  [yellow]passed on attempt {len(result.retries) + 1}[/]"
            if result.cached:   # the stored record of an earlier run on the same inputs
                word += " (cached)"
            elif (result.details.get("recheck") or {}).get("rechecked"):   # --recheck: judged, not run
                word += " (rechecked)"
            self.console.print(f"[{style}]{word:7}[/] {shown(result.id)} "
                               f"[dim]{result.duration_s:.2f}s[/]{extra}")
            if self.verbosity > 0 and isinstance(result.details.get("fed"), dict):
                for line in fed_lines(result.details["fed"]):
                    self.console.print(f"        [dim]fed {shown(line)}[/]")

    @hookimpl(trylast=True)
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if self.progress is not None:
            self.progress.stop()
        if session.options.plans_only:
            if self.spec_errors:
                self._summary(result, session.elapsed())
            return
        groups = group_failures(result.cases)
        if groups:
            self.console.rule("[bold red]FAILURES")
            for group in groups:
                self.render_failure(group.first, group.ids)
        self.render_notices(result.cases)
        self.render_warnings(result.cases)
        self.render_coverage(result.cases)
        self._summary(result, session.elapsed())

    # -- rendering -------------------------------------------------------------

    def render_failure(self, case: CaseResult, ids: Sequence[str] = ()) -> None:
        """One FAILURES block: ``case`` in full; ``ids`` every case that failed the same way."""
        ids = list(ids) or [case.id]
        title = case.id if len(ids) == 1 else f"{case.id} (and {len(ids) - 1} more failing the same way)"
        self.console.rule(f"[red]{shown(title)}", characters="_")
        if len(ids) > 1:
            self.console.print(f"{len(ids)} cases failed the same way:")
            for case_id in ids:
                self.console.print(f"  {shown(case_id)}")
        kind = case.classification.value if case.classification else case.outcome.value.upper()
        self.console.print(f"[bold red]{kind}[/]: {shown(case.message)}")
        if case.kind == "property":
            self.render_shrunk_input(case)
        for port, lines in (case.details.get("golden") or {}).items():
            self.console.print(f"output [bold]{shown(port)}[/] against its expected rows:")
            for line in lines:
                style = "red" if line.startswith("  - ") else "green" if line.startswith("  + ") else \
                    "yellow" if line.startswith("  ~ ") else "bold"
                self.console.print(f"[{style}]{shown(line)}[/]")
        for validation in case.validations:
            if validation.ok or not validation.failures:
                continue
            table = Table(title=f"{validation.direction} {validation.port!r}", title_justify="left")
            for header in ("column", "check", "failures", "examples"):
                table.add_column(header)
            for failure in validation.failures[:20]:
                table.add_row(str(failure.column), shown(failure.check), str(failure.count),
                              shown(", ".join(map(repr, failure.examples[:5]))))
            self.console.print(table)
        for prop in case.properties:
            if not prop.ok:
                self.console.print(f"property [bold]{shown(prop.name)}[/] failed: {shown(prop.message)}")
        if case.error is not None:
            self.render_traceback(case.error)
        elif case.stderr_tail:
            lines = case.stderr_tail.rstrip().splitlines()[-TAIL_LINES:]
            self.console.print("[dim]--- script stderr (tail) ---[/]")
            self.console.print(shown("\n".join(lines)), markup=True)
        if case.workdir:
            self.console.print(f"sandbox: {shown(case.workdir)}")
        if case.replay:
            self.console.print(f"replay: [bold]{shown(case.replay)}[/]")

    def render_coverage(self, cases: Sequence[CaseResult]) -> None:
        """``--cov``: each step's line coverage (the lines no case ran), scenarios and constraints."""
        steps = [s for s in step_coverage({"pipeline": c.pipeline, "step": c.step, "scenario": c.scenario,
                                           "kind": c.kind, "outcome": c.outcome.value, "details": c.details}
                                          for c in cases) if s.measured]
        if not steps:
            return
        self.console.rule("[bold]coverage")
        for step in steps:
            percent = step.percent
            text = f"{percent:.0f}% of {len(step.statements)} lines" if percent is not None else "no statements"
            missed = f", missed {line_ranges(step.missing)}" if step.missing else ""
            rejected = sum(outcome == "passed" for outcome in step.constraints.values())
            constraints = (f"; constraints {rejected}/{len(step.constraints)} rejected as they must"
                           if step.constraints else "")
            self.console.print(f"{shown(step.pipeline)}::{shown(step.step)} [bold]{text}[/]{shown(missed)} "
                               f"[dim]{shown(step.file or '')}[/]; scenarios: "
                               f"{shown(', '.join(step.scenarios) or '-')}{shown(constraints)}")

    def render_notices(self, cases: Sequence[CaseResult]) -> None:
        """What specrun noticed that did not decide a verdict (stray processes killed, inputs
        the script modified), like pytest's warnings summary: one line per case and notice."""
        noticed = [(case.id, notice) for case in cases for notice in case.notices]
        if not noticed:
            return
        self.console.rule("[bold yellow]notices")
        for case_id, notice in noticed:
            self.console.print(f"[yellow]{shown(case_id)}[/]: {shown(notice)}")

    def render_warnings(self, cases: Sequence[CaseResult]) -> None:
        """The warnings the scripts emitted, each once with the cases it came from; a count of
        deprecations first (the early sign of an upgrade that will break a script)."""
        groups = group_warnings(cases)
        if not groups:
            return
        self.console.rule("[bold yellow]script warnings")
        deprecated = [g for g in groups if g.deprecation]
        if deprecated:
            scripts = {g.warning.filename for g in deprecated}
            self.console.print(f"[yellow]{len(deprecated)} warning{'s' if len(deprecated) != 1 else ''} from "
                               f"deprecated APIs in {len(scripts)} file{'s' if len(scripts) != 1 else ''}[/]")
        for group in groups:
            where = f" ({shown(group.where)})" if group.where else ""
            self.console.print(f"[yellow]{shown(group.warning.category)}[/]: {shown(group.warning.message)}{where}")
            listed = ", ".join(group.cases[:3]) + (f" and {len(group.cases) - 3} more" if len(group.cases) > 3 else "")
            self.console.print(f"  [dim]{len(group.cases)} case{'s' if len(group.cases) != 1 else ''}: "
                               f"{shown(listed)}[/]")

    def render_traceback(self, error: ChildError) -> None:
        """Where the script went wrong first, then its traceback with library frames folded
        (``-v``: the traceback as recorded)."""
        frame = error.script_frame()
        if frame is not None:
            code = f": {frame.code}" if frame.code else ""
            self.console.print(f"in the script: [bold]{shown(_shown_path(frame.file))}:{frame.line}[/] in "
                               f"{shown(frame.function)}{shown(code)}")
        self.console.print("[dim]--- traceback ---[/]")
        lines = error.traceback.rstrip().splitlines() if self.verbosity > 0 else folded_traceback(error)
        self.console.print(shown("\n".join(lines)), markup=True)

    def render_shrunk_input(self, case: CaseResult) -> None:
        """A property case: the head of each minimal failing input frame, then the other failures."""
        failures = case.details.get("failures") or []
        for number, failure in enumerate(failures):
            if number:
                self.console.print(f"also failing: {shown(str(failure.get('classification')))}: "
                                   f"{shown(str(failure.get('message')))} — [bold]{shown(failure['replay'])}[/]")
                continue
            for port, rows in (failure.get("input_head") or {}).items():
                columns = list(rows[0]) if rows else []
                table = Table(title=f"minimal input {port!r} ({(failure.get('input_rows') or {}).get(port, 0)} rows)",
                              title_justify="left")
                for column in columns:
                    table.add_column(shown(str(column)))
                for row in rows:
                    table.add_row(*(shown(repr(row.get(c))) for c in columns))
                self.console.print(table)

    def _summary(self, result: SessionResult, elapsed: float) -> None:
        counts = result.counts()
        cached = {o: sum(c.cached and c.outcome is o for c in result.cases) for o in Outcome}
        parts = [f"{counts[o.value]} {o.value}" + (f" ({cached[o]} cached)" if cached[o] else "")
                 for o in (Outcome.FAILED, Outcome.ERROR, Outcome.PASSED, Outcome.SKIPPED) if counts[o.value]]
        flaky = sum(case.flaky for case in result.cases)
        if flaky:   # counted among the passed, named apart
            parts.append(f"{flaky} flaky")
        if self.spec_errors:
            parts.insert(0, f"{len(self.spec_errors)} spec error{'s' if len(self.spec_errors) != 1 else ''}")
        if result.deselected:
            parts.append(f"{result.deselected} deselected")
        written = sum(len(case.details.get("snapshots_written") or []) for case in result.cases)
        if written:
            parts.append(f"{written} snapshot{'s' if written != 1 else ''} written")
        if result.not_run:
            parts.append(f"{result.not_run} not run")
        if result.stopped:
            self.console.print(f"[bold red]{shown(result.stopped)}[/]: {result.not_run} of {result.collected} "
                               f"selected case{'s' if result.collected != 1 else ''} not run")
        if result.interrupted:
            parts.append(f"interrupted by {result.stop_signal}" if result.stop_signal else "interrupted")
        if not parts:
            parts = ["no cases ran"]
        bad = result.exit_code not in (int(ExitCode.OK),)
        style = "red" if bad else "green"
        self.console.rule(f"[bold {style}]{', '.join(parts)} in {elapsed:.2f}s", style=style)


def _shown_path(file: str) -> str:
    """``file`` relative to the working directory when it is below it."""
    try:
        return str(Path(file).relative_to(Path.cwd()))
    except ValueError:
        return file


def fed_lines(fed: dict[str, Any]) -> list[str]:
    """One line per port, e.g. ``payments: 20 rows; amount -1.0..9.9e+05 (0 null)``."""
    lines = []
    for port, summary in fed.items():
        parts = [f"{name} {_short(c['min'])}..{_short(c['max'])} ({c['nulls']} null)"
                 for name, c in summary["columns"].items()]
        lines.append(f"{port}: {summary['rows']} rows; " + "; ".join(parts))
    return lines


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[ConsoleReporter]:
    return [ConsoleReporter(config)]
