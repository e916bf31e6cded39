"""The published JSON Schema accepts the documented example and rejects what the loader rejects."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import strictyaml as sy
from spec_helpers import BASE, DATA, write

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError
from specrun.spec.values import generic_data

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "src" / "specrun" / "spec" / "specrun.schema.json").read_text())
DOC = (ROOT / "docs" / "spec.md").read_text()


def doc_example() -> str:
    block = re.search(r"<!-- spec-example:start -->\n```yaml\n(.*?)```\n<!-- spec-example:end -->",
                      DOC, re.S)
    assert block, "docs/spec.md lost its example markers"
    return block.group(1)


def as_json(text: str) -> Any:
    """What a YAML editor sees: core-schema scalars, dates as strings."""
    def dates_as_text(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dates_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dates_as_text(v) for v in value]
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return dates_as_text(generic_data(sy.dirty_load(text, sy.Any(), allow_flow_style=True).data))


def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_doc_example_validates_against_json_schema():
    validator().validate(as_json(doc_example()))


def test_doc_example_loads(tmp_path):
    spec = load_spec(write(tmp_path, doc_example()))
    assert spec.pipeline == "fraud-detection"
    assert set(spec.scenarios) >= {"standard", "edge_cases", "performance", "bad_currency"}


def test_full_test_spec_validates_against_json_schema():
    validator().validate(as_json((DATA / "full.yaml").read_text()))


@pytest.mark.parametrize("old, new", [
    ("version: 1", "version: 2"),
    ("format: csv", "format: xls"),
    ("script: one.py", "script: one.py\n    bogus: 1"),
    ("    script: two.py\n", ""),
    ("one.y", "oney"),
    ("script: one.py", "script: one.py\n    call: main\n    args: [a]"),
    ("script: one.py", "script: one.py\n    memory_limit: 2XB"),
])
def test_json_schema_rejects_what_the_loader_rejects(tmp_path, old, new):
    text = BASE.replace(old, new, 1)
    errors = list(validator().iter_errors(as_json(text)))
    assert errors, f"JSON Schema accepted: {old!r} -> {new!r}"
    with pytest.raises(SpecError):
        load_spec(write(tmp_path, text))


def test_bundled_example_specs_validate_against_json_schema():
    """The JSON Schema keeps up with what the example spec uses (every mode, property runs)."""
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        errors = sorted(validator().iter_errors(as_json(path.read_text())), key=str)
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"
