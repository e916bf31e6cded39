"""What ``container:`` costs: one small pandas step (read a CSV, write train/test) run as a
container case, with its /opt/ml paths bound onto the ports (execution/container.py), next
to the same script given its ports as arguments, both as fresh processes in the namespace
sandbox; the arguments version is the anchor (1.00).  Also shown: the arguments version
under the fork executor, which a container case cannot use (a fork of the warm parent gets
no mount namespace of its own), so that row is what ``--executor fork`` users give up.

    .venv/bin/python bench/container_overhead.py [RUNS]     # default 3: medians of 3

The runs alternate between the variants, so a machine that gets busier mid-way slows all.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from specrun.execution.container import container_run
from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import NAMESPACE, probe
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.spec.model import ContainerSpec

SCRIPT = '''
import argparse, glob, os
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--input", default="/opt/ml/processing/input")
parser.add_argument("--output", default="/opt/ml/processing/output")
args = parser.parse_args()
df = pd.concat([pd.read_csv(p) for p in sorted(glob.glob(os.path.join(args.input, "*.csv")))])
cut = int(len(df) * 0.8)
df.iloc[:cut].to_csv(os.path.join(args.output, "train", "train.csv"), index=False)
df.iloc[cut:].to_csv(os.path.join(args.output, "test", "test.csv"), index=False)
'''
SPEC = ContainerSpec("sagemaker-processing", mounts=[
    ("/opt/ml/processing/input", "inputs", "raw"),
    ("/opt/ml/processing/output/train", "outputs", "train"),
    ("/opt/ml/processing/output/test", "outputs", "test")])


def _request(script: Path, box: SandboxDir, container: bool) -> RunRequest:
    raw = box.inputs / "raw.csv"
    raw.write_text("id,amount\n" + "".join(f"{i},{i % 97 + 1}.5\n" for i in range(2000)))
    outputs = {name: box.outputs / name for name in ("train", "test")}
    for folder in outputs.values():
        folder.mkdir()
    inputs = {"raw": str(raw)}
    paths = {k: str(v) for k, v in outputs.items()}
    if container:
        return RunRequest(script=script, workdir=box.root, input_paths=inputs, output_paths=paths,
                          container=container_run(SPEC, box.root, inputs, paths, {}))
    return RunRequest(script=script, workdir=box.root, input_paths=inputs, output_paths=paths,
                      args=["--input", str(box.inputs), "--output", str(box.outputs)])


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    found = probe()
    if not found.namespaced:
        print(f"no namespace sandbox here ({found.reason}): a container case cannot run")
        return
    fresh = FreshExecutor(isolation=NAMESPACE)
    with tempfile.TemporaryDirectory() as tmp:
        fork = ForkExecutor(server_dir=Path(tmp) / "fork")
        variants = {"ports as args, fresh (anchor)": (fresh, False), "container, fresh": (fresh, True),
                    "ports as args, fork": (fork, False)}
        times: dict[str, list[float]] = {name: [] for name in variants}
        script = Path(tmp) / "split.py"
        script.write_text(SCRIPT)
        try:
            with SandboxDir(base=Path(tmp) / "warm") as box:       # start the warm parent
                fork.run(_request(script, box, False))
            for _ in range(runs):
                for name, (executor, container) in variants.items():
                    with SandboxDir(base=Path(tmp) / "boxes") as box:
                        request = _request(script, box, container)
                        t0 = time.perf_counter()
                        record = executor.run(request)
                        times[name].append(time.perf_counter() - t0)
                        assert record.ok, (name, record.message, record.stderr_tail)
                        assert (box.outputs / "test" / "test.csv").stat().st_size > 0, name
        finally:
            fork.close()
    anchor = statistics.median(times["ports as args, fresh (anchor)"])
    print(f"pandas split of 2000 rows, median of {runs} runs each (bwrap: {found.bwrap})")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"  {name:30}  median {median * 1000:7.1f} ms   ratio {median / anchor:5.2f}")


if __name__ == "__main__":
    main()
