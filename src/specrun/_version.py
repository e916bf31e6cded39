"""specrun's version, in a module of its own so that any layer can read it.

The package re-exports it as ``specrun.__version__``; importing it from here instead of
from the package keeps the session and the reporters from importing ``specrun/__init__``
(which imports the CLI).  Keep it equal to ``version`` in ``pyproject.toml``.
"""

__version__ = "0.1.0"
