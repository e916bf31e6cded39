"""The built-in executors, registered through ``specrun_executors``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..hooks import hookimpl


def plugin_classifier(pm: Any) -> Callable[..., Any]:
    """Classify through the ``specrun_classify_error`` hook, so plugins can override."""
    def classify(error: Any, metrics: Any, stderr: str, inputs_valid: bool | None) -> Any:
        return pm.hook.specrun_classify_error(error=error, metrics=metrics, stderr=stderr,
                                              inputs_valid=inputs_valid)
    return classify


def isolation_of(session: Any) -> str:
    """The isolation the session's start-up probe chose ("namespace" or "process")."""
    found = getattr(session, "isolation", None)
    return str(found.isolation) if found is not None else "process"


def _fresh(session: Any) -> Any:
    from .runner import FreshExecutor

    return FreshExecutor(classifier=plugin_classifier(session.pm), isolation=isolation_of(session))


def _fork(session: Any) -> Any:
    """Forks of the warm parent are process-isolated (a fork cannot get namespaces of its
    own); under ``--hermetic`` every run goes fresh into its own namespaces instead."""
    from .fork import ForkExecutor

    hermetic = bool(session.options.hermetic)
    return ForkExecutor(classifier=plugin_classifier(session.pm), server_dir=session.workspace / "fork",
                        isolation=isolation_of(session) if hermetic else "process")


_fork.warm_ahead = True   # type: ignore[attr-defined]  # created when the run starts: see session.warm_executors


def _dask(session: Any) -> Any:
    """``--dist dask``: the cases on a Dask cluster (see execution/dask/)."""
    from .dask.cluster import ClusterOptions, import_distributed

    import_distributed()   # a one-line usage error without it
    from .dask.executor import DaskExecutor
    from .dask.task import DEFAULT_CAP

    options = session.options
    return DaskExecutor(ClusterOptions(scheduler=options.scheduler, workers=options.dask_workers,
                                       dashboard=options.dask_dashboard),
                        isolation=isolation_of(session), cap=options.dask_transfer_cap or DEFAULT_CAP,
                        classifier=plugin_classifier(session.pm))


@hookimpl
def specrun_executors() -> dict[str, Callable[[Any], Any]]:
    return {"fresh": _fresh, "fork": _fork, "dask": _dask}
