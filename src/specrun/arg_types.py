"""argparse ``type=`` converters shared by the CLI and the modes' own options.

They live below every layer (``config.py`` re-exports them) so that a mode adding a
command-line option does not import the option parser.  Imports nothing of specrun.
"""

from __future__ import annotations

import argparse
import builtins
import os

#: the actions a warning filter may name; as for ``python -W``, a prefix names the first
#: action it starts (``i`` is ``ignore``), and ``all`` is ``always``
WARNING_ACTIONS = ("default", "always", "ignore", "module", "once", "error")


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


def warning_filter(text: str) -> str:
    """``-W ACTION[:MESSAGE[:CATEGORY[:MODULE[:LINENO]]]]``, as ``python -W`` takes it.

    The action must be one Python knows (or a unique prefix of one), a category without a
    dot must be a built-in warning class, and a line number a number >= 0, so that a typo
    is a usage error here instead of Python's "Invalid -W option ignored" in every
    child's stderr.  A dotted category (``pandas.errors.PerformanceWarning``) is imported
    by the child, where the script's packages are."""
    if "," in text:
        raise argparse.ArgumentTypeError(
            f"a comma cannot reach the scripts in {text!r} (PYTHONWARNINGS separates filters with commas); "
            "give one filter per -W")
    parts = [part.strip() for part in text.split(":")]
    if len(parts) > 5:
        raise argparse.ArgumentTypeError(f"too many fields in {text!r} (ACTION:MESSAGE:CATEGORY:MODULE:LINENO)")
    parts += [""] * (5 - len(parts))
    action, _message, category, _module, lineno = parts
    if action != "all" and not any(name.startswith(action) for name in WARNING_ACTIONS):
        raise argparse.ArgumentTypeError(
            f"unknown warning action {action!r} in {text!r} (one of: {', '.join(WARNING_ACTIONS)})")
    if category and "." not in category:
        found = getattr(builtins, category, None)
        if not (isinstance(found, type) and issubclass(found, Warning)):
            raise argparse.ArgumentTypeError(f"unknown warning category {category!r} in {text!r}")
    if lineno and not (lineno.isdigit()):
        raise argparse.ArgumentTypeError(f"line number {lineno!r} in {text!r} is not a number >= 0")
    return text
