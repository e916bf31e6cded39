"""A multiprocessing.Pool with the start method given on the command line; records
what it computed and the TMPDIR it ran with.  forkserver (and Manager, Listener) put an
AF_UNIX socket under TMPDIR, whose path must fit in 107 bytes."""
import json
import multiprocessing
import os
import sys
import tempfile


def square(x):
    return x * x


if __name__ == "__main__":
    start_method, output = sys.argv[1], sys.argv[2]
    ctx = multiprocessing.get_context(start_method)
    with ctx.Pool(2) as pool:
        squares = pool.map(square, range(6))
    with open(output, "w") as fh:
        json.dump({"squares": squares, "start_method": ctx.get_start_method(),
                   "tmpdir": os.environ["TMPDIR"], "gettempdir": tempfile.gettempdir(),
                   "tmp_real": os.path.realpath(os.environ["TMPDIR"])}, fh)
