"""The published JSON Schema accepts the documented example and rejects what the loader rejects.

The schema is generated from the grammar (specrun.spec.jsonschema); these tests validate
with the generator's output, and one test checks the packaged file is that output.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import strictyaml as sy
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_helpers import BASE, DATA, write

from specrun.spec import units
from specrun.spec.jsonschema import REGENERATE, SCHEMA_PATH, generate, render
from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError
from specrun.spec.values import generic_data

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = generate()
DOC = (ROOT / "docs" / "spec.md").read_text()


def test_packaged_schema_is_the_generated_one():
    packaged = (ROOT / "src" / "specrun" / "spec" / "specrun.schema.json").read_text()
    assert SCHEMA_PATH == ROOT / "src" / "specrun" / "spec" / "specrun.schema.json"
    assert packaged == render(), (
        f"src/specrun/spec/specrun.schema.json is out of date with the grammar in "
        f"spec/schema.py; regenerate it with: {REGENERATE}")
    assert json.loads(packaged) == SCHEMA


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


# -- the generated schema agrees with the loader, rule by rule ----------------

STEP_ONE = "    script: one.py\n"
OUTPUT_Y = "      y: {format: parquet, schema: t}\n"


def _scenario(body: str) -> tuple[str, str]:
    return (STEP_ONE + "    inputs:\n      x: {format: csv, schema: t}\n    outputs:\n" + OUTPUT_Y,
            STEP_ONE + "    inputs:\n      x: {format: csv, schema: t}\n    outputs:\n" + OUTPUT_Y
            + "scenarios:\n  s:\n" + body)


def _edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def _with_scenario(body: str) -> str:
    return BASE + "scenarios:\n  s:\n" + body


def _with_property(item: str) -> str:
    return _edit(STEP_ONE, STEP_ONE + "    properties:\n      - " + item + "\n")


def _with_output_check(item: str) -> str:
    return _edit(OUTPUT_Y, "      y: {format: text, checks: [" + item + "]}\n")


REJECTED = {
    "unknown parameter of a property": _with_property("unique: {output: y, colums: [a]}"),
    "property missing its required parameter": _with_property("unique: {columns: [a]}"),
    "row_count without a bound": _with_property("row_count: {output: y}"),
    "part_rows without a bound": _with_property("part_rows: {output: y}"),
    "relation without expr": _with_property("relation: {output: y, input: x}"),
    "python property not module:function": _with_property("python: checks"),
    "expect pass with an error": _with_scenario("    expect: {pass: true, error: boom}\n"),
    "expect neither pass nor fail": _with_scenario("    expect: {error: boom}\n"),
    "expect pass and fail": _with_scenario("    expect: {pass: true, fail: true}\n"),
    "schema without columns, extends or pandera": _edit("schemas:\n", "schemas:\n  u: {strict: true}\n"),
    "mutation that needs parameters written bare": _with_scenario("    mutate:\n      x: [set]\n"),
    "mutation with a bad parameter": _with_scenario("    mutate:\n      x: [{nulls: {rate: 1.5}}]\n"),
    "mutation with an unknown parameter": _with_scenario("    mutate:\n      x: [{boundary: {cols: [a]}}]\n"),
    "unknown artifact check": _with_output_check("bogus"),
    "artifact check that needs a value written bare": _with_output_check("size"),
    "size check without bounds": _with_output_check("{size: {}}"),
    "unknown parametrize key": _with_scenario("    parametrize:\n      colour: [1, 2]\n"),
    "empty parametrize list": _with_scenario("    parametrize:\n      rows: []\n"),
    "not a boolean": _edit("s: {type: str}", "s: {type: str, nullable: maybe}"),
    "empty isin": _edit("s: {type: str}", "s: {type: str, isin: []}"),
    "bad duration": _edit(STEP_ONE, STEP_ONE + "    timeout: 5x\n"),
    "duration units run together wrongly": _edit(STEP_ONE, STEP_ONE + "    timeout: 5 3\n"),
    "negative row count": _with_scenario("    rows: -1\n"),
    "examples below 1": _with_scenario("    examples: 0\n"),
    "negative share without examples": _with_scenario("    negative: 0.2\n"),
    "negative share above 1": _with_scenario("    examples: 5\n    negative: 1.5\n"),
    "negative share of 0": _with_scenario("    examples: 5\n    negative: 0\n"),
    "unknown classification": _with_scenario("    expect: {fail: true, classification: OOPS}\n"),
    "bad port reference": _edit("{from: one.y}", "{from: one}"),
    "bad name": _edit("  two:\n", "  2two:\n"),
    "unknown on_invalid": _edit("x: {format: csv, schema: t}", "x: {format: csv, schema: t, on_invalid: ignore}"),
    "bad warning category": _with_scenario("    expect: {pass: true, warns: '1Warning'}\n"),
}

ACCEPTED = {
    "yes as a boolean": _edit("s: {type: str}", "s: {type: str, nullable: yes}"),
    "compound duration": _edit(STEP_ONE, STEP_ONE + "    timeout: 1h 30M\n"),
    "binary memory size": _edit(STEP_ONE, STEP_ONE + "    memory_limit: 1.5GiB\n"),
    "memory size in bytes": _edit(STEP_ONE, STEP_ONE + "    memory_limit: 1048576\n"),
    "bare mutation with defaults": _with_scenario("    mutate:\n      x: [boundary, empty]\n"),
    "mutation with parameters": _with_scenario("    mutate:\n      x: [{nulls: {columns: [a], rate: 0.5}}]\n"),
    "bare artifact check": _with_output_check("not_empty, {size: {max: 1MB}}"),
    "row_count with a bound": _with_property("row_count: {output: y, equals: x}"),
    "python property": _with_property("python: checks.props:rows_kept"),
    "expect fail with details": _with_scenario(
        "    expect: {fail: true, error: 'boom.*', exit_code: 2, classification: DATA_ERROR}\n"),
    "parametrize column constraint": _with_scenario("    parametrize:\n      columns.a.min: [0, 1]\n"),
    "expect log keys": _with_scenario(
        "    expect: {pass: true, stdout: [wrote, 'rows=\\\\d+'], warns: 'UserWarning: late'}\n"),
    "negative property scenario": _with_scenario("    examples: 5\n    negative: true\n"),
    "negative share of a property scenario": _with_scenario("    examples: 5\n    negative: 0.25\n"),
    "negative cases of a user scenario": _with_scenario("    negative: true\n"),
    "on_invalid": _edit("x: {format: csv, schema: t}", "x: {format: csv, schema: t, on_invalid: tolerate}"),
    "plugin column option": _edit("s: {type: str}", "s: {type: sku, prefix: AB}"),
}


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_generated_schema_rejects_as_the_loader_does(tmp_path, text):
    errors = list(validator().iter_errors(as_json(text)))
    assert errors, "JSON Schema accepted a spec the loader rejects"
    with pytest.raises(SpecError):
        load_spec(write(tmp_path, text))


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_generated_schema_accepts_what_the_loader_accepts(tmp_path, text):
    if "sku" not in text:  # a plugin column type: only the JSON Schema (read without plugins) sees it
        load_spec(write(tmp_path, text))
    errors = sorted(validator().iter_errors(as_json(text)), key=str)
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def _without_required_keys(schema: Any) -> Any:
    """``schema`` with no key of a mapping required (rules such as ``not: {required}`` kept)."""
    if isinstance(schema, list):
        return [_without_required_keys(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    relaxed = {key: _without_required_keys(value) for key, value in schema.items()}
    if relaxed.get("type") == "object" and "properties" in relaxed:
        relaxed.pop("required", None)
    if "allOf" in relaxed:     # "one of these keys is required" (a step's script or command)
        relaxed["allOf"] = [rule for rule in relaxed["allOf"]
                            if not (set(rule) == {"anyOf"} and all(set(b) == {"required"} for b in rule["anyOf"]))]
    return relaxed


def _part_schema(name: str | None) -> dict[str, Any]:
    """The whole-spec schema, or one ``$defs`` part, for a doc fragment showing some keys."""
    relaxed = _without_required_keys(SCHEMA)
    return relaxed if name is None else {**relaxed["$defs"][name], "$defs": relaxed["$defs"]}


def test_docs_yaml_examples_validate_against_json_schema():
    """Every ```yaml block of the docs: whole specs, and fragments of a spec, of a step
    or of a port (with no key required, since a fragment shows only some keys)."""
    checked = 0
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for block in _yaml_blocks(doc.read_text()):
            data = as_json(block)
            if not isinstance(data, dict):
                continue
            full = "version" in data
            for name in (None, "step", "port"):
                defs = SCHEMA if name is None else SCHEMA["$defs"][name]
                if full or set(data) <= set(defs["properties"]):
                    schema = SCHEMA if full else _part_schema(name)
                    checker = jsonschema.Draft202012Validator(
                        schema, format_checker=jsonschema.FormatChecker())
                    errors = sorted(checker.iter_errors(data), key=str)
                    assert not errors, (f"{doc.name}: {errors[0].message} at "
                                        f"{list(errors[0].absolute_path)} in\n{block}")
                    checked += 1
                    break
    assert checked >= 10, f"only {checked} docs examples were checked"


def _value_checker(definition: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]})


SIZE_TEXT = st.text(alphabet="0123456789. kKmMgGtTiIbBsShHdDx", max_size=8)


@settings(max_examples=300, deadline=None)
@given(text=SIZE_TEXT)
def test_duration_and_memory_schemas_agree_with_the_parsers(text):
    """On text an editor keeps as a string: what the loader parses the JSON Schema accepts,
    and what it accepts the loader parses, except sizes refused for being zero (a rule
    on the value, not the form)."""
    value = generic_data(text)
    for definition, parse in (("duration", units.parse_duration), ("memory", units.parse_memory)):
        try:
            parse(text)
            parsed, zero = True, False
        except ValueError as error:
            parsed, zero = False, "positive" in str(error)
        accepted = _value_checker(definition).is_valid(value)
        if isinstance(value, str):
            assert accepted == parsed or (accepted and zero), (definition, text, accepted, parsed)
        elif parsed:  # a number to an editor: it must accept what the loader parses
            assert accepted, (definition, text)


@given(number=st.integers(min_value=-10, max_value=10**12) | st.floats(-10, 1e9, allow_nan=False))
def test_duration_and_memory_schemas_take_positive_numbers(number):
    assert _value_checker("duration").is_valid(number) == (number > 0)
    assert _value_checker("memory").is_valid(number) == (number > 0)
