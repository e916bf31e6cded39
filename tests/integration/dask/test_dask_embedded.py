"""``--dist dask`` on the embedded LocalCluster (two worker processes, a local directory
each): a case runs in a folder of its worker's own, its local modules travel with it, a
broken script fails exactly as it does locally, past the transfer cap is an ERROR, a
pipeline hands its outputs on between workers (``-x``: test_dask_external.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

SPEC = """\
version: 1
pipeline: dist
schemas:
  rows: {columns: {id: {type: int}}}
steps:
{steps}
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
"""

STEP = """\
  {name}:
    script: {script}
    call: main
    inputs: {{rows: {{format: csv, schema: rows}}}}
    outputs: {{out: {{format: csv, schema: rows}}}}
{extra}"""

# reports where it ran: its working directory, its input's path, its process id; leaves a marker in its cwd
WHERE = '''
import json, os, shutil
from helpers.copying import copy_rows


def main(input_paths, output_paths, environ_vars, job_args):
    copy_rows(input_paths["rows"], output_paths["out"])
    with open("where.json", "w") as f:
        json.dump({"cwd": os.getcwd(), "input": input_paths["rows"]}, f)
'''
HELPER = '''
import shutil


def copy_rows(src, dst):
    shutil.copy(src, dst)
'''


def steps(*entries: tuple[str, str, str]) -> str:
    return "".join(STEP.format(name=n, script=s, extra=e) for n, s, e in entries)


def write(project, *entries: tuple[str, str, str], modes: str = "") -> None:
    spec = SPEC.replace("{steps}", steps(*entries))
    if modes:
        spec = spec.replace("  isolation: {scenarios: [standard]}\n", modes)
    project.write("spec.yaml", spec)


def test_a_case_runs_in_its_workers_own_folder_with_its_local_modules(project) -> None:
    write(project, *[(f"where{n}", "where.py", "") for n in range(4)])
    project.write("where.py", WHERE)
    project.write("helpers/__init__.py", "")
    project.write("helpers/copying.py", HELPER)
    project.write("unrelated.py", "raise SystemExit('not imported by the script: never shipped')\n")
    out = project.run("spec.yaml", "--dist", "dask", "--mode", "isolation", "--keep-sandboxes", "--no-cache")
    assert out.code == 0, out.stdout + out.stderr
    cwds = set()
    for n in range(4):
        case = out.case(f"where{n}[standard]")
        assert case["outcome"] == "passed", case
        sandbox = next(p for p in (project.root / ".specrun/sandboxes").iterdir()
                       if p.name.startswith(f"dist__where{n}_"))
        where = json.loads((sandbox / "where.json").read_text())   # the marker came back with the outputs
        # it ran elsewhere: in a folder under a Dask worker's own local directory, not the client's sandbox
        assert Path(where["cwd"]) != sandbox.resolve()
        assert not where["cwd"].startswith(str(project.root)), where
        assert "dask-scratch-space/worker-" in where["cwd"], where
        assert where["input"].startswith(where["cwd"]), where
        assert not Path(where["cwd"]).exists()     # the worker removed its copy
        cwds.add(where["cwd"].split("/worker-")[1].split("/")[0])
    assert len(cwds) == 2, cwds    # both workers ran cases, each in its own folder


BROKEN = {
    "raises": 'def main(input_paths, output_paths, environ_vars, job_args):\n    raise RuntimeError("boom")\n',
    "bad_data": ('import pandas as pd\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n'
                 '    pd.read_csv(input_paths["rows"])["missing_column"]\n'),
    "exits": 'import sys\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n    sys.exit(3)\n',
    "no_output": 'def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n',
    "bad_output": ('def main(input_paths, output_paths, environ_vars, job_args):\n'
                   '    open(output_paths["out"], "w").write("id\\nnot-an-int\\n")\n'),
    "sleeps": 'import time\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n    time.sleep(30)\n',
    "imports_missing": ('import helper_not_there\n\n'
                        'def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n'),
}


@pytest.mark.slow
def test_a_broken_script_fails_on_the_cluster_exactly_as_locally(project) -> None:
    write(project, *[(name, f"{name}.py", "    timeout: 2\n" if name == "sleeps" else "") for name in BROKEN])
    for name, text in BROKEN.items():
        project.write(f"{name}.py", text)
    local = project.run("spec.yaml", "--mode", "isolation", "--no-cache", "-n", "2")
    dist = project.run("spec.yaml", "--mode", "isolation", "--no-cache", "--dist", "dask")
    assert local.code == dist.code == 1, dist.stdout + dist.stderr
    for name in BROKEN:
        here, there = local.case(f"{name}[standard]"), dist.case(f"{name}[standard]")
        assert there["outcome"] == "failed", there
        assert (there["outcome"], there["classification"], same(there["message"])) == \
            (here["outcome"], here["classification"], same(here["message"])), name


def same(message: str) -> str:
    """A message without its sandbox's random name."""
    return re.sub(r"sandboxes/[^/]+", "sandboxes/<case>", message)


