"""Upper-cases the optional note of each reading.  A CSV column that is entirely empty
reads back as float NaN, not text, and ``.str`` refuses it: the all-null day crashes."""

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    frame = pd.read_csv(input_paths["readings"])
    frame["note"] = frame["note"].str.upper()   # BUG: AttributeError when every note is null
    frame.to_parquet(output_paths["shouted"], index=False)
