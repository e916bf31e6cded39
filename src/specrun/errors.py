"""Errors that any layer may raise for the CLI to turn into an exit code.

:class:`UsageError` lives here rather than in ``config.py`` (which re-exports it) so that
the modes and the session can raise it without importing the option parser and the
plugin loader.  Imports nothing of specrun.
"""

from __future__ import annotations


class UsageError(Exception):
    """The user asked for something wrong on the command line (exit code 2)."""
