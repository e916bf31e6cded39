"""Volume scaling on real scripts: a quadratic step is flagged super-linear, a linear one is not.

Only the robust contrast is asserted (the quadratic step's growth is seconds of CPU,
far above the noise floor; the linear step's is milliseconds, below it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from deep_dive_helpers import specrun

PAIRS = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    values = pd.read_csv(input_paths["rows"])["value"].tolist()
    close = sum(1 for a in values for b in values if a - b < 0.001 and b - a < 0.001)
    pd.DataFrame({"close": [close]}).to_csv(output_paths["out"], index=False)
'''
TOTAL = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["rows"])
    frame.assign(double=frame["value"] * 2).to_csv(output_paths["out"], index=False)
'''
SPEC = '''
version: 1
pipeline: scaling
defaults: {timeout: 300, seed: 5}
schemas:
  rows:
    columns:
      id: {type: int, unique: true}
      value: {type: float, min: 0, max: 1}
steps:
  pairs:
    script: pairs.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, source: data/rows.csv}
    outputs:
      out: {format: csv}
  total:
    script: total.py
    call: main
    inputs:
      rows: {format: csv, schema: rows, source: data/rows.csv}
    outputs:
      out: {format: csv}
modes:
  deep_dive: {focus_areas: [scaling, error_patterns], volume_rows: [2000, 4000, 8000]}
'''


@pytest.mark.slow
def test_quadratic_step_is_flagged_super_linear_and_linear_is_not(tmp_path):
    (tmp_path / "data").mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame({"id": np.arange(500), "value": rng.random(500)}).to_csv(tmp_path / "data" / "rows.csv", index=False)
    (tmp_path / "pairs.py").write_text(PAIRS)
    (tmp_path / "total.py").write_text(TOTAL)
    (tmp_path / "scaling.yaml").write_text(SPEC)

    out = specrun(tmp_path, "scaling.yaml", "--mode", "deep_dive")

    assert out.code == 0, out.output
    steps = out.deep_dive("scaling")["steps"]
    pairs, total = steps["pairs"]["scaling"], steps["total"]["scaling"]
    for scaling in (pairs, total):
        assert scaling["data"] == "real (resampled)"
        assert [p["rows"] for p in scaling["points"]] == [2000, 4000, 8000]
        assert all(p["ok"] for p in scaling["points"]) and scaling["baseline"]["rows"] == 0
        assert set(scaling["time"]) >= {"exponent", "r2", "significant", "super_linear", "baseline"}
        assert scaling["memory"]["metric"] == "peak_rss_bytes"
    assert steps["pairs"]["real"]["rows"] == 500 and steps["pairs"]["sources"]["rows"]["kind"] == "local"
    assert pairs["time"]["super_linear"] and pairs["time"]["exponent"] > 1.2, (pairs, total)
    assert not total["time"]["super_linear"], (pairs, total)
    advice = [r for r in out.deep_dive("scaling")["recommendations"] if r["topic"] == "scaling"]
    assert [r["step"] for r in advice] == ["pairs"] and "super-linear" in advice[0]["message"]
    assert "volume scaling" in out.output and "super-linear scaling" in out.case("pairs")["message"]
