"""A warning that reading a spec value raises (Python's re warns of a character class whose
meaning a future version changes, ``[a-z--0]``) is shown at the spec file, line and key of
that value, not at the line of specrun's code that compiled it; and once said, the same
warning is not repeated when the pattern is compiled again in the run."""

from __future__ import annotations

import re
import textwrap
import warnings
from pathlib import Path

from specrun.spec.loader import load_spec

SPEC = """\
version: 1
pipeline: p
schemas:
  s:
    columns:
      code: {type: str, pattern: "[a-z--0]+"}
steps:
  a:
    script: a.py
    call: main
    inputs: {x: {format: csv, schema: s}}
scenarios:
  quiet:
    expect:
      pass: true
      no_warns: "UserWarning: [x&&y]"
"""


def _load(tmp_path: Path) -> tuple[Path, list[warnings.WarningMessage]]:
    (tmp_path / "a.py").write_text("def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        load_spec(spec)
        re.purge()                                  # not served from re's cache of an earlier test
        re.compile("[a-z--0]+", re.IGNORECASE)     # compiled again, as a check compiles it
    return spec, caught


def test_a_pattern_warning_names_the_spec_line_and_key(tmp_path):
    spec, caught = _load(tmp_path)
    future = [(w.filename, w.lineno, str(w.message)) for w in caught if w.category is FutureWarning]
    assert (str(spec), 6, "schemas.s.columns.code.pattern: Possible set difference at position 4") in future
    assert (str(spec), 16, "scenarios.quiet.expect.no_warns: Possible set intersection at position 2") \
        in future


def test_the_same_warning_is_not_repeated_from_specruns_code(tmp_path):
    _, caught = _load(tmp_path)
    assert [w for w in caught if w.category is FutureWarning and not w.filename.endswith(".yaml")] == []
