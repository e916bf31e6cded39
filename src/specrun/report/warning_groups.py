"""The warnings scripts emitted, de-duplicated across cases: pytest's "warnings summary".

A ``DeprecationWarning`` or ``FutureWarning`` from pandas or numpy is the early sign of
an upgrade that will break a script; it is recorded per case (``CaseResult.warnings``)
and, because the same line warns in every case that runs it, grouped here by category,
message and the script line that triggered it.  Deprecations are counted apart, so the
summary can say "2 warnings from deprecated APIs".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..results import CaseResult, ScriptWarning

DEPRECATIONS = ("builtins.DeprecationWarning", "builtins.PendingDeprecationWarning", "builtins.FutureWarning")


@dataclass
class WarningGroup:
    """One warning (category, message, where) and every case whose script emitted it."""

    warning: ScriptWarning
    cases: list[str] = field(default_factory=list)

    @property
    def deprecation(self) -> bool:
        return any(name in DEPRECATIONS for name in self.warning.mro) or \
            self.warning.category in {name.rsplit(".", 1)[-1] for name in DEPRECATIONS}

    @property
    def where(self) -> str:
        w = self.warning
        return f"{Path(w.filename).name}:{w.lineno}" if w.filename else ""

    def to_json(self) -> dict[str, Any]:
        """The group as it appears in the JSON record's ``warning_groups``."""
        w = self.warning
        return {"category": w.category, "message": w.message, "filename": w.filename, "lineno": w.lineno,
                "deprecation": self.deprecation, "cases": list(self.cases)}


def group_warnings(cases: Iterable[CaseResult]) -> list[WarningGroup]:
    """One group per distinct (category, message, file, line), in the order first seen;
    a case is listed once per group however often its script warned."""
    groups: dict[tuple[str, str, str, int], WarningGroup] = {}
    for case in cases:
        for warning in case.warnings:
            key = (warning.category, warning.message, warning.filename, warning.lineno)
            group = groups.setdefault(key, WarningGroup(warning))
            if case.id not in group.cases:
                group.cases.append(case.id)
    return list(groups.values())
