"""Each kind of spec mistake → exactly ``file:line: key: message``."""

from __future__ import annotations

import pytest
from spec_helpers import BASE, error_text, spec_error, write

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

SCENARIO = BASE + "scenarios:\n  s1:\n"


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


CASES = [
    # strictyaml schema errors
    ("unknown key", edit("script: one.py", "script: one.py\n    bogus: 1"),
     "spec.yaml:11: steps.one.bogus: unknown key 'bogus'"),
    ("unknown key in flow map", edit("{format: csv, schema: t}", "{format: csv, schema: t, bad: 1}"),
     "spec.yaml:12: steps.one.inputs.x.bad: unknown key 'bad'"),
    ("unknown top-level key", BASE + "extra: 1\n", "spec.yaml:19: extra: unknown key 'extra'"),
    ("missing script", edit("    script: two.py\n", ""),
     "spec.yaml:15: steps.two.script: missing required key 'script' (a Python script), or 'command' "
     "(any executable)"),
    ("missing steps", BASE[:BASE.index("steps:")], "spec.yaml:1: steps: missing required key 'steps'"),
    ("missing pipeline and steps", "version: 1\n",
     "spec.yaml:1: missing required keys 'pipeline', 'steps'"),
    ("wrong type of value", edit("min: 0", "min: abc"),
     "spec.yaml:6: schemas.t.columns.a.min: expected an integer for an int column, found 'abc'"),
    ("bool expected", edit("{type: str}", "{type: str, unique: maybe}"),
     "spec.yaml:7: schemas.t.columns.s.unique: expected a boolean value (one of \"yes\", \"true\", "
     "\"on\", \"1\", \"y\", \"no\", \"false\", \"off\", \"0\", \"n\"), found 'maybe'"),
    ("mapping expected", edit("  two:\n    script: two.py\n    inputs:\n      z: {from: one.y}\n", "  two: 3\n"),
     "spec.yaml:15: steps.two: expected a mapping, found '3'"),
    ("format", edit("format: csv", "format: xls"),
     "spec.yaml:12: steps.one.inputs.x.format: unknown format 'xls' "
     "(expected one of: csv, tsv, parquet, jsonl, json, pickle, text, file)"),
    ("on_invalid", edit("schema: t}", "schema: t, on_invalid: never}"),
     "spec.yaml:12: steps.one.inputs.x.on_invalid: unknown on_invalid 'never' "
     "(expected one of: reject, tolerate, any)"),
    ("compression", edit("schema: t}", "schema: t, compression: zip}"),
     "spec.yaml:12: steps.one.inputs.x.compression: unknown compression 'zip' (expected one of: gzip)"),
    ("version", edit("version: 1", "version: 2"),
     "spec.yaml:1: version: unsupported spec version '2' (this specrun reads version 1)"),
    ("memory size", edit("script: one.py", "script: one.py\n    memory_limit: 2XB"),
     "spec.yaml:11: steps.one.memory_limit: expected a memory size such as 512MB or 2GiB, found '2XB'"),
    ("duration", edit("script: one.py", "script: one.py\n    timeout: soon"),
     "spec.yaml:11: steps.one.timeout: expected a duration such as 90, 90s, 5m or 1h, found 'soon'"),
    ("bad name", edit("  two:", "  two words:"),
     "spec.yaml:15: steps.two words: invalid name 'two words': use letters, digits, '_' and '-', "
     "starting with a letter or '_'"),
    ("from format", edit("one.y", "oney"),
     "spec.yaml:18: steps.two.inputs.z.from: expected 'step.port', found 'oney'"),
    ("regex", SCENARIO + "    expect: {fail: true, error: '(('}\n",
     "spec.yaml:21: scenarios.s1.expect.error: invalid regular expression '((': "
     "missing ), unterminated subpattern at position 1"),
    ("classification", SCENARIO + "    expect: {fail: true, classification: FOO}\n",
     "spec.yaml:21: scenarios.s1.expect.classification: unknown classification 'FOO' (expected one of: "
     "IMPORT_ERROR, DATA_ERROR, RESOURCE_ERROR, TIMEOUT, CONTRACT_ERROR, SCRIPT_ERROR, CRASH, "
     "SETUP_ERROR, EXPECTATION_ERROR, ACCEPTED_INVALID)"),
    ("two-key property", edit("script: one.py", "script: one.py\n    properties:\n"
                              "      - {row_count: {output: y, equals: x}, unique: {output: y}}"),
     "spec.yaml:12: steps.one.properties.0: expected exactly one key ({name: parameters}), found 2"),
    # YAML syntax
    ("duplicate key", edit("script: one.py", "script: one.py\n    script: x.py"),
     "spec.yaml:11: steps.one.script: duplicate key 'script'"),
    ("anchor", edit("pipeline: p", "pipeline: &a p"),
     "spec.yaml:2: pipeline: YAML anchors and aliases (&name, *name) are not allowed; quote the value"),
    ("tag", edit("pipeline: p", "pipeline: !!str p"),
     "spec.yaml:2: pipeline: YAML tags (!!type) are not allowed; quote the value"),
    ("bad indentation", edit("    script: two.py", "     script: two.py"),
     "spec.yaml:17: steps.two.inputs: while parsing a block mapping; expected <block end>, "
     "but found '<block mapping start>' (check the indentation)"),
    ("non-printable", edit("pipeline: p", "pipeline: p\x07"),
     "spec.yaml:2: pipeline: non-printable character '\\x07' is not allowed in YAML"),
    # document shape
    ("empty file", "", "spec.yaml:1: the spec file is empty (expected a mapping with 'version', "
     "'pipeline' and 'steps')"),
    ("comments only", "# nothing\n---\n", "spec.yaml:1: the spec file is empty (expected a mapping with "
     "'version', 'pipeline' and 'steps')"),
    ("scalar document", "hello\n", "spec.yaml:1: expected a mapping, found 'hello'"),
    ("list document", "- a\n- b\n", "spec.yaml:1: expected a mapping, found a sequence"),
    # model building and references
    ("unknown column type", edit("type: str", "type: strr"),
     "spec.yaml:7: schemas.t.columns.s.type: unknown column type 'strr' "
     "(known: bool, category, datetime, float, int, str)"),
    ("column without type", edit("{type: str}", "{nullable: true}"),
     "spec.yaml:7: schemas.t.columns.s.type: missing required key 'type'"),
    ("extra key on built-in type", edit("{type: str}", "{type: str, currency: EUR}"),
     "spec.yaml:7: schemas.t.columns.s.currency: unknown key 'currency' for a str column"),
    ("min above max", edit("min: 0", "min: 5, max: 1"),
     "spec.yaml:6: schemas.t.columns.a.min: min (5) is greater than max (1)"),
    ("min on bool", edit("{type: str}", "{type: bool, min: 1}"),
     "spec.yaml:7: schemas.t.columns.s.min: min/max do not apply to bool columns"),
    ("pattern on int", edit("min: 0", "pattern: x"),
     "spec.yaml:6: schemas.t.columns.a.pattern: 'pattern' applies to str columns, not int"),
    ("empty schema", edit("    columns:\n      a: {type: int, min: 0}\n      s: {type: str}\n", "    strict: true\n"),
     "spec.yaml:4: schemas.t: a schema needs 'columns', 'extends' or 'pandera'"),
    ("unknown schema", edit("schema: t}", "schema: tt}"),
     "spec.yaml:12: steps.one.inputs.x.schema: unknown schema 'tt' (known: t)"),
    ("extends unknown", edit("schemas:\n", "schemas:\n  u1: {extends: zz}\n"),
     "spec.yaml:4: schemas.u1.extends: unknown schema 'zz' (known: t, u1)"),
    ("extends cycle", edit("schemas:\n", "schemas:\n  u1: {extends: u2}\n  u2: {extends: u3}\n  u3: {extends: u1}\n"),
     "spec.yaml:6: schemas.u3.extends: extends cycle: u1 -> u2 -> u3 -> u1"),
    ("extends itself", edit("schemas:\n", "schemas:\n  u1: {extends: u1}\n"),
     "spec.yaml:4: schemas.u1.extends: extends cycle: u1 -> u1"),
    ("inline extends unknown", edit("schema: t}", "schema: {extends: nope}}"),
     "spec.yaml:12: steps.one.inputs.x.schema.extends: unknown schema 'nope' (known: t)"),
    ("from unknown step", edit("one.y", "three.y"),
     "spec.yaml:18: steps.two.inputs.z.from: unknown step 'three' (known: one, two)"),
    ("from unknown output", edit("one.y", "one.q"),
     "spec.yaml:18: steps.two.inputs.z.from: step 'one' has no output 'q' (known: y)"),
    ("from own output", edit("one.y", "two.w") + "    outputs:\n      w: {format: csv}\n",
     "spec.yaml:18: steps.two.inputs.z.from: a step cannot read its own output"),
    ("cycle", edit("{format: csv, schema: t}", "{from: two.w}") + "    outputs:\n      w: {format: csv}\n",
     "spec.yaml:12: steps.one.inputs.x.from: the steps form a cycle: one -> two -> one"),
    ("undeclared input placeholder", edit("script: one.py", "script: one.py\n    args: [--in, '{inputs.nope}']"),
     "spec.yaml:11: steps.one.args.1: {inputs.nope} names no declared input of step 'one' (known: x)"),
    ("undeclared output placeholder", edit("script: one.py", "script: one.py\n    args: ['--out={outputs.x}']"),
     "spec.yaml:11: steps.one.args.0: {outputs.x} names no declared output of step 'one' (known: y)"),
    ("unknown placeholder prefix", edit("script: one.py", "script: one.py\n    args: [--in, '{foo.x}']"),
     "spec.yaml:11: steps.one.args.1: unknown placeholder {foo.x} "
     "(expected {inputs.NAME} or {outputs.NAME}; write {{ for a brace)"),
    ("unbalanced brace", edit("script: one.py", "script: one.py\n    args: ['{inputs.x']"),
     "spec.yaml:11: steps.one.args.0: malformed placeholder in '{inputs.x': expected '}' before "
     "end of string (write {{ for a brace)"),
    ("call with args", edit("script: one.py", "script: one.py\n    call: main\n    args: [a]"),
     "spec.yaml:11: steps.one.call: 'call' and 'args' cannot be used together: 'call' runs "
     "main(input_paths, output_paths, environ_vars, job_args), 'args' runs the script as __main__"),
    ("shard without shards", edit("schema: t}", "schema: t, layout: 'p-{shard}.csv'}"),
     "spec.yaml:12: steps.one.inputs.x.layout: layout uses {shard} but the port has no 'shards'"),
    ("split without split", edit("schema: t}", "schema: t, layout: '{split}/a.csv'}"),
     "spec.yaml:12: steps.one.inputs.x.layout: layout uses {split} but the port has no 'split'"),
    ("unknown layout field", edit("schema: t}", "schema: t, layout: '{part}.csv'}"),
     "spec.yaml:12: steps.one.inputs.x.layout: unknown layout field {part} (expected {shard} or {split})"),
    ("shards without layout", edit("schema: t}", "schema: t, shards: 2}"),
     "spec.yaml:12: steps.one.inputs.x.shards: 'shards' needs a 'layout'"),
    ("tabular input without data", edit("{format: csv, schema: t}", "{format: csv}"),
     "spec.yaml:12: steps.one.inputs.x: tabular input needs a 'schema' (or a 'fixture', 'sample', "
     "'from' or 'source') so that its data can be generated or found"),
    ("property output unknown", edit("script: one.py", "script: one.py\n    properties:\n"
                                     "      - row_count: {output: x, equals: x}"),
     "spec.yaml:12: steps.one.properties.0.row_count.output: step 'one' has no output 'x' (known: y)"),
    ("property input unknown", edit("script: one.py", "script: one.py\n    properties:\n"
                                    "      - row_count: {output: y, le: y}"),
     "spec.yaml:12: steps.one.properties.0.row_count.le: step 'one' has no input 'y' (known: x)"),
    ("property kind unknown", edit("script: one.py", "script: one.py\n    properties:\n"
                                   "      - rowcount: {output: y}"),
     "spec.yaml:12: steps.one.properties.0.rowcount: unknown property 'rowcount' (known: "
     "class_balance, columns_added, columns_removed, disjoint, no_nulls, part_rows, python, relation, "
     "row_count, unchanged, unique)"),
    ("property params", edit("script: one.py", "script: one.py\n    properties:\n"
                             "      - unique: {output: y, column: [a]}"),
     "spec.yaml:12: steps.one.properties.0.unique.column: unknown key 'column'"),
    ("row_count without comparison", edit("script: one.py", "script: one.py\n    properties:\n"
                                          "      - row_count: {output: y}"),
     "spec.yaml:12: steps.one.properties.0.row_count: row_count needs one of 'equals', 'le', 'ge' or 'ratio'"),
    ("python property format", edit("script: one.py", "script: one.py\n    properties:\n"
                                    "      - python: not a ref"),
     "spec.yaml:12: steps.one.properties.0.python: expected 'module:function', found 'not a ref'"),
    ("dag unknown port", BASE + "dag:\n  - one.y -> two.q\n",
     "spec.yaml:20: dag.0: step 'two' has no input 'q' (known: z)"),
    ("dag syntax", BASE + "dag:\n  - one.y => two.z\n",
     "spec.yaml:20: dag.0: expected 'step.output -> step.input', found 'one.y => two.z'"),
    ("scenario unknown step", SCENARIO + "    steps: [one, three]\n",
     "spec.yaml:21: scenarios.s1.steps.1: unknown step 'three' (known: one, two)"),
    ("mutate unknown port", SCENARIO + "    mutate:\n      q: [boundary]\n",
     "spec.yaml:22: scenarios.s1.mutate.q: no input port 'q' in any step"),
    ("mutate port outside steps", SCENARIO + "    steps: [two]\n    mutate:\n      x: [boundary]\n",
     "spec.yaml:23: scenarios.s1.mutate.x: no input port 'x' in steps two"),
    ("mutate unknown op", SCENARIO + "    mutate:\n      x: [bogus]\n",
     "spec.yaml:22: scenarios.s1.mutate.x.0: unknown mutation 'bogus' (known: boundary, "
     "drop_columns, duplicates, empty, extra_file, extreme, nulls, remove_file, set, shard_columns, "
     "truncate_file, wrong_dtype)"),
    ("mutate op without params", SCENARIO + "    mutate:\n      x: [set]\n",
     "spec.yaml:22: scenarios.s1.mutate.x.0: mutation 'set' needs parameters, e.g. {set: …}"),
    ("mutate unknown column", SCENARIO + "    mutate:\n      x:\n        - set: {nope: 1}\n",
     "spec.yaml:23: scenarios.s1.mutate.x.0.set.nope: column 'nope' is not declared by input 'x' of steps one"),
    ("mutate unknown column in list", SCENARIO + "    mutate:\n      '*':\n        - drop_columns: [a, b]\n",
     "spec.yaml:23: scenarios.s1.mutate.*.0.drop_columns.1: column 'b' is not declared by the "
     "inputs of steps one, two"),
    ("mutate params", SCENARIO + "    mutate:\n      x:\n        - nulls: {columns: [a], rat: 1}\n",
     "spec.yaml:23: scenarios.s1.mutate.x.0.nulls.rat: unknown key 'rat'"),
    ("mutate rate", SCENARIO + "    mutate:\n      x:\n        - nulls: {rate: 2}\n",
     "spec.yaml:23: scenarios.s1.mutate.x.0.nulls.rate: rate must be between 0 and 1, found 2.0"),
    ("override unknown column", SCENARIO + "    columns: {b: {min: 1}}\n",
     "spec.yaml:21: scenarios.s1.columns.b: column 'b' is not declared by the inputs of steps one, two"),
    ("override value type", SCENARIO + "    columns: {a: {min: x}}\n",
     "spec.yaml:21: scenarios.s1.columns.a.min: expected an integer for an int column, found 'x'"),
    ("override type key", SCENARIO + "    columns: {a: {type: str}}\n",
     "spec.yaml:21: scenarios.s1.columns.a.type: unknown key 'type'"),
    ("expect both", SCENARIO + "    expect: {pass: true, fail: true}\n",
     "spec.yaml:21: scenarios.s1.expect: expect either 'pass: true' or 'fail: true', not both"),
    ("expect neither", SCENARIO + "    expect: {pass: false}\n",
     "spec.yaml:21: scenarios.s1.expect: expect needs 'pass: true' or 'fail: true'"),
    ("expect error with pass", SCENARIO + "    expect: {pass: true, error: x}\n",
     "spec.yaml:21: scenarios.s1.expect.error: 'error' applies only with 'fail: true'"),
    ("parametrize key", SCENARIO + "    parametrize:\n      rowz: [1]\n",
     "spec.yaml:22: scenarios.s1.parametrize.rowz: unknown parametrize key 'rowz' (expected rows, seed, "
     "timeout, memory_limit, examples, max_rows, env.NAME, job_args.NAME or "
     "columns.COLUMN.(min|max|isin|pattern|nullable|unique|required))"),
    ("parametrize value", SCENARIO + "    parametrize:\n      rows: [1, x]\n",
     "spec.yaml:22: scenarios.s1.parametrize.rows.1: expected an integer >= 0 for rows, found 'x'"),
    ("parametrize column", SCENARIO + "    parametrize:\n      columns.zz.isin: [[1]]\n",
     "spec.yaml:22: scenarios.s1.parametrize.columns.zz.isin: column 'zz' is not declared by the "
     "inputs of steps one, two"),
    ("negative share without examples", SCENARIO + "    negative: 0.2\n",
     "spec.yaml:21: scenarios.s1.negative: negative: 0.2 (a share of examples drawn off-contract) needs "
     "examples: (a property scenario); use negative: true for one case per constraint"),
    ("negative share out of range", SCENARIO + "    examples: 5\n    negative: 1.5\n",
     "spec.yaml:22: scenarios.s1.negative: expected true, false or a fraction in (0, 1], found '1.5'"),
    ("negative not a share", SCENARIO + "    examples: 5\n    negative: often\n",
     "spec.yaml:22: scenarios.s1.negative: expected true, false or a fraction in (0, 1], found 'often'"),
    ("isolation scenario", BASE + "modes:\n  isolation: {scenarios: [standard, nope]}\n",
     "spec.yaml:20: modes.isolation.scenarios.1: unknown scenario 'nope' "
     "(known: edge_cases, negative, performance, standard)"),
    ("a list as a key", BASE + "modes:\n  pipeline: {timeout_per_step:, [a, b]}\n",
     "spec.yaml:20: modes.pipeline: a key must be a plain value, not a list or a mapping (in flow style, "
     "'{a:, [x]}' makes [x] a key: write 'a: [x]')"),
    ("mode duration", BASE + "modes:\n  pipeline: {timeout_per_step: later}\n",
     "spec.yaml:20: modes.pipeline.timeout_per_step: expected a duration such as 90, 90s, 5m or 1h, "
     "found 'later'"),
]


