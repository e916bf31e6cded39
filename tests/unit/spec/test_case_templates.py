"""spec/case_templates.py: ``{job_args.NAME}`` / ``{env.NAME}`` in layouts, split names, shards
and column names, resolved per case (pure), and the load-time check of the names."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_helpers import error_text, write

from specrun.spec.case_templates import CaseContext, TemplateError, fill, resolve_spec, resolve_step
from specrun.spec.loader import load_spec

SPEC = """\
version: 1
pipeline: p
schemas:
  t:
    columns:
      "{env.ID}": {type: int}
      "{env.LABEL}": {type: int}
steps:
  prep:
    script: prep.py
    job_args: {job_type: training, parts: 2}
    env: {ID: id, LABEL: label}
    inputs:
      x:
        schema: t
        layout: "{split}/part-{shard}.csv"
        shards: "{job_args.parts}"
        split: {when: {job_args.job_type: training}, then: [train, test, val], else: ["{job_args.job_type}"]}
    outputs:
      y:
        schema: t
        layout: "{job_args.job_type}/{env.LABEL}.csv"
    properties:
      - no_nulls: {output: y, columns: ["{env.LABEL}"]}
  use:
    script: use.py
    job_args: {job_type: validation}
    env: {ID: id, LABEL: label}
    inputs:
      z: {from: prep.y}
      w: {from: prep.y, layout: "{job_args.job_type}/{env.LABEL}.csv"}
scenarios:
  jobs: {parametrize: {job_args.job_type: [training, scoring]}}
"""

_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


def _spec(text: str = SPEC):
    with tempfile.TemporaryDirectory() as folder:
        return load_spec(write(Path(folder), text))


SPEC_MODEL = _spec()


@settings(max_examples=60, deadline=None)
@given(job_type=_NAME, label=_NAME, ident=_NAME, parts=st.integers(1, 9))
def test_every_template_takes_the_case_s_values(job_type: str, label: str, ident: str, parts: int) -> None:
    step = SPEC_MODEL.steps["prep"]
    params = {"job_args.job_type": job_type, "env.LABEL": label, "env.ID": ident, "job_args.parts": parts}
    if label == ident:
        with pytest.raises(TemplateError, match="both named"):
            resolve_step(SPEC_MODEL, step, params)
        return
    resolved = resolve_step(SPEC_MODEL, step, params)
    x, y = resolved.inputs["x"], resolved.outputs["y"]
    assert x.split == (["train", "test", "val"] if job_type == "training" else [job_type])
    assert x.split_rule is None and x.shards == parts and x.shards_template is None
    assert x.layout == "{split}/part-{shard}.csv"          # {split} / {shard} stay for the writer
    assert y.layout == f"{job_type}/{label}.csv"
    assert list(x.schema.columns) == [ident, label] and [c.name for c in x.schema.columns.values()] == [ident, label]
    assert resolved.properties[0].params["columns"] == [label]
    # pure: the spec keeps its templates
    assert step.inputs["x"].split_rule is not None and step.outputs["y"].layout == "{job_args.job_type}/{env.LABEL}.csv"
    assert "{env.LABEL}" in step.inputs["x"].schema.columns


def test_an_inherited_layout_is_the_producer_s_and_a_written_one_the_consumer_s() -> None:
    use = resolve_step(SPEC_MODEL, SPEC_MODEL.steps["use"], {})
    assert use.inputs["z"].layout == "training/label.csv"      # what prep wrote
    assert use.inputs["w"].layout == "validation/label.csv"    # its own job type: check reports the edge
    resolved, errors = resolve_spec(SPEC_MODEL, {"job_args.job_type": "scoring"})
    assert not errors and resolved.steps["prep"].outputs["y"].layout == "scoring/label.csv"
    assert resolved.steps["use"].inputs["z"].layout == "scoring/label.csv"
    assert SPEC_MODEL.steps["prep"].outputs["y"].layout == "{job_args.job_type}/{env.LABEL}.csv"


def test_a_name_the_case_gives_no_value_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match=r"\{env.X\} has no value"):
        fill("a/{env.X}", CaseContext(env={}, job_args={}))
    assert fill("{{env.X}}/{env.Y}", CaseContext(env={"X": "no", "Y": "yes"}, job_args={})) == "{{env.X}}/yes"


@pytest.mark.parametrize("shards", ["0", "many"])
def test_a_shards_template_must_resolve_to_a_count(shards: str) -> None:
    with pytest.raises(TemplateError, match="not an integer >= 1"):
        resolve_step(SPEC_MODEL, SPEC_MODEL.steps["prep"], {"job_args.parts": shards})


@pytest.mark.parametrize(("edit", "message"), [
    (('layout: "{job_args.job_type}/{env.LABEL}.csv"', 'layout: "{job_args.kind}/{env.LABEL}.csv"'),
     "spec.yaml:22: steps.prep.outputs.y.layout: {job_args.kind}: step 'prep' has no job_args 'kind'"),
    (('"{env.LABEL}": {type: int}', '"{env.LABEL2}": {type: int}'),
     "spec.yaml:7: schemas.t.columns.{env.LABEL2}: {env.LABEL2}: step 'prep' has no env 'LABEL2'"),
    (('shards: "{job_args.parts}"', 'shards: "{job_args.n}"'),
     "spec.yaml:17: steps.prep.inputs.x.shards: {job_args.n}: step 'prep' has no job_args 'n'"),
    (("when: {job_args.job_type: training}", "when: {job_args.kind: training}"),
     "spec.yaml:18: steps.prep.inputs.x.split: {job_args.kind}: step 'prep' has no job_args 'kind'"),
    (('columns: ["{env.LABEL}"]', 'columns: ["{env.NOPE}"]'),
     "spec.yaml:24: steps.prep.properties.0.no_nulls: {env.NOPE}: step 'prep' has no env 'NOPE'"),
    (("then: [train, test, val]", "then: [train, test, \"val{\"]"), "invalid split name"),
    (('shards: "{job_args.parts}"', 'shards: "parts"'), "expected an integer >= 1 or {job_args.NAME}"),
])
def test_an_unknown_or_malformed_template_is_a_spec_error_at_its_line(
        tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    assert edit[0] in SPEC
    text = error_text(tmp_path, SPEC.replace(*edit))
    assert message in text, text


def test_a_parametrized_name_is_declared_for_every_step(tmp_path: Path) -> None:
    text = SPEC.replace('"{job_args.job_type}/{env.LABEL}.csv"', '"{job_args.run}/{env.LABEL}.csv"', 1)
    text = text.replace("[training, scoring]}}", "[training, scoring], job_args.run: [a, b]}}")
    spec = load_spec(write(tmp_path, text))
    with pytest.raises(TemplateError, match="job_args.run"):
        resolve_step(spec, spec.steps["prep"], {})
    assert resolve_step(spec, spec.steps["prep"], {"job_args.run": "b"}).outputs["y"].layout == "b/label.csv"
