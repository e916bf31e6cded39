"""Imports a module that does not exist: an import error at load time."""
import specrun_test_no_such_module_4711  # noqa: F401


def main(input_paths, output_paths, environ_vars, job_args):
    pass
