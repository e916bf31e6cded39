"""``container:`` on a host that has an ``/opt/ml`` of its own (a machine that ran SageMaker
local mode, a SageMaker notebook): the run gets a private, empty ``/opt/ml`` over it, so
the script sees none of the host's files, and nothing it writes there (ports or scratch)
reaches the host's folder.

The "host" is an outer bubblewrap namespace whose ``/opt/ml`` is a folder of the test's
with a marker file in it; specrun runs inside it as a real subprocess (nested user
namespaces), so the machine's own ``/opt`` is never touched, and the other container
tests, which check that the machine has no ``/opt/ml``, are unaffected when they run at
the same time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from specrun.execution.namespace import probe

PROBE = probe()

SPEC = """
version: 1
pipeline: host_ml
schemas:
  raw:
    columns:
      id:     {type: int, unique: true}
      amount: {type: float, min: 1, max: 100}
steps:
  split:
    script: split.py
    container: sagemaker-processing
    inputs:
      raw: {schema: raw}                       # /opt/ml/processing/input/raw/raw.csv
    outputs:
      train: {schema: raw, layout: train.csv}  # /opt/ml/processing/output/train/train.csv
"""

#: Fails when it can see any of the host's /opt/ml; writes a scratch file beside the ports.
SCRIPT = """
import os

import pandas as pd

seen = sorted(os.path.relpath(os.path.join(folder, name), "/opt/ml")
              for folder, _, names in os.walk("/opt/ml") for name in names)
print("seen under /opt/ml:", seen)
assert seen == ["processing/input/raw/raw.csv"], seen
with open("/opt/ml/scratch.txt", "w") as fh:
    fh.write("written by the script")
df = pd.read_csv("/opt/ml/processing/input/raw/raw.csv")
df.to_csv("/opt/ml/processing/output/train/train.csv", index=False)
"""

MARKER = "model.tar.gz"


def _outer_argv(bwrap: str, host_ml: Path) -> list[str]:
    """A namespace standing for a host with its own /opt/ml (``host_ml``); the rest of the
    machine as it is, /opt's other entries bound back."""
    argv = [bwrap, "--unshare-user", "--die-with-parent", "--dev-bind", "/", "/", "--tmpfs", "/opt"]
    for entry in sorted(os.listdir("/opt")) if os.path.isdir("/opt") else []:
        path = f"/opt/{entry}"
        argv += ["--symlink", os.readlink(path), path] if os.path.islink(path) else ["--bind", path, path]
    return argv + ["--bind", str(host_ml), "/opt/ml", "--"]


def _run_on_host_with_opt_ml(tmp_path: Path, script: str) -> tuple[subprocess.CompletedProcess[str], dict, Path]:
    assert PROBE.bwrap is not None
    host_ml = tmp_path / "host-opt-ml"
    host_ml.mkdir()
    (host_ml / MARKER).write_text("the host's model")
    (tmp_path / "spec.yaml").write_text(textwrap.dedent(SPEC).lstrip())
    (tmp_path / "split.py").write_text(textwrap.dedent(script).lstrip())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    record = tmp_path / "result.json"
    argv = _outer_argv(PROBE.bwrap, host_ml) + [sys.executable, "-m", "specrun", "spec.yaml", "-k", "standard",
                                                "--keep-sandboxes", "--json", str(record)]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert record.exists(), done.stdout + done.stderr
    return done, json.loads(record.read_text()), host_ml


def _case(record: dict) -> dict:
    cases = [c for c in record["cases"] if c["id"].endswith("split[standard]")]
    assert len(cases) == 1, [c["id"] for c in record["cases"]]
    return cases[0]


@pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")
def test_the_hosts_own_opt_ml_is_hidden_from_the_script_and_left_unchanged(tmp_path: Path) -> None:
    done, record, host_ml = _run_on_host_with_opt_ml(tmp_path, SCRIPT)
    case = _case(record)
    assert done.returncode == 0 and case["outcome"] == "passed", done.stdout + done.stderr
    assert case["metrics"]["isolation"] == "namespace"
    # the port's file landed in the case's output port, not in the host's /opt/ml
    train = Path(case["workdir"]) / "output" / "train" / "train.csv"
    assert len(train.read_text().splitlines()) > 1
    assert sorted(os.listdir(host_ml)) == [MARKER]                       # no scratch.txt, no processing/
    assert (host_ml / MARKER).read_text() == "the host's model"


@pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")
def test_a_script_that_expects_the_hosts_files_fails(tmp_path: Path) -> None:
    """The other side of the first test: a script relying on the host's /opt/ml finds nothing."""
    broken = SCRIPT.replace('assert seen == ["processing/input/raw/raw.csv"], seen',
                            f'assert "{MARKER}" in seen, seen')
    assert broken != SCRIPT
    done, record, host_ml = _run_on_host_with_opt_ml(tmp_path, broken)
    case = _case(record)
    assert done.returncode == 1 and case["outcome"] == "failed", done.stdout + done.stderr
    assert "AssertionError" in done.stdout
    assert sorted(os.listdir(host_ml)) == [MARKER]
