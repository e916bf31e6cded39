"""Where plugins come from (entry points, -p, project config, a spec's plugins:),
how they are blocked, and what a broken or missing one does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from plugin_project import COPY_SCRIPT, PluginProject

# A plugin module: adds a column type `even` (even integers) and says it is here.
EVEN_PLUGIN = '''
"""Even integers."""
import numpy as np
import pandas as pd
import pandera.pandas as pa
from hypothesis import strategies as st

from specrun.plugin import hookimpl

__version__ = "2.5"


class Even:
    name = "even"

    def dtype(self, column):
        return "int64"

    def checks(self, column):
        return [pa.Check(lambda s: s % 2 == 0, name="even")]

    def vectorised(self, column, rows, rng):
        return pd.Series(rng.integers(0, 500, rows) * 2, dtype="int64")

    def strategy(self, column):
        return st.integers(0, 500).map(lambda n: n * 2)

    def boundary_values(self, column):
        return [0, 1000]

    def extreme_values(self, column):
        return [2 ** 40]

    def wrong_dtype_values(self, column):
        return ["two"]


@hookimpl
def specrun_column_types():
    return [Even()]
'''


def plugin_rows(project: PluginProject, *args: str, autoload: bool = False,
                env: dict[str, str] | None = None) -> dict[str, dict]:
    out = project.root / "plugins.json"
    run = project.run("plugins", *args, "--json", str(out), autoload=autoload, env=env)
    assert run.code == 0, run.output
    return {row["name"]: row for row in json.loads(out.read_text())}


def fake_distribution(site: Path, module: str = "demo_plugin", name: str = "demo",
                      body: str = EVEN_PLUGIN) -> None:
    """An installed distribution on a path entry: a module and a dist-info with an
    entry point in the ``specrun`` group (what pip writes, without pip)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(body)
    info = site / f"{module.replace('_', '-')}-1.4.0.dist-info".replace("-", "_", 1)
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.4.0\n")
    (info / "entry_points.txt").write_text(f"[specrun]\n{name} = {module}\n")


