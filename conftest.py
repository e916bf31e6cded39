"""The suite's Hypothesis settings and test order (every test path of pyproject.toml is under this folder).

Hypothesis's *explain* phase runs after a failing example is shrunk, to say which parts of
it matter; for ``find`` (the tests that ask whether a strategy reaches, or shrinks to, a
given input) the "failure" is the example looked for, so explaining it is wasted work:
it was nine tenths of the shrink tests' time.  The other phases are Hypothesis's own.
"""

from hypothesis import Phase, settings

settings.register_profile("specrun-suite", phases=[phase for phase in Phase if phase is not Phase.explain])
settings.load_profile("specrun-suite")


def pytest_collection_modifyitems(items: list) -> None:
    """Tests marked ``slow`` (seconds each) run first, in their collected order, then the
    rest: pytest-xdist's workers (``--dist worksteal`` in .ci/run) then end on short tests
    and finish together instead of one waiting on a long test picked up last."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
