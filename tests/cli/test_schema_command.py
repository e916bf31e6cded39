"""``specrun schema`` prints the JSON Schema of spec files; ``--path`` where it is installed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

import specrun
from specrun.spec.jsonschema import generate


def test_schema_prints_the_generated_schema(project):
    run = project.run("schema")
    assert run.code == 0, run.stderr
    schema = json.loads(run.stdout)
    assert schema == generate()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert run.record is None  # nothing was run


def test_schema_path_prints_the_installed_file(project):
    run = project.run("schema", "--path")
    assert run.code == 0, run.stderr
    path = Path(run.stdout.strip())
    assert path.is_absolute() and path.name == "specrun.schema.json"
    assert path.parent == Path(specrun.__file__).resolve().parent / "spec"
    assert json.loads(path.read_text(encoding="utf-8")) == generate()
    assert run.stdout.count("\n") == 1  # only the path, so `$(specrun schema --path)` works
