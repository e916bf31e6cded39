"""Options of each built-in mode: defaults, the seed's aliases, and where they come from.

A mode's options are merged from, lowest first: the defaults below, the project
config (``[tool.specrun.modes.NAME]`` in pyproject.toml or ``specrun.toml``'s
``[modes.NAME]``), and the spec's ``modes: {NAME: {...}}``.  The keys of the
design note's ``testing_modes_config`` are accepted as aliases of the canonical
names (``execution_mode`` → ``execution``, ``timeout_per_scenario`` → ``timeout``…).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..spec.model import PipelineSpec, SpecError
from ..spec.units import parse_bandwidth, parse_duration, parse_memory

DEFAULTS: dict[str, dict[str, Any]] = {
    "isolation": {
        "enabled": True, "scenarios": None, "timeout": None, "memory_limit": None, "jobs": None,
    },
    "pipeline": {
        "enabled": True, "execution": "parallel", "validation": "strict", "continue_on_failure": False,
        "max_parallel": None, "timeout_per_step": None, "max_pipeline_time": None, "memory_limit": None,
        "scenario": "standard", "scenarios": None, "degradation": {},
    },
    "deep_dive": {
        "enabled": True, "execution_arn": None, "snapshot": None, "sample_size": 10000,
        "analysis_scope": "sample", "focus_areas": ["performance", "data_quality", "error_patterns"],
        "resource_monitoring": True, "comparative_analysis": False, "baseline_execution": None,
        "comparison_execution": None, "endpoint_url": None, "region": None, "profile": None,
        "volume_rows": [1000, 10000, 100000], "steps": None, "timeout_per_step": None,
        "memory_limit": None, "refresh": False, "cache_dir": None, "cache_max_bytes": None,
        "drift_thresholds": None, "bandwidth": None,
    },
}

ALIASES: dict[str, dict[str, str]] = {
    "isolation": {"timeout_per_scenario": "timeout", "max_memory": "memory_limit", "parallel_execution": "jobs"},
    "pipeline": {"execution_mode": "execution", "data_flow_validation": "validation",
                 "validation_level": "validation", "max_memory_per_step": "memory_limit",
                 "max_memory": "memory_limit"},
    "deep_dive": {"s3_execution_arn": "execution_arn", "max_memory": "memory_limit"},
}

CHOICES = {
    ("pipeline", "execution"): ("parallel", "sequential"),
    ("pipeline", "validation"): ("strict", "lenient"),
    ("deep_dive", "analysis_scope"): ("sample", "full"),
}
DURATIONS = {"timeout", "timeout_per_step", "max_pipeline_time"}
MEMORIES = {"memory_limit", "cache_max_bytes"}


def mode_options(spec: PipelineSpec, name: str, project: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The merged, normalised options of mode ``name`` for ``spec``.

    Unknown keys of built-in modes are spec errors (at ``modes.NAME.KEY``); a
    plugin mode's options are returned as written, over its project config.
    """
    merged: dict[str, Any] = dict(DEFAULTS.get(name, {}))
    for source, where in (((project or {}).get(name) or {}, None), (spec.modes.get(name) or {}, spec)):
        for key, value in source.items():
            canonical = ALIASES.get(name, {}).get(key, key)
            location = spec.where(f"modes.{name}.{key}") if where is not None else None
            if name in DEFAULTS and canonical not in DEFAULTS[name]:
                known = ", ".join(sorted([*DEFAULTS[name], *ALIASES.get(name, {})]))
                raise SpecError(f"unknown option {key!r} of mode {name} (known: {known})", location,
                                key=f"modes.{name}.{key}")
            merged[canonical] = _normalise(name, canonical, value, location)
    return merged


def _normalise(mode: str, key: str, value: Any, location: Any) -> Any:
    try:
        if value is None:
            return None
        if key in DURATIONS:
            return parse_duration(value)
        if key in MEMORIES:
            return parse_memory(value)
        if key == "bandwidth":
            return parse_bandwidth(value)
        if key == "jobs" and isinstance(value, bool):  # parallel_execution: true → every CPU
            return (os.cpu_count() or 1) if value else 1
        if key in ("enabled", "continue_on_failure", "resource_monitoring", "comparative_analysis", "refresh"):
            return _boolean(value)
        if key in ("jobs", "max_parallel", "sample_size"):
            number = int(value)
            if number < 1:
                raise ValueError("must be >= 1")
            return number
        choices = CHOICES.get((mode, key))
        if choices and value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
    except (TypeError, ValueError) as exc:
        raise SpecError(f"{exc}", location, key=f"modes.{mode}.{key}") from None
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")
