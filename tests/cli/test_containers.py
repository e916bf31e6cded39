"""``container:`` end to end (issue 11, point 6): scripts written for SageMaker jobs, with
their /opt/ml paths hard-coded, run unchanged in real bubblewrap namespaces with each port
bound onto its container folder; their outputs are validated as usual; broken copies fail
the way each check exists to catch; the host's /opt is left as it was; and without
namespaces a container case is an ERROR naming what is needed, never a run on host paths."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from specrun.execution.namespace import probe

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
PROBE = probe()
needs_namespaces = pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")

#: A SageMaker Processing script in the style of the public examples: argparse, glob the
#: input folder, write output/train and output/test.
PREPROCESS = '''
import argparse
import glob
import os

import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--train-test-split-ratio", type=float, default=0.3)
args = parser.parse_args()

files = sorted(glob.glob("/opt/ml/processing/input/*.csv"))
assert files, "no input under /opt/ml/processing/input"
df = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
if df["amount"].isna().any() or not df["amount"].between(1, 100).all():
    raise ValueError("amount out of range")
if df["id"].duplicated().any():
    raise ValueError("duplicate id")
df["amount_scaled"] = df["amount"] / 100.0
cut = int(round(len(df) * (1 - args.train_test_split_ratio)))
os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
df.iloc[:cut].to_csv("/opt/ml/processing/output/train/train.csv", index=False)
df.iloc[cut:].to_csv("/opt/ml/processing/output/test/test.csv", index=False)
print("opt entries:", sorted(os.listdir("/opt")))
'''

#: A SageMaker training script: channel and model folder from SM_*, hyperparameters.json.
TRAIN = '''
import json
import os

import pandas as pd

with open("/opt/ml/input/config/hyperparameters.json") as fh:
    hps = json.load(fh)
assert hps == {"epochs": "3", "lr": "0.5"}, hps                  # strings, as SageMaker writes them
assert json.loads(os.environ["SM_HPS"]) == {"epochs": 3, "lr": 0.5}
assert json.loads(os.environ["SM_CHANNELS"]) == ["train"]
train = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"))
weights = pd.DataFrame({"feature": ["amount"], "weight": [float(train["amount"].mean()) * float(hps["lr"])],
                        "epochs": [int(hps["epochs"])]})
weights.to_csv(os.path.join(os.environ["SM_MODEL_DIR"], "weights.csv"), index=False)
'''

TRAIN_SPEC = '''
version: 1
pipeline: training
steps:
  fit:
    script: train.py
    container: sagemaker-training
    job_args: {epochs: 3, lr: 0.5}
    inputs:
      train: {schema: {columns: {amount: {type: float, min: 1, max: 100}}}, layout: train.csv}
    outputs:
      model:
        layout: weights.csv
        schema:
          strict: true
          columns:
            feature: {type: str, isin: [amount]}
            weight:  {type: float, min: 0.5, max: 50}
            epochs:  {type: int, min: 3, max: 3}
'''


def _example() -> str:
    found = re.search(r"<!-- container-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its container example"
    return found.group(1)


def _opt_listing() -> list[str]:
    return sorted(os.listdir("/opt")) if os.path.isdir("/opt") else []


def _processing(project: Project, script: str = PREPROCESS, spec: str | None = None) -> Project:
    project.write("spec.yaml", spec or _example())
    project.write("preprocess.py", script)
    return project


@pytest.mark.slow
@needs_namespaces
@pytest.mark.parametrize("executor", ["fresh", "fork"])
def test_the_docs_example_runs_the_processing_script_unchanged(project: Project, executor: str) -> None:
    before = _opt_listing()
    outcome = _processing(project).run("spec.yaml", "--executor", executor, "--keep-sandboxes")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    case = outcome.case("preprocess[standard]")
    assert case["outcome"] == "passed" and case["metrics"]["isolation"] == "namespace"
    train = Path(case["workdir"]) / "output" / "train" / "train.csv"
    test = Path(case["workdir"]) / "output" / "test" / "test.csv"
    rows = [len(p.read_text().splitlines()) - 1 for p in (train, test)]
    assert sum(rows) > 0 and rows[1] == round(sum(rows) * 0.25)     # --train-test-split-ratio reached it
    negatives = [c for c in outcome.record["cases"] if "negative" in c["id"]]
    assert negatives and all(c["outcome"] == "passed" for c in negatives)
    assert _opt_listing() == before and not os.path.exists("/opt/ml")   # the host's /opt untouched
    # the host's /opt entries stay visible inside (only /opt/ml is private)
    stdout = (Path(case["workdir"]) / "logs" / "stdout.log").read_text()
    assert f"opt entries: {sorted([*before, 'ml'])}" in stdout


@needs_namespaces
def test_an_output_with_the_wrong_columns_fails_its_contract(project: Project) -> None:
    broken = PREPROCESS.replace('df["amount_scaled"] = df["amount"] / 100.0', 'df["amount_scaled"] = df["amount"]')
    assert broken != PREPROCESS
    outcome = _processing(project, broken).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("preprocess[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert "amount_scaled" in case["message"]


@needs_namespaces
def test_an_output_written_to_the_wrong_container_path_is_missing(project: Project) -> None:
    broken = PREPROCESS.replace('"/opt/ml/processing/output/test/test.csv"', '"/opt/ml/processing/output/test.csv"')
    assert broken != PREPROCESS
    outcome = _processing(project, broken).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("preprocess[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert "'test'" in case["message"] and "test.csv" in case["message"]
    assert not os.path.exists("/opt/ml")


@needs_namespaces
def test_conventional_processing_paths_are_one_folder_per_port(project: Project) -> None:
    """Without container_paths the input appears at /opt/ml/processing/input/raw/raw.csv."""
    spec = _example().replace("    container_paths:\n      /opt/ml/processing/input: inputs.raw"
                              "     # the file appears as /opt/ml/processing/input/raw.csv\n", "")
    assert "container_paths" not in spec
    at_root = _processing(project, spec=spec).run("spec.yaml", "-k", "standard")
    assert at_root.case("preprocess[standard]")["outcome"] == "failed"     # nothing at input/*.csv
    assert "no input under /opt/ml/processing/input" in at_root.stdout
    script = PREPROCESS.replace('"/opt/ml/processing/input/*.csv"', '"/opt/ml/processing/input/raw/*.csv"')
    outcome = _processing(project, script, spec).run("spec.yaml", "-k", "standard")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("preprocess[standard]")["outcome"] == "passed"


@needs_namespaces
def test_a_training_script_gets_its_channel_hyperparameters_and_model_dir(project: Project) -> None:
    project.write("spec.yaml", TRAIN_SPEC)
    project.write("train.py", TRAIN)
    outcome = project.run("spec.yaml", "-k", "standard", "--executor", "fork")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("fit[standard]")["outcome"] == "passed"
    assert not os.path.exists("/opt/ml")


@needs_namespaces
def test_a_training_script_writing_beside_its_model_dir_misses_the_model(project: Project) -> None:
    broken = TRAIN.replace('os.path.join(os.environ["SM_MODEL_DIR"], "weights.csv")', '"/opt/ml/output/weights.csv"')
    assert broken != TRAIN
    project.write("spec.yaml", TRAIN_SPEC)
    project.write("train.py", broken)
    outcome = project.run("spec.yaml", "-k", "standard")
    case = outcome.case("fit[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert "'model'" in case["message"]


@needs_namespaces
def test_job_args_values_become_strings_in_hyperparameters_json(project: Project) -> None:
    """The script insists on SageMaker's strings: typed values there would fail it."""
    project.write("spec.yaml", TRAIN_SPEC.replace("job_args: {epochs: 3, lr: 0.5}", "job_args: {epochs: 4, lr: 0.5}"))
    project.write("train.py", TRAIN)
    outcome = project.run("spec.yaml", "-k", "standard")
    case = outcome.case("fit[standard]")
    assert case["outcome"] == "failed" and "AssertionError" in outcome.stdout
    assert "'epochs': '4'" in outcome.stdout


