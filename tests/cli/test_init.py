"""``specrun init SCRIPT``: the printed step, put into a spec with a schema, passes ``specrun check``
and runs — on the bundled examples and on a SageMaker-style argparse script; a script that
does not parse is one line with file:line, exit 4.  The script is never run by ``init``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = """
schemas:
  {name}:
    columns:
      {columns}
"""
PAYMENTS = ("txn_id: {type: int, unique: true}\n      amount: {type: float, min: 0, max: 100}\n"
            "      currency: {type: str, isin: [USD, EUR]}")
ORDERS = ("order_id: {type: int, unique: true}\n      order_amount: {type: float, min: 0, max: 100}\n"
          "      currency: {type: str, isin: [USD, EUR]}")


def spec_from(project, printed: str, schemas: str) -> None:
    project.write("spec.yaml", "version: 1\npipeline: scaffolded\n" + schemas + printed
                  + "scenarios:\n  standard: {rows: 20}\nmodes:\n  isolation: {scenarios: [standard]}\n")


def init(project, script: str, *extra: str):
    out = project.run("init", script, *extra)
    assert out.code == 0, out.stderr
    return out.stdout


def test_a_sagemaker_main_becomes_call_main_with_its_ports(project) -> None:
    shutil.copy(ROOT / "examples/verdicts/scripts/passthrough.py", project.root / "passthrough.py")
    printed = init(project, "passthrough.py")
    assert "call: main   # main(input_paths, output_paths, environ_vars, job_args) at line 8" in printed
    assert "payments: {format: csv, schema: payments}   # input_paths['payments'] at line 9" in printed
    assert "converted: {format: parquet}" in printed and "from frame.to_parquet() at line 11" in printed
    spec_from(project, printed, SCHEMAS.format(name="payments", columns=PAYMENTS))
    assert project.run("check", "spec.yaml").code == 0
    run = project.run("spec.yaml")
    assert run.code == 0, run.stdout
    assert run.case("passthrough[standard]")["outcome"] == "passed"


def test_argparse_arguments_become_args_and_ports(project) -> None:
    shutil.copy(ROOT / "examples/buggy/scripts/order_totals.py", project.root / "order_totals.py")
    printed = init(project, "order_totals.py")
    assert 'args: [--orders, "{inputs.orders}", --totals, "{outputs.totals}"]' in printed
    assert "--orders (line 29): its path goes to pd.read_csv() at line 32" in printed
    spec_from(project, printed, SCHEMAS.format(name="orders", columns=ORDERS))
    assert project.run("check", "spec.yaml").code == 0
    run = project.run("spec.yaml")
    assert run.code == 0, run.stdout         # order_totals reads order_amount: the schema has it


SAGEMAKER = '''
import argparse
import os

import pandas as pd

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--loss", choices=["l1", "l2"], required=True)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--train", type=str, default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--model-dir", type=str, default=os.environ["SM_MODEL_DIR"])
    args, _ = parser.parse_known_args()
    region = os.getenv("REGION", "eu-west-1")
    mode = os.environ["TRAINING_MODE"]
    frame = pd.read_csv(os.path.join(args.train, "train.csv"))
    assert args.epochs == 3 and args.loss == "l1" and region == "eu-west-1" and mode == ""
    os.makedirs(args.model_dir, exist_ok=True)
    frame.describe().to_csv(os.path.join(args.model_dir, "summary.csv"))
'''


def test_a_sagemaker_style_argparse_script(project) -> None:
    project.write("train.py", SAGEMAKER)
    printed = init(project, "train.py", "--name", "fit")
    assert "  fit:\n" in printed
    assert ('args: [--epochs, "3", --learning-rate, "0.1", --loss, l1, --train, "{inputs.train}", '
            '--model-dir, "{outputs.model_dir}"]') in printed
    assert "--verbose (store_true) left out" in printed
    assert "train: {format: csv, layout: train.csv, schema: train}" in printed
    assert "model_dir: {format: csv, layout: summary.csv}" in printed
    assert 'SM_MODEL_DIR: ""' in printed and 'REGION: "eu-west-1"' in printed
    assert 'TRAINING_MODE: ""   # read at line 16; read without a default' in printed
    spec_from(project, printed, SCHEMAS.format(name="train", columns=PAYMENTS))
    assert project.run("check", "spec.yaml").code == 0
    run = project.run("spec.yaml")
    assert run.code == 0, run.stdout
    assert run.case("fit[standard]")["outcome"] == "passed"


def test_init_never_runs_the_script(project) -> None:
    project.write("boom.py", "import pathlib\npathlib.Path('ran').write_text('x')\n"
                  "def main(input_paths, output_paths, environ_vars, job_args):\n"
                  "    open(output_paths['out'], 'w').write(input_paths['x'])\n")
    printed = init(project, "boom.py")
    assert not (project.root / "ran").exists()
    assert "out: {format: file}" not in printed and "out: {format: csv}" in printed
    assert "output_paths['out'] at line 4; format: csv is a guess" in printed


@pytest.mark.parametrize(("source", "line"), [("def main(:\n    pass\n", 1), ("x = 1\n\nif x\n    y = 2\n", 3)])
def test_a_script_that_does_not_parse_is_one_line_exit_4(project, source, line) -> None:
    project.write("bad.py", source)
    out = project.run("init", "bad.py")
    assert out.code == 4 and out.stdout == ""
    assert out.stderr.startswith(f"specrun: bad.py:{line}: cannot parse the script:")
    assert len(out.stderr.strip().splitlines()) == 1
    assert project.run("init", "missing.py").code == 4


def test_the_docs_example_is_what_init_prints(project) -> None:
    import re

    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- init-example: (\S+) -->\n```\n\$ specrun init (\S+)\n(.*?)```", docs, re.S)
    assert match, "docs/cli.md lost its init example"
    shutil.copy(ROOT / match.group(1), project.root / match.group(2))
    assert init(project, match.group(2)) == match.group(3)


# -- every bundled script, and generated scripts, give a step the spec loader accepts -----

def load_printed(tmp_path: Path, printed: str):
    """The printed step in a spec with a one-column schema per input it names."""
    import re

    from specrun.spec.loader import load_spec

    names = sorted(set(re.findall(r"schema: ([A-Za-z_][A-Za-z0-9_\-]*)\}", printed)))
    schemas = "".join(f"  {n}: {{columns: {{x: {{type: int}}}}}}\n" for n in names)
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\npipeline: p\n" + ("schemas:\n" + schemas if names else "") + printed)
    return load_spec(spec)


@pytest.mark.parametrize("script", sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("examples/*/scripts/*.py")))
def test_every_bundled_script_gives_a_loadable_step(tmp_path: Path, script: str) -> None:
    from specrun.analysis.script_outline import read_outline
    from specrun.commands.init import render_step

    outline = read_outline(ROOT / script, str(ROOT / script))
    spec = load_printed(tmp_path, render_step("step", outline))
    step = spec.steps["step"]
    assert set(step.inputs) == set(outline.input_keys) | {k for k, (r, _) in _roles(outline).items() if r == "input"}
    assert (step.call == "main") == (outline.main_line is not None)


def _roles(outline):
    from specrun.commands.init import _port_role

    if outline.main_line is not None:
        return {}
    return {o.dest: _port_role(o, outline) for o in outline.options}


IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "as", "def", "for", "and", "not", "del", "try", "with", "else",
                        "elif", "pass", "from", "while", "class", "raise", "yield", "async", "await", "break",
                        "lambda", "global", "return", "import", "assert", "except", "finally", "continue",
                        "nonlocal"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs=st.lists(IDENT, min_size=0, max_size=3, unique=True),
       outputs=st.lists(IDENT, min_size=0, max_size=3, unique=True),
       env=st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True),
                           st.one_of(st.none(), st.text(st.characters(codec="ascii", categories=("L", "N", "P", "Zs")),
                                                        max_size=8)), max_size=3),
       sagemaker=st.booleans())
def test_generated_scripts_give_the_step_their_code_says(tmp_path: Path, inputs, outputs, env, sagemaker) -> None:
    from specrun.analysis.script_outline import read_outline
    from specrun.commands.init import render_step

    outputs = [o for o in outputs if o not in inputs]
    reads = "".join(f"    os.environ.get({k!r}, {v!r})\n" if v is not None else f"    os.environ[{k!r}]\n"
                    for k, v in env.items())
    if sagemaker:
        body = "".join(f"    pd.read_parquet(input_paths[{k!r}])\n" for k in inputs)
        body += "".join(f"    frame.to_csv(output_paths[{k!r}])\n" for k in outputs)
        source = f"import os\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n{body}{reads}    pass\n"
    else:
        adds = "".join(f"    parser.add_argument('--in-{k}', dest={k!r})\n" for k in inputs)
        adds += "".join(f"    parser.add_argument('--out-{k}', dest={k!r})\n" for k in outputs)
        uses = "".join(f"    pd.read_parquet(args.{k})\n" for k in inputs)
        uses += "".join(f"    frame.to_csv(args.{k})\n" for k in outputs)
        source = (f"import argparse, os\n\ndef run():\n    parser = argparse.ArgumentParser()\n{adds}"
                  f"    args = parser.parse_args()\n{uses}{reads}    pass\n")
    script = tmp_path / "script.py"
    script.write_text(source)
    spec = load_printed(tmp_path, render_step("step", read_outline(script, str(script))))
    step = spec.steps["step"]
    assert set(step.inputs) == set(inputs) and set(step.outputs) == set(outputs)
    assert all(step.inputs[k].format == "parquet" for k in inputs)
    assert all(step.outputs[k].format == "csv" for k in outputs)
    assert step.env == {k: (v if v is not None else "") for k, v in env.items()}
    assert (step.call == "main") == sagemaker
    if not sagemaker:
        flags = [f"--in-{k}" for k in inputs] + [f"--out-{k}" for k in outputs]
        assert [a for a in step.args if a.startswith("--")] == flags
