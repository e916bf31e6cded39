"""The Python API's keyword options become the command line the parser reads back as given:
any text (leading dashes, spaces, '=' included), negative numbers, lists and counts."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.api import _parse, option_actions, option_argv
from specrun.config import run_parser

PARSER = run_parser()
DEFAULTS = vars(PARSER.parse_args([]))
text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20).filter(
    lambda t: t != "--")   # refused: test_a_double_dash_value_is_refused
options = st.fixed_dictionaries({}, optional={
    "keyword": text, "ids": st.lists(text, max_size=3), "scenario": st.lists(text, min_size=1, max_size=3),
    "step": text, "seed": st.integers(-(2**40), 2**40), "quick": st.booleans(), "exitfirst": st.booleans(),
    "verbose": st.integers(0, 3), "workspace": text.filter(bool), "json": text.filter(bool),
    "jobs": st.integers(1, 64), "keep_sandboxes": st.booleans()})
DEST = {"json": "json_path"}


@settings(max_examples=300, deadline=None)
@given(options)
def test_every_option_reads_back_as_given(given_options: dict) -> None:
    parsed = vars(_parse(PARSER, option_argv(PARSER, given_options), "test"))
    for name, value in given_options.items():
        dest = DEST.get(name, name)
        expected = [value] if dest in ("step",) else value
        if isinstance(value, bool) and not value:
            expected = DEFAULTS[dest]
        if dest == "ids" and not value:
            expected = None
        assert parsed[dest] == expected, (name, value, option_argv(PARSER, given_options))


def test_flags_dests_and_aliases_name_the_same_options() -> None:
    actions = option_actions(PARSER)
    assert actions["html"] is actions["html_path"] and actions["last_failed"] is actions["lf"]
    assert actions["n"] is actions["workers"] is actions["jobs"]
    assert "help" not in actions and "paths" not in actions and "collect_only" not in actions


@pytest.mark.parametrize(("value", "error"), [(None, TypeError), ({"a": 1}, TypeError), ("x", ValueError)])
def test_a_bad_value_names_its_option(value, error) -> None:
    with pytest.raises(error, match=r"run_specs\(seed"):
        option_argv(PARSER, {"seed": value})


def test_the_parser_never_exits() -> None:
    with pytest.raises(ValueError, match="unrecognized arguments"):
        _parse(run_parser(), ["--no-such-flag"], "x")
    assert isinstance(PARSER, argparse.ArgumentParser)


def test_a_double_dash_value_is_refused() -> None:
    with pytest.raises(ValueError, match="'--' cannot be passed"):
        option_argv(PARSER, {"keyword": "--"})
    assert option_argv(PARSER, {"keyword": "=x"}) == ["-k", "=x"]     # read back as '=x', not 'x'
