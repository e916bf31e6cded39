"""Pipeline mode: the DAG run in topological order (``mode``, ``run``), each step on its
producers' real outputs (``step``), every hand-off validated against both contracts
(``transition``), kept outputs for ``--from`` (``state``) and the mode's record
(``record``).  Imports as :mod:`specrun.modes` does.
"""
