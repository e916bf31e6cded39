"""The Python API: run specs and read records back from Python (a notebook, a script, CI glue).

:func:`run_specs` runs what ``specrun PATHS [options]`` runs and returns the
:class:`~specrun.results.SessionResult`.  Its keyword options are the command line's:
each option's ``dest`` (``keyword``, ``seed``, ``jobs``, ``html_path`` …) or its long flag
(``--html`` → ``html``, ``--last-failed`` → ``last_failed``), plus the aliases in
:data:`ALIASES`; the options plugins add (``specrun_addoption``) come with them.  Values
are checked before anything runs (``TypeError`` for a wrong type or an unknown name,
``ValueError`` for a value the command line would refuse, both naming the option).

Unlike the CLI it prints nothing unless ``console=True`` (the console reporters are
blocked), installs no signal handler, never exits the process, and raises where the CLI
prints one line: :class:`~specrun.spec.model.SpecError` for a bad spec, ``ValueError``
for a usage error (another run holds the workspace, an unknown executor …).  Plugin and
internal errors propagate.  :func:`load_result` reads a record back.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .results import SessionResult, session_from_json

#: the terminal reporters, blocked unless ``console=True``
CONSOLE_PLUGINS = ("console", "pipeline_console", "deep_dive_console")
#: extra names for options (name → the option's dest)
ALIASES: Mapping[str, str] = {"n": "jobs", "workers": "jobs", "k": "keyword", "x": "exitfirst", "id": "ids",
                              "json": "json_path", "html": "html_path"}
#: options the API sets itself, or that make no sense for it
NOT_OPTIONS = frozenset({"help", "version", "paths", "plugins", "collect_only"})
RECORD_FORMAT = "specrun-result"


def run_specs(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = "specs", *,
              console: bool = False, plugins: Iterable[str] = (), **options: Any) -> SessionResult:
    """Run the specs under ``paths`` as ``specrun`` would and return what happened.

    ``plugins`` are ``-p`` values (``"mypkg.plugin"``, ``"no:junit"``); every other keyword
    is a command-line option (see the module docstring).  The run record is written to
    ``<workspace>/last-run.json`` as by the CLI.
    """
    from .api_capture import ResultCapture
    from .cli import register_reporters
    from .config import build_parser, check_hooks, load_plugins, load_spec_plugins
    from .errors import UsageError
    from .project_config import load_project_config
    from .session import run

    spec_paths = _paths(paths)
    if not isinstance(console, bool):
        raise TypeError(f"run_specs(console=...): expected True or False, got {console!r}")
    asked = [arg for name in _strings("plugins", plugins) for arg in ("-p", name)]
    plugin_args = asked if console else [*asked, *(arg for name in CONSOLE_PLUGINS for arg in ("-p", f"no:{name}"))]
    try:
        project = load_project_config(Path.cwd())
        pm = load_plugins(plugin_args, project=project)
        parser = build_parser(pm)
        argv = option_argv(parser, options)
        namespace = _parse(parser, [*argv, *plugin_args, "--", *spec_paths], "the options")
        namespace.argv = [*spec_paths, *argv, *asked]   # the record's command: what a CLI user would type
        namespace.command = "run"
        namespace.check_only = False
        namespace.project = project
        namespace.project_modes = project.modes
        capture = ResultCapture()
        pm.register(capture, name="specrun.api:capture")
        namespace.spec_plugin_errors = load_spec_plugins(pm, spec_paths)
        check_hooks(pm)
        pm.hook.specrun_configure(config=namespace, pm=pm)
        try:
            register_reporters(pm, namespace)
            check_hooks(pm)
            run(namespace, pm)
        finally:
            pm.hook.specrun_unconfigure(config=namespace)
    except UsageError as exc:
        raise ValueError(f"run_specs: {exc}") from None
    if capture.spec_errors:
        raise capture.spec_errors[0]
    assert capture.result is not None, "the session always finishes"   # noqa: S101
    return capture.result


def option_argv(parser: argparse.ArgumentParser, options: Mapping[str, Any]) -> list[str]:
    """The command-line arguments for keyword ``options``, each checked on its own first (so
    an error names the keyword): ``TypeError`` for an unknown name or a wrong type,
    ``ValueError`` for a value the parser refuses."""
    actions = option_actions(parser)
    argv: list[str] = []
    dests: dict[str, str] = {}
    for name, value in options.items():
        action = actions.get(name)
        if action is None:
            close = difflib.get_close_matches(name, sorted(actions), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"run_specs() got an unknown option {name!r}{hint}")
        if action.dest in dests:
            raise TypeError(f"run_specs(): {name!r} and {dests[action.dest]!r} are the same option")
        dests[action.dest] = name
        args = _action_args(name, action, value)
        _parse(parser, args, f"{name}={value!r}")
        argv += args
    return argv


def option_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Keyword name → the parser's action: dests, long flags (``--last-failed`` →
    ``last_failed``) and :data:`ALIASES`."""
    found: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if action.dest in NOT_OPTIONS or not action.option_strings:
            continue
        found.setdefault(action.dest, action)
        for flag in action.option_strings:
            if flag.startswith("--"):
                found.setdefault(flag[2:].replace("-", "_"), action)
    for alias, dest in ALIASES.items():
        match = next((a for a in found.values() if a.dest == dest), None)
        if match is not None:
            found.setdefault(alias, match)
    return found


