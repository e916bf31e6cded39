"""Per failure group, what the page shows: message, validation failures per column with
counts and examples, failed properties, the minimal input of a property failure, the
folded traceback and the replay command.  Read from the first case's JSON record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ...results import ChildError, TracebackFrame
from ..failure_groups import folded_traceback


def _text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


@dataclass
class PortFailure:
    port: str
    direction: str
    message: str
    columns: list[dict[str, Any]]    # column, check, count, examples (as text)


@dataclass
class MinimalInput:
    port: str
    rows: int
    columns: list[str]
    head: list[list[str]]


@dataclass
class FailureDetail:
    """One group of identical failures: what its first case shows."""

    index: int
    ids: list[str]
    outcome: str
    classification: str | None
    message: str
    ports: list[PortFailure] = field(default_factory=list)
    properties: list[dict[str, str]] = field(default_factory=list)
    minimal_inputs: list[MinimalInput] = field(default_factory=list)
    traceback: list[str] = field(default_factory=list)
    stderr_tail: str = ""
    replay: str | None = None


def _minimal_inputs(details: dict[str, Any]) -> list[MinimalInput]:
    failures = details.get("failures") or []
    if not failures or not isinstance(failures[0], dict):
        return []
    first = failures[0]
    out = []
    for port, rows in (first.get("input_head") or {}).items():
        columns = [str(c) for c in (rows[0] if rows else {})]
        out.append(MinimalInput(port, int((first.get("input_rows") or {}).get(port, len(rows))), columns,
                                [[_text(row.get(c)) for c in columns] for row in rows]))
    return out


def failure_detail(index: int, group: dict[str, Any], case: dict[str, Any]) -> FailureDetail:
    """The details of failure group ``index`` from its first case's record."""
    detail = FailureDetail(index, list(group["cases"]), case["outcome"], case.get("classification"),
                           case.get("message", ""), replay=case.get("replay"),
                           stderr_tail=case.get("stderr_tail") or "")
    for validation in case.get("validations", []):
        if not validation.get("ok", True):
            columns = [{"column": f.get("column"), "check": f.get("check"), "count": f.get("count"),
                        "examples": ", ".join(_text(e) for e in f.get("examples", []))}
                       for f in validation.get("failures", [])]
            detail.ports.append(PortFailure(validation["port"], validation.get("direction", ""),
                                            validation.get("message", ""), columns))
    detail.properties = [{"name": p["name"], "message": p.get("message", "")}
                         for p in case.get("properties", []) if not p.get("ok", True)]
    detail.minimal_inputs = _minimal_inputs(case.get("details") or {})
    if isinstance(case.get("error"), dict):
        detail.traceback = folded_traceback(_child_error(case["error"]))
    return detail


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _child_error(data: dict[str, Any]) -> ChildError:
    """The record's error (keys a newer record adds are ignored)."""
    frames = [TracebackFrame(**_known(TracebackFrame, f)) for f in data.get("frames") or []]
    fields = _known(ChildError, data)
    fields.update(frames=frames, type=str(data.get("type", "")), module=str(data.get("module", "")),
                  message=str(data.get("message", "")), traceback=str(data.get("traceback", "")))
    return ChildError(**fields)