@pytest.mark.parametrize("expect", ["", "    expect: {fail: true}\n"])
def test_without_namespaces_a_container_case_is_an_error_saying_what_is_needed(project: Project,
                                                                            expect: str) -> None:
    spec = _example() + ("scenarios:\n  broken:\n    rows: 5\n" + expect if expect else "")
    outcome = _processing(project, spec=spec).run("spec.yaml", "-k", "standard or broken",
                                                  env={"SPECRUN_ISOLATION": "process"})
    assert outcome.code != 0, outcome.stdout + outcome.stderr
    case = outcome.case("preprocess[broken]" if expect else "preprocess[standard]")
    assert case["outcome"] == "error" and case["classification"] == "SETUP_ERROR", case   # never "failed as expected"
    for needed in ("private mount namespace", "user namespaces", "bubblewrap", "SPECRUN_ISOLATION=process"):
        assert needed in case["message"]
    assert not os.path.exists("/opt/ml")      # the script never ran against the host's paths


def test_without_namespaces_a_negative_case_is_an_error_not_a_rejection(project: Project) -> None:
    """A case that never ran must not count as the script rejecting bad input."""
    outcome = _processing(project).run("spec.yaml", "-k", "negative", env={"SPECRUN_ISOLATION": "process"})
    negatives = [c for c in outcome.record["cases"] if "negative" in c["id"]]
    assert negatives and all((c["outcome"], c["classification"]) == ("error", "SETUP_ERROR") for c in negatives)
    assert outcome.code != 0
