"""The Dask executor's pure parts: what a case ships (execution/dask/task.py) and where
it may run (execution/dask/resources.py).  No cluster, no distributed needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from specrun.execution.dask.resources import MEMORY, placement
from specrun.execution.dask.task import TransferTooLarge, pack, pack_results, restore, unpack
from specrun.execution.request import RunRecord, RunRequest
from specrun.results import ExecutionMetrics


def make_case(tmp_path: Path) -> RunRequest:
    code = tmp_path / "project"
    (code / "lib").mkdir(parents=True)
    (code / "job.py").write_text("from lib.util import f\nimport pandas\n")
    (code / "lib/__init__.py").write_text("")
    (code / "lib/util.py").write_text("from . import deep\ndef f(): pass\n")
    (code / "lib/deep.py").write_text("")
    (code / "unrelated.py").write_text("secret = 1\n")
    fixture = code / "fixtures/lookup.csv"
    fixture.parent.mkdir()
    fixture.write_text("k\n1\n")
    sandbox = tmp_path / "sandbox"
    (sandbox / "input").mkdir(parents=True)
    (sandbox / "output").mkdir()
    (sandbox / "input/rows.csv").write_text("id\n1\n2\n")
    return RunRequest(script=code / "job.py", workdir=sandbox,
                      input_paths={"rows": str(sandbox / "input/rows.csv"), "lookup": str(fixture)},
                      output_paths={"out": str(sandbox / "output/out.csv")},
                      args=["--rows", str(sandbox / "input/rows.csv"), "--lookup", str(fixture)],
                      env={"WHERE": str(sandbox)})


def test_a_case_ships_its_sandbox_its_local_imports_and_its_fixtures_only(tmp_path: Path) -> None:
    request = make_case(tmp_path)
    package = pack(request)
    assert sorted(package.files) == ["code/0/job.py", "code/0/lib/__init__.py", "code/0/lib/deep.py",
                                     "code/0/lib/util.py", "extern/0", "sandbox/input/rows.csv"]
    assert package.files["extern/0"] == b"k\n1\n"


def test_on_the_worker_every_path_points_into_its_own_folder(tmp_path: Path) -> None:
    request = make_case(tmp_path)
    worker = tmp_path / "worker"
    there, back = unpack(pack(request), worker)
    assert Path(there.script) == worker / "code/0/job.py" and Path(there.script).is_file()
    assert Path(there.workdir) == worker / "sandbox"
    assert there.input_paths == {"rows": str(worker / "sandbox/input/rows.csv"), "lookup": str(worker / "extern/0")}
    assert there.args == ["--rows", str(worker / "sandbox/input/rows.csv"), "--lookup", str(worker / "extern/0")]
    assert there.env == {"WHERE": str(worker / "sandbox")}
    assert (worker / "extern/0").read_text() == "k\n1\n"
    assert back[str(worker / "sandbox")] == str(tmp_path / "sandbox")


def test_outputs_and_logs_come_back_and_inputs_do_not(tmp_path: Path) -> None:
    request = make_case(tmp_path)
    package = pack(request)
    worker = tmp_path / "worker"
    unpack(package, worker)
    (worker / "sandbox/output/out.csv").write_text("id\n1\n")
    (worker / "sandbox/logs").mkdir()
    (worker / "sandbox/logs/stderr.log").write_text("warned\n")
    (worker / "sandbox/input/rows.csv").write_text("changed on the worker\n")
    result = pack_results(package, worker, RunRecord(ok=True, metrics=ExecutionMetrics()), "tcp://w", 10 ** 6)
    assert sorted(result.files) == ["sandbox/logs/stderr.log", "sandbox/output/out.csv"]
    restore(package, result)
    assert (tmp_path / "sandbox/output/out.csv").read_text() == "id\n1\n"
    assert (tmp_path / "sandbox/logs/stderr.log").read_text() == "warned\n"
    assert (tmp_path / "sandbox/input/rows.csv").read_text() == "id\n1\n2\n"


def test_past_the_cap_either_way_is_refused(tmp_path: Path) -> None:
    request = make_case(tmp_path)
    with pytest.raises(TransferTooLarge, match="ships to the worker"):
        pack(request, cap=10)
    package = pack(request)
    worker = tmp_path / "worker"
    unpack(package, worker)
    (worker / "sandbox/output/out.csv").write_text("x" * 100)
    with pytest.raises(TransferTooLarge, match="ships back"):
        pack_results(package, worker, None, "tcp://w", 50)


def test_a_memory_limit_becomes_a_resource_only_where_workers_offer_memory() -> None:
    offering = {"tcp://a": {"resources": {MEMORY: 4e9}}, "tcp://b": {"resources": {MEMORY: 2e9}}}
    assert placement(None, offering) is None
    assert placement(3 * 10 ** 9, offering) == {MEMORY: 3e9}
    assert placement(3 * 10 ** 9, {"tcp://a": {"resources": {}}}) is None   # nobody offers it: unconstrained
    with pytest.raises(ValueError, match="no worker offers"):
        placement(8 * 10 ** 9, offering)   # would wait forever


class _Raising:
    def result(self) -> None:
        raise RuntimeError("namespace isolation is not available: no bwrap")


class _Client:
    def scheduler_info(self, **kwargs: object) -> dict:
        return {"workers": {}}

    def submit(self, *args: object, **kwargs: object) -> _Raising:
        return _Raising()


def test_a_task_that_raises_on_its_worker_is_the_cases_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the executor's submit path imports distributed")
    import threading

    from specrun.error_class import ErrorClass
    from specrun.execution.dask.executor import DaskExecutor

    executor = DaskExecutor.__new__(DaskExecutor)
    executor.client, executor.cluster, executor.isolation, executor.cap = _Client(), None, "namespace", 10 ** 6
    executor.classifier, executor._futures, executor._lock, executor._closed = None, set(), threading.Lock(), False
    record = executor.run(make_case(tmp_path))
    assert not record.ok and record.classification is ErrorClass.SETUP_ERROR
    assert record.message == ("the case could not run on the cluster: RuntimeError: "
                              "namespace isolation is not available: no bwrap")


class _FiveByDefault:
    """A client as distributed 2025.1+ has it: five workers unless asked for all."""

    def scheduler_info(self, n_workers: int = 5) -> dict:
        workers = {f"tcp://w{n}": {"nthreads": 1} for n in range(7)}
        return {"workers": dict(list(workers.items())[:n_workers] if n_workers >= 0 else workers)}


class _Old:
    """An older client: every worker, no ``n_workers`` argument."""

    def scheduler_info(self) -> dict:
        return {"workers": {f"tcp://w{n}": {"nthreads": 2} for n in range(7)}}


@pytest.mark.parametrize(("client", "slots"), [(_FiveByDefault(), 7), (_Old(), 14)])
def test_every_worker_counts_whatever_the_release(client: object, slots: int) -> None:
    from specrun.execution.dask.executor import DaskExecutor

    executor = DaskExecutor.__new__(DaskExecutor)
    executor.client = client
    assert len(executor.workers()) == 7 and executor.slots == slots