def test_entry_point_plugin_is_loaded_listed_and_blockable(project: PluginProject) -> None:
    fake_distribution(project.root / "site")
    env = project.env(autoload=True, PYTHONPATH=str(project.root / "site"))
    rows = plugin_rows(project, env=env)
    assert rows["demo"]["origin"] == "demo-plugin" and rows["demo"]["version"] == "1.4.0"
    assert rows["demo"]["hooks"] == ["specrun_column_types"]
    assert rows["isolation"]["origin"] == "built-in"
    assert "demo" not in plugin_rows(project, "-p", "no:demo", env=env)
    assert "demo" not in plugin_rows(project, env={**env, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_entry_point_plugin_type_used_in_a_run(project: PluginProject) -> None:
    fake_distribution(project.root / "site")
    project.copy_spec()
    spec = project.root / "spec.yaml"
    spec.write_text(spec.read_text().replace("id: {type: int, unique: true}", "id: {type: even}"))
    run = project.run("spec.yaml", env=project.env(autoload=True, PYTHONPATH=str(project.root / "site")))
    assert run.code == 0, run.output
    blocked = project.run("spec.yaml", "-p", "no:demo",
                          env=project.env(autoload=True, PYTHONPATH=str(project.root / "site")))
    assert blocked.code == 4 and "unknown column type 'even'" in blocked.output.replace('"', "'")


def test_broken_entry_point_is_named_exit_3(project: PluginProject) -> None:
    fake_distribution(project.root / "site", body="raise RuntimeError('cannot start')\n")
    run = project.run("plugins", env=project.env(autoload=True, PYTHONPATH=str(project.root / "site")))
    assert run.code == 3
    assert "plugin 'demo' failed to load: RuntimeError: cannot start" in run.stderr


def test_dash_p_loads_a_local_module(project: PluginProject) -> None:
    project.write("tools/even.py", EVEN_PLUGIN)
    rows = plugin_rows(project, "-p", "tools.even")
    assert rows["tools.even"]["origin"].startswith("local (") and rows["tools.even"]["version"] == "2.5"
    missing = project.run("plugins", "-p", "tools.nope")
    assert missing.code == 3 and "plugin 'tools.nope' failed to load: ModuleNotFoundError" in missing.stderr


def test_pyproject_and_specrun_toml_plugins(project: PluginProject) -> None:
    project.write("tools/even.py", EVEN_PLUGIN)
    project.write("pyproject.toml", '[tool.specrun]\nplugins = ["tools.even"]\n')
    assert "tools.even" in plugin_rows(project)
    assert "tools.even" not in plugin_rows(project, "-p", "no:tools.even")
    project.write("specrun.toml", "plugins = []\n")       # specrun.toml wins in the same folder
    assert "tools.even" not in plugin_rows(project)


def test_project_config_found_from_a_subfolder(project: PluginProject) -> None:
    project.write("tools/even.py", EVEN_PLUGIN)
    project.write("specrun.toml", 'plugins = ["tools.even"]\n')
    project.copy_spec(name="specs/spec.yaml")
    project.write("specs/copy_rows.py", COPY_SCRIPT)
    spec = project.root / "specs" / "spec.yaml"
    spec.write_text(spec.read_text().replace("id: {type: int, unique: true}", "id: {type: even}"))
    proc = subprocess.run([sys.executable, "-m", "specrun", "spec.yaml"], cwd=project.root / "specs",
                          capture_output=True, text=True, env=project.env(), timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bad_project_config_is_a_located_error(project: PluginProject) -> None:
    project.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.specrun]\nplugin = ["a"]\n')
    run = project.run("plugins")
    assert run.code == 4
    assert f"{project.root / 'pyproject.toml'}:5: tool.specrun.plugin: unknown key 'plugin'" in run.stderr
    project.write("pyproject.toml", '[tool.specrun.modes.isolation]\nscenarios = ["standard"]\nbogus = 1\n')
    run = project.run("plugins")
    assert run.code == 4
    where = f"{project.root / 'pyproject.toml'}:3: tool.specrun.modes.isolation.bogus"
    assert f"{where}: unknown option 'bogus'" in run.stderr


def test_spec_plugins_load_before_the_spec_is_validated(project: PluginProject) -> None:
    project.write("plugins/even.py", EVEN_PLUGIN)
    project.copy_spec(extra="plugins: [plugins.even]")
    spec = project.root / "spec.yaml"
    spec.write_text(spec.read_text().replace("id: {type: int, unique: true}", "id: {type: even}"))
    run = project.run("spec.yaml")
    assert run.code == 0, run.output
    assert run.cases()[0]["outcome"] == "passed"
    assert "plugins.even" in plugin_rows(project, "spec.yaml")
    # relative to the spec's folder too, when run from elsewhere
    elsewhere = project.root / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-m", "specrun", str(spec)], cwd=elsewhere,
                          capture_output=True, text=True, env=project.env(), timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_missing_spec_plugin_is_a_spec_error_at_its_line(project: PluginProject) -> None:
    project.copy_spec(extra="plugins:\n  - plugins.nope")
    run = project.run("spec.yaml")
    assert run.code == 4, run.output
    assert f"{project.root / 'spec.yaml'}:4: plugins.0: plugin 'plugins.nope' not found" in run.stdout
    assert run.record is not None and run.record["exit_code"] == 4      # reported like any spec error
    listed = project.run("plugins", "spec.yaml")
    assert listed.code == 4 and "plugins.0: plugin 'plugins.nope' not found" in listed.stderr


def test_spec_plugin_failing_to_import_is_named_exit_3(project: PluginProject) -> None:
    project.write("plugins/broken.py", "import json\nraise ValueError('no config for broken')\n")
    project.copy_spec(extra="plugins: [plugins.broken]")
    run = project.run("spec.yaml")
    assert run.code == 3, run.output
    assert "plugin 'plugins.broken' failed to load: ValueError: no config for broken" in run.stderr
    assert "Traceback" not in run.stderr
    project.write("plugins/broken.py", "import not_installed_dependency\n")
    run = project.run("spec.yaml")
    assert run.code == 3
    assert "plugin 'plugins.broken' failed to load: ModuleNotFoundError" in run.stderr


def test_blocking_builtins(project: PluginProject) -> None:
    assert "junit" not in plugin_rows(project, "-p", "no:junit")
    run = project.run("plugins", "-p", "no:selection")
    assert run.code == 2 and "essential" in run.stderr
    project.copy_spec(extra="plugins: [plugins.even]")
    project.write("plugins/even.py", EVEN_PLUGIN)
    run = project.run("spec.yaml", "-p", "no:plugins.even")  # a blocked spec plugin is not loaded
    assert run.code == 0, run.output
