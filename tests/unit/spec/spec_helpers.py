"""Shared helpers of the spec-loader tests: write a spec, load it, get its error."""

from __future__ import annotations

from pathlib import Path

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError

DATA = Path(__file__).parent / "data"

# A small valid spec the error tests edit one line at a time.
BASE = """\
version: 1
pipeline: p
schemas:
  t:
    columns:
      a: {type: int, min: 0}
      s: {type: str}
steps:
  one:
    script: one.py
    inputs:
      x: {format: csv, schema: t}
    outputs:
      y: {format: parquet, schema: t}
  two:
    script: two.py
    inputs:
      z: {from: one.y}
"""


def write(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def spec_error(folder: Path, text: str, **kwargs: object) -> SpecError:
    """The SpecError loading ``text`` raises (fails the test if it loads)."""
    path = write(folder, text)
    try:
        load_spec(path, **kwargs)  # type: ignore[arg-type]
    except SpecError as error:
        return error
    raise AssertionError(f"expected a SpecError for:\n{text}")


def error_text(folder: Path, text: str, **kwargs: object) -> str:
    """``spec.yaml:LINE: KEY: MESSAGE`` — the error with the folder stripped."""
    return str(spec_error(folder, text, **kwargs)).replace(f"{folder}/", "")
