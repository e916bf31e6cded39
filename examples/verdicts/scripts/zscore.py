"""Standardises each reading as (value - mean) / std.  pandas' std is the sample standard
deviation (ddof=1): of a single reading it is NaN, so the non-nullable output gets a null."""

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["readings"])
    values = frame["value"]
    frame["z"] = (values - values.mean()) / values.std()   # BUG: NaN for a single row
    frame.to_parquet(output_paths["scored"], index=False)
