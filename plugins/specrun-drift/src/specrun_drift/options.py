"""The ``modes: {drift: {...}}`` options, checked with spec errors at their keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specrun.analysis.drift import DriftThresholds
from specrun.plugin import PipelineSpec, SpecError, mode_options

NAME = "drift"
KEYS = ("reference", "steps", "inputs", "outputs", "columns", "rows", "sample_size", "thresholds",
        "endpoint_url", "region", "profile", "enabled")


@dataclass
class DriftOptions:
    """What the drift mode was asked to do for one spec."""

    reference: str                       # an s3:// prefix or an absolute local path
    steps: list[str]
    inputs: dict[str, str] = field(default_factory=dict)    # port → path/URI under the reference
    outputs: list[str] | None = None
    columns: list[str] | None = None
    rows: int = 1000
    sample_size: int = 10000
    thresholds: DriftThresholds = field(default_factory=DriftThresholds)
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None

    @property
    def is_s3(self) -> bool:
        return self.reference.startswith("s3://")


def drift_options(spec: PipelineSpec, project: dict[str, Any] | None) -> DriftOptions:
    """The merged options of the drift mode for ``spec`` (spec over project config)."""
    raw = mode_options(spec, NAME, project)

    def where(key: str | None = None):
        return spec.where(f"modes.{NAME}" + (f".{key}" if key else ""))

    for key in raw:
        if key not in KEYS:
            raise SpecError(f"unknown option {key!r} of mode drift (known: {', '.join(KEYS)})", where(key))
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference:
        raise SpecError("the drift mode needs 'reference': a snapshot or data folder, or an s3:// prefix",
                        where("reference" if "reference" in raw else None))
    if not reference.startswith("s3://"):
        reference = str((spec.path.parent / reference).resolve())
    steps = _names(raw.get("steps"), where("steps"), "steps") or list(spec.steps)
    unknown = [s for s in steps if s not in spec.steps]
    if unknown:
        raise SpecError(f"unknown step(s) {', '.join(unknown)} (known: {', '.join(spec.steps)})", where("steps"))
    inputs = raw.get("inputs") or {}
    if not isinstance(inputs, dict) or not all(isinstance(v, str) and v for v in inputs.values()):
        raise SpecError("inputs must map input names to paths under the reference", where("inputs"))
    return DriftOptions(
        reference=reference, steps=steps, inputs={str(k): v for k, v in inputs.items()},
        outputs=_names(raw.get("outputs"), where("outputs"), "outputs"),
        columns=_names(raw.get("columns"), where("columns"), "columns"),
        rows=_count(raw.get("rows", 1000), where("rows"), "rows"),
        sample_size=_count(raw.get("sample_size", 10000), where("sample_size"), "sample_size"),
        thresholds=DriftThresholds.from_mapping(_mapping(raw.get("thresholds"), where("thresholds")),
                                                where("thresholds")),
        endpoint_url=_text(raw.get("endpoint_url"), where("endpoint_url"), "endpoint_url"),
        region=_text(raw.get("region"), where("region"), "region"),
        profile=_text(raw.get("profile"), where("profile"), "profile"),
    )


def _names(value: Any, location: Any, key: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SpecError(f"{key} must be a list of names", location)
    return list(value)


def _count(value: Any, location: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{key} must be a positive integer, not {value!r}", location)
    return value


def _mapping(value: Any, location: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise SpecError("thresholds must be a mapping like {psi: 0.2, ks: 0.1}", location)
    return value


def _text(value: Any, location: Any, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise SpecError(f"{key} must be a string", location)
    return value

