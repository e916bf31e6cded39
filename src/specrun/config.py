"""Command-line options and plugin loading.

Plugins come from, in order: the built-in modules (``hooks.DEFAULT_PLUGINS``),
the ``specrun`` entry-point group (unless ``SPECRUN_DISABLE_PLUGIN_AUTOLOAD`` is
set), the project config's ``plugins`` (``[tool.specrun]`` of the nearest
``pyproject.toml``, or a ``specrun.toml``), ``-p NAME`` on the command line, and
the ``plugins:`` list of each spec file (:func:`load_spec_plugins`, before the
specs are validated).  ``-p no:NAME`` blocks a plugin by its registered name (the
short module name for built-ins, e.g. ``no:junit``) or entry-point name.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pluggy

from ._version import __version__

# jobs_value, positive_int and UsageError are re-exported: they used to live here
# (see arg_types.py and errors.py).
from .arg_types import jobs_value as jobs_value
from .arg_types import positive_int as positive_int
from .arg_types import warning_filter
from .commands import COMMAND_SUMMARIES
from .commands.parsers import command_parser, commands_help
from .errors import UsageError as UsageError
from .hooks import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS, HOOK_PREFIX, make_plugin_manager
from .plugin_types import PluginError
from .project_config import ProjectConfig, load_project_config
from .spec.model import SpecError


class PluginLoadError(PluginError):
    """A plugin could not be imported or registered; the message names it."""

    def __init__(self, name: str, error: BaseException) -> None:
        self.name = name
        self.error = error
        super().__init__(f"plugin {name!r} failed to load: {type(error).__name__}: {error}")


def check_hooks(pm: pluggy.PluginManager) -> None:
    """Every ``specrun_*`` name a registered plugin defines is a known hook marked
    ``@hookimpl``; else :class:`PluginError` naming the plugin and the hook (with the
    closest known hook), so a misspelt hook is never silently left uncalled.
    pluggy's ``check_pending`` then verifies the rest of what it knows."""
    known = sorted(name for name, caller in vars(pm.hook).items()
                   if name.startswith(HOOK_PREFIX) and caller.has_spec())
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        implemented = {caller.name for caller in pm.get_hookcallers(plugin) or () if caller.has_spec()}
        for attribute in dir(plugin):
            if not attribute.startswith(HOOK_PREFIX) or attribute in implemented:
                continue
            if attribute not in known:
                close = difflib.get_close_matches(attribute, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise PluginError(f"plugin {name!r}: unknown hook {attribute!r}{hint}")
            raise PluginError(f"plugin {name!r}: {attribute!r} is not marked @hookimpl, so it would never be called")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin) or exc.plugin!r}: {exc}") from None


