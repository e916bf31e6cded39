"""The content-addressed result cache (issue 16): a case whose inputs — script, local
modules, fixtures, spec nodes, seed, interpreter, package versions — are unchanged is not
run again; its stored record is reported as ``PASSED (cached)`` / ``FAILED (cached)``.

``case_key`` says what is in a key, ``imports`` how a script's import graph is found,
``store`` how entries are kept on disk (atomic, LRU by mtime, size-capped), ``cache``
what is served and what is stored.  Isolation mode uses it (every kind of isolation case),
and pipeline mode for every step, with the outputs it handed over (see docs/cli.md).
"""
