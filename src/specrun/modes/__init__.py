"""The testing modes, each a plugin: ``isolation/`` (cases, scenarios, property runs),
``pipeline/`` (DAG scheduling, hand-offs, transitions, evolution) and ``deep_dive/``
(real data, analysis, comparison).  Shared here: ``step_case`` (run one step once and
judge it), ``options`` (mode options) and ``selection`` (which modes run).

May import ``spec``, ``contract``, ``analysis``, ``execution``, ``sources``, ``plan``,
``hooks`` and ``results``; never ``report``, ``commands``, the CLI or the session at
run time (the session is passed in; import it only for typing).
"""
