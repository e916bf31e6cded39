"""Print a pip constraints file pinning every declared dependency to its lower bound.

    python .ci/min_constraints.py [EXTRA ...] > constraints.txt

Reads pyproject.toml's ``[project] dependencies`` (and the named optional extras); a
requirement with a ``>=`` or ``==`` bound becomes ``name==bound``; one without a lower
bound is left to pip.  Markers are kept, so a Linux-only dependency stays Linux-only.
``.ci/min-versions`` installs specrun under these constraints and runs the quick suite,
which proves that the declared minimums work (issue: honest dependency bounds).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def lower_bounds(requirements: list[str]) -> list[str]:
    pins = []
    for text in requirements:
        req = Requirement(text)
        bounds = [spec.version for spec in req.specifier if spec.operator in (">=", "==", "~=")]
        if not bounds:
            continue
        marker = f"; {req.marker}" if req.marker else ""
        pins.append(f"{req.name}=={bounds[0]}{marker}")
    return pins


def main(extras: list[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    print("\n".join(lower_bounds(requirements)))


if __name__ == "__main__":
    main(sys.argv[1:])
