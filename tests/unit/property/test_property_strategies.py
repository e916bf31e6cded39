"""Frame strategies: every drawn frame satisfies its contract, and the edge cases that
matter to data scripts are reachable (found by Hypothesis itself, with ``find``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from specrun.contract.pandera_schema import to_pandera
from specrun.contract.strategies import frame_strategy, row_bounds
from specrun.contract.types import TypeRegistry
from specrun.contract.validate import validate_frame
from specrun.spec.model import ColumnSpec, SchemaSpec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))
from contract_strategies import schemas  # noqa: E402

TYPES = TypeRegistry.builtin()
FIND = settings(max_examples=500, database=None, deadline=None)


def reached(strategy: st.SearchStrategy[pd.DataFrame], predicate, examples: int = 300) -> pd.DataFrame:
    """The first generated frame satisfying ``predicate`` (generation only, no shrinking)."""
    hits: list[pd.DataFrame] = []

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate])
    @given(strategy)
    def probe(frame: pd.DataFrame) -> None:
        if not hits and predicate(frame):
            hits.append(frame)

    probe()
    assert hits, "never generated"
    return hits[0]


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(schema=schemas(rows=6, max_columns=5), text_format=st.booleans(), data=st.data())
def test_every_drawn_frame_validates_against_the_pandera_schema(schema: SchemaSpec, text_format: bool,
                                                                data: st.DataObject) -> None:
    frame = data.draw(frame_strategy(schema, TYPES, max_rows=6, text_format=text_format))
    ok, failures = validate_frame(frame, to_pandera(schema, TYPES))
    assert ok, failures
    assert len(frame) <= 6
    assert list(frame.columns) == [n for n, c in schema.columns.items() if c.required]


KEYED = SchemaSpec(name="keyed", columns={
    "id": ColumnSpec("id", "int", unique=True, min=0, max=10**9),
    "group": ColumnSpec("group", "str", isin=["a", "b", "c"]),
    "amount": ColumnSpec("amount", "float", min=0, max=100),
    "note": ColumnSpec("note", "str", nullable=True),
    "count": ColumnSpec("count", "int", min=-5, max=5),
})


def _frames(max_rows: int = 20):
    return frame_strategy(KEYED, TYPES, max_rows=max_rows)


def test_reaches_an_empty_frame_and_a_single_row() -> None:
    assert len(reached(_frames(), lambda f: len(f) == 0)) == 0
    assert len(reached(_frames(), lambda f: len(f) == 1)) == 1


def test_reaches_an_all_null_nullable_column() -> None:
    # shrinking drops rows but keeps the column's all-null shape
    schema = SchemaSpec(name="notes", columns={"id": KEYED.columns["id"], "note": KEYED.columns["note"]})
    frame = find(frame_strategy(schema, TYPES), lambda f: len(f) >= 3 and f["note"].isna().all(),
                 settings=FIND)
    assert frame["note"].isna().all() and len(frame) == 3
    # unique keys survive shrinking; how small they get is Hypothesis' own (0, 1, 2 on
    # recent releases, a boundary value such as 10**9 may stay on the declared minimum)
    assert frame["id"].is_unique


def test_reaches_duplicate_keys_where_not_unique_but_never_in_unique_columns() -> None:
    frame = reached(_frames(), lambda f: f["amount"].duplicated().any() and (f["amount"] > 0).all())
    assert frame["amount"].duplicated().any()
    assert frame["id"].is_unique


def test_reaches_both_boundaries_of_a_range() -> None:
    frame = reached(_frames(), lambda f: (f["amount"] == 100).any() and (f["count"] == -5).any())
    assert 100.0 in set(frame["amount"]) and -5 in set(frame["count"])


def test_reaches_non_ascii_strings() -> None:
    frame = reached(_frames(), lambda f: f["note"].dropna().map(lambda s: not s.isascii()).any())
    assert any(not s.isascii() for s in frame["note"].dropna())


def test_rows_are_capped_by_what_unique_columns_can_hold() -> None:
    schema = SchemaSpec(name="small", columns={"k": ColumnSpec("k", "int", unique=True, min=1, max=4)},
                        rows_min=2)
    assert row_bounds(schema, 20, TYPES) == (2, 4)
    frame = reached(frame_strategy(schema, TYPES), lambda f: len(f) == 4)
    assert sorted(frame["k"]) == [1, 2, 3, 4]


def test_text_formats_never_get_empty_strings_in_nullable_text() -> None:
    schema = SchemaSpec(name="t", columns={"s": ColumnSpec("s", "str", nullable=True)})

    @settings(max_examples=100, database=None, deadline=None)
    @given(frame_strategy(schema, TYPES, max_rows=5, text_format=True))
    def check(frame: pd.DataFrame) -> None:
        assert "" not in set(frame["s"].dropna())

    check()


def test_unknown_column_type_is_a_spec_error() -> None:
    from specrun.spec.model import SpecError

    schema = SchemaSpec(name="x", columns={"c": ColumnSpec("c", "nope")})
    with pytest.raises(SpecError, match="unknown type 'nope'"):
        frame_strategy(schema, TYPES)
