"""What a deep dive concludes from its measurements: scaling fits, bottlenecks,
recommendations and error patterns.

Pure functions over plain records (no processes, no files), so every conclusion is
testable on synthetic measurements:

* :func:`fit_exponent` — the exponent ``b`` of ``metric ≈ a · rows^b`` by a least-squares
  line through ``log(rows), log(metric - baseline)``.  The baseline (the same step on
  zero rows: interpreter start, imports) is subtracted so a fixed cost does not flatten
  the curve; points whose growth is below a noise floor are left out of the fit, and an
  exponent is only *significant* when the growth at the largest size clears the floor.
  The floor is measured, not only assumed: the baseline is run several times and the
  spread of its CPU seconds (a loaded machine's jitter) raises the fixed floor; each size
  close to the floor is run again and its quietest run kept (:func:`quietest`), since
  contention only ever adds time.
* :func:`find_bottlenecks` — the slowest, the most memory-hungry and the most I/O-heavy
  step on real data, with its share of the total.
* :func:`recommend` — concrete advice, each item quoting the measurement it comes from.
* :func:`error_patterns` — every failed run of every step grouped by classification.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...analysis.drift import ColumnDrift
from ...analysis.profile import DataProfile
from ...lazy import lazy_module
from ...results import PortValidation
from ...spec.units import mib

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

SUPER_LINEAR = 1.2            # exponent above which growth is flagged
TIME_NOISE_FLOOR_S = 0.05     # CPU seconds of growth that can be told from noise on a quiet machine
BASELINE_RUNS = 3             # the zero-row run is repeated to measure the machine's jitter
JITTER_FACTOR = 1.0           # growth must clear the baseline runs' own spread to count
NEAR_FLOOR = 10.0             # a size whose growth is within this many floors is measured again
NEAR_FLOOR_RUNS = 3           # ... up to this many runs in all, the quietest kept
MEMORY_NOISE_FLOOR = 4 * 2**20
PROJECTION_FACTOR = 10        # recommendations project to this many times the largest size
SLOW_VS_SYNTHETIC = 2.0       # real data this many times slower than synthetic is worth a word
IO_BOUND_MIN_WALL_S = 2.0     # a run this long that was on the CPU for less than
IO_BOUND_CPU_SHARE = 0.3      # this share of it is waiting (I/O, sleeps)


@dataclass
class RunSummary:
    """One run of one step: on real data, on synthetic data, or at one scaling size."""

    label: str                 # "real", "synthetic", "rows=1000", "rows=0"
    rows: int                  # rows of the step's tabular inputs, summed
    ok: bool
    classification: str | None = None
    message: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_bytes: int = 0
    read_bytes: int = 0
    write_bytes: int = 0
    output_rows: int | None = None


@dataclass
class ExponentFit:
    """How one metric grows with rows: ``metric - baseline ≈ a · rows^exponent``."""

    metric: str                # cpu_s | wall_s | peak_rss_bytes
    exponent: float | None
    r2: float | None = None
    points: int = 0            # sizes used in the fit
    baseline: float | None = None
    significant: bool = False  # the growth at the largest size clears the noise floor
    super_linear: bool = False
    note: str = ""


@dataclass
class ScalingResult:
    """A step run at increasing row counts, and the fitted exponents."""

    step: str
    data: str                  # "real (resampled)" or "synthetic"
    points: list[RunSummary]
    baseline: RunSummary | None
    time: ExponentFit          # fitted on CPU seconds: steadier than wall time on a busy machine
    wall: ExponentFit
    memory: ExponentFit

    @property
    def super_linear(self) -> bool:
        return self.time.super_linear or self.memory.super_linear


@dataclass
class StepAnalysis:
    """Everything the deep dive learned about one step."""

    step: str
    sagemaker_step: str
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)   # port → where its data came from
    source_error: str | None = None
    real: RunSummary | None = None
    synthetic: RunSummary | None = None
    synthetic_note: str = ""
    input_validations: list[PortValidation] = field(default_factory=list)
    profiles: dict[str, DataProfile] = field(default_factory=dict)
    synthetic_drift: dict[str, list[ColumnDrift]] = field(default_factory=dict)  # drifted columns only
    scaling: ScalingResult | None = None
    memory_limit: int | None = None


@dataclass
class Bottleneck:
    kind: str                  # time | memory | io
    step: str
    value: float
    share: float               # of the total over the steps that ran
    message: str


@dataclass
class Recommendation:
    step: str
    topic: str                 # performance | memory | io | scaling | data_quality | synthetic_gap | failure
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class ErrorPattern:
    """Failed runs sharing one classification."""

    classification: str
    count: int
    steps: list[str]
    runs: list[dict[str, str]]  # {step, run, message}


# -- scaling --------------------------------------------------------------------

def fit_exponent(rows: Sequence[int], values: Sequence[float], metric: str,
                 baseline: float | None = None, noise_floor: float = 0.0,
                 threshold: float = SUPER_LINEAR) -> ExponentFit:
    """The log-log exponent of ``values`` over ``rows`` (see the module docstring)."""
    growth = [(int(n), float(v) - (baseline or 0.0)) for n, v in zip(rows, values, strict=True)
              if n > 0 and math.isfinite(v)]
    positive = [(n, d) for n, d in growth if d > 0]
    above = [(n, d) for n, d in positive if d >= noise_floor]
    chosen, significant = (above, True) if len({n for n, _ in above}) >= 2 else (positive, False)
    if len({n for n, _ in chosen}) < 2:
        return ExponentFit(metric, None, baseline=baseline, points=len(chosen),
                           note="too few sizes with measurable growth to fit")
    x = np.log([n for n, _ in chosen])
    y = np.log([d for _, d in chosen])
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(np.sum((y - (slope * x + intercept)) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - residual / total if total > 0 else 1.0
    largest = max(growth, key=lambda item: item[0])[1] if growth else 0.0
    significant = significant and largest >= noise_floor
    note = "" if significant else f"growth below the noise floor ({noise_floor:g}); exponent is indicative"
    exponent = float(slope)
    return ExponentFit(metric, exponent, r2, len(chosen), baseline, significant,
                       significant and exponent > threshold, note)


def quietest(runs: Sequence[RunSummary]) -> RunSummary:
    """One summary of repeated runs of the same thing: the least of each measurement.

    Contention on a shared machine only adds CPU time, wall time and (through delayed
    frees) memory, so the minimum is the estimate closest to the step's own cost.  A
    failed run wins over successful ones: its failure must not be hidden by a retry."""
    failed = [r for r in runs if not r.ok]
    if failed or len(runs) == 1:
        return failed[0] if failed else runs[0]
    first = runs[0]
    return RunSummary(first.label, first.rows, True, wall_s=min(r.wall_s for r in runs),
                      cpu_s=min(r.cpu_s for r in runs), peak_rss_bytes=min(r.peak_rss_bytes for r in runs),
                      read_bytes=min(r.read_bytes for r in runs), write_bytes=min(r.write_bytes for r in runs),
                      output_rows=first.output_rows)


def time_noise_floor(baselines: Sequence[RunSummary]) -> float:
    """The CPU-seconds growth that can be told from noise, given repeated baseline runs."""
    cpu = [r.cpu_s for r in baselines if r.ok]
    spread = max(cpu) - min(cpu) if len(cpu) >= 2 else 0.0
    return max(TIME_NOISE_FLOOR_S, JITTER_FACTOR * spread)


def near_floor(point: RunSummary, baseline: RunSummary | None, floor: float) -> bool:
    """Whether ``point``'s CPU growth is small enough that noise could decide its fit."""
    base = baseline.cpu_s if baseline is not None and baseline.ok else 0.0
    return point.ok and point.cpu_s - base < NEAR_FLOOR * floor