def test_past_the_transfer_cap_is_an_error_each_way(project) -> None:
    big_output = ('def main(input_paths, output_paths, environ_vars, job_args):\n'
                  '    open(output_paths["out"], "w").write("id\\n" + "1\\n" * 20000)\n')
    write(project, ("big_out", "big_out.py", ""), ("small", "small.py", ""))
    project.write("big_out.py", big_output)
    project.write("small.py", 'import shutil\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n'
                              '    shutil.copy(input_paths["rows"], output_paths["out"])\n')
    out = project.run("spec.yaml", "--mode", "isolation", "--no-cache", "--dist", "dask",
                      "--dask-transfer-cap", "8KB")
    big = out.case("big_out[standard]")
    assert big["outcome"] == "error", big
    assert "ships back" in big["message"] and "transfer cap" in big["message"], big["message"]
    assert out.case("small[standard]")["outcome"] == "passed"
    # the inputs too: a cap below what the case ships
    out = project.run("spec.yaml", "--mode", "isolation", "--no-cache", "--dist", "dask",
                      "--dask-transfer-cap", "10B")
    small = out.case("small[standard]")
    assert small["outcome"] == "error" and "ships to the worker" in small["message"], small


PRODUCER = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame["id"] = frame["id"] * 0 + 7
    frame.to_csv(output_paths["out"], index=False)
'''
CONSUMER = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    assert (frame["id"] == 7).all(), "the producer's output did not reach this step"
    frame.to_csv(output_paths["out"], index=False)
'''


def test_a_pipeline_hands_outputs_between_steps_on_the_cluster(project) -> None:
    spec = SPEC.replace("{steps}", steps(("produce", "produce.py", ""), ("consume", "consume.py", "")))
    spec = spec.replace("    script: consume.py\n    call: main\n    inputs: {rows: {format: csv, schema: rows}}",
                        "    script: consume.py\n    call: main\n    inputs: {rows: {format: csv, schema: rows, "
                        "from: produce.out}}")
    project.write("spec.yaml", spec)
    project.write("produce.py", PRODUCER)
    project.write("consume.py", CONSUMER)
    out = project.run("spec.yaml", "--mode", "pipeline", "--no-cache", "--dist", "dask")
    assert out.code == 0, out.stdout + out.stderr
    assert out.case("pipeline::consume")["outcome"] == "passed"


COPY = 'import shutil\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n' \
       '    shutil.copy(input_paths["rows"], output_paths["out"])\n'


def test_a_memory_limit_is_a_resource_of_the_workers(project) -> None:
    """Each embedded worker offers its share of the machine's memory as ``MEMORY``: a case
    whose limit fits runs; one no worker can hold is an ERROR, not a task waiting forever."""
    write(project, ("fits", "copy_rows.py", "    memory_limit: 200MB\n"),
          ("huge", "copy_rows.py", "    memory_limit: 64TB\n"))
    project.write("copy_rows.py", COPY)
    out = project.run("spec.yaml", "--mode", "isolation", "--no-cache", "--dist", "dask")
    assert out.case("fits[standard]")["outcome"] == "passed"
    huge = out.case("huge[standard]")
    assert huge["outcome"] == "error" and "no worker offers that much MEMORY" in huge["message"], huge
