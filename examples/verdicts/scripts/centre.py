"""Centres each reading on the mean of all readings; the mean is computed as sum / len,
which divides by zero on a day without readings (an empty input is valid by contract)."""

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["readings"])
    mean = float(frame["value"].sum()) / len(frame)   # BUG: ZeroDivisionError on an empty input
    frame["centred"] = frame["value"] - mean
    frame.to_parquet(output_paths["centred"], index=False)
