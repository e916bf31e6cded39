"""Fits one line (slope, intercept) per customer segment and writes the parameters twice:
params.json for the scoring step, model.pkl for anything that wants the Python object."""

import json
import pickle
import sys

import numpy as np
import pandas as pd

MIN_ROWS = 2   # a line needs two points


def fit(rows: pd.DataFrame) -> dict:
    slope, intercept = np.polyfit(rows["x"], rows["y"], 1)
    return {"slope": float(slope), "intercept": float(intercept), "rows": len(rows)}


points_path, params_path, model_path = sys.argv[1:4]
points = pd.read_csv(points_path)
params = {str(segment): fit(rows) for segment, rows in points.groupby("segment")
          if len(rows) >= MIN_ROWS}
with open(params_path, "w", encoding="utf-8") as handle:
    json.dump(params, handle, indent=2)
with open(model_path, "wb") as handle:
    pickle.dump(params, handle)
