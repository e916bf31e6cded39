"""Scores points with the per-segment lines that train.py fitted."""

import json
import sys

import pandas as pd

points_path, params_path, scored_path = sys.argv[1:4]
points = pd.read_csv(points_path)
with open(params_path, encoding="utf-8") as handle:
    params = json.load(handle)
points["score"] = [params[s]["slope"] * x + params[s]["intercept"]
                   for s, x in zip(points["segment"], points["x"], strict=True)]
points.to_csv(scored_path, index=False)
