"""``container:`` / ``container_paths:``: the conventional and explicit mounts the loader
computes, ``defaults.container``, and every misuse a SpecError naming file, line and key."""

from __future__ import annotations

import pytest
from spec_helpers import error_text, write

from specrun.spec.loader import load_spec

SPEC = """\
version: 1
pipeline: p
schemas:
  t:
    columns:
      a: {type: int}
steps:
  prep:
    script: prep.py
    container: sagemaker-processing
    inputs:
      raw: {schema: t}
      lookup: {schema: t}
    outputs:
      train: {schema: t, layout: train.csv}
  fit:
    script: fit.py
    container: sagemaker-training
    inputs:
      train: {from: prep.train}
    outputs:
      model: {layout: model.json, format: json}
"""


def test_conventional_mounts_of_processing_and_training(tmp_path):
    spec = load_spec(write(tmp_path, SPEC))
    assert spec.steps["prep"].container.mounts == [
        ("/opt/ml/processing/input/raw", "inputs", "raw"),
        ("/opt/ml/processing/input/lookup", "inputs", "lookup"),
        ("/opt/ml/processing/output/train", "outputs", "train")]
    assert spec.steps["fit"].container.mounts == [
        ("/opt/ml/input/data/train", "inputs", "train"), ("/opt/ml/model", "outputs", "model")]


def _explicit(paths: str, text: str = SPEC) -> str:
    return text.replace("    container: sagemaker-processing\n",
                        f"    container: sagemaker-processing\n    container_paths: {{{paths}}}\n", 1)


def test_explicit_paths_replace_conventional_ones(tmp_path):
    spec = load_spec(write(tmp_path, _explicit("/opt/ml/processing/input: inputs.raw")))
    mounts = spec.steps["prep"].container.mounts
    assert mounts == [("/opt/ml/processing/input", "inputs", "raw"),
                      ("/opt/ml/processing/input/lookup", "inputs", "lookup"),
                      ("/opt/ml/processing/output/train", "outputs", "train")]


def test_a_path_given_twice_or_a_mount_inside_a_folder_port_is_an_error(tmp_path):
    slash = "/opt/ml/processing/input: inputs.raw, /opt/ml/processing/input/: inputs.lookup"
    assert "spec.yaml:11: steps.prep.container_paths./opt/ml/processing/input/: container path " \
           "'/opt/ml/processing/input/' must be an absolute, normalised folder" in \
        error_text(tmp_path, _explicit(slash))
    onto_conventional = _explicit("/opt/ml/processing/input/lookup: inputs.raw")
    assert error_text(tmp_path, onto_conventional).startswith(
        "spec.yaml:10: steps.prep.container: inputs.raw (/opt/ml/processing/input/lookup) and inputs.lookup "
        "(/opt/ml/processing/input/lookup) overlap")
    folder = _explicit("/opt/ml/in: inputs.raw, /opt/ml/in/more: inputs.lookup").replace(
        "      raw: {schema: t}", "      raw: {schema: t, layout: raw.csv}")
    assert error_text(tmp_path, folder).startswith(
        "spec.yaml:10: steps.prep.container: inputs.raw (/opt/ml/in) and inputs.lookup (/opt/ml/in/more) overlap")
    beside_a_file = _explicit("/opt/ml/in: inputs.raw, /opt/ml/in/more: inputs.lookup")    # raw.csv in /opt/ml/in
    assert load_spec(write(tmp_path, beside_a_file)).steps["prep"].container.mounts[:2] == [
        ("/opt/ml/in", "inputs", "raw"), ("/opt/ml/in/more", "inputs", "lookup")]


