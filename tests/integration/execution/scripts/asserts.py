"""Fails an assertion: a bug in the script."""


def main(input_paths, output_paths, environ_vars, job_args):
    assert environ_vars.get("MODE") == "strict", "MODE must be strict"
