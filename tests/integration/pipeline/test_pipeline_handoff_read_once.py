"""A hand-off is read and validated once (issue 15 point 1): when the consumer reads the very
files the producer's passing output check read, under an equal contract, its transition
validation is that pass and nothing is read again.  Every other hand-off is read and
validated on the consumer's side: a consumer schema that differs (the contracts disagree),
a producer whose output breaks its own contract, and a consumer whose properties need the
input frame.  Each broken case fails if the reuse ignored what it exists to compare."""

from __future__ import annotations

import pytest

import specrun
from specrun.modes.pipeline import transition as transition_module

PRODUCER = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["raw"])
    frame["double"] = frame["n"] * {factor}
    frame.to_csv(output_paths["out"], index=False)
'''

CONSUMER = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["src"])
    frame.head({keep}).to_csv(output_paths["total"], index=False)
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
  strict:
    columns:
      n: {{type: int, min: 0, max: 9}}
      double: {{type: int, min: 0, max: 10}}
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
{properties}
scenarios:
  standard: {{rows: 40}}
modes:
  pipeline: {{validation: {validation}}}
"""


def _run(tmp_path, monkeypatch, *, factor: int = 2, consumer: str = "", keep: int = 1000, properties: str = "",
         validation: str = "strict"):
    (tmp_path / "a.py").write_text(PRODUCER.format(factor=factor))
    (tmp_path / "b.py").write_text(CONSUMER.format(keep=keep))
    (tmp_path / "once.yaml").write_text(SPEC.format(consumer=consumer, properties=properties, validation=validation))
    monkeypatch.chdir(tmp_path)
    reads: list[str] = []
    real = transition_module.read_port
    monkeypatch.setattr(transition_module, "read_port",
                        lambda port, path, *a, **k: reads.append(port.name) or real(port, path, *a, **k))
    result = specrun.run_specs("once.yaml", mode="pipeline")
    by_kind = {c.kind if c.kind == "transition" else c.step: c for c in result.cases}
    return by_kind, reads


def test_the_consumer_of_a_passing_handoff_under_the_same_contract_reads_nothing_again(tmp_path, monkeypatch):
    cases, reads = _run(tmp_path, monkeypatch)
    assert {k: c.outcome.value for k, c in cases.items()} == {"a": "passed", "transition": "passed", "b": "passed"}
    assert reads == []
    consumer = cases["transition"].validations[1]
    assert (consumer.port, consumer.direction, consumer.ok, consumer.rows) == ("b.src", "input", True, 40)


def test_a_consumer_schema_that_rejects_the_data_still_fails_the_handoff(tmp_path, monkeypatch):
    """The producer's check passed, but the consumer's contract is stricter (double <= 10):
    reusing the producer's pass here would be a false green."""
    cases, reads = _run(tmp_path, monkeypatch, consumer=", schema: strict")
    transition = cases["transition"]
    assert reads == ["src"]
    assert transition.outcome.value == "failed" and transition.details["blame"] == "contracts", transition.message
    assert "double" in transition.message


def test_a_producer_breaking_its_own_contract_is_read_and_judged_on_both_sides(tmp_path, monkeypatch):
    """lenient: the failing output flows on; its failed check is not the consumer's, which
    reads the data and finds the same breakage under the same contract."""
    cases, reads = _run(tmp_path, monkeypatch, factor=3, validation="lenient")    # double up to 27 > 18
    transition = cases["transition"]
    assert cases["a"].outcome.value == "failed" and reads == ["src"]
    assert transition.outcome.value == "failed" and transition.details["blame"] == "producer"
    assert "the consumer's input contract rejects it too" in transition.message
    assert [f.column for f in transition.validations[1].failures] == ["double"]


@pytest.mark.parametrize(("keep", "passes"), [(1000, True), (5, False)])
def test_a_consumer_property_on_its_input_still_sees_the_handed_over_frame(tmp_path, monkeypatch, keep, passes):
    """``row_count`` compares the consumer's output with its input: the frame is read for it,
    so a consumer that drops rows still fails."""
    cases, reads = _run(tmp_path, monkeypatch, keep=keep,
                        properties="    properties:\n      - row_count: {output: total, equals: src}")
    assert reads == ["src"]
    assert (cases["b"].outcome.value == "passed") is passes, cases["b"].message
