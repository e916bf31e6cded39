"""What is computed from data and runs: static edge compatibility (``compat``), the
pipeline DAG (``dag``), data profiles (``profile``), evolution and degradation
points (``evolution``) and drift between two samples (``drift``).

May import ``spec`` and ``contract`` (and pandas, numpy, networkx); never
``execution``, ``modes``, ``report`` or the session.
"""
