"""What the history says, computed from stored rows (pure: no database, no printing).

* success rates per step and per case over the runs read;
* trends: each case's duration and peak memory, run after run;
* flaky cases: a case whose outcome changed between runs with the same script hash,
  spec hash and seed (nothing the user changed, yet the verdict did);
* regressions of one run against a baseline run: new failures, and time or memory
  growth beyond :class:`Thresholds` (a ratio *and* an absolute floor, so that noise on
  tiny cases is not flagged).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...spec.units import mib, parse_duration, parse_memory
from .store import CaseRow

DEFAULT_RATIO = 0.5                     #: +50 %
DEFAULT_TIME_FLOOR_S = 0.2              #: and at least +0.2 s
DEFAULT_MEMORY_FLOOR_BYTES = 32 * 2**20  #: and at least +32 MiB

CaseKey = tuple[str, str]   # (spec, case id): two specs may share a pipeline name


def case_key(row: CaseRow) -> CaseKey:
    return (row.spec, row.case_id)


@dataclass
class Rate:
    """How often a step (or a case) passed in the runs read; skipped runs do not count."""

    name: str
    runs: int = 0
    passed: int = 0
    failed: int = 0

    @property
    def rate(self) -> float | None:
        counted = self.passed + self.failed
        return self.passed / counted if counted else None


def _rate(rates: dict[str, Rate], name: str, row: CaseRow) -> None:
    rate = rates.setdefault(name, Rate(name))
    rate.runs += 1
    if row.failed:
        rate.failed += 1
    elif row.outcome == "passed":
        rate.passed += 1


def step_rates(cases: Iterable[CaseRow]) -> list[Rate]:
    """Per ``pipeline::step`` (every case of the step, any scenario or mode)."""
    rates: dict[str, Rate] = {}
    for row in cases:
        if row.step is not None:
            _rate(rates, f"{row.pipeline}::{row.step}", row)
    return sorted(rates.values(), key=lambda r: r.name)


def case_rates(cases: Iterable[CaseRow]) -> list[Rate]:
    rates: dict[str, Rate] = {}
    for row in cases:
        _rate(rates, row.case_id, row)
    return sorted(rates.values(), key=lambda r: r.name)


@dataclass
class Trend:
    """A case's measurements run after run (oldest first)."""

    case_id: str
    spec: str
    run_ids: list[int] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    peaks: list[int | None] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def change(self) -> float | None:
        """The last duration relative to the median of the earlier ones (0.25: 25 % slower)."""
        if len(self.durations) < 2:
            return None
        middle = statistics.median(self.durations[:-1])
        return (self.durations[-1] - middle) / middle if middle > 0 else None


def trends(cases: Iterable[CaseRow]) -> dict[CaseKey, Trend]:
    out: dict[CaseKey, Trend] = {}
    for row in sorted(cases, key=lambda r: r.run_id):
        trend = out.setdefault(case_key(row), Trend(row.case_id, row.spec))
        trend.run_ids.append(row.run_id)
        trend.durations.append(row.duration_s)
        trend.peaks.append(row.peak_rss_bytes)
        trend.outcomes.append(row.outcome)
    return out


@dataclass
class Flaky:
    """A case that both passed and failed on the same script, spec and seed."""

    case_id: str
    spec: str
    seed: int | None
    script_hash: str | None
    outcomes: list[tuple[int, str]]   # (run id, outcome), oldest first


def flaky_cases(cases: Iterable[CaseRow]) -> list[Flaky]:
    """Cases whose verdict flipped while nothing that decides it changed.  Only rows with a
    known spec hash count (a case whose files could not be hashed proves nothing)."""
    groups: dict[tuple[str, str, str | None, str | None, int | None], list[CaseRow]] = defaultdict(list)
    for row in cases:
        if row.spec_hash is not None and row.outcome != "skipped":
            groups[(row.spec, row.case_id, row.script_hash, row.spec_hash, row.seed)].append(row)
    found = []
    for (spec, case_id, script_hash, _spec_hash, seed), rows in groups.items():
        if len({row.failed for row in rows}) > 1:
            rows.sort(key=lambda r: r.run_id)
            found.append(Flaky(case_id, spec, seed, script_hash, [(r.run_id, r.outcome) for r in rows]))
    return sorted(found, key=lambda f: (f.spec, f.case_id))


