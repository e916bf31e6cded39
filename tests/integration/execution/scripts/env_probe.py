"""Writes what the script can see of its environment and arguments."""
import json
import os
import sys


def main(input_paths, output_paths, environ_vars, job_args):
    with open(output_paths["probe"], "w") as fh:
        json.dump({
            "os_environ": dict(os.environ),
            "environ_vars": environ_vars,
            "job_args_type": type(job_args).__module__ + "." + type(job_args).__name__,
            "job_args": vars(job_args),
            "input_paths": input_paths,
            "cwd": os.getcwd(),
            "tmpdir_real": os.path.realpath(os.environ.get("TMPDIR", "")),
            "argv": sys.argv,
            "name": __name__,
            "sys_path0": sys.path[0],
            "preloaded": sorted(m for m in ("pandas", "numpy", "specrun") if m in sys.modules),
        }, fh)