def _action_args(name: str, action: argparse.Action, value: Any) -> list[str]:
    flag = next((f for f in action.option_strings if f.startswith("--")), action.option_strings[0])
    if isinstance(action, argparse._StoreTrueAction):
        if not isinstance(value, bool):
            raise TypeError(f"run_specs({name}=...): expected True or False, got {value!r}")
        return [flag] if value else []
    if isinstance(action, argparse._CountAction):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TypeError(f"run_specs({name}=...): expected a count (0, 1, 2 …), got {value!r}")
        return [flag] * value
    if isinstance(action, argparse._AppendAction):
        values = [value] if isinstance(value, (str, int, float, os.PathLike)) else value
        if not isinstance(values, Iterable):
            raise TypeError(f"run_specs({name}=...): expected a value or a list of values, got {value!r}")
        return [arg for item in values for arg in _with_value(flag, _scalar(name, item))]
    if action.nargs not in (None, "?"):
        raise TypeError(f"run_specs(): option {name!r} ({flag}) takes no value from the Python API")
    return _with_value(flag, _scalar(name, value))


def _with_value(flag: str, value: str) -> list[str]:
    """The flag and its value as one argument, so that a value starting with ``-`` is never
    read as an option: ``--seed=-1``, ``-kEXPR`` (an empty value, or one starting with '=',
    follows a short flag as the next argument)."""
    if flag.startswith("--"):
        return [f"{flag}={value}"]
    # argparse reads ``-k=X`` as X: a value that starts with '=' (or is empty) goes apart,
    # which is safe since it does not start with '-'
    return [flag, value] if not value or value.startswith("=") else [f"{flag}{value}"]


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, os.PathLike)):
        raise TypeError(f"run_specs({name}=...): expected a string, a number or a path, got {value!r}")
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if text == "--":    # argparse drops a '--' argument wherever it stands: it cannot be a value
        raise ValueError(f"run_specs({name}='--'): '--' cannot be passed as an option's value")
    return text


def _parse(parser: argparse.ArgumentParser, args: list[str], what: str) -> argparse.Namespace:
    """Parse ``args`` without argparse's print-and-exit: its message becomes a ValueError."""
    def error(message: str) -> Any:
        raise ValueError(f"run_specs({what}): {message}")

    parser.error = error   # type: ignore[method-assign]  # this parser is built for this call only
    return parser.parse_args(args)


def _strings(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"run_specs({name}=...): expected a list of strings, got {values!r}")
    return list(values)


def _paths(paths: Any) -> list[str]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else paths
    if not isinstance(items, Iterable) or not all(isinstance(p, (str, os.PathLike)) for p in items):
        raise TypeError(f"run_specs(paths): expected a path or a list of paths, got {paths!r}")
    found = [os.fspath(p) for p in items]
    if not found:
        raise ValueError("run_specs(paths): no path given")
    return found


def load_result(path: str | os.PathLike[str]) -> SessionResult:
    """The run recorded in the JSON file ``path`` (``--json FILE``, ``<workspace>/last-run.json``).

    Rendering it again gives the same record (``json_report.render``).  A file that is not
    JSON or not a specrun record is a ``ValueError`` naming the file (and the line).
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}:{exc.lineno}: not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or not isinstance(data.get("cases"), list):
        raise ValueError(f"{file}: not a specrun result record (expected \"format\": \"{RECORD_FORMAT}\" "
                         "and a \"cases\" list)")
    try:
        return session_from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{file}: not a readable specrun result record: {type(exc).__name__}: {exc}") from None
