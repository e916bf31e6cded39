"""The result cache through real ``python -m specrun`` runs: what reruns after which edit.

Every test reads which cases *ran* and which were served (``cached`` in the JSON record),
so a cache that served a changed case, or served nothing, fails it.
"""

from __future__ import annotations

import json
import os
import textwrap

import pytest

SPEC = """
version: 1
pipeline: rc
defaults: {seed: 7}
schemas:
  numbers:
    columns:
      x: {type: int, min: 0, max: 9}
steps:
  alpha:
    script: ../alpha.py
    call: main
    inputs:
      lookup: {format: json, fixture: ../data/lookup.json}
    outputs:
      out: {format: csv, schema: numbers}
  beta:
    script: ../beta.py
    call: main
    inputs:
      numbers: {format: csv, schema: numbers}
    outputs:
      out: {format: csv, schema: numbers}
scenarios:
  one: {rows: 5}
  two: {rows: 8}
modes:
  isolation: {scenarios: [one, two]}
"""

ALPHA = """
import json

def main(input_paths, output_paths, environ_vars, job_args):
    value = json.load(open(input_paths["lookup"]))["x"]
    with open(output_paths["out"], "w") as fh:
        fh.write("x\\n" + f"{value}\\n")
"""

BETA = """
import pandas as pd

def main(input_paths, output_paths, environ_vars, job_args):
    from helpers.clip import clip   # an import inside a function is followed too
    frame = pd.read_csv(input_paths["numbers"])
    frame["x"] = clip(frame["x"])
    frame.to_csv(output_paths["out"], index=False)
"""

CLIP = """
def clip(values):
    return values.clip(0, 9)
"""

ALPHA_CASES = {"rc::alpha[one]", "rc::alpha[two]"}
BETA_CASES = {"rc::beta[one]", "rc::beta[two]"}


def make(project, spec: str = SPEC) -> None:
    project.write("specs/rc.yaml", spec)
    project.write("alpha.py", ALPHA)
    project.write("beta.py", BETA)
    project.write("helpers/__init__.py", "")
    project.write("helpers/clip.py", CLIP)
    project.write("helpers/unused.py", "X = 1\n")
    project.write("data/lookup.json", '{"x": 3}')


def run(project, *args, env=None):
    return project.run("specs", "--mode", "isolation", *args, env=env)


def ran(out) -> set[str]:
    """The ids of the cases that ran (not served from the cache)."""
    assert out.record is not None, out.stdout + out.stderr
    return {c["id"] for c in out.record["cases"] if not c["cached"]}


def served(out) -> set[str]:
    assert out.record is not None, out.stdout + out.stderr
    return {c["id"] for c in out.record["cases"] if c["cached"]}


def warm(project, *args):
    """A first run (everything runs and passes), then an unchanged one (everything served)."""
    first = run(project, *args)
    assert first.code == 0, first.stdout + first.stderr
    assert ran(first) == ALPHA_CASES | BETA_CASES
    again = run(project, *args)
    assert again.code == 0, again.stdout + again.stderr
    assert ran(again) == set() and served(again) == ALPHA_CASES | BETA_CASES
    return again


def test_an_unchanged_rerun_is_served_and_reported_as_cached(project):
    make(project)
    again = warm(project)
    assert "PASSED (cached) rc::alpha[one]" in again.stdout
    assert "4 passed (4 cached) in" in again.stdout
    assert again.record["cached"] == 4
    case = again.case("alpha[one]")
    assert case["details"]["cache"]["key"] and case["seed"] is not None and case["metrics"] is not None


def test_editing_a_script_reruns_exactly_its_cases(project):
    make(project)
    warm(project)
    project.write("alpha.py", ALPHA + "\n# a comment is an edit too\n")
    after = run(project)
    assert after.code == 0, after.stdout
    assert ran(after) == ALPHA_CASES and served(after) == BETA_CASES


def test_editing_a_helper_module_the_script_imports_reruns_exactly_its_cases(project):
    make(project)
    warm(project)
    project.write("helpers/unused.py", "X = 2\n")          # imported by nobody: nothing reruns
    assert ran(run(project)) == set()
    project.write("helpers/clip.py", CLIP + "\nLIMIT = 9\n")
    after = run(project)
    assert ran(after) == BETA_CASES and served(after) == ALPHA_CASES


