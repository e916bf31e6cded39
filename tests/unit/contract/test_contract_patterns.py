"""Vectorised regex sampling: every sample fully matches; unsupported constructs are refused."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
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


@settings(max_examples=300, deadline=None)
@given(pattern=_regexes(), seed=st.integers(0, 2**32), rows=st.integers(0, 60))
def test_samples_fully_match_generated_patterns(pattern: str, seed: int, rows: int) -> None:
    sampler = PatternSampler(pattern)
    values = sampler.sample(rows, np.random.default_rng(seed))
    assert len(values) == rows
    compiled = re.compile(pattern)
    for value in values:
        assert compiled.fullmatch(str(value)), (pattern, value)
    assert compiled.fullmatch(sampler.shortest()) and compiled.fullmatch(sampler.longest())
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
    compiled = re.compile(pattern)
    assert all(compiled.fullmatch(value) for value in arrow), pattern


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
