"""Spawns a grandchild that escapes with setsid and keeps sleeping; exits 0 at once."""
import subprocess
import sys


def main(input_paths, output_paths, environ_vars, job_args):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"],
                             start_new_session=True)
    with open(output_paths["pid"], "w") as fh:
        fh.write(str(child.pid))
