"""Deep-dive mode: steps on real data from S3, a SageMaker execution or a snapshot
(``sources``), profiled runs (``runs``), their analysis (``analysis``) and the
comparison of two executions (``compare``).  Imports as :mod:`specrun.modes` does.
"""
