"""Reads a malformed CSV with pandas: pandas.errors.ParserError."""
import io

import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    pd.read_csv(io.StringIO("a,b\n1,2\n3,4,5,6\n"))
