"""A container run at the executor (execution/container.py): real bubblewrap runs whose
scripts try the container paths' limits: inputs read-only there too, /opt/ml private and
empty but for the job's folders and the ports, nothing of it left on the host; and without
namespaces no run at all, a SETUP_ERROR record instead."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from specrun.execution.container import container_run
from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import ISOLATION_VAR, probe
from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.results import ErrorClass
from specrun.spec.model import ContainerSpec

PROBE = probe()
needs_namespaces = pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")
PROCESSING = ContainerSpec("sagemaker-processing", mounts=[
    ("/opt/ml/processing/input/raw", "inputs", "raw"), ("/opt/ml/processing/input/parts", "inputs", "parts"),
    ("/opt/ml/processing/output/out", "outputs", "out")])


def _run(tmp_path: Path, source: str, executor: FreshExecutor | None = None,
         spec: ContainerSpec = PROCESSING, job_args: dict | None = None) -> tuple[RunRecord, Path]:
    script = tmp_path / "scripts" / "job.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    with SandboxDir(base=tmp_path / "sandboxes", keep=True) as box:
        raw = box.inputs / "raw.csv"
        raw.write_text("a\n1\n", encoding="utf-8")
        parts = box.inputs / "parts"
        parts.mkdir()
        (parts / "part-0.csv").write_text("a\n2\n", encoding="utf-8")
        out = box.outputs / "out"
        inputs, outputs = {"raw": str(raw), "parts": str(parts)}, {"out": str(out)}
        run = container_run(spec, box.root, inputs, outputs, job_args or {})
        request = RunRequest(script=script, workdir=box.root, input_paths=inputs, output_paths=outputs,
                             env=dict(run.env), container=run, timeout=60, label="container-test")
        runner = executor or FreshExecutor()
        try:
            return runner.run(request), box.root
        finally:
            runner.close()


@needs_namespaces
@pytest.mark.parametrize("target", ["/opt/ml/processing/input/raw/raw.csv",
                                    "/opt/ml/processing/input/parts/part-0.csv"])
def test_inputs_are_read_only_at_their_container_paths(tmp_path: Path, target: str) -> None:
    record, root = _run(tmp_path, f"""
        with open({target!r}, "a") as fh:
            fh.write("9\\n")
    """)
    assert not record.ok
    assert record.error is not None and "Read-only file system" in record.error.message
    assert (root / "input" / "raw.csv").read_text() == "a\n1\n"
    assert (root / "input" / "parts" / "part-0.csv").read_text() == "a\n2\n"


@needs_namespaces
@pytest.mark.parametrize("executor", [FreshExecutor, ForkExecutor])
def test_opt_ml_is_private_and_holds_only_the_job_layout(tmp_path: Path, executor: type) -> None:
    before = sorted(os.listdir("/opt")) if os.path.isdir("/opt") else []
    record, root = _run(tmp_path, """
        import json, os
        seen = sorted(os.path.join(d, n) for d, dirs, files in os.walk("/opt/ml") for n in dirs + files)
        print("seen:", json.dumps(seen))
        os.makedirs("/opt/ml/scratch", exist_ok=True)          # writable: the run's own tmpfs
        open("/opt/ml/scratch/x", "w").write("x")
        open("/opt/ml/processing/output/out/result.csv", "w").write("a\\n3\\n")
    """, executor=executor())
    assert record.ok, (record.message, record.stderr_tail)
    assert record.metrics.isolation == "namespace"
    seen = record.stdout_tail.split("seen: ", 1)[1].splitlines()[0]
    assert sorted(json.loads(seen)) == sorted([      # only the job's folders and the ports
        "/opt/ml/processing", "/opt/ml/processing/input", "/opt/ml/processing/output",
        "/opt/ml/processing/input/parts", "/opt/ml/processing/input/parts/part-0.csv",
        "/opt/ml/processing/input/raw", "/opt/ml/processing/input/raw/raw.csv", "/opt/ml/processing/output/out"])
    assert (root / "output" / "out" / "result.csv").read_text() == "a\n3\n"     # landed in the port
    assert (sorted(os.listdir("/opt")) if os.path.isdir("/opt") else []) == before
    assert not os.path.exists("/opt/ml/scratch")


@needs_namespaces
def test_training_gets_hyperparameters_read_only_and_the_sm_variables(tmp_path: Path) -> None:
    spec = ContainerSpec("sagemaker-training", mounts=[("/opt/ml/input/data/train", "inputs", "raw"),
                                                       ("/opt/ml/model", "outputs", "out")])
    record, root = _run(tmp_path, """
        import json, os
        hps = json.load(open("/opt/ml/input/config/hyperparameters.json"))
        print("hps:", json.dumps(hps, sort_keys=True))
        print("env:", json.dumps({k: v for k, v in os.environ.items() if k.startswith("SM_")}, sort_keys=True))
        open(os.path.join(os.environ["SM_MODEL_DIR"], "m.txt"), "w").write(open(
            os.path.join(os.environ["SM_CHANNEL_RAW"], "raw.csv")).read())
        try:
            open("/opt/ml/input/config/hyperparameters.json", "w")
        except OSError as exc:
            print("config:", type(exc).__name__)
    """, spec=spec, job_args={"epochs": 3, "layers": [1, 2], "name": "x"})
    assert record.ok, (record.message, record.stderr_tail)
    assert 'hps: {"epochs": "3", "layers": "[1, 2]", "name": "x"}' in record.stdout_tail
    env = json.loads(record.stdout_tail.split("env: ", 1)[1].splitlines()[0])
    assert env["SM_CHANNEL_RAW"] == "/opt/ml/input/data/train" and env["SM_CHANNELS"] == '["raw"]'
    assert env["SM_MODEL_DIR"] == "/opt/ml/model" and env["SM_OUTPUT_DATA_DIR"] == "/opt/ml/output/data"
    assert json.loads(env["SM_HPS"]) == {"epochs": 3, "layers": [1, 2], "name": "x"}
    assert env["SM_HP_EPOCHS"] == "3"
    assert "config: OSError" in record.stdout_tail
    assert (root / "output" / "out" / "m.txt").read_text() == "a\n1\n"


@pytest.mark.parametrize("executor", [FreshExecutor, ForkExecutor])
def test_without_namespaces_nothing_runs_and_the_record_is_a_setup_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, executor: type) -> None:
    monkeypatch.setenv(ISOLATION_VAR, "process")
    record, root = _run(tmp_path, "open('/tmp/ran', 'w')\nprint('ran')\n", executor=executor())
    assert not record.ok and record.classification is ErrorClass.SETUP_ERROR
    assert "user namespaces" in record.message and "bubblewrap" in record.message
    assert not (root / "logs" / "stdout.log").exists()       # the script never started
