"""The result cache in pipeline mode (issue 16 pt 1), through real ``python -m specrun`` runs.

A diamond-less DAG with a side branch, ``a -> b -> c`` and ``a -> d``, each step its own
script that appends its name to a log outside its sandbox: the log is the counter of which
scripts really ran, so a cache that served a changed step, or served nothing, fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"

SPEC = """
version: 1
pipeline: pc
defaults: {seed: 11, timeout: 60}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      x: {type: float, min: 0, max: 1}
steps:
  a:
    script: ../steps/a.py
    call: main
    env: {LOG: "%(log)s"}
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  b:
    script: ../steps/b.py
    call: main
    env: {LOG: "%(log)s"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: parquet, schema: rows}}
  c:
    script: ../steps/c.py
    call: main
    env: {LOG: "%(log)s"}
    inputs: {rows: {from: b.out}}
    outputs: {out: {format: csv, schema: rows}}
  d:
    script: ../steps/d.py
    call: main
    env: {LOG: "%(log)s"}
    inputs: {rows: {from: a.out}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 30}
modes:
  isolation: {enabled: false}
  pipeline: {}
"""

STEP = '''
import os

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    with open(os.environ["LOG"], "a") as log:
        log.write("{name}\\n")
    frame = pd.read_{read}(input_paths["rows"])
    {body}
    frame.to_{write}(output_paths["out"], index=False)
'''

READS = {"a": "csv", "b": "csv", "c": "parquet", "d": "csv"}
WRITES = {"a": "csv", "b": "parquet", "c": "csv", "d": "csv"}
HALVE = 'frame["x"] = frame["x"] / 2'
# broken in one way: it cannot take a zero, which its contract (min: 0) allows
NO_ZEROS = 'if (frame["x"] == 0).any():\n        raise ValueError("x must be positive")'


def script(name: str, body: str = "pass") -> str:
    return STEP.format(name=name, read=READS[name], write=WRITES[name], body=body)


def make(project) -> None:
    project.write("specs/pc.yaml", SPEC % {"log": project.root / "ran.log"})
    for name in "abcd":
        project.write(f"steps/{name}.py", script(name, HALVE if name == "b" else "pass"))


def run(project, *args: str):
    """A pipeline run; returns (outcome, the scripts that ran, in order of their log lines)."""
    log = project.root / "ran.log"
    log.write_text("")
    out = project.run("specs", "--mode", "pipeline", *args, env={"SPECRUN_ISOLATION": "process"})
    return out, sorted(log.read_text().split())


def steps(out) -> dict[str, dict]:
    return {c["step"]: c for c in out.record["cases"] if c["kind"] == "step"}


def shown_lines(text: str) -> set[tuple[str, str]]:
    """(status, case id) of each case line a run printed, durations left out."""
    return set(re.findall(r"^(PASSED \(cached\)|PASSED|FAILED) +(\S+) [\d.]+s", text, re.M))


def documented_lines() -> set[tuple[str, str]]:
    """The lines docs/cli.md shows for a rerun of this pipeline after editing b.py."""
    found = re.search(r"```\n\$ specrun specs --mode pipeline .*?after editing b.py.*?\n(.*?)```",
                      DOC.read_text(), re.S)
    assert found, "docs/cli.md lost its pipeline cache example"
    lines = shown_lines(found.group(1))
    assert len(lines) == 6
    return lines


def kept(project, step: str) -> bytes:
    folder = project.root / ".specrun" / "pipeline" / "pc" / step / "output"
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.slow
def test_an_unchanged_pipeline_is_served_with_its_outputs_and_an_edited_step_reruns_with_its_descendants(project):
    make(project)
    cold, ran = run(project)
    assert cold.code == 0, cold.stdout + cold.stderr
    assert ran == ["a", "b", "c", "d"]
    before = {name: kept(project, name) for name in "abcd"}

    warm, ran = run(project)
    assert warm.code == 0, warm.stdout + warm.stderr
    assert ran == []
    assert all(case["cached"] and case["outcome"] == "passed" for case in steps(warm).values())
    assert "PASSED (cached) pc::pipeline::b" in warm.stdout
    # the outputs came back: kept for --from, handed to the consumers (their transitions validated them)
    assert {name: kept(project, name) for name in "abcd"} == before
    transitions = [c for c in warm.record["cases"] if c["kind"] == "transition"]
    assert len(transitions) == 3 and all(t["outcome"] == "passed" and t["details"]["rows"] == 30
                                         for t in transitions)
    record = warm.record["records"]["pipeline:pc"]
    assert {s["step"]: s["cached"] for s in record["steps"]} == dict.fromkeys("abcd", True)

    # a consumer that must run reads its cached producer's restored output
    project.write("steps/c.py", script("c") + "\n# edited\n")
    again, ran = run(project)
    assert again.code == 0, again.stdout + again.stderr
    assert ran == ["c"]
    assert steps(again)["c"]["cached"] is False and steps(again)["b"]["cached"] is True

    # an edit that leaves b's output as it was: b reruns, its consumer's input is unchanged
    project.write("steps/b.py", script("b", HALVE) + "\n# reformatted\n")
    same, ran = run(project)
    assert same.code == 0 and ran == ["b"], same.stdout + same.stderr

    # an edit that changes b's output: b and its descendant c run, a and the side branch d do not
    project.write("steps/b.py", script("b", 'frame["x"] = frame["x"] / 4'))
    edited, ran = run(project)
    assert edited.code == 0, edited.stdout + edited.stderr
    assert ran == ["b", "c"]
    assert {n: c["cached"] for n, c in steps(edited).items()} == {"a": True, "b": False, "c": False, "d": True}
    assert documented_lines() <= shown_lines(edited.stdout)

    rerun, ran = run(project, "--no-cache")
    assert rerun.code == 0 and ran == ["a", "b", "c", "d"], rerun.stdout + rerun.stderr
    assert not any(case.get("cached") for case in rerun.record["cases"])


def test_a_cached_pass_does_not_hide_a_producer_change_that_breaks_its_consumer(project):
    make(project)
    project.write("steps/c.py", script("c", NO_ZEROS))
    first, ran = run(project)
    assert first.code == 0 and ran == ["a", "b", "c", "d"], first.stdout + first.stderr
    # b now writes zeros — inside its contract, so every transition passes — which c cannot take
    project.write("steps/b.py", script("b", 'frame["x"] = 0.0'))
    broken, ran = run(project)
    assert broken.code == 1, broken.stdout + broken.stderr
    assert ran == ["b", "c"]
    c = steps(broken)["c"]
    assert c["outcome"] == "failed" and not c["cached"] and "x must be positive" in json.dumps(c)
    # the failure is the script's verdict on that input: served as such while nothing changes
    again, ran = run(project)
    assert again.code == 1 and ran == [], again.stdout + again.stderr
    assert steps(again)["c"]["outcome"] == "failed" and steps(again)["c"]["cached"]


@pytest.mark.slow
def test_stored_outputs_changed_on_disk_are_a_miss(project):
    make(project)
    first, _ = run(project)
    assert first.code == 0, first.stdout + first.stderr
    stored = [p for p in (project.root / ".specrun" / "cache" / "results").rglob("*")
              if p.is_file() and p.parent.name.endswith(".outputs")]
    assert stored, "pipeline steps store their outputs beside their entries"
    for path in stored:
        path.chmod(0o644)
        path.write_bytes(path.read_bytes() + b"\n")
    again, ran = run(project)
    assert again.code == 0, again.stdout + again.stderr
    assert ran == ["a", "b", "c", "d"]
