"""Does not compile."""


def main(input_paths, output_paths, environ_vars, job_args)
    pass
