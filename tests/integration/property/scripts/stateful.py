"""Module-level state, a change to a preloaded module and a local helper: none may leak between runs."""
import json
import os

import local_helper
import pandas as pd

CALLS = []


def main(input_paths, output_paths, environ_vars, job_args):
    CALLS.append(1)
    seen = {"calls": len(CALLS), "leak": getattr(pd, "_specrun_leak", None),
            "helper_imports": local_helper.IMPORTS, "pid": os.getpid(),
            "helper_marker": os.path.exists("helper_was_imported_here")}
    pd._specrun_leak = "set by an earlier run"
    with open(output_paths["state"], "w") as fh:
        json.dump(seen, fh)