def test_defaults_container_applies_to_script_steps_without_their_own(tmp_path):
    text = SPEC.replace("steps:\n", "defaults:\n  container: sagemaker-training\nsteps:\n", 1)
    text = text.replace("    container: sagemaker-processing\n", "", 1)
    text = text.replace("      train: {schema: t, layout: train.csv}", "      model: {schema: t, layout: train.csv}")
    text = text.replace("{from: prep.train}", "{from: prep.model}")
    text = text.replace("    script: fit.py\n    container: sagemaker-training\n", "    command: [sh, fit.sh]\n")
    spec = load_spec(write(tmp_path, text))
    assert spec.steps["prep"].container.kind == "sagemaker-training"
    assert spec.defaults.container == "sagemaker-training"
    assert spec.steps["fit"].command is not None and spec.steps["fit"].container is None   # scripts only


@pytest.mark.parametrize(("edit", "expected"), [
    (("container: sagemaker-processing", "container: docker"),
     "spec.yaml:10: steps.prep.container: unknown container 'docker' (expected one of: sagemaker-processing, "
     "sagemaker-training)"),
    (("    container: sagemaker-processing\n", "    container_paths: {/opt/ml/x: inputs.raw}\n"),
     "spec.yaml:10: steps.prep.container_paths: 'container_paths' needs 'container: sagemaker-processing'"),
    (("    container: sagemaker-processing\n",
      "    container: sagemaker-processing\n    container_paths: {/data/in: inputs.raw}\n"),
     "spec.yaml:11: steps.prep.container_paths./data/in: container path '/data/in' must be an absolute, "
     "normalised folder under /opt/ml/"),
    (("    container: sagemaker-processing\n",
      "    container: sagemaker-processing\n    container_paths: {/opt/ml/in: inputs.nope}\n"),
     "spec.yaml:11: steps.prep.container_paths./opt/ml/in: unknown input 'nope' of step 'prep' (known: "
     "lookup, raw)"),
    (("    container: sagemaker-processing\n",
      "    container: sagemaker-processing\n    container_paths: {/opt/ml/in: raw}\n"),
     "spec.yaml:11: steps.prep.container_paths./opt/ml/in: 'raw' must name a port: inputs.NAME or outputs.NAME"),
    (("    container: sagemaker-processing\n",
      "    container: sagemaker-processing\n    container_paths: {/opt/ml/input/config/x: inputs.raw}\n"),
     "overlaps /opt/ml/input/config, where specrun writes the hyperparameters"),
    (("      train: {schema: t, layout: train.csv}", "      train: {schema: t}"),
     "spec.yaml:10: steps.prep.container: output 'train' is mapped onto the container folder "
     "/opt/ml/processing/output/train: it must be a folder port (add a layout naming the files the script "
     "writes there, e.g. layout: train.csv)"),
    (("      model: {layout: model.json, format: json}", "      weights: {layout: model.json, format: json}"),
     "spec.yaml:18: steps.fit.container: output 'weights' has no conventional path in a training job"),
    (("    script: fit.py\n", "    command: [sh, fit.sh]\n"),
     "spec.yaml:18: steps.fit.container: 'container' maps a SageMaker job's paths for a Python script: a "
     "'command' step cannot have it"),
])
def test_misuse_is_a_spec_error_with_file_line_and_key(tmp_path, edit, expected):
    old, new = edit
    assert old in SPEC
    assert expected in error_text(tmp_path, SPEC.replace(old, new, 1))


def test_a_port_mapped_twice_and_two_folders_on_one_path(tmp_path):
    twice = SPEC.replace("    container: sagemaker-processing\n", "    container: sagemaker-processing\n"
                         "    container_paths: {/opt/ml/a: inputs.raw, /opt/ml/b: inputs.raw}\n", 1)
    assert "spec.yaml:11: steps.prep.container_paths./opt/ml/b: inputs.raw is mapped twice" in \
        error_text(tmp_path, twice)
    clash = SPEC.replace("    container: sagemaker-processing\n", "    container: sagemaker-processing\n"
                         "    container_paths: {/opt/ml/processing/output/train: inputs.raw}\n", 1)
    assert "inputs.raw (/opt/ml/processing/output/train) and outputs.train (/opt/ml/processing/output/train) " \
           "overlap" in error_text(tmp_path, clash)
