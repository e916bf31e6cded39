"""Split and positional contracts (issue 11 pt 3): ``header: false`` ports, the ``disjoint``
property, ``python:`` properties that take ``parts``, the ``extra_file`` and
``shard_columns`` mutations.  docs/spec.md's example is run with scripts broken in exactly
the way each check exists to catch, and with the scripts that honour the contract."""

from __future__ import annotations

import re
from pathlib import Path

SPLIT = '''
import os
import pandas as pd

NAMES = ["customer_id", "tenure", "churned"]


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["customers"], header=None, names=NAMES)
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    cut = len(frame) * 3 // 4
    parts = {"train": frame.iloc[:cut], "test": frame.iloc[cut:]}
    if LEAK:
        parts["train"] = pd.concat([parts["train"], parts["test"].head(3)])
    for split, rows in parts.items():
        folder = os.path.join(output_paths["datasets"], split)
        os.makedirs(folder, exist_ok=True)
        half = (len(rows) + 1) // 2
        for shard, chunk in enumerate([rows.iloc[:half], rows.iloc[half:]]):
            chunk.to_csv(os.path.join(folder, f"part-{shard}.csv"), header=HEADER, index=False)
'''

TRAIN = '''
import glob, json, os
import pandas as pd

NAMES = ["customer_id", "tenure", "churned"]


def strict(root):
    expected = {"part-0.csv", "part-1.csv"}
    found = set(os.listdir(root))
    if found != expected:
        raise ValueError(f"unexpected files in {root}: {sorted(found - expected)}")
    frames = []
    for name in sorted(expected):
        chunk = pd.read_csv(os.path.join(root, name), header=None)
        if chunk.shape[1] != len(NAMES):
            raise ValueError(f"{name} has {chunk.shape[1]} columns, expected {len(NAMES)}")
        chunk.columns = NAMES
        frames.append(chunk)
    return pd.concat(frames)


def lenient(root):
    paths = sorted(glob.glob(os.path.join(root, "*.csv")))
    return pd.concat([pd.read_csv(p, header=None, names=NAMES) for p in paths])


def main(input_paths, output_paths, environ_vars, job_args):
    frame = READ(os.path.join(input_paths["data"], "train"))
    with open(output_paths["model"], "w") as fh:
        json.dump({"rows": len(frame)}, fh)
'''

def docs_example() -> str:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    found = re.search(r"<!-- split-contracts-example:start -->\n```yaml\n(.*?)```", doc, re.S)
    assert found, "docs/spec.md lost its split-contracts example"
    return found.group(1)


def docs_rule() -> str:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    found = re.search(r"```python\n(def no_shared_ids\(parts\):.*?)```", doc, re.S)
    assert found, "docs/spec.md lost its no_shared_ids example"
    return found.group(1)


def write(project, *, leak: bool = False, header: bool = False, read: str = "strict") -> None:
    project.write("spec.yaml", docs_example())
    project.write("scripts/split.py", SPLIT.replace("LEAK", str(leak)).replace("HEADER", str(header)))
    project.write("scripts/train.py", TRAIN.replace("READ", read))
    project.write("split_rules.py", docs_rule())      # the rule docs/spec.md shows, as it is


def split_case(outcome) -> dict:
    """The split step's run in the pipeline (the isolation scenarios name train's input only)."""
    found = [c for c in outcome.record["cases"] if c["id"].endswith("::pipeline::split")]
    assert len(found) == 1, [c["id"] for c in outcome.record["cases"]]
    return found[0]


def test_the_docs_example_passes_with_scripts_that_honour_the_contract(project) -> None:
    write(project)
    outcome = project.run("spec.yaml", "--keep-sandboxes")
    assert outcome.code == 0, outcome.stdout
    case = split_case(outcome)
    written = Path(case["workdir"]) / "output" / "datasets" / "train" / "part-0.csv"
    first = written.read_text().splitlines()[0]
    assert not first.startswith("customer_id"), first             # the script wrote no header
    fed = Path(case["workdir"]) / "input" / "customers.csv"
    assert not fed.read_text().startswith("customer_id")           # nor was it given one
    assert [p["name"] for p in case["properties"]] == ["disjoint", "python"]
    assert all(p["ok"] for p in case["properties"]), case["properties"]
    for scenario in ("stray_file", "short_shard"):
        assert outcome.case(f"train[{scenario}]")["outcome"] == "passed"


def test_a_script_leaking_test_ids_into_train_fails_disjoint_and_the_parts_rule(project) -> None:
    write(project, leak=True)
    outcome = project.run("spec.yaml")
    case = split_case(outcome)
    assert case["outcome"] == "failed"
    failed = {p["name"]: p["message"] for p in case["properties"] if not p["ok"]}
    assert "3 value(s) in both train and test" in failed["disjoint"], failed
    assert "3 test ids in train" in failed["python"]
    assert outcome.code == 1


def test_a_script_writing_a_header_into_a_header_false_output_fails(project) -> None:
    write(project, header=True)
    outcome = project.run("spec.yaml")
    case = split_case(outcome)
    assert case["outcome"] == "failed"
    assert "the first row is a header" in case["message"], case["message"]


def test_scripts_that_accept_a_stray_file_or_a_shard_of_other_columns_are_accepted_invalid(project) -> None:
    write(project, read="lenient")
    outcome = project.run("spec.yaml")
    stray = outcome.case("train[stray_file]")
    assert stray["outcome"] == "failed" and stray["classification"] == "ACCEPTED_INVALID"
    assert "added stray file train/stray-part-0.csv" in stray["message"]
    short = outcome.case("train[short_shard]")
    assert short["outcome"] == "failed" and short["classification"] == "ACCEPTED_INVALID"
    assert "train/part-1.csv: dropped 'tenure'" in short["message"]


def test_the_docs_example_validates_against_the_json_schema() -> None:
    import jsonschema
    import strictyaml as sy

    from specrun.spec.jsonschema import generate
    from specrun.spec.values import generic_data

    data = generic_data(sy.dirty_load(docs_example(), sy.Any(), allow_flow_style=True).data)
    validator = jsonschema.Draft202012Validator(generate())
    validator.validate(data)
    data["steps"]["split"]["inputs"]["customers"]["header"] = "maybe"
    assert not validator.is_valid(data)