def cache_size(text: str) -> int:
    """``--cache-size``: a size such as ``100MB`` (see spec/units.py)."""
    from .spec.units import parse_memory

    try:
        return parse_memory(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def early_plugin_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """``-p`` values (to load, to block) found before the real parse."""
    load: list[str] = []
    block: list[str] = []
    it = iter(range(len(argv)))
    for i in it:
        arg = argv[i]
        value = None
        if arg == "-p" and i + 1 < len(argv):
            value = argv[i + 1]
            next(it, None)
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is None:
            continue
        (block if value.startswith("no:") else load).append(value.removeprefix("no:"))
    return load, block


# For ``--help``: the light module holding each built-in plugin's ``specrun_addoption`` (the
# plugin re-exports it), registered under the plugin's name in place of the plugin, so that
# listing the options imports neither pandas nor the modes (``-p no:NAME`` hides them too).
# A built-in plugin that adds options must be listed here (tests/unit/core/test_cli_parsers.py).
OPTION_PLUGINS: dict[str, str] = {
    "property_run": "specrun.modes.isolation.property_cli",
    "pipeline": "specrun.modes.pipeline.cli_options",
    "deep_dive": "specrun.modes.deep_dive.cli_options",
    "events": "specrun.report.events",
    "history": "specrun.report.history.options",
}


def load_plugins(argv: Sequence[str], project: ProjectConfig | None = None,
                 options_only: bool = False) -> pluggy.PluginManager:
    """Build the plugin manager with every plugin this invocation asks for; ``options_only``
    (``--help``): the built-in plugins' option modules (:data:`OPTION_PLUGINS`) in their place."""
    pm = make_plugin_manager()
    to_load, blocked = early_plugin_args(argv)
    for name in blocked:
        if name in ESSENTIAL_PLUGINS:
            raise UsageError(f"-p no:{name}: plugin {name!r} is essential and cannot be blocked")
        pm.set_blocked(name)
    for name, module in DEFAULT_PLUGINS:
        if not options_only:
            register_module(pm, module, name)
        elif name in OPTION_PLUGINS:
            register_module(pm, OPTION_PLUGINS[name], name)
    if not os.environ.get("SPECRUN_DISABLE_PLUGIN_AUTOLOAD"):
        load_entry_points(pm)
    project = project if project is not None else load_project_config(Path.cwd())
    importable(project.root, Path.cwd())
    for module in [*project.plugins, *to_load]:
        register_module(pm, module, module)
    return pm


def load_entry_points(pm: pluggy.PluginManager, group: str = "specrun") -> None:
    """Register every entry point of ``group``, one at a time so a broken one is named."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=group):
        if pm.is_blocked(entry.name) or pm.has_plugin(entry.name):
            continue
        try:
            pm.load_setuptools_entrypoints(group, name=entry.name)
        except Exception as exc:  # a broken third-party package: name it
            raise PluginLoadError(entry.name, exc) from exc


def importable(*folders: Path) -> None:
    """Put ``folders`` on ``sys.path`` (once) so local plugin modules import from them."""
    for folder in reversed(folders):
        text = str(folder.absolute())
        if text not in sys.path:
            sys.path.insert(0, text)


def load_spec_plugins(pm: pluggy.PluginManager, paths: Sequence[str | Path]) -> dict[Path, SpecError]:
    """Import and register the ``plugins:`` named by the spec files under ``paths``.

    Runs before the specs are validated, since such plugins may add spec keys and
    column types.  Modules are imported relative to the spec's folder and the
    current directory.  A module that does not exist is that spec's
    :class:`SpecError` (at its ``plugins`` item; exit 4); a module that fails to
    import raises :class:`PluginLoadError` (exit 3).  Paths that do not exist are
    left for the session to report.
    """
    from .spec.loader import discover_specs, plugin_names

    errors: dict[Path, SpecError] = {}
    for path in discover_specs([Path(p) for p in paths if Path(p).exists()]):
        for name, location in plugin_names(path):
            if pm.is_blocked(name) or pm.has_plugin(name):
                continue
            importable(path.absolute().parent, Path.cwd())
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                    errors.setdefault(path.absolute(), SpecError(
                        f"plugin {name!r} not found: no module {exc.name!r} next to the spec, in the "
                        "current directory or installed", location))
                    continue
                raise PluginLoadError(name, exc) from exc
            except Exception as exc:
                raise PluginLoadError(name, exc) from exc
            if not pm.has_plugin(name) and pm.get_name(module) is None:
                pm.register(module, name=name)
    return errors


def register_module(pm: pluggy.PluginManager, module: str, name: str) -> None:
    if pm.is_blocked(name) or pm.has_plugin(name) or pm.is_blocked(module):
        return
    try:
        plugin = importlib.import_module(module)
    except Exception as exc:
        raise PluginLoadError(module, exc) from exc
    pm.register(plugin, name=name)


EXIT_CODES = ("exit codes: 0 passed, 1 failed, 2 interrupted or usage error, 3 internal error, "
              "4 spec error or path not found, 5 nothing collected")


def build_parser(pm: pluggy.PluginManager, command: str | None = None) -> argparse.ArgumentParser:
    """The parser of plain ``specrun``, and of ``specrun check`` (which plans as a run does),
    with the options plugins add (``specrun_addoption``); any other sub-command gets its own
    parser with only its options (:func:`specrun.commands.parsers.command_parser`)."""
    if command is not None and command != "check":
        return command_parser(command)
    parser = run_parser(command)
    pm.hook.specrun_addoption.call_historic(kwargs={"parser": parser})
    return parser


def command_defaults(config: argparse.Namespace) -> None:
    """Give a sub-command's namespace every run option it lacks, at its default, so that code
    reading the run's options (the session, plugins) finds them all."""
    for name, value in vars(run_parser().parse_args([])).items():
        if not hasattr(config, name):
            setattr(config, name, value)


def run_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The options of a run (``specrun [PATHS]`` or ``specrun check``), without the plugins' options."""
    if command == "check":
        parser = argparse.ArgumentParser(
            prog="specrun check", description=f"{COMMAND_SUMMARIES['check']}. Takes the options of a run.",
            epilog=EXIT_CODES)
    else:
        parser = argparse.ArgumentParser(
            prog="specrun", usage="specrun [PATH ...] [options]\n       specrun COMMAND [--help] ...",
            description="Test data-pipeline scripts from declarative YAML specs.",
            epilog=commands_help() + "\n\n" + EXIT_CODES + "\n\nsee docs/cli.md",
            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["specs"], metavar="PATH",
                        help="spec files or folders (default: specs/)")
    parser.add_argument("-V", "--version", action="version", version=f"specrun {__version__}",
                        help="print specrun's version and exit")
    select = parser.add_argument_group("selection")
    select.add_argument("-k", dest="keyword", metavar="EXPR",
                        help="only cases whose id matches EXPR (and/or/not, substrings)")
    select.add_argument("--id", dest="ids", action="append", metavar="CASE_ID",
                        help="only the case with exactly this id (repeatable)")
    select.add_argument("--scenario", action="append", metavar="NAME", help="only these scenarios (repeatable)")
    select.add_argument("--step", action="append", metavar="NAME", help="only these steps (repeatable)")
    select.add_argument("--mode", action="append", metavar="NAME",
                        help="run these modes instead of the spec's (repeatable)")
    select.add_argument("--quick", action="store_true", help="isolation mode only")
    select.add_argument("--collect-only", action="store_true", help="list the cases, run nothing")
    select.add_argument("--lf", "--last-failed", dest="last_failed", action="store_true",
                        help="only the cases that failed or errored the last time they ran (all if none did)")
    select.add_argument("--ff", "--failed-first", dest="failed_first", action="store_true",
                        help="the cases that failed last time first, then the rest")
    select.add_argument("--sw", "--stepwise", dest="stepwise", action="store_true",
                        help="stop at the first failure; the next --sw run starts from that case")
    select.add_argument("--cache-clear", action="store_true",
                        help="forget the failed cases, the --sw position and the cached results stored in "
                             "the workspace first")
    run = parser.add_argument_group("running")
    run.add_argument("--seed", type=int, help="seed of the whole run (default: the spec's, else random)")
    run.add_argument("-x", "--exitfirst", action="store_true", help="stop after the first failure")
    run.add_argument("-n", "--jobs", type=jobs_value, default=None, metavar="N",
                     help="run N cases in parallel ('auto' = CPU count)")
    run.add_argument("--executor", metavar="NAME",
                     help="how scripts run: fresh (a new interpreter, default) or fork (from a warm parent)")
    run.add_argument("--dist", choices=("dask",), default=None,
                     help="run the cases on a Dask cluster (pip install 'specrun[dask]'; docs/distributed.md)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="with --dist dask: the existing cluster's scheduler (default: [tool.specrun] "
                          "scheduler, else an embedded LocalCluster)")
    run.add_argument("--dask-workers", type=int, default=None, metavar="N",
                     help="with --dist dask: the embedded cluster's worker processes (default 2)")
    run.add_argument("--dask-dashboard", action="store_true",
                     help="with --dist dask: serve the embedded cluster's dashboard on 127.0.0.1")
    run.add_argument("--dask-transfer-cap", type=cache_size, metavar="SIZE",
                     help="with --dist dask: the most a case ships to its worker, and back (default 256MiB)")
    run.add_argument("--hermetic", action="store_true",
                     help="require the namespace sandbox: a usage error where it is not available")
    run.add_argument("--no-cache", action="store_true",
                     help="run every case, even one whose inputs are unchanged since it last ran; store nothing")
    run.add_argument("--cache-size", type=cache_size, metavar="SIZE",
                     help="the most disk the result cache takes, e.g. 100MB (default 256MiB, or "
                          "[tool.specrun] cache_size); least recently used results go first")
    run.add_argument("--keep-sandboxes", action="store_true", help="keep every case's sandbox, not only failures")
    run.add_argument("--cov", action="store_true",
                     help="measure the line coverage of each step's script with coverage.py "
                          "(pip install 'specrun[cov]')")
    run.add_argument("--update-snapshots", action="store_true",
                     help="write (or rewrite) the golden snapshots the specs name from the scripts' "
                          "outputs; a snapshot that changed is rewritten and still fails its case "
                          "(and the run) unless --accept, as does any other failure")
    run.add_argument("--recheck", action="store_true",
                     help="judge the last run's kept isolation outputs against the current contracts, "
                          "properties and golden outputs, without running the scripts")
    run.add_argument("--accept", action="store_true",
                     help="with --update-snapshots (implied): the changed snapshots are wanted, "
                          "their cases pass")
    run.add_argument("-W", dest="warning_filters", action="append", type=warning_filter, metavar="FILTER",
                     help="a warning filter for the scripts, as python -W takes it (repeatable; "
                          "e.g. error::DeprecationWarning)")
    run.add_argument("--workspace", default=".specrun", metavar="DIR",
                     help="where sandboxes, caches and the last run's record live (default .specrun)")
    out = parser.add_argument_group("reporting")
    out.add_argument("--json", dest="json_path", metavar="FILE", help="write the JSON result record")
    out.add_argument("--junitxml", metavar="FILE", help="write a JUnit XML report")
    out.add_argument("--html", dest="html_path", metavar="FILE",
                     help="write a self-contained HTML report (see docs/html-report.md)")
    out.add_argument("-q", "--quiet", action="count", default=0, help="less output")
    out.add_argument("-v", "--verbose", action="count", default=0, help="more output")
    parser.add_argument("-p", dest="plugins", action="append", default=[], metavar="NAME",
                        help="load plugin module NAME; -p no:NAME blocks a plugin")
    return parser
