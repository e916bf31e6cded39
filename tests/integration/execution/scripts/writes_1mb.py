"""Writes a 1 MiB file to its output."""


def main(input_paths, output_paths, environ_vars, job_args):
    with open(output_paths["blob"], "wb") as fh:
        fh.write(b"\x00" * 2**20)