def test_editing_a_fixture_reruns_exactly_the_cases_that_read_it(project):
    make(project)
    warm(project)
    project.write("data/lookup.json", '{"x": 4}')
    after = run(project)
    assert ran(after) == ALPHA_CASES and served(after) == BETA_CASES


@pytest.mark.slow
def test_editing_a_schema_reruns_exactly_the_cases_whose_ports_use_it(project):
    spec = SPEC.replace("schemas:\n", "schemas:\n  other:\n    columns:\n      y: {type: int}\n")
    make(project, spec)
    warm(project)
    project.write("specs/rc.yaml", spec.replace("y: {type: int}", "y: {type: float}"))   # used by no port
    assert ran(run(project)) == set()
    # beta reads and writes `numbers`, alpha writes it: a schema both use reruns both ...
    project.write("specs/rc.yaml", spec.replace("x: {type: int, min: 0, max: 9}", "x: {type: int, min: 0, max: 8}"))
    assert ran(run(project)) == ALPHA_CASES | BETA_CASES
    # ... and a scenario's rows rerun only that scenario's cases
    edited = spec.replace("x: {type: int, min: 0, max: 9}", "x: {type: int, min: 0, max: 8}")
    project.write("specs/rc.yaml", edited.replace("two: {rows: 8}", "two: {rows: 9}"))
    assert ran(run(project)) == {"rc::alpha[two]", "rc::beta[two]"}


@pytest.mark.slow
def test_a_broken_edit_is_never_served_from_the_cache(project):
    """The green must mean the script works: a passing result stored for the old script is
    not the verdict on the new one."""
    make(project)
    warm(project)
    project.write("helpers/clip.py", "def clip(values):\n    raise ValueError('clip broke')\n")
    broken = run(project)
    assert broken.code == 1, broken.stdout
    assert ran(broken) == BETA_CASES
    assert {c["id"]: c["outcome"] for c in broken.record["cases"] if not c["cached"]} == {
        "rc::beta[one]": "failed", "rc::beta[two]": "failed"}
    again = run(project)   # still broken: the stored failure is served, and still fails the run
    assert again.code == 1
    assert served(again) == ALPHA_CASES | BETA_CASES
    assert "FAILED (cached) rc::beta[one]" in again.stdout
    assert "clip broke" in again.stdout   # the FAILURES block of the stored record
    assert "2 failed (2 cached), 2 passed (2 cached)" in again.stdout


def test_a_package_version_change_reruns_the_cases_whose_script_imports_it(project):
    """A real distribution on PYTHONPATH whose version changes (its dist-info renamed and
    rewritten, as an upgrade does): only the step that imports it reruns."""
    make(project)
    site = project.root / "site"
    (site / "fakepkg").mkdir(parents=True)
    (site / "fakepkg" / "__init__.py").write_text("FACTOR = 1\n")

    def install(version: str) -> None:
        for old in site.glob("fakepkg-*.dist-info"):
            for item in old.iterdir():
                item.unlink()
            old.rmdir()
        info = site / f"fakepkg-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakepkg\nVersion: {version}\n")
        (info / "top_level.txt").write_text("fakepkg\n")
        (info / "RECORD").write_text("fakepkg/__init__.py,,\n")

    install("1.0")
    project.write("alpha.py", "import fakepkg\n" + textwrap.dedent(ALPHA))
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH", "")]))}
    first = run(project, env=env)
    assert first.code == 0, first.stdout + first.stderr
    assert run(project, env=env).record["cached"] == 4
    install("1.1")
    after = run(project, env=env)
    assert after.code == 0, after.stdout
    assert ran(after) == ALPHA_CASES and served(after) == BETA_CASES


@pytest.mark.slow
def test_no_cache_runs_everything_and_cache_clear_forgets(project):
    make(project)
    warm(project)
    bypass = run(project, "--no-cache")
    assert ran(bypass) == ALPHA_CASES | BETA_CASES
    assert "cached" not in bypass.stdout
    assert ran(run(project)) == set()                     # --no-cache stored nothing, removed nothing
    cleared = run(project, "--cache-clear")
    assert ran(cleared) == ALPHA_CASES | BETA_CASES
    assert ran(run(project)) == set()


