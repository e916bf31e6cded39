"""docs/ci.md's workflows parse and use specrun as documented; the pre-commit hook runs
an existing command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
BLOCKS = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "ci.md").read_text(), re.DOTALL)


def _runs(steps: list[dict]) -> list[str]:
    return [step["run"] for step in steps if "run" in step]


def test_the_github_actions_workflow_parses_and_keeps_the_failures() -> None:
    workflow = yaml.safe_load(BLOCKS[0])
    steps = workflow["jobs"]["specrun"]["steps"]
    runs = _runs(steps)
    assert any(r.startswith("specrun check specs/") for r in runs)
    assert any("specrun specs/" in r and "--junitxml junit.xml" in r and "--json specrun.json" in r for r in runs)
    uploads = {step["with"]["name"]: step for step in steps if str(step.get("uses", "")).startswith(
        "actions/upload-artifact")}
    assert uploads["specrun-failures"]["if"] == "failure()"
    assert uploads["specrun-failures"]["with"]["path"].strip() == ".specrun/failures/"
    assert "junit.xml" in uploads["specrun-report"]["with"]["path"]


def test_the_gitlab_job_parses_and_reports_junit() -> None:
    job = yaml.safe_load(BLOCKS[1])["specrun"]
    assert any("specrun specs/" in line and "--junitxml junit.xml" in line for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] == "junit.xml"
    assert ".specrun/failures/" in job["artifacts"]["paths"]


def test_the_options_the_jobs_use_exist(tmp_path: Path) -> None:
    """Every option the jobs pass is one specrun accepts (parsed, nothing collected)."""
    out = subprocess.run([sys.executable, "-m", "specrun", str(tmp_path), "-n", "2", "--junitxml",
                          str(tmp_path / "j.xml"), "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert out.returncode == 5, out.stdout + out.stderr          # nothing collected, not a usage error


def test_the_pre_commit_hook_runs_specrun_check() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["specrun-check"]
    assert hook["entry"] == "specrun check" and hook["pass_filenames"] is False
    assert 'specrun = "specrun.cli:main"' in (ROOT / "pyproject.toml").read_text()
    assert yaml.safe_load(BLOCKS[2])["repos"][0]["hooks"][0]["id"] == "specrun-check"