def scaling_result(step: str, data: str, points: list[RunSummary], baseline: RunSummary | None,
                   threshold: float = SUPER_LINEAR, time_floor: float = TIME_NOISE_FLOOR_S) -> ScalingResult:
    """Fit time (CPU), wall time and peak memory of the successful ``points``."""
    good = [p for p in points if p.ok]
    base = baseline if baseline is not None and baseline.ok else None
    rows = [p.rows for p in good]

    def fit(metric: str, floor: float) -> ExponentFit:
        return fit_exponent(rows, [float(getattr(p, metric)) for p in good], metric,
                            float(getattr(base, metric)) if base else None, floor, threshold)

    return ScalingResult(step, data, points, baseline, fit("cpu_s", time_floor),
                         fit("wall_s", time_floor), fit("peak_rss_bytes", MEMORY_NOISE_FLOOR))


def projected(fit: ExponentFit, points: Sequence[RunSummary], factor: float = PROJECTION_FACTOR) -> float | None:
    """The metric at ``factor`` × the largest measured size, by the fitted power law."""
    good = [p for p in points if p.ok and p.rows > 0]
    if fit.exponent is None or not good:
        return None
    largest = max(good, key=lambda p: p.rows)
    base = fit.baseline or 0.0
    growth = float(getattr(largest, fit.metric)) - base
    if growth <= 0:
        return None
    return base + growth * factor ** fit.exponent


