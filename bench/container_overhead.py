"""What ``container:`` costs: a SageMaker Processing script with its /opt/ml paths
hard-coded, run as a container case (its ports bound onto /opt/ml/processing/… in the
run's private mount namespace), against the same script taking its ports as arguments
(the anchor, 1.00).  Both run with the FreshExecutor under namespace isolation, specrun's
default where bubblewrap works, so the difference is the container's part alone: the
private /opt/ml, the extra binds and the job's folders.

For context it also times the argument script under ``--executor fork`` (process
isolation, a fork of the warm parent): a container case never forks (bind mounts need
a fresh process in namespaces of its own), so under ``--executor fork`` this is what a
container step gives up.

    .venv/bin/python bench/container_overhead.py [RUNS] [ROUNDS]

Each round alternates the variants RUNS times (default 10) and takes each one's median;
the printed ratio is the median over ROUNDS rounds (default 3).  Every run's outputs are
checked (rows in train + test == rows in), so a variant that silently did nothing
cannot look fast.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from specrun.execution.container import container_run
from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import NAMESPACE, PROCESS, probe
from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.spec.loader import load_spec

ROWS = 1000
SPLIT = "0.2"

#: The body both scripts share: read every CSV in IN, write OUT_TRAIN/train.csv and OUT_TEST/test.csv.
BODY = '''
files = sorted(glob.glob(os.path.join(IN, "*.csv")))
assert files, f"no input under {IN}"
df = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
df["amount_scaled"] = df["amount"] / 100.0
cut = int(round(len(df) * (1 - args.train_test_split_ratio)))
os.makedirs(OUT_TRAIN, exist_ok=True)
os.makedirs(OUT_TEST, exist_ok=True)
df.iloc[:cut].to_csv(os.path.join(OUT_TRAIN, "train.csv"), index=False)
df.iloc[cut:].to_csv(os.path.join(OUT_TEST, "test.csv"), index=False)
'''

HEAD = '''
import argparse
import glob
import os

import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--train-test-split-ratio", type=float, default=0.3)
'''

CONTAINER_SCRIPT = HEAD + '''
args = parser.parse_args()
IN = "/opt/ml/processing/input"
OUT_TRAIN = "/opt/ml/processing/output/train"
OUT_TEST = "/opt/ml/processing/output/test"
''' + BODY

ARGS_SCRIPT = HEAD + '''
parser.add_argument("--input", required=True)
parser.add_argument("--train", required=True)
parser.add_argument("--test", required=True)
args = parser.parse_args()
IN, OUT_TRAIN, OUT_TEST = args.input, args.train, args.test
''' + BODY

#: The container step, loaded by specrun's own loader so the mounts are the real ones.
SPEC = textwrap.dedent('''
    version: 1
    pipeline: bench
    schemas:
      raw: {columns: {id: {type: int}, amount: {type: float}}}
    steps:
      split:
        script: container.py
        container: sagemaker-processing
        container_paths:
          /opt/ml/processing/input: inputs.raw
        args: [--train-test-split-ratio, "SPLIT"]
        inputs:
          raw: {schema: raw}
        outputs:
          train: {layout: train.csv}
          test: {layout: test.csv}
''').replace("SPLIT", SPLIT)


def _rows(path: Path) -> int:
    return len(path.read_text().splitlines()) - 1


class Bench:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        (tmp / "container.py").write_text(CONTAINER_SCRIPT)
        (tmp / "args.py").write_text(ARGS_SCRIPT)
        (tmp / "spec.yaml").write_text(SPEC)
        self.step = load_spec(tmp / "spec.yaml").steps["split"]
        assert self.step.container is not None and self.step.container.mounts
        self.data = "id,amount\n" + "".join(f"{i},{1 + i % 99}.5\n" for i in range(ROWS))

    def run(self, executor: FreshExecutor, *, container: bool) -> tuple[float, RunRecord]:
        with SandboxDir(base=self.tmp / "boxes") as box:
            raw = box.inputs / "raw.csv"
            raw.write_text(self.data)
            inputs = {"raw": str(raw)}
            outputs = {"train": str(box.outputs / "train"), "test": str(box.outputs / "test")}
            if container:
                assert self.step.container is not None
                run = container_run(self.step.container, box.root, inputs, outputs, {})
                request = RunRequest(script=self.tmp / "container.py", workdir=box.root,
                                     args=["--train-test-split-ratio", SPLIT], env=dict(run.env),
                                     input_paths=inputs, output_paths=outputs, container=run, timeout=120)
            else:
                request = RunRequest(script=self.tmp / "args.py", workdir=box.root,
                                     args=["--train-test-split-ratio", SPLIT, "--input", str(box.inputs),
                                           "--train", outputs["train"], "--test", outputs["test"]],
                                     input_paths=inputs, output_paths=outputs, timeout=120)
            t0 = time.perf_counter()
            record = executor.run(request)
            elapsed = time.perf_counter() - t0
            assert record.ok, record.message
            written = _rows(box.outputs / "train" / "train.csv") + _rows(box.outputs / "test" / "test.csv")
            assert written == ROWS, f"wrote {written} rows of {ROWS}"
            return elapsed, record


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    found = probe()
    if not found.namespaced:
        print(f"no namespace sandbox here ({found.reason}): a container case cannot run, nothing to compare")
        return
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp))
        fresh, fork = FreshExecutor(isolation=NAMESPACE), ForkExecutor(isolation=PROCESS)
        variants: dict[str, Callable[[], tuple[float, RunRecord]]] = {
            "ports as args, fresh, namespace (anchor)": lambda: bench.run(fresh, container=False),
            "container: sagemaker-processing": lambda: bench.run(fresh, container=True),
            "ports as args, --executor fork (process)": lambda: bench.run(fork, container=False),
        }
        expected = [NAMESPACE, NAMESPACE, PROCESS]
        medians: dict[str, list[float]] = {name: [] for name in variants}
        try:
            for _ in range(rounds):
                times: dict[str, list[float]] = {name: [] for name in variants}
                for _ in range(runs):
                    for (name, fn), isolation in zip(variants.items(), expected, strict=True):
                        elapsed, record = fn()
                        assert record.metrics.isolation == isolation, (name, record.metrics.isolation)
                        times[name].append(elapsed)
                for name, values in times.items():
                    medians[name].append(statistics.median(values))
        finally:
            fork.close()
    anchor_name = next(iter(variants))
    ratios = {name: [m / a for m, a in zip(values, medians[anchor_name], strict=True)]
              for name, values in medians.items()}
    print(f"{ROWS}-row CSV split by a pandas script; {rounds} rounds x {runs} runs per variant "
          f"(bwrap: {found.bwrap})")
    for name, values in medians.items():
        per_round = " ".join(f"{r:4.2f}" for r in ratios[name])
        print(f"  {name:<42} median {statistics.median(values) * 1000:7.1f} ms   "
              f"ratio {statistics.median(ratios[name]):5.2f}   (rounds: {per_round})")


if __name__ == "__main__":
    main()
