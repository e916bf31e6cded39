"""Running the cases behind pytest items through the modes' own ``run``.

A mode runs a list of cases and yields one result per case as it finishes.  The items
of one spec and mode form a *group*; the first item of a group to run starts the
mode's ``run`` on itself and the group's items still to come in this process, and
each item takes results from that stream until its own arrives (results that arrive
first are kept for the items they belong to).  The stream is lazy: isolation mode
runs one case per result pulled, so pytest's ``-x`` stops it where pytest stops.

Cases that depend on others — a pipeline step on the steps upstream, a transition on
its producer and consumer — are run the way ``specrun -k`` runs them: pipeline mode
runs the selected steps *plus the ancestors they need*, so an item whose prerequisite
is deselected (``-k``, ``--lf``) or runs in another xdist worker still runs it first,
in this process, and gets a true verdict.  Under xdist, a group of independent cases
(isolation, deep dive) is never batched (a worker does not know which items it will
be sent), so each item runs its own case; a pipeline group is batched with every
pipeline item of the spec, which, with ``--dist loadgroup`` (pipeline items carry
``xdist_group``), all go to one worker.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..plan import PlannedCase
    from ..results import CaseResult
    from ..session import Session
    from ..spec.model import PipelineSpec

#: modes whose cases need other cases of the spec to run first in the same process
CHAINED_MODES = frozenset({"pipeline"})

GroupKey = tuple[int, str]        # (id of the spec, mode name)


class CaseRunner:
    """The results of the cases run in this process, and the modes' streams still open."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.results: dict[tuple[int, str], CaseResult] = {}     # (id of the spec, case id) -> result
        self.streams: dict[GroupKey, Iterator[CaseResult]] = {}

    def result(self, spec: PipelineSpec, case: PlannedCase, later: Sequence[PlannedCase]) -> CaseResult:
        """The result of ``case``; ``later`` are the cases of the same group that this
        process will run after it (batched with it when the mode allows)."""
        key = (id(spec), case.mode)
        found = self._pull(key, spec, case)
        if found is None:   # no stream of this group holds it: start one, batched with the items to come
            self.streams[key] = iter(self.session.modes[case.mode].run(self.session, spec, [case, *later]))
            found = self._pull(key, spec, case)
        if found is None:
            raise RuntimeError(f"specrun mode {case.mode!r} ran {case.id!r} but yielded no result for it")
        return found

    def _pull(self, key: GroupKey, spec: PipelineSpec, case: PlannedCase) -> CaseResult | None:
        known = self.results.pop((id(spec), case.id), None)
        if known is not None:
            return known
        stream = self.streams.get(key)
        if stream is None:
            return None
        for result in stream:
            self.session.finish_case(result)   # the run record and the reporters see every case run
            if result.id == case.id:
                return result
            self.results.setdefault((id(spec), result.id), result)
        self.streams.pop(key, None)
        return None

    def close(self) -> None:
        """Close the streams still open (pytest stopped early: ``-x``, Ctrl-C, ``--maxfail``)."""
        streams, self.streams = list(self.streams.values()), {}
        for stream in streams:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


def batched(mode: str, in_worker: bool) -> bool:
    """Whether a group of ``mode`` cases runs as one stream in this process."""
    return mode in CHAINED_MODES or not in_worker