# -- bottlenecks -------------------------------------------------------------------

def find_bottlenecks(steps: Iterable[StepAnalysis]) -> list[Bottleneck]:
    """The slowest, most memory-hungry and most I/O-heavy steps of the real-data runs."""
    runs = {s.step: s.real for s in steps if s.real is not None and s.real.ok}
    if not runs:
        return []
    found = []
    measures = (("time", lambda r: r.wall_s, lambda v: f"{v:.2f} s wall"),
                ("memory", lambda r: float(r.peak_rss_bytes), lambda v: f"{mib(v)} peak RSS"),
                ("io", lambda r: float(r.read_bytes + r.write_bytes), lambda v: f"{mib(v)} read + written"))
    for kind, measure, describe in measures:
        step, run = max(runs.items(), key=lambda item: measure(item[1]))
        total = sum(measure(r) for r in runs.values())
        value = measure(run)
        if value <= 0:
            continue
        share = value / total if total else 0.0
        label = {"time": "slowest step", "memory": "most memory", "io": "most I/O"}[kind]
        found.append(Bottleneck(kind, step, value, share,
                                f"{label}: {step} ({describe(value)}, {share:.0%} of all steps)"))
    return found


# -- recommendations -----------------------------------------------------------------

def recommend(steps: Sequence[StepAnalysis], bottlenecks: Sequence[Bottleneck]) -> list[Recommendation]:
    """Advice derived from the measurements; each item carries its evidence.

    A step is called the one to optimise first when it takes at least half of the
    steps' time and twice its fair share.
    """
    out: list[Recommendation] = []
    ran = [s for s in steps if s.real is not None and s.real.ok]
    for neck in bottlenecks:
        if neck.kind == "time" and len(ran) > 1 and neck.share >= max(0.5, 2 / len(ran)):
            out.append(Recommendation(neck.step, "performance", (
                f"{neck.step} takes {neck.share:.0%} of the deep dive's step time on real data "
                f"({neck.value:.2f} s): optimise it first"), {"wall_s": neck.value, "share": neck.share}))
    for analysis in steps:
        out += _step_recommendations(analysis)
    return out


def _step_recommendations(a: StepAnalysis) -> list[Recommendation]:
    out: list[Recommendation] = []
    real, synthetic = a.real, a.synthetic
    if real is not None and not real.ok:
        hint = (" although it passes on synthetic data of the same size: the contract misses what "
                "production holds" if synthetic is not None and synthetic.ok else "")
        out.append(Recommendation(a.step, "failure", (
            f"{a.step} fails on real data with {real.classification}: {real.message}{hint}"),
            {"classification": real.classification}))
    for validation in a.input_validations:
        for failure in validation.failures[:5]:
            examples = ", ".join(map(repr, failure.examples[:3]))
            out.append(Recommendation(a.step, "data_quality", (
                f"the contract of input {validation.port!r} is wrong about production: column "
                f"{failure.column or '<frame>'} fails {failure.check} in {failure.count} sampled row(s)"
                + (f" (e.g. {examples})" if examples else "") + ": fix the contract or the upstream data"),
                {"port": validation.port, "column": failure.column, "check": failure.check,
                 "count": failure.count}))
    if real is not None and real.ok:
        out += _resource_recommendations(a, real)
    if real is not None and real.ok and synthetic is not None and synthetic.ok and synthetic.cpu_s > 0:
        ratio = real.cpu_s / synthetic.cpu_s
        if ratio >= SLOW_VS_SYNTHETIC and real.cpu_s - synthetic.cpu_s >= TIME_NOISE_FLOOR_S * 4:
            drifted = sorted({d.column for drifts in a.synthetic_drift.values() for d in drifts})
            out.append(Recommendation(a.step, "synthetic_gap", (
                f"{a.step} needs {ratio:.1f}× the CPU on real data than on synthetic data of the same "
                f"size ({real.cpu_s:.2f} s vs {synthetic.cpu_s:.2f} s): the contract misses what costs"
                + (f"; columns distributed differently: {', '.join(drifted[:6])}" if drifted else "")),
                {"real_cpu_s": real.cpu_s, "synthetic_cpu_s": synthetic.cpu_s}))
    if a.scaling is not None:
        out += _scaling_recommendations(a.step, a.scaling)
    return out


