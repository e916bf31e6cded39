"""``specrun check [PATHS]``: load, check and plan the specs without running anything."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def check_command(config: argparse.Namespace, pm: Any) -> int:
    from ..session import run

    config.check_only = True
    return int(run(config, pm))


COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"check": check_command}
