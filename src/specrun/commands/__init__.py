"""Sub-commands of ``specrun``: one module per command (or per family of commands).

Each module holds a ``COMMANDS`` mapping ``name -> handler(config, pm) -> exit code``;
:data:`COMMAND_MODULES` names the module of each built-in sub-command, imported only
when that command is used so that start-up stays light.  Commands sit on top of the
flow: they may import the session, modes, sources and reporters; nothing below
imports them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any], int]

# sub-command name → module with a COMMANDS mapping
COMMAND_MODULES: dict[str, str] = {
    "check": "specrun.commands.check",
    "plugins": "specrun.commands.plugins",
    "replay": "specrun.commands.replay",
    "compare": "specrun.commands.sources",
    "snapshot": "specrun.commands.sources",
    "schema": "specrun.commands.schema",
    "report": "specrun.commands.report",
    "infer": "specrun.commands.infer",
    "history": "specrun.commands.history",
    "init": "specrun.commands.init",
}


# sub-command name → one line of what it does, and its arguments: listed by ``specrun --help``
COMMAND_SUMMARIES: dict[str, str] = {
    "check": "load, check and plan the specs; run nothing",
    "plugins": "list the loaded plugins (with those the specs under PATHS name)",
    "replay": "rerun a saved property failure",
    "compare": "compare two pipeline executions (ARNs or snapshot folders)",
    "snapshot": "sample an execution's data into a folder for offline deep dives",
    "schema": "print the JSON Schema of spec files",
    "report": "render a saved JSON record (last-run.json or a --json file) as an HTML report",
    "infer": "print a schemas: block guessed from sample data files",
    "history": "success rates, trends, flaky cases and regressions of past runs",
    "init": "print a steps: entry read from a Python script (ast; never run)",
}
COMMAND_ARGUMENTS: dict[str, str] = {
    "check": "[PATH ...]", "plugins": "[PATH ...]", "replay": "ID", "compare": "BASELINE COMPARISON",
    "snapshot": "ARN --to DIR", "schema": "[--path]",
    "report": "RECORD --html FILE",
    "infer": "FILE|s3://PREFIX ... [--name N]",
    "history": "[--last N] [--regressions]",
    "init": "SCRIPT [--name N]",
}


def handler(command: str) -> Handler:
    """The handler of the built-in sub-command ``command``."""
    commands: dict[str, Handler] = importlib.import_module(COMMAND_MODULES[command]).COMMANDS
    return commands[command]
