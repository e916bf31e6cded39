"""Planned cases and their seeds: what modes import instead of the session.

A mode's ``plan`` returns :class:`PlannedCase` records; :func:`stable_seed` derives
a case's seed from its identity, so a run is reproducible across machines.
This module imports only the spec model.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from .spec.model import PipelineSpec


@dataclass
class PlannedCase:
    """One unit of work a mode planned; ``payload`` is the mode's own data.

    ``kind`` is what the case's result will be (``step``, ``transition`` …), as in
    :class:`~specrun.results.CaseResult`: every planned case is one result.
    """

    id: str
    mode: str
    pipeline: str
    step: str | None
    scenario: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    spec: PipelineSpec | None = field(default=None, repr=False, compare=False)
    payload: Any = field(default=None, repr=False, compare=False)
    kind: str = "step"


def stable_seed(*parts: object) -> int:
    """A 32-bit seed derived from ``parts``; identical across runs and machines."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode()) & 0x7FFFFFFF