# -- regressions -----------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """A measurement regressed when it grew by more than ``ratio`` *and* by more than the floor."""

    ratio: float = DEFAULT_RATIO
    time_floor_s: float = DEFAULT_TIME_FLOOR_S
    memory_floor_bytes: int = DEFAULT_MEMORY_FLOOR_BYTES

    def time_regressed(self, before: float, after: float) -> bool:
        return after - before > self.time_floor_s and after > before * (1 + self.ratio)

    def memory_regressed(self, before: int, after: int) -> bool:
        return after - before > self.memory_floor_bytes and after > before * (1 + self.ratio)


@dataclass(frozen=True)
class Regression:
    case_id: str
    spec: str
    kind: str          # "new failure", "time", "memory"
    message: str


def regressions(current: Sequence[CaseRow], baseline: Sequence[CaseRow],
                thresholds: Thresholds = Thresholds()) -> list[Regression]:
    """What got worse in ``current`` compared with ``baseline`` (the rows of two runs).

    A case failing now that passed in the baseline, or that the baseline did not run, is a
    new failure; a case failing in both is not new.  Time and memory are compared for cases
    that passed in both runs (a failure's timings say nothing about the script's speed).
    """
    before = {case_key(row): row for row in baseline}
    found: list[Regression] = []
    for row in sorted(current, key=lambda r: (r.spec, r.case_id)):
        old = before.get(case_key(row))
        if row.failed:
            if old is None:
                found.append(Regression(row.case_id, row.spec, "new failure",
                                        f"{row.outcome} ({row.classification or '-'}); not in the baseline"))
            elif not old.failed:
                found.append(Regression(row.case_id, row.spec, "new failure",
                                        f"{row.outcome} ({row.classification or '-'}); {old.outcome} in the baseline"))
            continue
        if old is None or row.outcome != "passed" or old.outcome != "passed":
            continue
        if thresholds.time_regressed(old.duration_s, row.duration_s):
            found.append(Regression(row.case_id, row.spec, "time",
                                    f"{old.duration_s:.2f} s -> {row.duration_s:.2f} s "
                                    f"({_percent(old.duration_s, row.duration_s)})"))
        if (old.peak_rss_bytes is not None and row.peak_rss_bytes is not None
                and thresholds.memory_regressed(old.peak_rss_bytes, row.peak_rss_bytes)):
            found.append(Regression(row.case_id, row.spec, "memory",
                                    f"{mib(old.peak_rss_bytes)} -> {mib(row.peak_rss_bytes)} "
                                    f"({_percent(old.peak_rss_bytes, row.peak_rss_bytes)})"))
    return found


def _percent(before: float, after: float) -> str:
    return f"+{100 * (after - before) / before:.0f} %" if before > 0 else "from 0"


# -- option values -----------------------------------------------------------------

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$")


def parse_percent(text: str) -> float:
    """``--threshold``: a percentage (``50%``, ``50`` or ``12.5%``) as a ratio (0.5)."""
    match = _PERCENT.match(text)
    if match is None:
        raise ValueError(f"expected a percentage such as 50% or 25, found {text!r}")
    value = float(match.group(1)) / 100
    if not math.isfinite(value):
        raise ValueError(f"expected a finite percentage, found {text!r}")
    return value


def parse_time_floor(text: str) -> float:
    """``--time-floor``: a duration (``0.2``, ``200ms``, ``1s``), or ``0`` for none."""
    return 0.0 if _is_zero(text) else parse_duration(text)


def parse_memory_floor(text: str) -> int:
    """``--memory-floor``: a size (``32MiB``, ``100MB``), or ``0`` for none."""
    return 0 if _is_zero(text) else parse_memory(text)


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False
