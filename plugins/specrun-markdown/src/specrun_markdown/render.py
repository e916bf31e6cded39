"""A run's result record as Markdown: a table per pipeline (counts per mode), then
spec errors, plugin errors and the failures with their message and replay command."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from specrun.plugin import CaseResult, Outcome
from specrun.results import SessionResult

OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED)
MESSAGE_CHARS = 500


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def inline_code(text: str) -> str:
    """``text`` as inline code, with a fence longer than any backtick run inside it."""
    ticks = "`" * (max((len(run) for run in _backtick_runs(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _backtick_runs(text: str) -> Iterable[str]:
    run = ""
    for char in text:
        if char == "`":
            run += char
        elif run:
            yield run
            run = ""
    if run:
        yield run


def pipeline_table(cases: Sequence[CaseResult]) -> list[str]:
    by_mode: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        by_mode[case.mode].append(case)
    lines = ["| mode | " + " | ".join(o.value for o in OUTCOMES) + " | time (s) |",
             "|---|" + "---:|" * (len(OUTCOMES) + 1)]
    for mode, members in by_mode.items():
        counts = [sum(1 for c in members if c.outcome is o) for o in OUTCOMES]
        seconds = sum(c.duration_s for c in members)
        lines.append(f"| {cell(mode)} | " + " | ".join(map(str, counts)) + f" | {seconds:.2f} |")
    return lines


def failure_lines(case: CaseResult) -> list[str]:
    kind = case.classification.value if case.classification else case.outcome.value.upper()
    message = " ".join(case.message.split())
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS - 1] + "…"
    lines = [f"- {inline_code(case.id)} — **{kind}**: {cell(message) or '(no message)'}"]
    if case.replay:
        lines += ["", "  ```sh", f"  {case.replay}", "  ```"]
    return lines


def render(result: SessionResult, spec_errors: Sequence[str] = (), title: str = "specrun") -> str:
    counts = result.counts()
    summary = ", ".join(f"{counts[o.value]} {o.value}" for o in OUTCOMES if counts[o.value]) or "no cases ran"
    lines = [f"## {title}: {summary} (exit code {result.exit_code})", ""]
    if spec_errors:
        lines += ["### Spec errors", ""] + [f"- {inline_code(e)}" for e in spec_errors] + [""]
    hook_errors = result.records.get("hook_errors") or []
    if hook_errors:
        lines += ["### Plugin errors", ""]
        lines += [f"- plugin {inline_code(e['plugin'])} failed in {inline_code(e['hook'])} ({e['count']}×): "
                  f"{cell(e['error'])}" for e in hook_errors] + [""]
    pipelines: dict[str, list[CaseResult]] = defaultdict(list)
    for case in result.cases:
        pipelines[case.pipeline].append(case)
    for pipeline, cases in pipelines.items():
        lines += [f"### Pipeline {inline_code(pipeline)}", ""] + pipeline_table(cases) + [""]
        failed = [c for c in cases if c.outcome in (Outcome.FAILED, Outcome.ERROR)]
        if failed:
            lines += [f"#### Failures ({len(failed)})", ""]
            for case in failed:
                lines += failure_lines(case)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
