"""Vectorised regex sampling: every sample fully matches; unsupported constructs are refused."""

from __future__ import annotations

import re

import numpy as np
import pytest
import regex
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from specrun.contract.patterns import PatternSampler, UnsupportedPattern, pattern_sampler

LITERALS = st.sampled_from(list("abcXYZ019-_@ ")).map(re.escape)
CLASSES = st.sampled_from([r"[a-z]", r"[A-F0-9]", r"[^a-y]", r"\d", r"\w", r"\s", r"\D", r"\W",
                           r"\S", r".", r"[.\-+]", r"[^\d]"])
QUANTIFIERS = st.sampled_from(["", "?", "*", "+", "{2}", "{0,3}", "{1,2}", "*?", "{3,}"])


def _regexes() -> st.SearchStrategy[str]:
    atom = st.one_of(LITERALS, CLASSES)
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = st.lists(inner, min_size=1, max_size=3).map("".join)
        alternation = st.lists(group, min_size=2, max_size=3).map("|".join)
        return st.one_of(group.map(lambda g: f"({g})"), alternation.map(lambda a: f"(?:{a})"))
    piece = st.tuples(st.recursive(atom, extend, max_leaves=6), QUANTIFIERS).map("".join)
    body = st.lists(piece, min_size=1, max_size=5).map("".join)
    return st.tuples(st.sampled_from(["", "^", r"\A"]), body, st.sampled_from(["", "$", r"\Z"])).map("".join)


# the oracle: Python's regex semantics (the regex module's default mode is re's) with a time
# limit.  A drawn pattern such as (?:\w|.)*… backtracks exponentially on a 40-character
# value, and re cannot be stopped: one such draw held the suite for minutes.  A value the
# oracle cannot decide in a second leaves the example out (Hypothesis draws another).
ORACLE_S = 1.0


def fully_match(pattern: str, values: list[str]) -> bool:
    """Whether every value fully matches ``pattern``; the example is rejected when the
    oracle cannot tell in time."""
    compiled = regex.compile(pattern)
    for value in values:
        try:
            if compiled.fullmatch(value, timeout=ORACLE_S) is None:
                return False
        except TimeoutError:
            assume(False)
    return True


def test_the_oracle_says_no_to_a_value_that_does_not_match() -> None:
    assert fully_match(r"[ab]{2}-\d", ["ab-1", "ba-0"]) and not fully_match(r"[ab]{2}-\d", ["ab-1", "ab-x"])


@settings(max_examples=300, deadline=None)
@given(pattern=_regexes(), seed=st.integers(0, 2**32), rows=st.integers(0, 60))
@example(pattern=r"\A(?:(?:\w|.)|(?:\D|c[^\d]\W))*((?:\S@[A-F0-9]|_\S@))*(?:c|[.\-+]_[.\-+])+(\d)+((\Wc)\S){3,}$",
         seed=7271, rows=56)   # the draw re backtracked on for minutes
def test_samples_fully_match_generated_patterns(pattern: str, seed: int, rows: int) -> None:
    sampler = PatternSampler(pattern)
    values = sampler.sample(rows, np.random.default_rng(seed))
    assert len(values) == rows
    for value in values:
        assert fully_match(pattern, [str(value)]), (pattern, value)
    assert fully_match(pattern, [sampler.shortest(), sampler.longest()])
    assert len(sampler.shortest()) <= len(sampler.longest())


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_unique_samples_are_distinct_and_match(seed: int) -> None:
    values = pattern_sampler(r"[ab]{2}-\d").sample_unique(40, np.random.default_rng(seed))
    assert values.is_unique and len(values) == 40
    assert values.str.fullmatch(r"[ab]{2}-\d").all()


def test_same_seed_same_samples() -> None:
    sampler = pattern_sampler(r"^[A-Z]{3}-[0-9]{4}$")
    first = sampler.sample(100, np.random.default_rng(3))
    assert (first == sampler.sample(100, np.random.default_rng(3))).all()
    assert not (first == sampler.sample(100, np.random.default_rng(4))).all()


def test_cardinality_and_extremes() -> None:
    sampler = PatternSampler(r"(ab|c){1,2}x?")
    assert sampler.cardinality() == (2 + 4) * 2
    assert sampler.shortest() == "ab" or sampler.shortest() == "c"
    assert len(sampler.longest()) == 5


def test_unique_draw_complete_after_the_last_round_is_returned() -> None:
    # a first draw of 3 from 26**8 strings is distinct: no top-up round is needed
    values = pattern_sampler("[a-z]{8}").sample_unique(3, np.random.default_rng(0), max_rounds=0)
    assert values.is_unique and len(values) == 3


def test_unique_beyond_the_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 4 distinct"):
        pattern_sampler("[ab]{2}").sample_unique(5, np.random.default_rng(0))


@pytest.mark.parametrize("pattern", [r"(a)\1", r"a(?=b)", r"(?<!x)a", r"\bword\b", r"(?>ab)", r"a++"])
def test_unsupported_constructs_raise(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        PatternSampler(pattern)


def test_invalid_regex_raises() -> None:
    with pytest.raises(UnsupportedPattern, match="invalid regular expression"):
        PatternSampler("[a-")


@settings(max_examples=300, deadline=None)
@given(pattern=_regexes() | st.sampled_from([r"é[ü-ÿ]{1,2}", r"x(?:ñ|)", "", r"a{0}", r"(?:|)"]),
       seed=st.integers(0, 2**32), rows=st.integers(0, 60))
def test_arrow_samples_are_the_numpy_samples_and_match(pattern: str, seed: int, rows: int) -> None:
    """The byte-buffer path (sample_arrow) makes the same draws as sample: the same strings
    for a seed, each fully matching the pattern, non-ASCII patterns included."""
    sampler = PatternSampler(pattern)
    arrow = sampler.sample_arrow(rows, np.random.default_rng(seed)).to_pylist()
    assert arrow == [str(v) for v in sampler.sample(rows, np.random.default_rng(seed))]
    assert fully_match(pattern, arrow), pattern


@pytest.mark.parametrize("pattern, size", [
    (r"[A-Z]{3}", 26), ("[\u0100-\u01ff]{2}", 256), ("[\u0100-\u0200]{2}", 257),
    ("[\u0100-\u01ff]", 256), (r"[ab]", 2)])
def test_narrow_index_draws_reach_every_character(pattern: str, size: int) -> None:
    """Character indices are drawn as uint16 (int64 above 65536 characters): for classes
    of a few to a few hundred characters every character is still drawn (none cut off or
    wrapped), both paths agree, and every string matches."""
    sampler = PatternSampler(pattern)
    rows = 20_000
    arrow = sampler.sample_arrow(rows, np.random.default_rng(7)).to_pylist()
    assert arrow == [str(v) for v in sampler.sample(rows, np.random.default_rng(7))]
    compiled = re.compile(pattern)
    assert all(compiled.fullmatch(value) for value in arrow)
    assert len(set("".join(arrow))) == size
