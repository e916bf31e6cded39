"""``--help`` lists the options without importing the modes: the light option modules
(``config.OPTION_PLUGINS``) must add exactly what the built-in plugins add."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from specrun.commands import COMMAND_MODULES, COMMAND_SUMMARIES
from specrun.commands.parsers import command_parser
from specrun.config import OPTION_PLUGINS, build_parser, load_plugins
from specrun.hooks import DEFAULT_PLUGINS


def option_strings(parser: argparse.ArgumentParser) -> dict[str, tuple[str | None, str | None]]:
    return {flag: (action.dest, action.help) for action in parser._actions for flag in action.option_strings}


def test_the_light_option_plugins_add_what_the_plugins_add(monkeypatch) -> None:
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    full = option_strings(build_parser(load_plugins([])))
    light = option_strings(build_parser(load_plugins([], options_only=True)))
    assert light == full


def test_every_built_in_plugin_adding_options_has_a_light_option_module() -> None:
    for name, module in DEFAULT_PLUGINS:
        hook = getattr(importlib.import_module(module), "specrun_addoption", None)
        if hook is None:
            assert name not in OPTION_PLUGINS
            continue
        assert name in OPTION_PLUGINS, f"{name}: add its options module to config.OPTION_PLUGINS"
        assert importlib.import_module(OPTION_PLUGINS[name]).specrun_addoption is hook   # re-exported, one copy


def test_a_blocked_plugins_options_are_hidden_in_help_too(monkeypatch) -> None:
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    light = option_strings(build_parser(load_plugins(["-p", "no:pipeline"], options_only=True)))
    assert "--from" not in light and "--max-examples" in light


def test_listing_the_options_imports_neither_pandas_nor_a_mode() -> None:
    code = ("import sys; from specrun.config import build_parser, load_plugins; "
            "build_parser(load_plugins([], options_only=True)); "
            "print(sorted(m for m in sys.modules if m in ('pandas', 'pandera', 'hypothesis', 'numpy') "
            "or m.endswith('.mode')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("command", sorted(set(COMMAND_MODULES) - {"check"}))
def test_every_command_has_a_parser_and_a_summary(command: str) -> None:
    parser = command_parser(command)
    assert parser.prog == f"specrun {command}"
    assert COMMAND_SUMMARIES[command] in parser.format_help()


def test_every_option_is_documented_in_docs_cli_md(monkeypatch) -> None:
    from pathlib import Path

    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    docs = (Path(__file__).resolve().parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    parsers = [build_parser(load_plugins([]))] + [command_parser(c) for c in sorted(set(COMMAND_MODULES) - {"check"})]
    flags = {flag for parser in parsers for flag in option_strings(parser) if flag.startswith("--")} - {"--help"}
    import re

    assert sorted(f for f in flags if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", docs)) == []


def test_version_answers_before_any_plugin_or_spec_module_is_imported() -> None:
    code = ("import sys; from specrun.cli import main; code = main(['--version']); "
            "print(code, sorted(m for m in sys.modules if m in ('pluggy', 'strictyaml', 'specrun.config', "
            "'specrun.hooks', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.splitlines()[-1] == "0 []", out.stdout
