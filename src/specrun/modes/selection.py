"""Which modes run for a spec, in which order.

* ``--mode NAME`` (repeatable) runs exactly those modes; ``--quick`` and ``--recheck`` run isolation only.
* Otherwise the automatic choice: isolation always; pipeline when the spec has
  more than one step; deep dive when real data is configured (an execution ARN, a
  snapshot or a baseline execution in ``modes.deep_dive`` of the spec or the
  project config, or a ``source:`` on an input).
* Every mode the spec names under ``modes:`` is added (that is how a plugin mode
  is switched on), and every mode whose merged options say ``enabled: false``
  (spec over project config) is removed.

Modes run in the canonical order isolation → pipeline → deep dive, then the
others in the order named.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError
from ..hooks import hookimpl
from ..run_options import RunOptions
from ..spec.model import PipelineSpec
from .options import mode_options

CANONICAL_ORDER = ("isolation", "pipeline", "deep_dive")
_REAL_DATA_KEYS = ("execution_arn", "s3_execution_arn", "snapshot", "baseline_execution")


def has_real_data(spec: PipelineSpec, project: Mapping[str, Any] | None = None) -> bool:
    """Real data is configured for ``spec`` (in its ``modes.deep_dive``, the project's, or a ``source:``)."""
    for deep in (spec.modes.get("deep_dive") or {}, (project or {}).get("deep_dive") or {}):
        if any(deep.get(k) for k in _REAL_DATA_KEYS):
            return True
    return any(port.source for step in spec.steps.values() for port in step.inputs.values())


def ordered(names: Sequence[str]) -> list[str]:
    known = [n for n in CANONICAL_ORDER if n in names]
    return known + [n for n in dict.fromkeys(names) if n not in CANONICAL_ORDER]


def automatic(spec: PipelineSpec, available: Sequence[str], project: Mapping[str, Any] | None = None) -> list[str]:
    """The modes chosen when neither the command line nor the spec says otherwise."""
    chosen = ["isolation"]
    if len(spec.steps) > 1 and "pipeline" in available:
        chosen.append("pipeline")
    if has_real_data(spec, project) and "deep_dive" in available:
        chosen.append("deep_dive")
    return chosen


def enabled(spec: PipelineSpec, name: str, project: Mapping[str, Any] | None) -> bool | None:
    """The merged ``enabled`` option of mode ``name`` (None: neither the spec nor the project says)."""
    if "enabled" not in (spec.modes.get(name) or {}) and "enabled" not in ((project or {}).get(name) or {}):
        return None
    return bool(mode_options(spec, name, project)["enabled"])   # normalised (and checked) there


@hookimpl(trylast=True)
def specrun_select_modes(spec: PipelineSpec, config: argparse.Namespace,
                         available: Sequence[str]) -> list[str]:
    options = RunOptions.from_namespace(config)
    if options.recheck:     # only isolation cases keep outputs a recheck can read (modes/isolation/recheck.py)
        if options.mode and set(options.mode) != {"isolation"}:
            raise UsageError(f"--recheck rechecks isolation cases only, not --mode {', '.join(options.mode)}")
        return ["isolation"]
    if options.mode:
        return ordered(list(options.mode))
    if options.quick:
        return ["isolation"]
    project = options.project_modes
    chosen = automatic(spec, available, project)
    chosen += [name for name in spec.modes if name not in chosen]
    chosen += [name for name in project if name not in chosen and enabled(spec, name, project)]
    return ordered([name for name in chosen if enabled(spec, name, project) is not False])
