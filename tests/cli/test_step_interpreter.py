"""A step's own interpreter (issue 11, point 5): ``python: venv/bin/python`` runs the script
in a second virtualenv, made here without specrun and with a tiny package of its own
(written straight into its site-packages; no --system-site-packages), under the same
sandbox, validation and classification, with both executors.  The same step without
``python:`` fails: specrun's interpreter has no such package.  A missing interpreter, or
one too old for the child harness, is a spec error with file:line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

#: A package only the second virtualenv has.
PACKAGE = "specrun_only_in_venv_pkg"

SCRIPT = f'''
"""Adds a tax column with a helper that only the pipeline's own virtualenv has."""
import csv
import importlib.util
import json
import sys

import {PACKAGE}

inputs, output = sys.argv[1], sys.argv[2]
with open(inputs, newline="") as fh:
    rows = list(csv.DictReader(fh))
with open(output, "w", newline="") as fh:
    writer = csv.writer(fh)
    writer.writerow(["id", "amount", "taxed"])
    for row in rows:
        ident, amount = int(row["id"]), float(row["amount"])     # not a number: ValueError
        if not 0 <= amount <= 100:
            raise ValueError(f"amount out of range: {{amount}}")
        writer.writerow([ident, amount, {PACKAGE}.taxed(amount)])
if len({{int(row["id"]) for row in rows}}) != len(rows):
    raise ValueError("duplicate ids")
print("PROBE", json.dumps({{"prefix": sys.prefix, "executable": sys.executable,
               "sees_specrun": importlib.util.find_spec("specrun") is not None,
               "sees_pandas": importlib.util.find_spec("pandas") is not None}}))
'''

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
STEP_LINE = "    python: env/bin/python          # the pipeline's own virtualenv, next to this spec\n"


def _example() -> str:
    """docs/spec.md's Interpreter example, as written."""
    found = re.search(r"<!-- interpreter-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its interpreter example"
    assert STEP_LINE in found.group(1)
    return found.group(1)


def _site_packages(python: Path) -> Path:
    done = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True, timeout=60)
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def second_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv without specrun (nor pandas), holding a package of its own."""
    root = tmp_path_factory.mktemp("pipeline") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    try:
        subprocess.run([base, "-m", "venv", "--without-pip", str(root)], check=True, capture_output=True,
                       timeout=120)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot make a virtualenv here: {exc}")
    python = root / "bin" / "python"
    package = _site_packages(python) / PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def taxed(amount):\n    return round(amount * 1.2, 6)\n")
    return python


def _project(project: Project, venv_python: Path | None, *, in_defaults: bool = False) -> Project:
    """The docs' example spec with the virtualenv next to it as ``env/`` (``None``: the
    same spec without ``python:``; ``in_defaults``: written in ``defaults:`` instead)."""
    spec = _example()
    if venv_python is not None:
        link = project.root / "env"
        if not link.exists():
            link.symlink_to(venv_python.parent.parent)
    if venv_python is None or in_defaults:
        spec = spec.replace(STEP_LINE, "")
    if in_defaults:
        spec = spec.replace("defaults: {timeout: 60, seed: 3}",
                            "defaults: {timeout: 60, seed: 3, python: env/bin/python}")
    project.write("spec.yaml", spec)
    project.write("tax.py", SCRIPT)
    return project


def test_specrun_itself_cannot_import_the_package() -> None:
    import importlib.util

    assert importlib.util.find_spec(PACKAGE) is None


@pytest.mark.parametrize("executor", ["fresh", "fork"])
def test_the_step_runs_in_its_own_interpreter(project: Project, second_venv: Path, executor: str) -> None:
    outcome = _project(project, second_venv).run("spec.yaml", "--executor", executor)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    case = outcome.case("standard")
    assert case["outcome"] == "passed", case
    line = next(ln for ln in case["stdout_tail"].splitlines() if ln.startswith("PROBE "))
    seen = json.loads(line.removeprefix("PROBE "))
    assert Path(seen["prefix"]).resolve() == second_venv.parent.parent.resolve()
    assert seen["sees_specrun"] is False and seen["sees_pandas"] is False


def test_defaults_python_applies_to_every_step(project: Project, second_venv: Path) -> None:
    outcome = _project(project, second_venv, in_defaults=True).run("spec.yaml")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("standard")["outcome"] == "passed"


def test_without_python_the_step_fails_in_specrun_s_interpreter(project: Project) -> None:
    outcome = _project(project, None).run("spec.yaml")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("standard")
    assert case["outcome"] == "failed"
    assert case["classification"] == "IMPORT_ERROR"
    assert "ModuleNotFoundError" in case["message"] and PACKAGE in case["message"]


def test_a_missing_interpreter_is_a_spec_error_at_its_line(project: Project) -> None:
    _project(project, None)
    spec = project.root / "spec.yaml"
    spec.write_text(spec.read_text().replace("    script: tax.py\n",
                                             "    script: tax.py\n    python: nowhere/bin/python\n"))
    line = spec.read_text().splitlines().index("    python: nowhere/bin/python") + 1
    outcome = project.run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    text = outcome.stdout + outcome.stderr
    assert f"spec.yaml:{line}" in text and "interpreter not found" in text and "steps.tax.python" in text


def _old_python() -> Path | None:
    for candidate in sorted(Path("/root/.pyenv/versions").glob("3.[6-9].*/bin/python3"), reverse=True) \
            if Path("/root/.pyenv/versions").is_dir() else []:
        return candidate
    for name in ("python3.9", "python3.8", "python2.7", "python2"):
        import shutil

        found = shutil.which(name)
        if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
            return Path(found)
    return None


def test_an_interpreter_too_old_for_the_harness_is_a_spec_error(project: Project) -> None:
    old = _old_python()
    if old is None:
        pytest.skip("no Python older than 3.10 on this machine")
    _project(project, None)
    spec = project.root / "spec.yaml"
    spec.write_text(spec.read_text().replace("defaults: {timeout: 60, seed: 3}",
                                             f"defaults: {{timeout: 60, seed: 3, python: {old}}}"))
    outcome = project.run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    text = outcome.stdout + outcome.stderr
    assert "spec.yaml:3" in text and "needs Python 3.10 or newer" in text and "defaults.python" in text
