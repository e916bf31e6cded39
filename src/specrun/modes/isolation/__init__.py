"""Isolation mode: every step alone on synthetic data, one case per step × scenario ×
parameter combination (``mode``), property scenarios under Hypothesis with shrinking
(``property_run``) and the failures they save for ``specrun replay``
(``saved_failures``).  Imports as :mod:`specrun.modes` does.
"""
