"""A plugin column type behaves like a built-in: generation, validation, profiling,
compatibility and display all come from the type itself; a type name is registered once."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from specrun.analysis.compat import check_edge
from specrun.analysis.profile import profile_frame
from specrun.contract import builtin_types
from specrun.contract.builtin_types import STR_DTYPE
from specrun.contract.pandera_schema import to_pandera
from specrun.contract.strategies import frame_strategy, row_bounds, value_strategy
from specrun.contract.types import ColumnTypeBase, TypeRegistry
from specrun.contract.vectorised import vectorised_frame
from specrun.hooks import hookimpl, make_plugin_manager
from specrun.plugin import ColumnTypeBase as ExportedBase
from specrun.plugin_types import PluginError
from specrun.spec.model import ColumnSpec, PortSpec, SchemaSpec


def _cents(value: Any) -> int:
    """``"$1.50"`` or ``150`` as integer cents."""
    if isinstance(value, str):
        dollars, _, cents = value.removeprefix("$").partition(".")
        return int(dollars) * 100 + int((cents or "0").ljust(2, "0"))
    return int(value)


class Cents(ColumnTypeBase):
    """Money in integer cents; ``min``/``max`` may be written as "$1.50"."""

    name = "cents"
    ordered = True

    def bounds(self, column: ColumnSpec) -> tuple[int, int]:
        low = _cents(column.min) if column.min is not None else 0
        return low, _cents(column.max) if column.max is not None else low + 1_000_000

    def dtype(self, column):
        return "Int64" if column.nullable else "int64"

    def checks(self, column):
        return [pa.Check.in_range(*self.bounds(column))]

    def vectorised(self, column, rows, rng):
        low, high = self.bounds(column)
        return pd.Series(rng.integers(low, high, size=rows, endpoint=True), dtype="int64")

    def strategy(self, column):
        return st.integers(*self.bounds(column))

    def boundary_values(self, column):
        return [0, 99, 100, 1_000_000]         # sub-dollar edges; not all fit every column

    def extreme_values(self, column):
        return [-1, 2**62]

    def wrong_dtype_values(self, column):
        return ["$1.50", "free"]

    def in_bounds(self, column, value):
        low, high = self.bounds(column)
        return low <= value <= high

    def unique_capacity(self, column):
        low, high = self.bounds(column)
        return max(0, high - low + 1)

    def comparable(self, column, value):
        return _cents(value)

    def widens_to(self, consumer):
        return {"float": True, "bool": False}.get(consumer.name)

    def describe(self, column):
        return "cents (integer hundredths)"


class Tag(ColumnTypeBase):
    """Lower-case words; with ``isin`` a closed vocabulary that is part of the dtype."""

    name = "tag"
    categorical = True

    def dtype(self, column):
        return STR_DTYPE

    def checks(self, column):
        return [pa.Check.str_matches(r"^[a-z]*$")]

    def vectorised(self, column, rows, rng):
        return pd.Series(["tag"] * rows, dtype=STR_DTYPE)

    def strategy(self, column):
        if column.isin is not None:
            return st.sampled_from(list(column.isin))
        return st.text("abc", min_size=int(column.min or 0), max_size=4)

    def boundary_values(self, column):
        return []

    def extreme_values(self, column):
        return [""]

    def wrong_dtype_values(self, column):
        return [1]

    def text_safe(self, column):
        return column.overridden(min=1) if column.nullable and column.isin is None else column


TYPES = TypeRegistry([*builtin_types.BUILTIN_TYPES, Cents(), Tag()])


def _schema(*columns: ColumnSpec, **options: Any) -> SchemaSpec:
    return SchemaSpec(name="s", columns={c.name: c for c in columns}, **options)


def _findings(made: ColumnSpec, want: ColumnSpec, strict: bool = True) -> list[tuple[str, str, str]]:
    found = check_edge(PortSpec(name="out", schema=_schema(made)), PortSpec(name="in", schema=_schema(want)),
                       strict, types=TYPES)
    return [(f.kind, f.severity, f.message) for f in found]


# -- registration -----------------------------------------------------------------

def test_the_base_class_is_what_plugins_import() -> None:
    assert ExportedBase is ColumnTypeBase


def test_a_type_name_registered_twice_is_an_error_naming_both_providers() -> None:
    registry = TypeRegistry()
    for column_type in builtin_types.BUILTIN_TYPES:
        registry.add(column_type, "builtin_types")
    with pytest.raises(PluginError, match=r"^plugin 'me': column type 'int' is already registered "
                                          r"by plugin 'builtin_types'$"):
        registry.add(type("Int", (Cents,), {"name": "int"})(), "me")
    assert registry.get("int") is builtin_types.BUILTIN_TYPES[0]


def test_plugins_registering_the_same_name_are_both_named() -> None:
    first = SimpleNamespace(specrun_column_types=hookimpl(lambda: [Cents()]))
    second = SimpleNamespace(specrun_column_types=hookimpl(lambda: [Cents()]))
    pm = make_plugin_manager()
    pm.register(builtin_types, name="builtin_types")
    pm.register(first, name="money")
    pm.register(second, name="shop_money")
    with pytest.raises(PluginError, match=r"^plugin 'shop_money': column type 'cents' is already registered "
                                          r"by plugin 'money'$"):
        TypeRegistry.from_plugins(pm)


def test_a_plugin_may_not_replace_a_builtin_type() -> None:
    impostor = SimpleNamespace(name="str")          # not even a full type: the name is enough
    plugin = SimpleNamespace(specrun_column_types=hookimpl(lambda: [impostor]))
    pm = make_plugin_manager()
    pm.register(builtin_types, name="builtin_types")
    pm.register(plugin, name="texty")
    with pytest.raises(PluginError, match=r"^plugin 'texty': column type 'str' is already registered "
                                          r"by plugin 'builtin_types'$"):
        TypeRegistry.from_plugins(pm)


def test_a_type_without_the_base_class_gets_its_defaults_and_keeps_its_own() -> None:
    class Bare:
        name = "bare"
        ordered = True

        def describe(self, column):
            return "bare!"

    registered = TypeRegistry([Bare()]).get("bare")
    column = ColumnSpec("b", "bare")
    assert registered.ordered is True and registered.describe(column) == "bare!"
    assert registered.categorical is False and registered.unique_capacity(column) == math.inf
    assert registered.widens_to(TYPES.get("int")) is None and registered.text_safe(column) is column


# -- generation -------------------------------------------------------------------

def test_unique_capacity_of_a_plugin_type_caps_the_rows_drawn() -> None:
    schema = _schema(ColumnSpec("price", "cents", min="$0.01", max="$0.03", unique=True))
    assert row_bounds(schema, 20, TYPES) == (0, 3)
    frames = frame_strategy(schema, TYPES, max_rows=20)
    biggest = find(frames, lambda frame: len(frame) >= 3)
    assert len(biggest) == 3 and biggest["price"].is_unique


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_boundary_values_outside_the_plugin_column_are_never_drawn(data) -> None:
    column = ColumnSpec("price", "cents", min=50, max=150)
    value = data.draw(value_strategy(column, TYPES.get("cents")))
    assert 50 <= value <= 150


def test_the_in_bounds_boundary_values_are_drawn() -> None:
    column = ColumnSpec("price", "cents", min=50, max=150)
    assert find(value_strategy(column, TYPES.get("cents")), lambda v: v in (99, 100)) in (99, 100)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frame_strategy(_schema(ColumnSpec("label", "tag", nullable=True)), TYPES, text_format=True))
def test_text_formats_get_the_plugin_types_text_safe_column(frame: pd.DataFrame) -> None:
    assert "label" not in frame or not bool((frame["label"] == "").any())


def test_without_a_text_format_the_empty_word_is_drawn() -> None:
    # an empty word is a valid value of the type, so only a text format keeps it out
    schema = _schema(ColumnSpec("label", "tag", nullable=True))
    find(frame_strategy(schema, TYPES), lambda frame: "label" in frame and bool((frame["label"] == "").any()))


# -- validation and profiling ----------------------------------------------------------

def test_generated_plugin_data_validates_and_a_broken_frame_does_not() -> None:
    schema = _schema(ColumnSpec("price", "cents", min="$1.00", max="$2.00"), ColumnSpec("label", "tag"))
    frame = vectorised_frame(schema, 200, seed=7, types=TYPES)
    validator = to_pandera(schema, TYPES)
    validator.validate(frame)
    broken = frame.assign(price=frame["price"].where(frame.index != 3, 250))
    with pytest.raises(pa.errors.SchemaError):
        validator.validate(broken)


def test_a_plugin_column_is_profiled_like_the_builtin_of_its_dtype() -> None:
    schema = _schema(ColumnSpec("price", "cents", max=500), ColumnSpec("count", "int", min=0, max=500))
    frame = vectorised_frame(schema, 500, seed=3, types=TYPES)
    frame["count"] = frame["price"]
    profile = profile_frame(frame, "step.out")
    price, count = profile.column("price"), profile.column("count")
    assert price.kind == "numeric" == count.kind
    assert (price.min, price.max, price.mean, price.quantiles) == (count.min, count.max, count.mean, count.quantiles)


# -- compatibility and display -----------------------------------------------------------

def test_an_ordered_plugin_type_has_its_ranges_compared_with_its_own_values() -> None:
    made = ColumnSpec("price", "cents", min="$0.50", max="$9.99")
    assert _findings(made, ColumnSpec("price", "cents", min="$0.25", max=1000)) == []
    [(kind, severity, message)] = _findings(made, ColumnSpec("price", "cents", min="$1.00"))
    assert (kind, severity) == ("range", "error")
    assert "producer min $0.50 does not fit consumer min $1.00" in message


def test_a_categorical_plugin_types_value_set_is_structural() -> None:
    made, want = ColumnSpec("t", "tag", isin=["a", "b", "c"]), ColumnSpec("t", "tag", isin=["a", "b"])
    [(kind, severity, message)] = _findings(made, want, strict=False)
    assert (kind, severity) == ("categories", "error")
    assert "['c']" in message


def test_the_plugin_type_decides_what_it_widens_to_and_is_shown_by_its_description() -> None:
    made = ColumnSpec("price", "cents")
    assert _findings(made, ColumnSpec("price", "float")) == []
    [(kind, severity, message)] = _findings(made, ColumnSpec("price", "bool"))
    assert (kind, severity) == ("dtype", "error")
    assert "producer writes cents (integer hundredths), consumer expects bool" in message
    [(kind, severity, message)] = _findings(made, ColumnSpec("price", "str"))
    assert (kind, severity) == ("dtype", "warning")
    assert "cannot compare types cents (integer hundredths) and str" in message


def test_a_consumer_plugin_type_is_asked_when_the_producer_cannot_tell() -> None:
    class Score(Cents):
        name = "score"

        def widens_to(self, consumer):
            return None

        def widens_from(self, producer):
            return producer.name == "int"

    types = TypeRegistry([*builtin_types.BUILTIN_TYPES, Score()])
    ports = [PortSpec(name="out", schema=_schema(ColumnSpec("x", kind))) for kind in ("int", "str")]
    want = PortSpec(name="in", schema=_schema(ColumnSpec("x", "score")))
    assert check_edge(ports[0], want, True, types=types) == []
    [finding] = check_edge(ports[1], want, True, types=types)
    assert finding.kind == "dtype" and re.search(r"producer writes str, consumer expects cents", finding.message)


def test_a_missing_plugin_column_is_named_by_its_description() -> None:
    found = check_edge(PortSpec(name="out", schema=_schema(ColumnSpec("id", "int"))),
                       PortSpec(name="in", schema=_schema(ColumnSpec("id", "int"), ColumnSpec("price", "cents"))),
                       True, types=TYPES)
    assert [f.kind for f in found] == ["missing_column"]
    assert "consumer requires it (cents (integer hundredths))" in found[0].message



class Duration(ColumnTypeBase):
    """Elapsed time: claims pandas' timedelta dtypes, so ``pandera: module:Name`` schemas with
    timedelta columns read as this type, exactly as int columns read as ``int``."""

    name = "duration"
    ordered = True

    def claims_pandera_dtype(self, dtype_text: str) -> bool:
        return dtype_text.startswith("timedelta")

    def dtype(self, column):
        return "timedelta64[ns]"

    def checks(self, column):
        return []

    def vectorised(self, column, rows, rng):
        return pd.Series(pd.to_timedelta(rng.integers(0, 3600, size=rows), unit="s"))

    def strategy(self, column):
        return st.timedeltas()

    def boundary_values(self, column):
        return []

    def extreme_values(self, column):
        return []

    def wrong_dtype_values(self, column):
        return ["x"]


def test_a_plugin_type_claims_a_pandera_dtype_like_a_builtin() -> None:
    from specrun.contract.pandera_schema import columns_from_pandera
    from specrun.spec.model import SpecError

    schema = pa.DataFrameSchema({"took": pa.Column("timedelta64[ns]", nullable=True),
                                 "qty": pa.Column(int, pa.Check.gt(0))})
    with pytest.raises(SpecError, match=r"column 'took': pandera dtype timedelta64\[ns\] has no specrun column type"):
        columns_from_pandera(schema, TypeRegistry.builtin())
    registry = TypeRegistry.builtin()
    registry.add(Duration(), plugin="duration-plugin")
    columns = columns_from_pandera(schema, registry)
    assert columns["took"].type == "duration" and columns["took"].nullable
    assert columns["qty"].type == "int" and columns["qty"].min == 1   # an exclusive int bound steps by one
