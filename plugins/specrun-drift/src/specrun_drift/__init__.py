"""specrun-drift: a specrun testing mode comparing a step's outputs on synthetic and
reference data (PSI / KS per column)."""

__version__ = "0.1.0"
