"""``max_output_size``: the monitor measures the disk a run's outputs take while it runs and
kills a run that goes over (RESOURCE_ERROR, "wrote more than …"); its inputs and specrun's
own logs do not count."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from specrun.execution.fork import ForkExecutor
from specrun.execution.monitor import disk_usage
from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.results import ErrorClass

MB = 10**6

#: writes 1 MB at a time into its output folder, forever (until killed)
WRITES_FOREVER = """
    import os, pathlib, sys, time
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    chunk = os.urandom(1 << 20)
    for i in range(100000):
        with open(out / f"part-{i}.bin", "wb") as fh:
            fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        time.sleep(0.005)
"""


def _run(executor: FreshExecutor, tmp_path: Path, source: str, budget: int | None,
         inputs: dict[str, str] | None = None) -> RunRecord:
    script = tmp_path / "scripts" / "writer.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(source))
    workdir = tmp_path / "box"
    workdir.mkdir(exist_ok=True)
    try:
        return executor.run(RunRequest(script=script, workdir=workdir, args=[str(workdir / "output" / "parts")],
                                       output_paths={"parts": str(workdir / "output" / "parts")},
                                       input_paths=inputs or {}, timeout=120, max_output_bytes=budget))
    finally:
        executor.close()


@pytest.mark.parametrize("executor", [FreshExecutor, ForkExecutor])
def test_a_script_writing_in_a_loop_is_killed_at_its_budget(tmp_path: Path, executor: type) -> None:
    record = _run(executor(), tmp_path, WRITES_FOREVER, 5 * MB)
    assert record.classification is ErrorClass.RESOURCE_ERROR, record.message
    assert record.message.startswith("wrote more than 5 MB (max_output_size) in its sandbox")
    assert record.metrics.output_exceeded and record.metrics.max_output_bytes == 5 * MB
    assert record.metrics.output_bytes is not None and record.metrics.output_bytes > 5 * MB
    assert not record.metrics.timed_out                     # the budget stopped it, not the timeout


def test_a_fast_writer_that_exits_first_is_still_caught(tmp_path: Path) -> None:
    """The last sample, after the exit, measures the outputs too.  The monitor samples
    only once a minute here, so no sample can catch the script while it runs (with the
    default 50 ms one sometimes did, and killed it: CI red on bed8cbb)."""
    source = """
        import pathlib, sys
        out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
        (out / "big.bin").write_bytes(b"x" * (8 << 20))
    """
    record = _run(FreshExecutor(monitor_interval=60.0), tmp_path, source, 5 * MB)
    assert record.metrics.exit_code == 0, record.message
    assert record.classification is ErrorClass.RESOURCE_ERROR and record.metrics.output_exceeded


def test_within_the_budget_inputs_and_logs_do_not_count(tmp_path: Path) -> None:
    """10 MB on stdout and a 10 MB input under a 5 MB budget: only what the run wrote counts."""
    big_input = tmp_path / "box" / "input" / "rows.bin"
    big_input.parent.mkdir(parents=True)
    big_input.write_bytes(b"y" * (10 << 20))
    source = """
        import pathlib, sys
        sys.stdout.write("z" * (10 << 20))
        out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
        (out / "small.bin").write_bytes(b"x" * (1 << 20))
    """
    record = _run(FreshExecutor(), tmp_path, source, 5 * MB, inputs={"rows": str(big_input)})
    assert record.ok, record.message
    assert record.metrics.output_bytes is not None and MB <= record.metrics.output_bytes < 5 * MB


def test_without_a_budget_nothing_is_measured(tmp_path: Path) -> None:
    source = "import pathlib, sys\npathlib.Path(sys.argv[1]).mkdir(parents=True, exist_ok=True)\n"
    record = _run(FreshExecutor(), tmp_path, source, None)
    assert record.ok and record.metrics.output_bytes is None and record.metrics.max_output_bytes is None


def test_disk_usage_counts_hard_links_once_and_skips_what_it_is_told(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_bytes(b"x" * (1 << 20))
    (tmp_path / "a" / "g").hardlink_to(tmp_path / "a" / "f")
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "h").write_bytes(b"x" * (4 << 20))
    used = disk_usage([tmp_path], frozenset({tmp_path / "skip"}))
    assert (1 << 20) <= used < (2 << 20)
