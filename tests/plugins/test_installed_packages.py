"""The two plugin packages of plugins/, installed with pip into a fresh virtualenv,
are found through their entry points alone (no -p, no project config).

specrun and its dependencies are made visible to the new environment through a
``.pth`` file pointing at a view of this environment's site-packages (symlinks,
without any installed copy of the two plugins), so nothing is downloaded; pip
builds each package offline without build isolation, with this environment's
setuptools and wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {"drift": "specrun-drift", "markdown": "specrun-markdown"}
_PLUGIN_FILES = re.compile(r"specrun[_-](drift|markdown)", re.IGNORECASE)


def dependency_view(target: Path) -> Path:
    """This environment's site-packages as symlinks, minus any installed plugin package."""
    target.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if _PLUGIN_FILES.search(entry.name):
            continue
        if entry.suffix == ".pth" and _PLUGIN_FILES.search(entry.read_text(errors="replace")):
            continue
        (target / entry.name).symlink_to(entry)
    return target


def run(python: Path, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SPECRUN_") and k not in ("PYTHONPATH", "GITHUB_STEP_SUMMARY")}
    env["COLUMNS"] = "200"
    return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def plugin_names(python: Path, cwd: Path) -> dict[str, dict]:
    out = cwd / "plugins.json"
    proc = run(python, "-m", "specrun", "plugins", "--json", str(out), cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {row["name"]: row for row in json.loads(out.read_text())}


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=root).stdout.strip())
    view = dependency_view(root / "deps")
    (purelib / "zz_specrun_deps.pth").write_text(f"import site; site.addsitedir({str(view)!r})\n")
    return python


@pytest.mark.slow
def test_packages_are_discovered_through_their_entry_points(fresh_python: Path, tmp_path: Path) -> None:
    before = plugin_names(fresh_python, tmp_path)
    assert "isolation" in before and not set(PACKAGES) & set(before)
    for folder in PACKAGES.values():
        source = tmp_path / "src" / folder   # a clean copy: building writes egg-info next to the code
        shutil.copytree(REPO / "plugins" / folder, source,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
        proc = run(Path(sys.executable), "-m", "pip", "--python", str(fresh_python), "install", "--no-deps",
                   "--no-build-isolation", "--no-index", "--disable-pip-version-check", str(source), cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    after = plugin_names(fresh_python, tmp_path)
    for name, folder in PACKAGES.items():
        assert (after[name]["origin"], after[name]["version"]) == (folder, "0.1.0")
    assert after["drift"]["hooks"] == ["specrun_modes"]
    assert after["markdown"]["hooks"] == ["specrun_addoption", "specrun_reporters"]

    # a real run: the drift mode from the spec, the Markdown summary from its option
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "rows.csv").write_text("n\n" + "\n".join(str(i % 10) for i in range(400)) + "\n")
    (tmp_path / "copy_rows.py").write_text(textwrap.dedent('''
        import shutil


        def main(input_paths, output_paths, environ_vars, job_args):
            shutil.copy(input_paths["rows"], output_paths["out"])
        '''))
    (tmp_path / "spec.yaml").write_text(textwrap.dedent('''
        version: 1
        pipeline: fresh
        defaults: {timeout: 60, seed: 4}
        schemas:
          rows: {columns: {n: {type: int, min: 0, max: 9}}}
        steps:
          copy:
            script: copy_rows.py
            call: main
            inputs: {rows: {format: csv, schema: rows}}
            outputs: {out: {format: csv, schema: rows}}
        modes:
          isolation: {enabled: false}
          drift: {reference: ref, rows: 400}
        '''))
    proc = run(fresh_python, "-m", "specrun", "spec.yaml", "--markdown", "summary.md", "--json", "r.json",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [case] = json.loads((tmp_path / "r.json").read_text())["cases"]
    assert (case["id"], case["outcome"]) == ("fresh::copy[drift]", "passed")
    assert "| drift | 1 | 0 | 0 | 0 |" in (tmp_path / "summary.md").read_text()
