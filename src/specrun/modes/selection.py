"""Which modes run for a spec: ``--mode``, ``--quick``, the spec's ``modes:``, or automatic.

Automatic selection (the spec names no modes): isolation always; pipeline when the
spec has more than one step; deep dive when real data is configured (an execution
ARN, ``source:`` on an input, or a snapshot).
"""

from __future__ import annotations

import argparse
from typing import Sequence

from ..hooks import hookimpl
from ..spec.model import PipelineSpec

CANONICAL_ORDER = ("isolation", "pipeline", "deep_dive")


def has_real_data(spec: PipelineSpec) -> bool:
    deep = spec.modes.get("deep_dive") or {}
    if any(deep.get(k) for k in ("execution_arn", "snapshot", "baseline_execution")):
        return True
    return any(port.source for step in spec.steps.values() for port in step.inputs.values())


def _ordered(names: Sequence[str]) -> list[str]:
    known = [n for n in CANONICAL_ORDER if n in names]
    return known + [n for n in names if n not in CANONICAL_ORDER]


@hookimpl(trylast=True)
def specrun_select_modes(spec: PipelineSpec, config: argparse.Namespace,
                         available: Sequence[str]) -> list[str]:
    requested = getattr(config, "mode", None)
    if requested:
        return _ordered(list(dict.fromkeys(requested)))
    if getattr(config, "quick", False):
        return ["isolation"]
    if spec.modes:
        enabled = [name for name, options in spec.modes.items()
                   if (options or {}).get("enabled", True) not in (False, "false")]
        return _ordered(enabled)
    chosen = ["isolation"]
    if len(spec.steps) > 1 and "pipeline" in available:
        chosen.append("pipeline")
    if has_real_data(spec) and "deep_dive" in available:
        chosen.append("deep_dive")
    return chosen
