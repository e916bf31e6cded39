"""argparse ``type=`` converters shared by the CLI and the modes' own options.

They live below every layer (``config.py`` re-exports them) so that a mode adding a
command-line option does not import the option parser.  Imports nothing of specrun.
"""

from __future__ import annotations

import argparse
import os


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def jobs_value(text: str) -> int:
    """``-n``: a number >= 1 or ``auto`` (the CPU count)."""
    return (os.cpu_count() or 1) if text == "auto" else positive_int(text)
