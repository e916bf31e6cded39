"""docs/spec.md's "What a script receives", run as written: the scripts assert every
documented fact (the working directory, a file port's path, a layout port's folder and its
files, the rows each split and shard gets, an absent optional input, relative paths in
``args``, a fixture beside ``from:``) and fail when one is not so."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

RECEIVE = '''
import json
import os
from pathlib import Path

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    cwd = Path(os.getcwd())
    table, events, extra = (Path(input_paths[n]) for n in ("table", "events", "extra"))
    assert all(p.is_absolute() for p in (table, events, extra)), input_paths
    assert table == cwd / "input" / "table.csv" and table.is_file(), table
    assert events == cwd / "input" / "events" and events.is_dir(), events
    assert not extra.exists() and extra.parent == cwd / "input", extra
    seen = Path(output_paths["seen"])
    assert seen == cwd / "output" / "seen.json" and seen.parent.is_dir() and not seen.exists()
    rows = {p.relative_to(events).as_posix(): len(pd.read_csv(p)) for p in sorted(events.rglob("*.csv"))}
    seen.write_text(json.dumps({"source": "receive", "rows": rows, "table": len(pd.read_csv(table))}))
'''

COUNT = '''
import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--seen")
parser.add_argument("--out")
args = parser.parse_args()
assert os.path.isabs(args.seen) and os.path.isabs(args.out)
assert not os.path.exists("fixtures/seen.json"), "a relative path must not reach the spec's folder"
with open(args.seen) as fh:
    seen = json.load(fh)
with open(args.out, "w") as fh:
    json.dump({"read": seen["source"], "rows": seen["rows"]}, fh)
'''

DOCUMENTED_ROWS = {"train/part-0.csv": 34, "train/part-1.csv": 33, "test/part-0.csv": 34,
                   "test/part-1.csv": 33, "val/part-0.csv": 33, "val/part-1.csv": 33}


def _example() -> str:
    found = re.search(r"<!-- receive-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its receive example"
    return found.group(1)


def _project(project: Project, receive: str = RECEIVE) -> Project:
    project.write("spec.yaml", _example())
    project.write("receive.py", receive)
    project.write("count.py", COUNT)
    project.write("fixtures/seen.json", json.dumps({"source": "fixture", "rows": {}}))
    return project


def _kept(project: Project, name: str) -> dict:
    found = sorted((project.root / ".specrun" / "pipeline").rglob(name))
    assert found, f"no kept {name}"
    return json.loads(found[0].read_text())


def test_what_the_docs_say_a_script_receives_is_what_it_receives(project: Project) -> None:
    outcome = _project(project).run("spec.yaml", "-k", "standard", "--keep")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("receive_demo::receive[standard]")["outcome"] == "passed"
    seen = json.loads(Path(outcome.case("receive_demo::receive[standard]")["workdir"], "output",
                           "seen.json").read_text())
    assert seen["rows"] == DOCUMENTED_ROWS          # 200 rows: 67 / 67 / 66, shards 34 / 33
    assert seen["table"] == 200
    isolated = json.loads(Path(outcome.case("receive_demo::count[standard]")["workdir"], "output",
                               "counts.json").read_text())
    assert isolated["read"] == "fixture"           # isolation feeds the fixture beside from:
    outcome = project.run("spec.yaml", "--mode", "pipeline")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("pipeline::count")["outcome"] == "passed"
    assert _kept(project, "counts.json")["read"] == "receive"   # pipeline mode: the producer's output


def test_a_script_that_reads_an_absent_optional_input_fails(project: Project) -> None:
    broken = RECEIVE.replace("assert not extra.exists() and extra.parent == cwd / \"input\", extra",
                             "extra.read_bytes()")
    assert broken != RECEIVE
    outcome = _project(project, broken).run("spec.yaml", "-k", "receive and standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.case("receive_demo::receive[standard]")["outcome"] == "failed"
    assert "extra" in outcome.stdout
