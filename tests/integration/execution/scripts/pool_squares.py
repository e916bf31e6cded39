"""multiprocessing.Pool over a function defined in this script, call-main and argv style."""
import argparse
import json
import multiprocessing
import time


def slow_square(x):
    time.sleep(0.1)
    return x * x


def run(start_method, output):
    ctx = multiprocessing.get_context(start_method)
    with ctx.Pool(2) as pool:
        squares = pool.map(slow_square, range(6))
    with open(output, "w") as fh:
        json.dump({"squares": squares, "start_method": ctx.get_start_method()}, fh)


def main(input_paths, output_paths, environ_vars, job_args):
    run(job_args.start_method, output_paths["squares"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--start-method", default=None)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    run(args.start_method, args.output)
