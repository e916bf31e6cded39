"""Deeply nested YAML is a located spec error (exit 4), never a RecursionError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.spec.loader import load_spec
from specrun.spec.model import SpecError
from specrun.spec.yamlnodes import MAX_NESTING, too_deep

HEAD = "version: 1\npipeline: deep\nsteps: {}\n"


def test_flow_nesting_far_past_the_limit_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text(HEAD + "x: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert caught.value.line == 4 and "nested more than" in str(caught.value)


def test_block_nesting_that_exhausts_the_parser_is_located(tmp_path: Path) -> None:
    lines = [HEAD.rstrip("\n"), "x:"] + ["  " * i + "a:" for i in range(1, 1500)] + ["  " * 1500 + "b: 1"]
    spec = tmp_path / "deep.yaml"
    spec.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert caught.value.line is not None and caught.value.line > 4


@given(st.integers(0, MAX_NESTING))
def test_nesting_within_the_limit_passes_the_scan(depth: int) -> None:
    assert too_deep(HEAD + "x: " + "[" * depth + "]" * depth + "\n") is None


@given(st.integers(MAX_NESTING + 1, 3 * MAX_NESTING), st.integers(0, 5))
def test_nesting_past_the_limit_names_its_line(depth: int, blank_lines: int) -> None:
    text = HEAD + "\n" * blank_lines + "x: " + "[" * depth + "\n" + "]" * depth + "\n"
    assert too_deep(text) == 4 + blank_lines


def test_brackets_in_quoted_strings_and_comments_do_not_count() -> None:
    many = "[" * (MAX_NESTING + 10)
    text = (HEAD + f"# a comment {many}\n" + f"a: '{many}'\n" + f'b: "{many}"\n'
            + f"c: {{pattern: '^{many}$'}}  # it's {many}\n")
    assert too_deep(text) is None
