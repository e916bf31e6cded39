"""The typed plugin boundary: a misspelt or unmarked hook and a column type registered
twice are errors naming the plugin (exit 3, one line), never silently ignored."""

from __future__ import annotations

import pytest
from plugin_project import PluginProject
from test_plugin_discovery import EVEN_PLUGIN

from specrun.contract.types import TypeRegistry
from specrun.plugin_types import PluginError

MISSPELT = '''
from specrun.plugin import hookimpl


@hookimpl
def specrun_sesionstart(session):
    print("SESSION STARTED")
'''

UNMARKED = '''
def specrun_sessionstart(session):
    print("SESSION STARTED")
'''


def test_a_misspelt_hook_in_a_command_line_plugin_is_named(project: PluginProject) -> None:
    project.write("misspelt.py", MISSPELT)
    project.copy_spec()
    run = project.run("-p", "misspelt", "spec.yaml")
    assert run.code == 3, run.output
    assert "specrun: plugin 'misspelt': unknown hook 'specrun_sesionstart' (did you mean " \
           "'specrun_sessionstart'?)" in run.stderr
    assert "Traceback" not in run.stderr and "SESSION STARTED" not in run.output


def test_a_misspelt_hook_in_a_spec_plugin_is_named(project: PluginProject) -> None:
    project.write("plugins/misspelt.py", MISSPELT)
    project.copy_spec(extra="plugins: [plugins.misspelt]")
    run = project.run("spec.yaml")
    assert run.code == 3, run.output
    assert "plugin 'plugins.misspelt': unknown hook 'specrun_sesionstart'" in run.stderr


def test_a_hook_not_marked_hookimpl_is_named(project: PluginProject) -> None:
    project.write("unmarked.py", UNMARKED)
    project.copy_spec()
    run = project.run("-p", "unmarked", "spec.yaml")
    assert run.code == 3, run.output
    assert "plugin 'unmarked': 'specrun_sessionstart' is not marked @hookimpl" in run.stderr


def test_correct_hooks_still_load(project: PluginProject) -> None:
    project.write("fine.py", MISSPELT.replace("sesionstart", "sessionstart"))
    project.copy_spec()
    run = project.run("-p", "fine", "spec.yaml")
    assert run.code == 0, run.output
    assert "SESSION STARTED" in run.output


def test_a_column_type_registered_twice_is_named(project: PluginProject) -> None:
    project.write("even_one.py", EVEN_PLUGIN)
    project.write("even_two.py", EVEN_PLUGIN)
    project.copy_spec()
    run = project.run("-p", "even_one", "-p", "even_two", "spec.yaml")
    assert run.code == 3, run.output
    assert "plugin 'even_two': column type 'even' is already registered by plugin 'even_one'" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_plugin_cannot_replace_a_built_in_type(project: PluginProject) -> None:
    project.write("int_again.py", EVEN_PLUGIN.replace('name = "even"', 'name = "int"'))
    project.copy_spec()
    run = project.run("-p", "int_again", "spec.yaml")
    assert run.code == 3, run.output
    assert "plugin 'int_again': column type 'int' is already registered by plugin 'builtin_types'" in run.stderr


def test_the_registry_refuses_a_name_twice() -> None:
    registry = TypeRegistry.builtin()
    with pytest.raises(PluginError, match="column type 'int' is already registered"):
        registry.add(registry.get("int"))
