"""The ``specrun`` command.

``specrun [PATHS]`` runs the specs; the sub-commands (``check``, ``plugins``,
``replay``, ``compare``, ``snapshot``, ``schema``, ``report``) live in :mod:`specrun.commands`, each imported
only when used.  This module parses arguments; heavy imports happen after it.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .commands import COMMAND_MODULES
from .commands import handler as command_handler
from .errors import UsageError
from .interrupts import stop_signals
from .paths import missing_paths
from .plugin_types import PluginError
from .results import ExitCode

if TYPE_CHECKING:  # pragma: no cover
    import pluggy


def _run(config: argparse.Namespace, pm) -> int:
    from .session import run

    return int(run(config, pm))


def main(argv: Sequence[str] | None = None) -> int:
    with stop_signals():
        return _main(list(sys.argv[1:] if argv is None else argv))


def _main(args: list[str]) -> int:
    if args[:1] == ["--version"] or args[:1] == ["-V"]:   # before any plugin is imported: fast
        print(f"specrun {__version__}")
        return int(ExitCode.OK)
    # imported here, not at the top: ``--version`` above needs none of it
    from .config import build_parser, command_defaults, load_plugins
    from .contract.arrow_pool import prefer_system_pool
    from .project_config import load_project_config
    from .spec.model import SpecError

    prefer_system_pool()     # before anything imports pyarrow: specrun's own buffers go back to the OS
    command = args[0] if args and args[0] in COMMAND_MODULES else None
    if command:
        args = args[1:]
    wants_help = "-h" in args or "--help" in args   # list the options: no need to import the modes
    try:
        project = load_project_config(Path.cwd())
        pm = load_plugins(args, project=project, options_only=wants_help)
    except UsageError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except SpecError as exc:  # the project config (pyproject.toml / specrun.toml)
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.SPEC_ERROR)
    except PluginError as exc:
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.INTERNAL_ERROR)
    try:
        config = build_parser(pm, command).parse_args(args)
        if wants_help:   # "-h" was an option's value (``-k -h``): load the plugins themselves after all
            pm = load_plugins(args, project=project)
            config = build_parser(pm, command).parse_args(args)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    except (UsageError, PluginError) as exc:
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.INTERNAL_ERROR if isinstance(exc, PluginError) else ExitCode.INTERRUPTED)
    command_defaults(config)
    config.argv = ([command] if command else []) + args
    config.command = command or "run"
    config.check_only = False
    config.project = project
    config.project_modes = project.modes
    if config.cache_size is None:   # --cache-size wins over [tool.specrun] cache_size
        config.cache_size = project.cache_size
    if config.scheduler is None:   # --scheduler wins over [tool.specrun] scheduler
        config.scheduler = project.scheduler
    if command in (None, "check"):
        missing = missing_paths(config.paths, commands=[] if command else sorted(COMMAND_MODULES))
        for line in missing:   # as pytest: one line each, nothing runs, exit 4
            print(f"specrun: {line}", file=sys.stderr)
        if missing:
            return int(ExitCode.SPEC_ERROR)
    code = _configure_and_run(config, pm, command_handler(command) if command else _run)
    return _report_hook_failures(pm, code)


def _configure_and_run(config: argparse.Namespace, pm: pluggy.PluginManager,
                       handler: Callable[[argparse.Namespace, Any], int]) -> int:
    from .config import check_hooks, load_spec_plugins

    try:
        # spec-named plugins first: they may add spec keys, column types and reporters
        config.spec_plugin_errors = load_spec_plugins(pm, config.paths)
        check_hooks(pm)
        pm.hook.specrun_configure(config=config, pm=pm)
        register_reporters(pm, config)
        check_hooks(pm)   # the reporters are plugins too
        return handler(config, pm)
    except UsageError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except PluginError as exc:
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.INTERNAL_ERROR)
    except KeyboardInterrupt:
        print("specrun: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except Exception:  # specrun's own bug: say so, with the traceback, exit 3
        print("specrun: INTERNAL ERROR (a bug in specrun or a plugin):", file=sys.stderr)
        traceback.print_exc()
        return int(ExitCode.INTERNAL_ERROR)
    finally:
        pm.hook.specrun_unconfigure(config=config)   # guarded: failures are recorded


def register_reporters(pm, config: argparse.Namespace) -> None:
    """Register what ``specrun_reporters`` returns, each under a readable unique name
    (``module:Class``) so that errors and ``specrun plugins`` can name it."""
    for reporter in pm.hook.specrun_reporters(config=config):
        for plugin in (reporter if isinstance(reporter, (list, tuple)) else [reporter]):
            if plugin is None or pm.is_registered(plugin):
                continue
            base = f"{type(plugin).__module__}:{type(plugin).__qualname__}"
            name, n = base, 1
            while pm.has_plugin(name) or pm.is_blocked(name):
                n += 1
                name = f"{base}#{n}"
            pm.register(plugin, name=name)


def _report_hook_failures(pm: pluggy.PluginManager, code: int) -> int:
    """Plugin hooks that raised are named on stderr; the run's exit code becomes 3."""
    from .hooks import hook_failures

    failures = hook_failures(pm)
    for failure in failures:
        print(f"specrun: INTERNAL ERROR: {failure}", file=sys.stderr)
        print(failure.traceback.rstrip(), file=sys.stderr)
    return int(ExitCode.INTERNAL_ERROR) if failures else code
