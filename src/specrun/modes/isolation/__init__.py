"""Isolation mode: every step alone on synthetic data, one case per step × scenario ×
parameter combination (``mode``), property scenarios under Hypothesis with shrinking
(``property_run``) and the failures they save for ``specrun replay``
(``saved_failures``), off-contract examples (``property_negative``) and negative cases
(``negative``).  Imports as :mod:`specrun.modes` does.
"""

# Property runs and negative cases are many small runs: the warm fork executor, unless
# ``--executor`` or ``defaults.executor`` says otherwise.
DEFAULT_EXECUTOR = "fork"
