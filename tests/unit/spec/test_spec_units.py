"""Memory sizes, durations and scalar typing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.spec import units, values


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("2GB", 2_000_000_000), ("512MB", 512_000_000), ("1GiB", 1024**3),
    ("1.5GiB", 1536 * 1024**2), ("10 kb", 10_000), ("3Mi", 3 * 1024**2), ("7b", 7),
    (4096, 4096), ("2g", 2_000_000_000), ("1TiB", 1024**4),
])
def test_memory_sizes(text, expected):
    assert units.parse_memory(text) == expected


@pytest.mark.parametrize("text", ["", "GB", "2XB", "-1GB", "0", "1.2.3MB", "two", "0MB", True])
def test_bad_memory_sizes(text):
    with pytest.raises(ValueError):
        units.parse_memory(text)


@pytest.mark.parametrize("text, expected", [
    ("90", 90.0), ("2.5", 2.5), ("90s", 90.0), ("5m", 300.0), ("1h", 3600.0),
    ("1h30m", 5400.0), ("1h 30m", 5400.0), ("500ms", 0.5), ("2d", 172800.0), (7, 7.0),
    ("5M", 300.0),
])
def test_durations(text, expected):
    assert units.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "m", "5x", "1h30", "-5s", "0", "0s", "five", False, "h5"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        units.parse_duration(text)


@given(st.integers(min_value=1, max_value=10**6),
       st.sampled_from([("KB", 1000), ("MiB", 1024**2), ("GB", 1000**3), ("", 1)]))
def test_memory_round_trip(number, unit):
    suffix, factor = unit
    assert units.parse_memory(f"{number}{suffix}") == number * factor


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=59),
       st.integers(min_value=0, max_value=59))
def test_duration_compound(hours, minutes, seconds):
    text = f"{hours}h{minutes}m{seconds}s"
    if hours == minutes == seconds == 0:
        with pytest.raises(ValueError):
            units.parse_duration(text)
    else:
        assert units.parse_duration(text) == hours * 3600 + minutes * 60 + seconds


@given(st.text())
def test_parsers_only_raise_value_error(text):
    for parse in (units.parse_memory, units.parse_duration):
        try:
            result = parse(text)
        except ValueError:
            continue
        assert result > 0


@pytest.mark.parametrize("text, expected", [
    ("3", 3), ("-3", -3), ("1_000", 1000), ("1.5", 1.5), ("1e3", 1000.0), ("true", True),
    ("False", False), ("yes", "yes"), ("2024-01-31", dt.date(2024, 1, 31)),
    ("2024-01-31T10:00:00", dt.datetime(2024, 1, 31, 10)), ("null", None), ("001", "001"),
    ("abc", "abc"), ("", ""), ("2024-13-01", "2024-13-01"), ("nan", "nan"),
])
def test_generic_typing(text, expected):
    assert values.generic(text) == expected
    assert type(values.generic(text)) is type(expected)


@pytest.mark.parametrize("text, column_type, expected", [
    ("001", "str", "001"), ("1", "category", "1"), ("001", "int", None), ("5", "int", 5),
    ("5", "float", 5.0), ("true", "bool", True), ("2024-01-01", "datetime", dt.date(2024, 1, 1)),
    ("x", "money", "x"), ("3", "money", 3),
])
def test_column_typing(text, column_type, expected):
    if expected is None:
        with pytest.raises(ValueError, match="for an int column"):
            values.for_column(text, column_type)
    else:
        value = values.for_column(text, column_type)
        assert value == expected and type(value) is type(expected)


@given(st.integers())
def test_ints_stay_ints(number):
    assert values.generic(str(number)) == number
    assert values.for_column(str(number), "str") == str(number)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip(number):
    assert values.for_column(repr(number), "float") == number


def test_byte_counts_are_shown_in_mib() -> None:
    from specrun.spec.units import mib

    assert mib(734003200) == "700.0 MiB"
    assert mib(1.5 * 2**20) == "1.5 MiB"
    assert mib(3 * 2**30, 0) == "3072 MiB"
