"""The pipeline scheduler: steps dispatched to a thread pool as soon as their producers finish.

Not wave by wave: whenever a step finishes, every step whose producers have all
handed over their outputs is started, up to ``max_workers`` at a time (1 for
``execution: sequential``), in topological order with ties broken by name.

A step that does not hand over its outputs (it failed, or a failed transition
blocked it) either stops the run (``continue_on_failure: false``: nothing new
starts, the remaining steps are skipped saying why) or skips only its descendants
(``true``), each saying which upstream failure it waits on.  Past the deadline
(``max_pipeline_time``) nothing new starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...lazy import lazy_module
from ...results import CaseResult

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_module("networkx")


@dataclass
class StepReport:
    """What one step of the run produced (or why it did not run)."""

    step: str
    result: CaseResult
    transitions: list[CaseResult] = field(default_factory=list)
    handed_over: bool = False     # its consumers may run on its outputs
    failure: str | None = None    # "step X failed" / "transition E failed validation" when not handed over
    started_s: float | None = None
    finished_s: float | None = None


ExecuteStep = Callable[[str], StepReport]
SkipStep = Callable[[str, str, "str | None"], StepReport]   # (step, reason, failure it inherits)


class PipelineScheduler:
    """Runs the steps ``to_run`` of ``dag``; :meth:`run` yields one report per step as it
    finishes or is skipped, and :attr:`stopped` says why the run stopped early, if it did.

    Producers outside ``to_run`` count as already handed over (their kept outputs are
    reused).  ``execute`` runs in a worker thread; ``skip`` in the caller's thread.
    """

    def __init__(self, dag: nx.DiGraph, to_run: Iterable[str], execute: ExecuteStep, skip: SkipStep, *,
                 max_workers: int, continue_on_failure: bool, deadline: float | None = None,
                 deadline_reason: str = "max_pipeline_time reached before it started",
                 should_stop: Callable[[], str | None] = lambda: None) -> None:
        self.rank = {step: i for i, step in enumerate(nx.lexicographical_topological_sort(dag))}
        self.dag = dag
        self.run_set = set(to_run)
        self.execute, self.skip = execute, skip
        self.max_workers = max(1, max_workers)
        self.continue_on_failure = continue_on_failure
        self.deadline, self.deadline_reason = deadline, deadline_reason
        self.should_stop = should_stop
        self.stopped: str | None = None     # why steps were skipped without running, if any were
        self._stop: str | None = None

    def run(self) -> Iterator[StepReport]:
        waiting = sorted(self.run_set, key=self.rank.__getitem__)
        done: dict[str, StepReport] = {}
        stop_skipped: set[str] = set()      # skipped because the run stopped: their descendants say so too
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="specrun-pipeline") as pool:
            running: dict[Future[StepReport], str] = {}
            while waiting or running:
                self._stop = self._stop or self.should_stop()
                if self._stop is None and self.deadline is not None and waiting \
                        and time.monotonic() >= self.deadline:
                    self._stop = self.deadline_reason
                for step in list(waiting):
                    producers = sorted((p for p in self.dag.predecessors(step) if p in self.run_set),
                                       key=self.rank.__getitem__)
                    pending = any(p not in done for p in producers)
                    failed = None if pending else next((done[p] for p in producers if not done[p].handed_over
                                                        and p not in stop_skipped), None)
                    if failed is not None:
                        waiting.remove(step)
                        report = done[step] = self.skip(step, f"upstream {failed.failure}", failed.failure)
                        yield report
                    elif self._stop is not None:
                        waiting.remove(step)
                        self.stopped = self._stop
                        stop_skipped.add(step)
                        report = done[step] = self.skip(step, self._stop, None)
                        yield report
                    elif not pending and len(running) < self.max_workers:
                        waiting.remove(step)
                        running[pool.submit(self.execute, step)] = step
                if not running:
                    continue
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: self.rank[running[f]]):
                    step = running.pop(future)
                    report = done[step] = future.result()
                    if not report.handed_over and not self.continue_on_failure and self._stop is None:
                        self._stop = f"pipeline stopped after {report.failure} (continue_on_failure: false)"
                    yield report
