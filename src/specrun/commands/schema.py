"""``specrun schema``: print the JSON Schema of spec files (``--path``: where it is installed).

The file is generated from the grammar (:mod:`specrun.spec.jsonschema`) and shipped
with the package, so editors can point ``yaml-language-server`` at it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..results import ExitCode
from ..run_options import RunOptions
from ..spec.jsonschema import SCHEMA_PATH


def schema_command(config: argparse.Namespace, pm: Any) -> int:
    """Print the installed schema file, or with ``--path`` its absolute path."""
    if RunOptions.from_namespace(config).schema_path:
        print(SCHEMA_PATH.resolve())
    else:
        sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return int(ExitCode.OK)


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"schema": schema_command}
