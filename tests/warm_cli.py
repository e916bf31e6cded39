"""``python -m specrun ARGS`` without paying the interpreter's imports on every call.

The tests run specrun's command line several hundred times; each run used to import pandas, pandera,
Hypothesis, pyarrow, networkx and rich again (about a second of CPU), which was a third of
the suite.  A warm parent (one per pytest worker) imports them once and forks one child
per run: the child is a real process of its own (its own pid, working directory,
environment, file descriptors 1 and 2 on files, exit status), and starts from the parent's
untouched post-import state, so no run sees another's.  It runs ``specrun.cli.main`` as
``python -m specrun`` would (the current directory first on ``sys.path``, ``sys.argv[0]``
the package's ``__main__.py``).  This is how specrun's own fork executor runs scripts.

What a fork cannot give falls back to a fresh ``python -m specrun``: an environment whose
``PYTHON*`` variables (how the interpreter starts) differ from the parent's, and machines
without ``fork``; a ``PYTHONPATH`` the parent has none of is given by putting its entries
on the child's ``sys.path`` where the interpreter would.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SERVER = r'''
import json, os, sys, traceback
for name in ("pandas", "pandera.pandas", "numpy", "pyarrow", "pyarrow.parquet", "pyarrow.csv", "hypothesis",
             "hypothesis.strategies", "networkx", "rich.console", "strictyaml", "jinja2", "boto3", "psutil"):
    try:
        __import__(name)
    except ImportError:
        pass
import specrun.cli
from specrun.hooks import DEFAULT_PLUGINS
for _, module in DEFAULT_PLUGINS:
    __import__(module)
import specrun.session, specrun.contract.strategies, specrun.contract.negative_strategies
MAIN = os.path.join(os.path.dirname(specrun.__file__), "__main__.py")
BASE_PATH = list(sys.path)
requests, replies = sys.stdin, sys.stdout
print(json.dumps({"ready": os.getpid()}), file=replies, flush=True)
for line in requests:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            os.chdir(job["cwd"])
            os.environ.clear()
            os.environ.update(job["env"])
            for fd, target in ((0, os.devnull), (1, job["stdout"]), (2, job["stderr"])):
                opened = os.open(target, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(opened, fd)
                os.close(opened)
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            sys.path[:] = [os.getcwd(), *job["pythonpath"], *BASE_PATH[1:]]
            sys.argv = [MAIN, *job["args"]]
            try:
                code = specrun.cli.main(job["args"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if not isinstance(exc.code, int) and exc.code is not None:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else 1)
    print(json.dumps({"seq": job["seq"], "pid": pid}), file=replies, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"seq": job["seq"], "status": os.waitstatus_to_exitcode(status)}), file=replies, flush=True)
'''


def _interpreter_settings(env: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") and k != "PYTHONPATH"}


def _added_path(env: dict[str, str]) -> list[str] | None:
    """The ``sys.path`` entries a run's ``PYTHONPATH`` adds to the warm parent's (put after the
    current directory, as the interpreter puts them), or None when a fork cannot give that
    ``sys.path`` (the parent has a ``PYTHONPATH`` of its own that the run's differs from)."""
    ours, theirs = os.environ.get("PYTHONPATH"), env.get("PYTHONPATH")
    if ours is not None:
        return [] if theirs == ours else None
    return [entry for entry in (theirs or "").split(os.pathsep) if entry]


class WarmCli:
    """One warm parent; :meth:`run` is ``subprocess.run([python, -m, specrun, *args])``."""

    def __init__(self, scratch: Path) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._scratch = scratch       # the runs' stdout and stderr files, outside every project
        self._seq = itertools.count()
        self._pending = b""           # bytes read from the parent's replies, not yet a whole line

    def _server(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._forget()
            env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
            self._proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, env=env)
            self._pending = b""
            self._reply(timeout=120)
        return self._proc

    def _reply(self, timeout: float) -> dict:
        """The parent's next reply line.  Lines are cut from the pipe's bytes here, never by a
        buffered ``readline``: that can take two replies off the pipe at once (a run that ends
        before its pid reply is read), and ``select`` then waits on an empty pipe for the reply
        that already sits in the reader's buffer (in CI, a ``--version`` "hung" for 240 s)."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise subprocess.TimeoutExpired("warm specrun", timeout)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("the warm specrun parent exited")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return json.loads(line)

    def _reply_to(self, seq: int, key: str, timeout: float) -> dict:
        """The parent's ``key`` reply to run ``seq``; a reply to an earlier run is never taken
        for this one's."""
        while True:
            reply = self._reply(timeout)
            if reply.get("seq") == seq and key in reply:
                return reply

    def _discard(self, pid: int | None) -> None:
        """Stop the parent (and the run it forked) after a run was left half-way, so the next
        run starts from a parent whose replies are all its own."""
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=30)
            self._forget()

    def _forget(self) -> None:
        """Close the pipes of a parent that is gone (left open, each warns ResourceWarning
        when collected, and the shared one at the interpreter's exit)."""
        if self._proc is not None:
            for pipe in (self._proc.stdin, self._proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
            self._proc = None

    def run(self, args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str, str]:
        """(exit status, stdout, stderr) of ``specrun ARGS`` in ``cwd`` with exactly ``env``;
        a negative status is a signal, as :mod:`subprocess` reports it."""
        added = _added_path(env)
        if not hasattr(os, "fork") or added is None or _interpreter_settings(env) != _interpreter_settings(os.environ):
            proc = subprocess.run([sys.executable, "-m", "specrun", *args], cwd=cwd, capture_output=True,
                                  text=True, timeout=timeout, env=env)
            return proc.returncode, proc.stdout, proc.stderr
        with self._lock:
            server = self._server()
            seq = next(self._seq)
            out, err = self._scratch / f"stdout-{seq}", self._scratch / f"stderr-{seq}"
            assert server.stdin is not None
            pid: int | None = None
            try:
                server.stdin.write(json.dumps({"seq": seq, "args": list(args), "cwd": str(cwd), "env": env,
                                               "pythonpath": added, "stdout": str(out), "stderr": str(err)}) + "\n")
                server.stdin.flush()
                pid = self._reply_to(seq, "pid", timeout=60)["pid"]
                status = self._reply_to(seq, "status", timeout=timeout)["status"]
            except subprocess.TimeoutExpired:
                self._discard(pid)       # the run and its scripts (the child leads its session)
                raise subprocess.TimeoutExpired(["specrun", *args], timeout) from None
            except BaseException:
                self._discard(pid)       # interrupted (a test's time limit, Ctrl-C): never reused
                raise
            try:
                return status, out.read_text(), err.read_text()   # decoded as subprocess.run(text=True) does
            finally:
                out.unlink(missing_ok=True)
                err.unlink(missing_ok=True)

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
        self._forget()


_shared: WarmCli | None = None


def shared_cli() -> WarmCli:
    """This process's warm parent (started on first use, stopped at exit)."""
    global _shared
    if _shared is None:
        scratch = Path(tempfile.mkdtemp(prefix="warm-cli-"))
        _shared = WarmCli(scratch)
        atexit.register(shutil.rmtree, scratch, True)
        atexit.register(_shared.close)
    return _shared


def run_specrun(args: list[str], *, cwd: Path | str, env: dict[str, str] | None = None, timeout: float = 240,
                capture_output: bool = True, text: bool = True, check: bool = False
                ) -> subprocess.CompletedProcess[str]:
    """``subprocess.run([python, -m, specrun, *args], cwd=..., env=..., capture_output=True,
    text=True)``, forked from the warm parent (the keywords are :func:`subprocess.run`'s)."""
    assert capture_output and text and not check, "run_specrun captures text and never checks"
    environ = dict(os.environ if env is None else env)
    code, stdout, stderr = shared_cli().run([str(a) for a in args], Path(cwd), environ, timeout)
    return subprocess.CompletedProcess(["specrun", *args], code, stdout, stderr)