@pytest.mark.parametrize("text, expected", [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_error_message(tmp_path, text, expected):
    assert error_text(tmp_path, text) == expected


def test_error_carries_file_line_key(tmp_path):
    error = spec_error(tmp_path, edit("one.y", "one.q"))
    assert (error.file, error.line, error.key) == (
        tmp_path / "spec.yaml", 18, "steps.two.inputs.z.from")


def test_unreadable_files(tmp_path):
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"version: 1\npipeline: \xff\xfe\n")
    with pytest.raises(SpecError, match=r"bin.yaml:2: the spec file is not UTF-8 text"):
        load_spec(binary)
    with pytest.raises(SpecError, match=r"missing.yaml:1: spec file not found"):
        load_spec(tmp_path / "missing.yaml")


def test_plugin_names_are_accepted_only_when_known(tmp_path):
    text = (edit("{type: str}", "{type: money, currency: EUR}")
            + "scenarios:\n  s1:\n    mutate:\n      x: [shuffle]\n")
    assert "unknown column type 'money'" in error_text(tmp_path, text)
    assert "unknown mutation 'shuffle'" in error_text(tmp_path, text, known_types=["money"])
    spec = load_spec(write(tmp_path, text), known_types=["money"], known_mutators=["shuffle"])
    assert spec.scenarios["s1"].mutate["x"][0].op == "shuffle"
    checked = edit("{type: str}", "{type: str, checks: [{nope: 1}]}")
    assert error_text(tmp_path, checked, known_checks=["ok"]) == (
        "spec.yaml:7: schemas.t.columns.s.checks.0.nope: unknown column check 'nope' (known: ok)")


def test_plugin_key_is_validated_by_its_validator(tmp_path):
    import strictyaml as sy
    text = BASE + "notify:\n  channel: 3\n  extra: x\n"
    assert error_text(tmp_path, text) == "spec.yaml:19: notify: unknown key 'notify'"
    assert error_text(tmp_path, text, extra_keys={"notify": sy.Map({"channel": sy.Int()})}) == (
        "spec.yaml:21: notify.extra: unknown key 'extra'")
