"""Raises ValueError from main(): a data error."""


def main(input_paths, output_paths, environ_vars, job_args):
    raise ValueError("unknown currency 'XXX' in row 7")