@pytest.mark.slow
def test_a_run_without_a_fixed_seed_is_never_served(project):
    """No --seed and no defaults.seed: every run draws a fresh seed, so nothing is served;
    with --seed, the same seed is served and another seed is not."""
    make(project, SPEC.replace("defaults: {seed: 7}\n", ""))
    assert ran(run(project)) == ALPHA_CASES | BETA_CASES
    assert ran(run(project)) == ALPHA_CASES | BETA_CASES
    assert ran(run(project, "--seed", "5")) == ALPHA_CASES | BETA_CASES
    assert ran(run(project, "--seed", "5")) == set()
    assert ran(run(project, "--seed", "6")) == ALPHA_CASES | BETA_CASES


def test_parallel_cases_share_the_store(project):
    """-n 2: two threads store and serve entries at once; every entry is whole."""
    make(project)
    warm(project, "-n", "2")
    entries = list((project.root / ".specrun" / "cache" / "results").rglob("*.json"))
    assert len(entries) == 4
    for entry in entries:
        assert json.loads(entry.read_text())["result"]["outcome"] == "passed"


def test_the_cache_size_limit_evicts_the_least_recently_used(project):
    make(project)
    run(project, "--cache-size", "1B")     # each entry is over the limit: only the newest survives
    entries = list((project.root / ".specrun" / "cache" / "results").rglob("*.json"))
    assert len(entries) == 1
    again = run(project)                   # the default limit: the survivor is served, the rest run
    assert len(ran(again)) == 3 and len(served(again)) == 1


def test_cache_size_in_the_project_config(project):
    make(project)
    project.write("pyproject.toml", '[tool.specrun]\ncache_size = "1B"\n')
    run(project)
    assert len(list((project.root / ".specrun" / "cache" / "results").rglob("*.json"))) == 1
    project.write("pyproject.toml", '[tool.specrun]\ncache_size = "lots"\n')
    bad = run(project)
    assert bad.code == 4
    assert "pyproject.toml:2: tool.specrun.cache_size:" in bad.stderr


def test_a_bad_cache_size_flag_is_a_usage_error(project):
    make(project)
    out = run(project, "--cache-size", "huge")
    assert out.code == 2
    assert "--cache-size" in out.stderr and "memory size" in out.stderr




@pytest.mark.slow
def test_runs_that_must_do_the_work_are_never_served(project):
    """--cov measures the lines a script runs and --accept / --update-snapshots write
    snapshots: a served record would do neither, so such runs run every case."""
    make(project)
    warm(project)
    for flag in ("--cov", "--accept", "--update-snapshots"):
        out = run(project, flag)
        assert out.code == 0, out.stdout + out.stderr
        assert served(out) == set() and ran(out) == ALPHA_CASES | BETA_CASES, flag


def test_a_command_step_reruns_when_the_file_its_command_names_changes(project):
    spec = SPEC.replace("    script: ../alpha.py\n    call: main\n",
                        '    command: [sh, ../alpha.sh, "{inputs.lookup}", "{outputs.out}"]\n')
    make(project, spec)
    project.write("alpha.sh", 'printf "x\\n3\\n" > "$2"\n')
    warm(project)
    project.write("alpha.sh", 'printf "x\\n4\\n" > "$2"\n')
    after = run(project)
    assert after.code == 0, after.stdout + after.stderr
    assert ran(after) == ALPHA_CASES and served(after) == BETA_CASES


def test_a_step_in_its_own_interpreter_is_never_served(project, tmp_path):
    import sys

    spec = SPEC.replace("    script: ../alpha.py\n", f"    script: ../alpha.py\n    python: {sys.executable}\n")
    make(project, spec)
    first = run(project)
    assert first.code == 0, first.stdout + first.stderr
    again = run(project)
    assert ALPHA_CASES <= ran(again) and served(again) == BETA_CASES   # its packages are not in the key
