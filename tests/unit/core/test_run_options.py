"""The run's typed options: read once from the command line, defaults equal argparse's,
frozen, every option has a typed field, and no built-in code reads the raw namespace
with ``getattr(config, ...)``."""

from __future__ import annotations

import argparse
import ast
import dataclasses
from pathlib import Path

import pytest

import specrun
from specrun.commands.history import HistoryQuery
from specrun.commands.parsers import command_parser
from specrun.config import build_parser
from specrun.hooks import DEFAULT_PLUGINS, make_plugin_manager
from specrun.modes.deep_dive.cli_options import DeepDiveRunOptions
from specrun.modes.isolation.property_run import PropertyRunOptions
from specrun.modes.pipeline.mode import PipelineRunOptions
from specrun.plan import PlannedCase
from specrun.report.events import EventsOptions
from specrun.report.history.options import HistoryOptions
from specrun.run_options import NamespaceOptions, RunOptions
from specrun.session import Session, select_cases

SRC = Path(specrun.__file__).parent


def parser(with_plugins: bool) -> argparse.ArgumentParser:
    import importlib

    pm = make_plugin_manager()
    if with_plugins:
        for name, module in DEFAULT_PLUGINS:
            pm.register(importlib.import_module(module), name=name)
    return build_parser(pm)


def dests(kind: type[NamespaceOptions]) -> set[str]:
    return {f.metadata.get("dest", f.name) for f in dataclasses.fields(kind)}  # type: ignore[arg-type]


# -- reading the command line ---------------------------------------------------------

def test_fields_are_read_typed_from_the_parsed_command_line() -> None:
    ns = parser(False).parse_args(["a.yaml", "b", "-k", "x and y", "--id", "p::s[a]", "--id", "p::s[b]",
                                   "--step", "s", "--mode", "pipeline", "--seed", "7", "-x", "-n", "3",
                                   "--executor", "fork", "--keep-sandboxes", "--workspace", "ws",
                                   "--json", "r.json", "--junitxml", "j.xml", "-vv", "-q", "-p", "mod"])
    ns.project_modes = {"isolation": {"timeout": 5}}
    options = RunOptions.from_namespace(ns)
    assert options.paths == ("a.yaml", "b")
    assert options.keyword == "x and y"
    assert options.ids == ("p::s[a]", "p::s[b]")
    assert options.step == ("s",) and options.scenario == () and options.mode == ("pipeline",)
    assert options.seed == 7 and options.exitfirst is True and options.jobs == 3
    assert options.executor == "fork" and options.keep_sandboxes is True and options.workspace == "ws"
    assert options.json_path == "r.json" and options.junitxml == "j.xml"
    assert options.verbosity == 1 and options.plugins == ("mod",)
    assert options.project_modes["isolation"] == {"timeout": 5}


def test_defaults_are_the_command_lines_defaults() -> None:
    """An option not given and an attribute missing from a hand-built namespace read the same."""
    from_parser = RunOptions.from_namespace(parser(False).parse_args([]))
    assert from_parser == RunOptions()
    assert RunOptions.from_namespace(argparse.Namespace()) == RunOptions()


def test_none_reads_as_not_given() -> None:
    ns = argparse.Namespace(workspace=None, quiet=None, jobs=None, ids=None, seed=None)
    options = RunOptions.from_namespace(ns)
    assert options.workspace == ".specrun" and options.quiet == 0 and options.ids == () and options.seed is None


def test_values_are_not_coerced() -> None:
    """argparse typed them; a hand-built namespace's values are taken as they are."""
    assert RunOptions.from_namespace(argparse.Namespace(seed=0)).seed == 0
    assert RunOptions.from_namespace(argparse.Namespace(jobs="2")).jobs == "2"


