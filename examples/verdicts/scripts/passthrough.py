"""Converts amounts to USD; an unknown currency silently gets rate 1.0 (the bug)."""

import pandas as pd

RATES = {"USD": 1.0, "EUR": 1.1}


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["payments"])
    frame["amount_usd"] = frame["amount"] * frame["currency"].map(RATES).fillna(1.0)
    frame.to_parquet(output_paths["converted"], index=False)
