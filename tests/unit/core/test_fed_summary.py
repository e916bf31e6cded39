"""What a case was fed, as recorded for ``-v``."""

from __future__ import annotations

import pandas as pd

from specrun.analysis.fed import fed_summary
from specrun.report.console import fed_lines


def test_rows_and_per_column_min_max_and_nulls():
    frame = pd.DataFrame({"amount": [-5.0, None, 1e9], "code": ["b", "a", None],
                          "mixed": pd.Series([1, "x", None], dtype=object)})
    fed = fed_summary({"rows": frame, "empty": frame.iloc[0:0]})
    assert fed["rows"]["rows"] == 3
    assert fed["rows"]["columns"]["amount"] == {"min": -5.0, "max": 1e9, "nulls": 1}
    assert fed["rows"]["columns"]["code"] == {"min": "a", "max": "b", "nulls": 1}
    assert fed["rows"]["columns"]["mixed"] == {"min": "1", "max": "x", "nulls": 1}
    assert fed["empty"]["columns"]["amount"] == {"min": None, "max": None, "nulls": 0}
    assert fed_lines(fed)[0] == "rows: 3 rows; amount -5..1e+09 (1 null); code a..b (1 null); mixed 1..x (1 null)"
