"""Print a pip constraints file pinning every runtime dependency of pyproject.toml to
its declared lower bound (``name>=X`` → ``name==X``), for .ci/min-versions.

A requirement without a lower bound is an error: the job exists to prove the bounds.
Environment markers are kept, so a Linux-only dependency stays Linux-only.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement


def lower_bound_pins(dependencies: list[str]) -> list[str]:
    pins = []
    for text in dependencies:
        requirement = Requirement(text)
        floors = [spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
        if len(floors) != 1:
            raise ValueError(f"{text!r}: needs exactly one lower bound (>=, == or ~=), found {len(floors)}")
        marker = f"; {requirement.marker}" if requirement.marker else ""
        pins.append(f"{requirement.name}=={floors[0]}{marker}")
    return pins


def main(argv: list[str]) -> int:
    pyproject = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    print("\n".join(lower_bound_pins(project["dependencies"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
