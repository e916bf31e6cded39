"""Allocates 10 MiB chunks (touching every page) up to 2 GiB, then exits 0."""
import time


def main(input_paths, output_paths, environ_vars, job_args):
    chunks = []
    for _ in range(200):
        chunks.append(b"\x01" * (10 * 2**20))
        time.sleep(0.005)
