"""Heavy libraries are imported on first use (specrun/lazy.py): ``specrun check`` of a small
spec, ``--help`` with the bundled plugins installed, and registering every built-in plugin
import none of them, and a lazily bound module behaves as the module itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from specrun.lazy import lazy_module

HEAVY = ("pandas", "pandera", "numpy", "pyarrow", "hypothesis", "networkx", "boto3", "botocore", "jinja2")

SPEC = """\
version: 1
pipeline: tiny
schemas:
  rows: {columns: {id: {type: int, unique: true}, amount: {type: float, min: 0, max: 10}, tag: {type: str}}}
steps:
  first:
    script: step.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: parquet, schema: rows}}
  second:
    script: step.py
    call: main
    inputs: {rows: {format: parquet, schema: rows, from: first.out}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
"""


# a bare environment, keeping PYTHONPATH so the probe imports the specrun under test
_BARE_ENV = {"PATH": "/usr/bin:/bin", **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}

STEP = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"


def imported_after(code: str, cwd: Path, autoload: bool = False) -> tuple[int, list[str]]:
    probe = textwrap.dedent(f"""
        import json, sys
        code = 0
        try:
{textwrap.indent(textwrap.dedent(code), " " * 12)}
        except SystemExit as exc:
            code = exc.code
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
        print(json.dumps([code, heavy]))
    """)
    env = {**_BARE_ENV, **({} if autoload else {"SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"})}
    proc = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    code, heavy = json.loads(proc.stdout.splitlines()[-1])
    return code, heavy


def test_check_of_a_small_spec_imports_no_heavy_library(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    one_step = SPEC[:SPEC.index("  second:")] + SPEC[SPEC.index("scenarios:"):]
    (tmp_path / "specs" / "tiny.yaml").write_text(one_step)
    (tmp_path / "specs" / "step.py").write_text(STEP)
    code, heavy = imported_after("from specrun.cli import main\ncode = main(['check', 'specs'])", tmp_path)
    assert code == 0
    assert heavy == []


def test_importing_the_cli_imports_no_heavy_library(tmp_path: Path) -> None:
    code, heavy = imported_after("import specrun.cli", tmp_path)
    assert heavy == []


DATED = SPEC.replace("tag: {type: str}}}",
                     "tag: {type: str}, ts: {type: datetime, min: 2024-01-01, max: 2024-12-31T12:00:00}, "
                     "day: {type: datetime, isin: [2024-01-01, 2024-06-30]}}}")


def test_check_of_a_pipeline_with_datetime_bounds_imports_no_pandas(tmp_path: Path) -> None:
    """Negative cases of datetime min/max/isin are planned, and the hand-off's datetime bounds
    compared, without building a Timestamp (the example specs have such columns)."""
    (tmp_path / "specs").mkdir()
    consumer = DATED.replace("inputs: {rows: {format: parquet, schema: rows, from: first.out}}",
                             "inputs: {rows: {format: parquet, schema: late, from: first.out}}")
    consumer = consumer.replace("schemas:\n", "schemas:\n  late: {columns: {ts: {type: datetime, min: 2024-02-01}}}\n")
    (tmp_path / "specs" / "tiny.yaml").write_text(consumer)
    (tmp_path / "specs" / "step.py").write_text(STEP)
    code, heavy = imported_after("from specrun.cli import main\ncode = main(['check', 'specs'])", tmp_path)
    assert code == 1                  # found: producer min 2024-01-01 does not fit consumer min 2024-02-01
    assert {m.split(".")[0] for m in heavy} <= {"networkx"}
    listed = subprocess.run([sys.executable, "-m", "specrun", "--collect-only", "-q", "specs"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120,
                            env={**_BARE_ENV, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"})
    for constraint in ("rows.ts.min", "rows.ts.max", "rows.ts.type", "rows.day.isin"):
        assert f"tiny::first[negative:{constraint}]" in listed.stdout, listed.stdout


def test_check_of_a_pipeline_imports_networkx_only_to_plan_its_dag(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "tiny.yaml").write_text(SPEC)
    (tmp_path / "specs" / "step.py").write_text(STEP)
    code, heavy = imported_after("from specrun.cli import main\ncode = main(['check', 'specs'])", tmp_path)
    assert code == 0
    assert {m.split(".")[0] for m in heavy} == {"networkx"}


def test_a_cycle_is_still_found_by_check_without_networkx(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    cyclic = SPEC.replace("    inputs: {rows: {format: csv, schema: rows}}\n",
                          "    inputs: {rows: {format: csv, schema: rows, from: second.out}}\n", 1)
    (tmp_path / "specs" / "tiny.yaml").write_text(cyclic)
    (tmp_path / "specs" / "step.py").write_text(STEP)
    code, heavy = imported_after("from specrun.cli import main\ncode = main(['check', 'specs'])", tmp_path)
    assert code == 4                                 # a spec error: the cycle
    assert "networkx" not in heavy


def test_registering_every_plugin_installed_imports_no_heavy_library(tmp_path: Path) -> None:
    code, heavy = imported_after("from specrun.config import load_plugins\nload_plugins([])", tmp_path, autoload=True)
    assert heavy == []


def test_a_lazy_module_imports_on_first_attribute_and_reads_through_to_the_module(monkeypatch) -> None:
    probe = ("import sys; from specrun.lazy import lazy_module; m = lazy_module('colorsys'); "
             "before = 'colorsys' in sys.modules; value = m.rgb_to_hsv(1.0, 0.0, 0.0); "
             "print(before, 'colorsys' in sys.modules, value)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout.split()
    assert out[:2] == ["False", "True"]

    import colorsys

    lazy = lazy_module("colorsys")
    monkeypatch.setattr(colorsys, "rgb_to_hsv", lambda *a: "patched")
    assert lazy.rgb_to_hsv(1, 0, 0) == "patched"     # a patch of the real module is what callers see
    with pytest.raises(AttributeError):
        lazy.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        lazy.rgb_to_hsv = None
