"""Coverage per step from a record's cases (analysis/coverage.py): scenarios, negative
constraints, and the union of the lines every case ran; line ranges property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from specrun.analysis.coverage import line_ranges, step_coverage


def case(scenario: str, outcome: str = "passed", negative: str | None = None, missing=None, step: str = "s",
         kind: str = "step") -> dict:
    details: dict = {}
    if negative:
        details["negative"] = negative
    if missing is not None:
        details["coverage"] = {"file": "/p/s.py", "statements": [1, 2, 3, 4, 5, 6], "missing": missing}
    return {"pipeline": "p", "step": step, "scenario": scenario, "kind": kind, "outcome": outcome, "details": details}


def test_lines_are_the_union_of_every_case_and_constraints_keep_their_outcome() -> None:
    [cover] = step_coverage([
        case("standard", missing=[3, 4, 5]),
        case("negative", negative="rows.id.min", missing=[2, 5, 6]),
        case("negative", outcome="failed", negative="rows.id.type", missing=[5, 6]),
        case("standard", kind="transition"),   # not a step case
    ])
    assert cover.scenarios == ["standard"]
    assert cover.constraints == {"rows.id.min": "passed", "rows.id.type": "failed"}
    assert cover.missing == [5] and cover.percent == 100 * 5 / 6
    assert cover.to_json()["line_percent"] == 83.3


def test_unmeasured_steps_have_no_percent() -> None:
    covers = step_coverage([case("a"), case("b", step="t"), case("a")])
    assert [(c.step, c.scenarios, c.percent) for c in covers] == [("s", ["a"], None), ("t", ["b"], None)]


@given(st.sets(st.integers(1, 500)))
def test_line_ranges_name_exactly_the_lines(lines: set[int]) -> None:
    text = line_ranges(sorted(lines))
    back: set[int] = set()
    for part in filter(None, text.split(", ")):
        low, _, high = part.partition("-")
        back |= set(range(int(low), int(high or low) + 1))
    assert back == lines
    assert text.count(", ") == max(0, len(text.split(", ")) - 1)
    # maximal runs: no two parts touch
    parts = [list(map(int, p.split("-"))) for p in filter(None, text.split(", "))]
    assert all(b[0] > a[-1] + 1 for a, b in zip(parts, parts[1:], strict=False))
