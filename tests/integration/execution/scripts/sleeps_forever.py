"""Starts a child in its process group, writes both pids, then sleeps forever."""
import json
import subprocess
import sys
import time


def main(input_paths, output_paths, environ_vars, job_args):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    with open(output_paths["pids"], "w") as fh:
        json.dump({"script": __import__("os").getpid(), "child": child.pid}, fh)
    while True:
        time.sleep(1)
