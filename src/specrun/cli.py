"""The ``specrun`` command.

``specrun [PATHS]`` runs the specs; ``specrun check [PATHS]`` loads, checks and
plans them without running anything; ``specrun plugins`` lists loaded plugins.
Other sub-commands are registered in :data:`COMMANDS` by the modules that own them.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Callable, Sequence

from .config import PluginLoadError, UsageError, build_parser, load_plugins
from .results import ExitCode


def _run(config: argparse.Namespace, pm) -> int:
    from .session import run

    return int(run(config, pm))


def _check(config: argparse.Namespace, pm) -> int:
    from .session import run

    config.check_only = True
    return int(run(config, pm))


def _plugins(config: argparse.Namespace, pm) -> int:
    from .report.plugin_list import print_plugins

    print_plugins(pm)
    return int(ExitCode.OK)


# sub-command name → handler(config, pm) -> exit code
COMMANDS: dict[str, Callable[[argparse.Namespace, object], int]] = {
    "check": _check,
    "plugins": _plugins,
}


def _command_handlers() -> dict[str, Callable[[argparse.Namespace, object], int]]:
    # optional sub-commands live next to the feature they belong to
    import importlib

    handlers = dict(COMMANDS)
    for module in ("specrun.replay", "specrun.sources.commands"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        handlers.update(getattr(mod, "COMMANDS", {}))
    return handlers


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    handlers = _command_handlers()
    command = args[0] if args and args[0] in handlers else None
    if command:
        args = args[1:]
    try:
        pm = load_plugins(args)
    except UsageError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except PluginLoadError as exc:
        print(f"specrun: {exc}", file=sys.stderr)
        return int(ExitCode.INTERNAL_ERROR)
    parser = build_parser(pm)
    try:
        config = parser.parse_args(args)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    config.argv = ([command] if command else []) + args
    config.command = command or "run"
    config.check_only = False
    try:
        pm.hook.specrun_configure(config=config, pm=pm)
        for reporter in pm.hook.specrun_reporters(config=config):
            for plugin in (reporter if isinstance(reporter, (list, tuple)) else [reporter]):
                if plugin is not None:
                    pm.register(plugin)
        handler = handlers.get(command, _run) if command else _run
        return handler(config, pm)
    except UsageError as exc:
        print(f"specrun: error: {exc}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        print("specrun: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except Exception:  # specrun's own bug: say so, with the traceback, exit 3
        print("specrun: INTERNAL ERROR (a bug in specrun or a plugin):", file=sys.stderr)
        traceback.print_exc()
        return int(ExitCode.INTERNAL_ERROR)
    finally:
        try:
            pm.hook.specrun_unconfigure(config=config)
        except Exception:
            traceback.print_exc()