def test_the_options_are_frozen() -> None:
    options = RunOptions.from_namespace(argparse.Namespace(ids=["a"], project_modes={"x": {}}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.seed = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        options.project_modes["y"] = {}  # type: ignore[index]
    assert isinstance(options.ids, tuple)


def test_every_option_of_the_command_has_a_typed_field() -> None:
    """A new core option without a field of RunOptions would be read with getattr again."""
    given = set(vars(parser(False).parse_args([])))
    assert given <= dests(RunOptions), given - dests(RunOptions)


# the deep-dive options only ``specrun snapshot`` / ``specrun compare`` take (commands/parsers.py)
COMMAND_ONLY = {"snapshot_to", "psi_threshold", "ks_threshold"}


def test_every_option_a_built_in_plugin_adds_has_a_typed_field_of_that_plugin() -> None:
    owned = {kind: dests(kind) for kind in (PropertyRunOptions, PipelineRunOptions, DeepDiveRunOptions, EventsOptions,
                                            HistoryOptions)}
    given = set(vars(parser(True).parse_args([]))) - dests(RunOptions)
    assert given == set().union(*owned.values()) - COMMAND_ONLY


@pytest.mark.parametrize("command", ["plugins", "replay", "compare", "snapshot", "schema"])
def test_every_option_of_a_sub_command_has_a_typed_field(command: str) -> None:
    args = {"replay": ["id"], "compare": ["a", "b"], "snapshot": ["arn", "--to", "d"]}.get(command, [])
    given = set(vars(command_parser(command).parse_args(args)))
    assert given <= dests(RunOptions) | dests(DeepDiveRunOptions), given - dests(RunOptions) - dests(DeepDiveRunOptions)


@pytest.mark.parametrize("command", ["history", "report"])
def test_every_option_of_the_history_reading_commands_has_a_typed_field(command: str) -> None:
    args = ["rec.json", "--html", "x.html"] if command == "report" else []
    given = set(vars(command_parser(command).parse_args(args)))
    typed = dests(RunOptions) | dests(HistoryOptions) | dests(HistoryQuery)
    assert given <= typed, given - typed


def test_the_history_options_are_read_typed() -> None:
    query = HistoryQuery.from_namespace(command_parser("history").parse_args(
        ["--regressions", "--baseline", "latest~2", "--threshold", "25%", "--time-floor", "500ms"]))
    assert query.regressions and str(query.baseline) == "latest~2" and query.run is None
    assert query.thresholds().ratio == 0.25 and query.thresholds().time_floor_s == 0.5
    assert query.thresholds().memory_floor_bytes == 32 * 2**20 and query.last == 10


def test_the_built_in_plugins_options_are_read_typed() -> None:
    ns = parser(True).parse_args(["--max-examples", "4", "--no-shrink", "--from", "p::b", "--refresh",
                                  "--sample-size", "0", "--region", "eu-west-1", "--aws-profile", "dev",
                                  "--endpoint-url", "http://s3", "--events", "ev.ndjson"])
    assert PropertyRunOptions.from_namespace(ns) == PropertyRunOptions(max_examples=4, no_shrink=True)
    assert PipelineRunOptions.from_namespace(ns).from_step == "p::b"
    deep = DeepDiveRunOptions.from_namespace(ns)
    assert deep.refresh and deep.snapshot_to is None and deep.psi_threshold is None
    snapshot = DeepDiveRunOptions.from_namespace(command_parser("snapshot").parse_args(["arn", "--to", "snap"]))
    assert snapshot.snapshot_to == "snap"
    compare = DeepDiveRunOptions.from_namespace(command_parser("compare").parse_args(
        ["a", "b", "--psi-threshold", "0.3", "--sample-size", "5"]))
    assert compare.psi_threshold == 0.3 and compare.ks_threshold is None and compare.sample_size == 5
    # a value given on the command line wins over the spec's, 0 included (checked where it is used)
    assert deep.mode_overrides() == {"sample_size": 0, "endpoint_url": "http://s3", "region": "eu-west-1",
                                     "profile": "dev"}
    assert DeepDiveRunOptions.from_namespace(parser(True).parse_args([])).mode_overrides() == {}
    assert EventsOptions.from_namespace(ns).events_path == "ev.ndjson"


def test_a_blocked_plugins_options_read_as_not_given() -> None:
    """``-p no:deep_dive``: its options are not on the command line; its dataclass reads defaults."""
    assert DeepDiveRunOptions.from_namespace(parser(False).parse_args([])) == DeepDiveRunOptions()


def test_plans_only() -> None:
    assert RunOptions(collect_only=True).plans_only and RunOptions(check_only=True).plans_only
    assert not RunOptions().plans_only


# -- the session reads them -----------------------------------------------------------

def test_the_session_reads_its_options_once_from_a_hand_built_namespace(tmp_path: Path) -> None:
    ns = argparse.Namespace(workspace=str(tmp_path / "ws"), seed=11, argv=["x.yaml"], project_modes={"m": {"a": 1}})
    session = Session(ns, make_plugin_manager())
    assert session.config is ns
    assert session.options == RunOptions.from_namespace(ns)
    assert session.workspace == (tmp_path / "ws").resolve()
    assert session.seed == 11 and session.result.args == ["x.yaml"]
    assert session.project_modes == {"m": {"a": 1}}


def test_select_cases_applies_ids_scenarios_steps_and_keyword() -> None:
    cases = [PlannedCase(f"p::{step}[{sc}]", "isolation", "p", step, sc) for step in ("a", "b") for sc in ("x", "y")]

    def chosen(**given: object) -> list[str]:
        return [c.id for c in select_cases(cases, RunOptions.from_namespace(argparse.Namespace(**given)))]

    assert chosen() == [c.id for c in cases]
    assert chosen(ids=["p::a[y]"]) == ["p::a[y]"]
    assert chosen(scenario=["x"]) == ["p::a[x]", "p::b[x]"]
    assert chosen(step=["b"]) == ["p::b[x]", "p::b[y]"]
    assert chosen(keyword="a and not x") == ["p::a[y]"]


# -- no getattr(config, ...) in built-in code -------------------------------------------

def _is_namespace(node: ast.expr) -> bool:
    """``config``, or ``X.config`` (``session.config``, ``self.config``)."""
    return ((isinstance(node, ast.Name) and node.id == "config")
            or (isinstance(node, ast.Attribute) and node.attr == "config"))


def namespace_getattrs(source: str) -> list[int]:
    """Lines where ``source`` reads the argparse namespace with ``getattr(config, ...)`` /
    ``getattr(session.config, ...)`` / ``getattr(self.config, ...)``."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and node.args and _is_namespace(node.args[0])]


def test_the_guard_finds_a_getattr_on_the_namespace() -> None:
    broken = ("def f(config, session):\n"
              "    a = getattr(config, 'seed', None)\n"
              "    b = getattr(session.config, 'jobs', None)\n"
              "    c = getattr(session.options, 'jobs', None)\n"
              "    return getattr(self.config, 'x')\n")
    assert namespace_getattrs(broken) == [2, 3, 5]


def test_built_in_code_reads_typed_options_not_the_namespace() -> None:
    found = [f"{path.relative_to(SRC)}:{line}" for path in sorted(SRC.rglob("*.py"))
             for line in namespace_getattrs(path.read_text(encoding="utf-8"))]
    assert found == [], "read the typed options (session.options, a plugin's options dataclass): " + ", ".join(found)
