"""The suite's Hypothesis settings (every test path of pyproject.toml is under this folder).

Hypothesis's *explain* phase runs after a failing example is shrunk, to say which parts of
it matter; for ``find`` (the tests that ask whether a strategy reaches, or shrinks to, a
given input) the "failure" is the example looked for, so explaining it is wasted work:
it was nine tenths of the shrink tests' time.  The other phases are Hypothesis's own.
"""

from hypothesis import Phase, settings

settings.register_profile("specrun-suite", phases=[phase for phase in Phase if phase is not Phase.explain])
settings.load_profile("specrun-suite")
