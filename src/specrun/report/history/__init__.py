"""Run history: every run's cases in SQLite in the workspace (``history.sqlite``).

``store`` owns the database (schema versions and migrations, WAL, busy timeout) and
the run selectors (``--baseline RUN``); ``analysis`` computes success rates, trends,
flaky cases and regressions from stored rows (pure); ``recorder`` is the plugin that
writes each run on ``specrun_sessionfinish``, the public hook any plugin would use.
"""
