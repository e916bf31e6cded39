"""Targeted scenarios (issue 11 pt 2): ``mutate: {STEP.PORT: …}``, ``where: {split, shard}``,
``remove_file`` / ``truncate_file``, a scenario's ``fixtures:``, negative cases per split.

Each test runs real scripts through the CLI and reads what the scripts received (their kept
sandboxes' input files, or what they wrote) to prove a mutation landed where it was aimed
and nowhere else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

# -- docs/spec.md's example, run ----------------------------------------------

FIT = '''
import json, os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    root = input_paths["data"]
    train = pd.read_csv(os.path.join(root, "train", "train.csv"))
    if train["tenure"].isna().any():
        raise ValueError("tenure has nulls in the training split")
    test_path = os.path.join(root, "test", "test.csv")
    {on_missing_test}
    test = pd.read_csv(test_path)
    seen = {{"train_nulls": int(train["tenure"].isna().sum()), "test_nulls": int(test["tenure"].isna().sum())}}
    with open(output_paths["model"], "w") as fh:
        json.dump({{"coef": float(train["tenure"].mean()), "seen": seen}}, fh)
'''
LENIENT = "if not os.path.exists(test_path):\n        test_path = os.path.join(root, 'train', 'train.csv')"
STRICT = "pass"

SCORE = '''
import json, os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    with open(input_paths["model"]) as fh:
        model = json.load(fh)
    test = pd.read_csv(os.path.join(input_paths["data"], "test", "test.csv"))
    out = pd.DataFrame({"customer_id": test["customer_id"],
                        "score": test["tenure"].fillna(0.0) * model["coef"]})
    out.to_csv(output_paths["scores"], index=False)
    print("model version", model["version"])
'''


def docs_example() -> str:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    found = re.search(r"<!-- targeted-example:start -->\n```yaml\n(.*?)```", doc, re.S)
    assert found, "docs/spec.md lost its targeted example"
    return found.group(1)


def write_example(project, on_missing_test: str) -> None:
    project.write("spec.yaml", docs_example())
    project.write("scripts/fit.py", FIT.replace("{on_missing_test}", on_missing_test)
                  .replace("{{", "{").replace("}}", "}"))
    project.write("scripts/score.py", SCORE)
    project.write("fixtures/model.json", '{"coef": 2.0, "version": 2}')
    project.write("fixtures/model_v1.json", '{"coef": 1.0, "version": 1}')


@pytest.mark.slow
def test_the_docs_example_runs_each_mutation_where_it_is_aimed(project) -> None:
    write_example(project, LENIENT)
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    ids = [c["id"] for c in outcome.record["cases"]]
    # a STEP.PORT key: the scenario runs on that step only
    assert not [i for i in ids if i.startswith("churn::score[nulls_in")], ids
    assert outcome.case("train[nulls_in_train]")["outcome"] == "passed"     # failed as expected
    test_nulls = outcome.case("train[nulls_in_test]")
    assert test_nulls["outcome"] == "passed", test_nulls["message"]
    model = json.loads((Path(test_nulls["workdir"]) / "output" / "model.json").read_text())
    assert model["seen"]["train_nulls"] == 0 and model["seen"]["test_nulls"] > 0
    # the lenient fit.py falls back to the train split: it loses the test split silently
    lenient = outcome.case("train[no_test_split]")
    assert lenient["outcome"] == "failed"
    assert lenient["classification"] == "ACCEPTED_INVALID"
    assert "removed test/test.csv" in lenient["message"]
    rejected = outcome.case("score[no_test_split]")       # score.py cannot run without it
    assert rejected["outcome"] == "passed", rejected["message"]
    assert not (Path(rejected["workdir"]) / "input" / "data" / "test" / "test.csv").exists()
    assert (Path(rejected["workdir"]) / "input" / "data" / "train" / "train.csv").exists()
    old = outcome.case("score[old_model]")
    assert old["outcome"] == "passed", old["message"]
    assert "model version 1" in old["stdout_tail"]
    assert json.loads((Path(old["workdir"]) / "input" / "model.json").read_text())["version"] == 1
    assert outcome.code == 1

    write_example(project, STRICT)                  # reads test/test.csv: refuses a missing split
    outcome = project.run("spec.yaml", "-k", "no_test_split")
    assert outcome.case("train[no_test_split]")["outcome"] == "passed"
    assert outcome.code == 0, outcome.stdout


def test_the_docs_example_validates_against_the_json_schema() -> None:
    import jsonschema
    import strictyaml as sy

    from specrun.spec.jsonschema import generate
    from specrun.spec.values import generic_data

    data = generic_data(sy.dirty_load(docs_example(), sy.Any(), allow_flow_style=True).data)
    validator = jsonschema.Draft202012Validator(generate())
    validator.validate(data)
    data["scenarios"]["nulls_in_test"]["mutate"]["train.data"][0]["where"] = {"splitt": "test"}
    assert not validator.is_valid(data)


# -- nulls only in one split ---------------------------------------------------

SPLIT_SPEC = '''
version: 1
pipeline: splits
steps:
  fit:
    script: fit.py
    call: main
    inputs:
      data:
        format: csv
        layout: "{split}/part-{shard}.csv"
        split: [train, test]
        shards: 2
        schema: {columns: {id: {type: int, unique: true}, label: {type: float}}}
    outputs:
      seen: {format: csv, schema: {columns: {file: {type: str}, nulls: {type: int}}}}
scenarios:
  train_nulls:
    rows: 40
    mutate: {data: [{nulls: {columns: [label]}, where: {split: train}}]}
  test_nulls:
    rows: 40
    mutate: {data: [{nulls: {columns: [label]}, where: {split: test}}]}
  shard_one_nulls:
    rows: 40
    mutate: {data: [{nulls: {columns: [label]}, where: {split: test, shard: 1}}]}
modes:
  isolation: {scenarios: [train_nulls, test_nulls, shard_one_nulls]}
'''

ONLY_TRAIN_MATTERS = '''
import glob, os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    rows = []
    for path in sorted(glob.glob(os.path.join(input_paths["data"], "*", "*.csv"))):
        frame = pd.read_csv(path)
        name = os.path.relpath(path, input_paths["data"])
        rows.append({"file": name, "nulls": int(frame["label"].isna().sum())})
        if name.startswith("train") and frame["label"].isna().any():
            raise ValueError(f"nulls in {name}")
    pd.DataFrame(rows).to_csv(output_paths["seen"], index=False)
'''


def test_where_split_mutates_only_that_splits_files(project) -> None:
    project.write("spec.yaml", SPLIT_SPEC)
    project.write("fit.py", ONLY_TRAIN_MATTERS)
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    train = outcome.case("[train_nulls]")
    assert train["outcome"] == "failed" and "nulls in train/part-" in train["message"]
    test = outcome.case("[test_nulls]")
    assert test["outcome"] == "passed", test["message"]
    seen = pd.read_csv(Path(test["workdir"]) / "output" / "seen.csv").set_index("file")["nulls"]
    assert seen["train/part-0.csv"] == seen["train/part-1.csv"] == 0
    assert seen["test/part-0.csv"] > 0 and seen["test/part-1.csv"] > 0
    shard = outcome.case("[shard_one_nulls]")
    assert shard["outcome"] == "passed", shard["message"]
    seen = pd.read_csv(Path(shard["workdir"]) / "output" / "seen.csv").set_index("file")["nulls"]
    assert seen.to_dict() == {"test/part-0.csv": 0, "test/part-1.csv": 10,
                              "train/part-0.csv": 0, "train/part-1.csv": 0}


# -- a step-qualified key ------------------------------------------------------

TWO_STEPS = '''
version: 1
pipeline: two
schemas:
  rows: {columns: {id: {type: int, unique: true}, label: {type: float}}}
steps:
  train_step:
    script: count.py
    call: main
    inputs: {input_data: {format: csv, schema: rows}}
    outputs: {seen: {format: csv, schema: {columns: {nulls: {type: int}}}}}
  eval_step:
    script: count.py
    call: main
    inputs: {input_data: {format: csv, schema: rows}}
    outputs: {seen: {format: csv, schema: {columns: {nulls: {type: int}}}}}
scenarios:
  train_only:
    rows: 30
    mutate: {KEY: [{nulls: {columns: [label]}}]}
modes:
  isolation: {scenarios: [train_only]}
  pipeline: {scenario: train_only}
'''

COUNT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["input_data"])
    pd.DataFrame({"nulls": [int(frame["label"].isna().sum())]}).to_csv(output_paths["seen"], index=False)
'''


def _nulls_seen(case: dict) -> int:
    return int(pd.read_csv(Path(case["workdir"]) / "output" / "seen.csv")["nulls"].iloc[0])


def test_a_step_qualified_mutation_leaves_the_other_steps_port_untouched(project) -> None:
    project.write("spec.yaml", TWO_STEPS.replace("KEY", "train_step.input_data"))
    project.write("count.py", COUNT)
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    assert outcome.code == 0, outcome.stdout
    assert _nulls_seen(outcome.case("two::train_step[train_only]")) == 30
    assert not [c for c in outcome.record["cases"] if c["id"] == "two::eval_step[train_only]"]
    # pipeline mode runs both steps under the scenario: only train_step's input is mutated
    assert _nulls_seen(outcome.case("two::pipeline::train_step")) == 30
    assert _nulls_seen(outcome.case("two::pipeline::eval_step")) == 0

    project.write("spec.yaml", TWO_STEPS.replace("KEY", "input_data"))   # the plain key: both steps
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    assert _nulls_seen(outcome.case("two::pipeline::eval_step")) == 30
    assert _nulls_seen(outcome.case("two::eval_step[train_only]")) == 30


def test_an_unknown_step_or_port_in_a_key_is_a_spec_error_at_its_line(project) -> None:
    project.write("count.py", COUNT)
    for key, message in (("trian_step.input_data", "unknown step 'trian_step'"),
                         ("train_step.inputs", "step 'train_step' has no input 'inputs'")):
        project.write("spec.yaml", TWO_STEPS.replace("KEY", key))
        outcome = project.run("spec.yaml")
        assert outcome.code == 4
        assert re.search(rf"spec\.yaml:19: scenarios\.train_only\.mutate\.{re.escape(key)}: .*{message}",
                         outcome.stdout + outcome.stderr), outcome.stdout + outcome.stderr


# -- removed and truncated files ----------------------------------------------

FILES_SPEC = '''
version: 1
pipeline: files
steps:
  fit:
    script: fit.py
    call: main
    inputs:
      data:
        format: csv
        layout: "{split}.csv"
        split: [train, test]
        schema: {columns: {id: {type: int, unique: true}, label: {type: float}}}
    outputs:
      report: {format: csv, schema: {columns: {rows: {type: int}}}}
scenarios:
  no_test:
    rows: 20
    mutate: {data: [{remove_file: true, where: {split: test}}]}
  cut_train:
    rows: 200
    mutate: {data: [{truncate_file: {fraction: 0.5}, where: {split: train}}]}
  no_test_is_fine:
    rows: 20
    mutate: {data: [{remove_file: true, where: {split: test}}]}
    expect: {pass: true}
modes:
  isolation: {scenarios: [no_test, cut_train, no_test_is_fine]}
'''

IGNORES_MISSING = '''
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    total = 0
    for split in ("train", "test"):
        path = os.path.join(input_paths["data"], f"{split}.csv")
        if os.path.exists(path):          # a missing split is silently skipped
            total += len(pd.read_csv(path))
    pd.DataFrame({"rows": [total]}).to_csv(output_paths["report"], index=False)
'''

CHECKS_FILES = '''
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    total = 0
    for split in ("train", "test"):
        frame = pd.read_csv(os.path.join(input_paths["data"], f"{split}.csv"))
        if frame.isna().any().any():
            raise ValueError(f"{split}: incomplete rows")
        total += len(frame)
    pd.DataFrame({"rows": [total]}).to_csv(output_paths["report"], index=False)
'''


def test_a_script_that_ignores_a_removed_or_cut_split_fails(project) -> None:
    project.write("spec.yaml", FILES_SPEC)
    project.write("fit.py", IGNORES_MISSING)
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    missing = outcome.case("[no_test]")
    assert (missing["outcome"], missing["classification"]) == ("failed", "ACCEPTED_INVALID"), missing["message"]
    assert "removed test.csv" in missing["message"]
    assert missing["details"]["files_changed"] == "input 'data': removed test.csv"
    assert not (Path(missing["workdir"]) / "input" / "data" / "test.csv").exists()
    cut = outcome.case("[cut_train]")
    assert (cut["outcome"], cut["classification"]) == ("failed", "ACCEPTED_INVALID"), cut["message"]
    assert "truncated train.csv" in cut["message"]
    fine = outcome.case("[no_test_is_fine]")             # expect: pass written: tolerating it is meant
    assert fine["outcome"] == "passed", fine["message"]

    project.write("fit.py", CHECKS_FILES)
    outcome = project.run("spec.yaml", "-k", "no_test or cut_train")
    for name in ("[no_test]", "[cut_train]"):
        assert outcome.case(name)["outcome"] == "passed", outcome.case(name)["message"]
    assert outcome.case("[no_test_is_fine]")["outcome"] == "failed"


# -- negative cases per split ---------------------------------------------------

NEGATIVE_SPEC = '''
version: 1
pipeline: neg
steps:
  fit:
    script: fit.py
    call: main
    inputs:
      data:
        format: csv
        layout: "{split}/data.csv"
        split: [train, test]
        schema: {columns: {id: {type: int, unique: true}, label: {type: float, min: 0, max: 1}}}
    outputs:
      passed_on: {format: csv, schema: {columns: {id: {type: int}, label: {type: float, min: 0, max: 1}}}}
modes:
  isolation: {scenarios: [negative]}
'''

CHECKS_TRAIN_ONLY = '''
import os
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    train = pd.read_csv(os.path.join(input_paths["data"], "train", "data.csv"))
    if not train["label"].between(0, 1).all():
        raise ValueError("label out of [0, 1] in train")
    test = pd.read_csv(os.path.join(input_paths["data"], "test", "data.csv"))
    test[["id", "label"]].to_csv(output_paths["passed_on"], index=False)     # unchecked
'''


def test_negative_cases_run_per_split_and_each_is_reported(project) -> None:
    project.write("spec.yaml", NEGATIVE_SPEC)
    project.write("fit.py", CHECKS_TRAIN_ONLY)
    outcome = project.run("spec.yaml")
    cases = {c["id"]: c for c in outcome.record["cases"]}
    for constraint in ("label.min", "label.max", "id.nullable", "malformed"):
        assert f"neg::fit[negative:data.{constraint}@split=train]" in cases
        assert f"neg::fit[negative:data.{constraint}@split=test]" in cases
    assert "neg::fit[negative:data.label.min]" not in cases
    train = cases["neg::fit[negative:data.label.min@split=train]"]
    assert train["outcome"] == "passed" and train["details"]["verdict"] == "rejected", train["message"]
    test = cases["neg::fit[negative:data.label.min@split=test]"]
    assert (test["outcome"], test["classification"]) == ("failed", "ACCEPTED_INVALID"), test["message"]
    assert "(split 'test' only)" in test["message"]

    selected = project.run("spec.yaml", "-k", "@split=train and label")
    ids = [c["id"] for c in selected.record["cases"]]
    assert ids and all("@split=train" in i and ".label." in i for i in ids), ids


# -- pipeline mode ---------------------------------------------------------------

def test_pipeline_mode_honours_where_and_a_scenario_fixture(project) -> None:
    write_example(project, LENIENT)
    spec = docs_example().replace(
        "modes:\n  isolation: {scenarios: [nulls_in_train, nulls_in_test, no_test_split, old_model]}",
        "modes:\n  isolation: {scenarios: []}\n  pipeline: {scenario: SCENARIO}")
    project.write("spec.yaml", spec.replace("SCENARIO", "nulls_in_test"))
    outcome = project.run("spec.yaml", "--keep-sandboxes", "--mode", "pipeline")
    fit = outcome.case("churn::pipeline::train")
    assert fit["outcome"] == "passed", fit["message"]
    seen = json.loads((Path(fit["workdir"]) / "output" / "model.json").read_text())["seen"]
    assert seen["train_nulls"] == 0 and seen["test_nulls"] > 0
    score = outcome.case("churn::pipeline::score")
    assert "model version 2" in score["stdout_tail"]
    scored = pd.read_csv(Path(score["workdir"]) / "input" / "data" / "test" / "test.csv")
    assert not scored["tenure"].isna().any()          # train.data was mutated, score.data was not

    project.write("spec.yaml", spec.replace("SCENARIO", "old_model"))
    outcome = project.run("spec.yaml", "--mode", "pipeline")
    assert "model version 1" in outcome.case("churn::pipeline::score")["stdout_tail"]
