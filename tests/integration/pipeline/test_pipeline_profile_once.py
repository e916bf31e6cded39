"""A handed-over file is profiled once through a real pipeline run (issue 15 point 1): with the
consumer reading under the producer's contract its input profile is the producer's (no second
profile_frame, same figures as profiling its frame); with a consumer schema that reads a column
with another dtype it is profiled again and shows that dtype."""

from __future__ import annotations

import pytest

import specrun
from specrun.analysis.profile import profile_frame
from specrun.contract.io import read_port_frame
from specrun.modes.pipeline import mode as mode_module
from specrun.modes.pipeline import step as step_module
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec

COPY = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["raw"])
    frame["double"] = frame["n"] * 2
    frame.to_csv(output_paths["out"], index=False)
'''

COUNT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["src"])
    pd.DataFrame({"rows": [len(frame)]}).to_csv(output_paths["total"], index=False)
'''

SPEC = """\
version: 1
pipeline: once
defaults: {{timeout: 60, seed: 1}}
schemas:
  raw:
    columns:
      n: {{type: int, min: 0, max: 9}}
  out:
    columns:
      n: {{type: int, min: 0, max: 9}}
      double: {{type: int, min: 0, max: 18}}
  as_float:
    columns:
      n: {{type: float, min: 0, max: 9}}
      double: {{type: int, min: 0, max: 18}}
steps:
  a:
    script: a.py
    call: main
    inputs: {{raw: {{format: csv, schema: raw}}}}
    outputs: {{out: {{format: csv, schema: out}}}}
  b:
    script: b.py
    call: main
    inputs: {{src: {{from: a.out{consumer}}}}}
    outputs: {{total: {{format: csv}}}}
modes:
  pipeline: {{}}
"""


@pytest.mark.parametrize(("consumer", "reused"), [("", True), (", schema: as_float", False)])
def test_the_consumer_profile_is_the_producers_only_under_the_same_contract(tmp_path, monkeypatch, consumer, reused):
    (tmp_path / "a.py").write_text(COPY)
    (tmp_path / "b.py").write_text(COUNT)
    (tmp_path / "once.yaml").write_text(SPEC.format(consumer=consumer))
    monkeypatch.chdir(tmp_path)
    calls: list[str] = []
    real = step_module.profile_frame
    monkeypatch.setattr(step_module, "profile_frame",
                        lambda frame, port, **k: calls.append(port) or real(frame, port, **k))
    profiles: dict = {}
    track = mode_module.track_evolution
    monkeypatch.setattr(mode_module, "track_evolution",
                        lambda dag, found, *a: profiles.update(found) or track(dag, found, *a))
    result = specrun.run_specs("once.yaml", mode="pipeline")
    assert [c.outcome.value for c in result.cases] == ["passed"] * 3
    assert ("b.src" in calls) is not reused
    mine = profiles[("b", "src", "input")]
    kept = next((tmp_path / ".specrun" / "pipeline").rglob("out.csv"))
    declared = SchemaSpec(name="as_float" if consumer else "out",
                          columns={"n": ColumnSpec(name="n", type="float" if consumer else "int"),
                                   "double": ColumnSpec(name="double", type="int")})
    frame = read_port_frame(PortSpec(name="src", format="csv"), kept, declared)
    assert mine.dtypes["n"] == str(frame["n"].dtype) == ("float64" if consumer else "int64")
    fresh = profile_frame(frame, "b.src", nbytes=kept.stat().st_size)
    assert (mine.rows, mine.column_profiles["n"].quantiles, mine.column_profiles["n"].distinct) == (
        fresh.rows, fresh.column_profiles["n"].quantiles, fresh.column_profiles["n"].distinct)
