"""``specrun plugins``: list the loaded plugins (``--json FILE`` writes them as a record)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..report.plugin_list import print_plugins
from ..results import ExitCode
from ..run_options import RunOptions


def plugins_command(config: argparse.Namespace, pm: Any) -> int:
    options = RunOptions.from_namespace(config)
    print_plugins(pm, json_path=options.json_path)
    errors = options.spec_plugin_errors
    for error in errors.values():   # a plugin named by a spec that does not exist
        print(f"specrun: {error}", file=sys.stderr)
    return int(ExitCode.SPEC_ERROR if errors else ExitCode.OK)


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"plugins": plugins_command}
