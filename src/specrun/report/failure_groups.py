"""Failures as a person reads them: identical failures grouped, tracebacks folded.

Cases that failed the same way — same outcome, classification, message and script
frame, and the same validation and property findings — form one
:class:`FailureGroup`, so one ``KeyError`` in four scenarios is one FAILURES block
listing four case ids.  :func:`folded_traceback` renders a script's traceback from
its structured frames: the script's own frames in full, each run of library frames
(pandas internals, the standard library) folded into one line.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..results import CaseResult, ChildError, Outcome, TracebackFrame


@dataclass
class FailureGroup:
    """Failed cases that share one failure; ``cases[0]`` is the one rendered."""

    key: Hashable
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def first(self) -> CaseResult:
        return self.cases[0]

    @property
    def ids(self) -> list[str]:
        return [case.id for case in self.cases]

    def to_json(self) -> dict[str, Any]:
        """The group as it appears in the JSON record's ``failure_groups``."""
        case = self.first
        frame = case.error.script_frame() if case.error else None
        return {"cases": self.ids, "outcome": case.outcome.value,
                "classification": case.classification.value if case.classification else None,
                "message": case.message,
                "script_frame": ({"file": frame.file, "line": frame.line, "function": frame.function}
                                 if frame else None)}


def failure_key(case: CaseResult) -> Hashable:
    """What two failures must share to be one: everything the FAILURES block shows but the id."""
    if case.kind == "property":        # each carries its own shrunk input
        return ("property", case.id)
    frame = case.error.script_frame() if case.error else None
    error = (case.error.type, case.error.message, (frame.file, frame.line, frame.function) if frame else None) \
        if case.error else None
    validations = tuple((v.port, v.direction, v.message, tuple((f.column, f.check, f.count) for f in v.failures))
                        for v in case.validations if not v.ok)
    properties = tuple((p.name, p.message) for p in case.properties if not p.ok)
    return (case.kind, case.outcome.value, case.classification.value if case.classification else None,
            case.message, error, validations, properties)


def group_failures(cases: Iterable[CaseResult]) -> list[FailureGroup]:
    """The failed and errored cases grouped by :func:`failure_key`, in order of first appearance."""
    groups: dict[Hashable, FailureGroup] = {}
    for case in cases:
        if case.outcome not in (Outcome.FAILED, Outcome.ERROR):
            continue
        key = failure_key(case)
        groups.setdefault(key, FailureGroup(key)).cases.append(case)
    return list(groups.values())


def _library_label(frames: list[TracebackFrame]) -> str:
    """``pandas/core/frame.py, pandas/core/indexes/base.py`` — where a folded run of frames lives."""
    names: list[str] = []
    for frame in frames:
        parts = frame.file.replace("\\", "/").split("/")
        for anchor in ("site-packages", "dist-packages"):
            if anchor in parts:
                parts = parts[parts.index(anchor) + 1:]
                break
        else:
            parts = parts[-2:]
        name = "/".join(parts)
        if name not in names:
            names.append(name)
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return shown


def folded_traceback(error: ChildError) -> list[str]:
    """The traceback's lines: script frames in full, library frames folded, then the exception.

    Without structured frames (an old record) the recorded text is returned as it is.
    """
    if not error.frames or not any(f.is_user_script for f in error.frames):
        return error.traceback.rstrip().splitlines()
    lines = ["Traceback (script frames; library frames folded):"]
    pending: list[TracebackFrame] = []
    for frame in [*error.frames, None]:
        if frame is not None and not frame.is_user_script:
            pending.append(frame)
            continue
        if pending:
            lines.append(f"  … {len(pending)} library frame{'s' if len(pending) != 1 else ''} "
                         f"({_library_label(pending)})")
            pending = []
        if frame is not None:
            lines.append(f'  File "{frame.file}", line {frame.line}, in {frame.function}')
            if frame.code:
                lines.append(f"    {frame.code}")
    message = f"{error.type}: {error.message}" if error.message else error.type
    lines.extend(message.splitlines() or [error.type])
    return lines