def _resource_recommendations(a: StepAnalysis, real: RunSummary) -> list[Recommendation]:
    out = []
    if real.wall_s >= IO_BOUND_MIN_WALL_S and real.cpu_s / real.wall_s < IO_BOUND_CPU_SHARE:
        out.append(Recommendation(a.step, "io", (
            f"{a.step} was on the CPU for only {real.cpu_s / real.wall_s:.0%} of its {real.wall_s:.2f} s: "
            "it waits on I/O or sleeps — read only the columns it needs, prefer Parquet to CSV, "
            "batch small files"), {"cpu_s": real.cpu_s, "wall_s": real.wall_s}))
    if a.memory_limit and real.peak_rss_bytes >= 0.5 * a.memory_limit:
        out.append(Recommendation(a.step, "memory", (
            f"{a.step} peaked at {mib(real.peak_rss_bytes)}, {real.peak_rss_bytes / a.memory_limit:.0%} "
            f"of its {mib(a.memory_limit)} limit, on a sample of {real.rows} rows: production volumes "
            "will exceed it — process in chunks (read_csv(chunksize=…), pyarrow iter_batches)"),
            {"peak_rss_bytes": real.peak_rss_bytes, "memory_limit": a.memory_limit}))
    return out


def _scaling_recommendations(step: str, scaling: ScalingResult) -> list[Recommendation]:
    out = []
    largest = max((p.rows for p in scaling.points if p.ok), default=0)
    for fit, what, unit in ((scaling.time, "CPU time", "s"), (scaling.memory, "peak memory", "bytes")):
        if not fit.super_linear or fit.exponent is None:
            continue
        ahead = projected(fit, scaling.points)
        shown = (f"{ahead:.1f} s" if unit == "s" else mib(ahead)) if ahead is not None else "?"
        advice = ("look for row-by-row Python loops, .apply, repeated concatenation or self-joins"
                  if unit == "s" else "look for cross joins, pivots or copies that grow with the data")
        out.append(Recommendation(step, "scaling", (
            f"{step}: {what} grows as rows^{fit.exponent:.2f} (super-linear): "
            f"{PROJECTION_FACTOR:g}× the rows ({largest * PROJECTION_FACTOR} rows) needs ≈ {shown} — {advice}"),
            {"metric": fit.metric, "exponent": fit.exponent, "projected": ahead,
             "projected_rows": largest * PROJECTION_FACTOR}))
    return out


# -- error patterns --------------------------------------------------------------------

def error_patterns(steps: Iterable[StepAnalysis]) -> list[ErrorPattern]:
    """Every failed run (real, synthetic, scaling) and source failure, grouped by classification."""
    groups: dict[str, list[dict[str, str]]] = {}
    for analysis in steps:
        if analysis.source_error:
            groups.setdefault("SETUP_ERROR", []).append(
                {"step": analysis.step, "run": "sources", "message": analysis.source_error})
        runs = [analysis.real, analysis.synthetic]
        if analysis.scaling is not None:
            runs += [analysis.scaling.baseline, *analysis.scaling.points]
        for run in runs:
            if run is not None and not run.ok:
                groups.setdefault(run.classification or "UNKNOWN", []).append(
                    {"step": analysis.step, "run": run.label, "message": run.message})
    patterns = [ErrorPattern(name, len(runs), sorted({r["step"] for r in runs}), runs)
                for name, runs in groups.items()]
    return sorted(patterns, key=lambda p: (-p.count, p.classification))


