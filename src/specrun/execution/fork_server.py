"""The warm parent of the fork executor: runs INSIDE its own process, never in specrun's.

Started by :class:`specrun.execution.fork.ForkServer` as
``python -P …/execution/fork_server.py LOG [MODULE …]``.  It imports the heavy
modules once (pandas, numpy, pyarrow and whatever else it is asked to preload), then
serves commands, one JSON object per line on stdin, answering on the pipe that was
its stdout (its own fd 1 and 2 go to LOG, so nothing else can write to that pipe):

* ``{"op": "run", "id": N, "request": PATH, "workdir": DIR, "env": {...},
  "stdout": PATH, "stderr": PATH, "preload": [NAME …], "script_dir": DIR}`` →
  import the preload modules not yet imported (installed ones only, never from the
  script's folder), fork a child, answer ``{"id": N, "pid": PID, "joined": BOOL}`` (whether
  it moved itself into the run's cgroups before anything else; the answer waits for the
  child's word, but the server forks and reaps other runs meanwhile) — or ``{"id": N,
  "error": …}`` when the run's folders shadow a module loaded here (it must run fresh);
* ``{"op": "spare", "cgroup_procs": [PATH …]}`` → fork a *spare* child now, for the next
  run: it moves into those cgroups (made ahead by specrun, for that run) and sets up its
  session, then waits for its command.  A ``run`` with ``"spare": true`` and the same
  ``cgroup_procs`` is handed to it when nothing was imported here since it was forked, so
  the cgroup move (a kernel grace period, ~10 ms) and the fork happen while specrun is
  still busy with the previous run; else the spare is killed and reaped, and the run forked
  into that cgroup as usual.  No reply;
* when that child exits it is left a zombie and ``{"id": N, "exited": true}`` is sent,
  so specrun can take a last sample and kill stray descendants while the process
  group cannot be recycled;
* ``{"op": "reap", "id": N}`` → ``{"id": N, "returncode": RC, "cpu": SECONDS}``; then
  what the run imported is queued to be preloaded before the next fork
  (:mod:`.fork_modules`).

End of input (specrun closed the pipe or died) kills every child's process group and
exits.  Each child: new session and process group, stdin from /dev/null, stdout and
stderr to the run's log files, cwd the sandbox, ``os.environ`` replaced by the
request's environment, fresh random seeds, then the script is loaded as a new module
by the same bootstrap as a fresh process (:mod:`.child`).

Standard library only at import, like :mod:`.child`.
"""

from __future__ import annotations

import sys

#: what the interpreter loaded before any import of this file: what no script folder can
#: shadow in a fresh run either (taken first, so the imports below are not in it)
AT_START = frozenset(sys.modules)

import atexit
import importlib
import importlib.util
import json
import os
import random
import selectors
import shutil
import signal
import tempfile
import threading
import time
import traceback
from typing import Any

DEFAULT_PRELOAD = ("numpy", "pandas", "pyarrow", "pyarrow.parquet")
POLL_S = 0.5
JOIN_WAIT_S = 5.0     # how long a child has to say it joined its cgroups (else specrun moves it)


def _load_sibling(filename: str, name: str) -> Any:
    """A module next to this file, imported by path (this file is started by path, with
    nothing of specrun importable)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = _load_sibling("child.py", "_specrun_child_bootstrap")   # also installs the script finder
modules = _load_sibling("fork_modules.py", "_specrun_fork_modules")
#: the warning filters of an interpreter started without PYTHONWARNINGS (this one, before
#: preloading adds any): each child starts from them, then applies its own PYTHONWARNINGS
BASE_WARNING_FILTERS = list(bootstrap.warnings.filters)


def _inside(path: str | None, folder: str) -> bool:
    if not path or not folder:
        return False
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def preload(names: list[str], script_dir: str, tried: set[str]) -> list[str]:
    """Import the installed modules among ``names`` not in ``tried`` (and not from
    ``script_dir``), adding them to ``tried``; those imported."""
    done = []
    for name in names:
        if name in tried:
            continue
        tried.add(name)
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or _inside(spec.origin, script_dir) or any(
                _inside(p, script_dir) for p in (spec.submodule_search_locations or [])):
            continue
        try:
            importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - a module that fails to import is not preloaded
            print(f"fork server: preloading {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        done.append(name)
    sys.stdout.flush()
    sys.stderr.flush()
    return done


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _redirect(path: str, fd: int) -> None:
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _join_cgroups(procs_files: list[str], joined_fd: int) -> None:
    """Move this process into the run's cgroup(s) ("0" is the writer itself), then tell the
    server on ``joined_fd`` whether every move worked ("1"; else specrun moves it: a second
    move costs as much as the first, ~10 ms)."""
    moved = True
    for procs in procs_files:
        try:
            with open(procs, "w") as fh:
                fh.write("0")
        except OSError:
            moved = False
    if joined_fd >= 0:
        try:
            os.write(joined_fd, b"1" if moved else b"0")
        except OSError:
            pass
        os.close(joined_fd)


def _said_joined(joined_r: int) -> bool:
    """In the server, once ``joined_r`` is readable: whether the child said it joined its
    cgroups (False on "0" and on its death before saying anything)."""
    try:
        return os.read(joined_r, 1) == b"1"
    except OSError:
        return False
    finally:
        os.close(joined_r)


def _read_command(fd: int) -> dict[str, Any] | None:
    """In a spare child: its run's command, read to the end of ``fd`` (None: end of input
    without a whole command, i.e. the spare is not needed)."""
    data = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(fd)
    try:
        command = json.loads(data) if data else None
    except ValueError:
        return None
    return command if isinstance(command, dict) else None


def _become_run(command: dict[str, Any], private_fds: list[int], joined_fd: int = -1) -> None:
    """In the forked child: set up the run's process state, run the script, never return."""
    _child(list(command.get("cgroup_procs") or ()), private_fds, joined_fd, lambda: command)


def _become_spare(procs_files: list[str], private_fds: list[int], joined_fd: int, command_fd: int) -> None:
    """In a child forked ahead of its run (see :meth:`Server.fork_spare`): join the run's
    cgroups and set up the process as :func:`_become_run` does, then wait on ``command_fd``
    for the run's command and run it; exit at once, running nothing, if none comes."""
    _child(procs_files, private_fds, joined_fd, lambda: _read_command(command_fd))


def _child(procs_files: list[str], private_fds: list[int], joined_fd: int,
           get_command: Any) -> None:
    """The forked child's life: cgroups, session, signals and fds first, then the command
    (``get_command()``; None: exit), the run's own process state, the script; never return."""
    code = 1
    before = frozenset(sys.modules)
    command: dict[str, Any] = {}
    try:
        _join_cgroups(procs_files, joined_fd)      # before anything else
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in dict.fromkeys(private_fds):
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        found = get_command()                      # a spare waits here for its run
        if found is None:
            os._exit(0)
        command = found
        _redirect(command["stdout"], 1)
        _redirect(command["stderr"], 2)
        os.chdir(command["workdir"])
        env = {str(k): str(v) for k, v in command["env"].items()}
        os.environ.clear()
        os.environ.update(env)
        extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]
        sys.path[0:0] = extra
        tempfile.tempdir = None                     # re-read TMPDIR
        bootstrap.set_warning_options(BASE_WARNING_FILTERS, env.get("PYTHONWARNINGS", ""))
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        with open(command["request"], encoding="utf-8") as fh:
            request = json.load(fh)
        bootstrap._harden_process()
        code = bootstrap.run(request)
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 - the bootstrap itself failed: say so in stderr
        traceback.print_exc()
        code = 1
    try:
        for thread in threading.enumerate():        # as at interpreter exit
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        if command.get("learn"):
            modules.write_learned(command["learn"], before)
    finally:
        os._exit(code)


class _Spare:
    """A child forked ahead of its run, in the cgroup(s) specrun made for the next run."""

    def __init__(self, pid: int, procs_files: list[str], command_w: int, joined_r: int,
                 modules_at_fork: frozenset[str]) -> None:
        self.pid = pid
        self.procs_files = procs_files
        self.command_w = command_w               # the run's command goes here (closing it: not needed)
        self.joined_r = joined_r                 # its word on the cgroup move (-1 once read)
        self.joined: bool | None = None          # what it said (None: not yet)
        self.modules_at_fork = modules_at_fork   # what the server had loaded when it forked it


class Server:
    """The command loop: forks runs, reports exits, reaps on request."""

    def __init__(self, reply_fd: int) -> None:
        self.reply_fd = reply_fd
        self.children: dict[int, int] = {}          # run id -> pid
        self.reported: set[int] = set()
        self.tried: set[str] = set()
        self.folders: dict[int, list[str]] = {}     # run id -> the folders it imports from first
        self.learned: list[str] = []                # reported by runs, to preload before the next fork
        self._learn_dir = ""                        # made at the first run (an unused parent is killed)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        self.selector = selectors.DefaultSelector()
        # forked runs still moving into their cgroups: read end -> (run id, pid, folders, deadline);
        # answered when the child says so, while the server forks and reaps other runs meanwhile
        self.joining: dict[int, tuple[int, int, list[str], float]] = {}
        self.spare: _Spare | None = None

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.reply_fd, data):]

    def serve(self) -> None:
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        selector = self.selector
        selector.register(0, selectors.EVENT_READ, "command")
        selector.register(self.wake_r, selectors.EVENT_READ, "child")
        buffer = b""
        while True:
            for key, _ in selector.select(self._timeout()):
                if key.data == "joined":
                    self.answer(key.fd, said=True)
                    continue
                if key.data == "spare":
                    self.spare_said(key.fd)
                    continue
                if key.data == "child":
                    try:
                        os.read(self.wake_r, 4096)
                    except BlockingIOError:
                        pass
                    continue
                chunk = os.read(0, 65536)
                if not chunk:
                    self.shutdown()
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        self.handle(json.loads(line))
                # a command may have claimed or dropped the spare (its fd now a run's cgroup
                # word, or closed): the other events of this select are stale; select again
                break
            self.expire_joins()
            self.report_exits()

    def _timeout(self) -> float:
        if not self.joining:
            return POLL_S
        return max(0.0, min(POLL_S, min(d for *_, d in self.joining.values()) - time.monotonic()))

    def answer(self, joined_r: int, said: bool) -> None:
        """Say a forked run's pid and whether it joined its cgroups (read from ``joined_r``
        when the child ``said`` something, else False): from now on its exit is reported
        and it can be reaped."""
        run_id, pid, folders, _ = self.joining.pop(joined_r)
        self.selector.unregister(joined_r)
        if said:
            joined = _said_joined(joined_r)
        else:
            os.close(joined_r)
            joined = False
        self.children[run_id] = pid
        self.folders[run_id] = folders
        self.send({"id": run_id, "pid": pid, "joined": joined})

    def expire_joins(self) -> None:
        """A child that said nothing within JOIN_WAIT_S: specrun moves it itself."""
        now = time.monotonic()
        for joined_r, (*_, deadline) in list(self.joining.items()):
            if now >= deadline:
                self.answer(joined_r, said=False)

    def handle(self, command: dict[str, Any]) -> None:
        if command["op"] == "spare":
            self.fork_spare([str(p) for p in command.get("cgroup_procs") or ()])
            return
        run_id = int(command["id"])
        if command["op"] == "reap":
            self.reap(run_id)
            return
        script_dir = str(command.get("script_dir") or "")
        folders = modules.search_folders(script_dir, {str(k): str(v) for k, v in command.get("env", {}).items()},
                                         sys.path)
        local = modules.local_modules(folders)
        wanted = [name for name in command.get("preload") or [] if name.partition(".")[0] not in local]
        preload(wanted + self.learned, script_dir, self.tried)
        self.learned = []
        hidden = modules.shadowed(folders, list(sys.modules), AT_START)
        procs_files = [str(p) for p in command.get("cgroup_procs") or ()]
        if command.get("spare") and self.spare is not None and self.spare.procs_files == procs_files:
            spare, self.spare = self.spare, None     # the run's cgroup is the spare's: it is the run, or dies
        else:
            spare = None
        if hidden:
            if spare is not None:
                self.drop(spare)
            self.send({"id": run_id, "error": f"the run's folders provide {', '.join(hidden)}, which the warm "
                                              "parent has loaded from elsewhere: it needs a fresh interpreter"})
            return
        sys.stdout.flush()
        sys.stderr.flush()
        command = {**command, "learn": self.learn_path(run_id)}
        if command.get("main_script"):               # argv style: every later fork inherits its code
            bootstrap.precompile(str(command["main_script"]))
        if spare is not None:
            if self.hand_over(spare, run_id, command, folders):
                return
            self.drop(spare)                         # stale: killed and reaped before its cgroup gets the run
        joined_r, joined_w = os.pipe() if command.get("cgroup_procs") else (-1, -1)
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in (joined_r, joined_w):
                if fd >= 0:
                    os.close(fd)
            self.send({"id": run_id, "error": f"fork failed: {exc}"})
            return
        if pid == 0:
            private = self.private_fds() + ([joined_r] if joined_r >= 0 else [])
            _become_run(command, private, joined_w)
        if joined_r < 0:
            self.children[run_id] = pid
            self.folders[run_id] = folders
            self.send({"id": run_id, "pid": pid, "joined": False})
            return
        os.close(joined_w)
        self.joining[joined_r] = (run_id, pid, folders, time.monotonic() + JOIN_WAIT_S)
        self.selector.register(joined_r, selectors.EVENT_READ, "joined")

    def private_fds(self) -> list[int]:
        """The server's own fds a forked child closes: its command and reply pipes, the
        SIGCHLD wake-up pipe, the spare's pipes and the cgroup words of runs still joining."""
        own = [0, self.reply_fd, self.wake_r, self.wake_w, *self.joining]
        if self.spare is not None:
            own += [self.spare.command_w] + ([self.spare.joined_r] if self.spare.joined_r >= 0 else [])
        return own

    def fork_spare(self, procs_files: list[str]) -> None:
        """Fork a child for the next run now, into the cgroup(s) specrun made for it
        (``procs_files``): its move (~10 ms, a kernel grace period, not CPU) and the fork
        itself then happen before that run is asked for, while specrun finishes the last.
        Not while modules the last run imported wait to be preloaded (the next fork has
        them), nor without a cgroup (nothing to wait for)."""
        self.discard_spare()
        if self.learned or not procs_files:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        command_r, command_w = os.pipe()
        joined_r, joined_w = os.pipe()
        private = self.private_fds() + [command_w, joined_r]
        loaded = frozenset(sys.modules)
        try:
            pid = os.fork()
        except OSError:
            for fd in (command_r, command_w, joined_r, joined_w):
                os.close(fd)
            return
        if pid == 0:
            _become_spare(procs_files, private, joined_w, command_r)
        os.close(command_r)
        os.close(joined_w)
        os.set_blocking(command_w, False)
        self.spare = _Spare(pid, procs_files, command_w, joined_r, loaded)
        self.selector.register(joined_r, selectors.EVENT_READ, "spare")

    def spare_said(self, joined_r: int) -> None:
        """The unclaimed spare said whether it joined its cgroups."""
        self.selector.unregister(joined_r)
        spare = self.spare
        if spare is None or spare.joined_r != joined_r:
            os.close(joined_r)
            return
        spare.joined, spare.joined_r = _said_joined(joined_r), -1

    def hand_over(self, spare: _Spare, run_id: int, command: dict[str, Any], folders: list[str]) -> bool:
        """Give run ``run_id`` to the spare (False: it cannot take it: the server loaded
        modules since it forked the spare, or the spare is gone).  Answered as a fork is:
        now if the spare said it joined its cgroups, else when it says so."""
        if spare.modules_at_fork != frozenset(sys.modules):
            return False
        data = json.dumps(command).encode()
        try:
            if os.write(spare.command_w, data) != len(data):   # the pipe is empty: all of it fits, or no spare
                return False
        except OSError:                                         # gone (EPIPE), or a command over the pipe's size
            return False
        os.close(spare.command_w)
        spare.command_w = -1
        if spare.joined is None:
            self.joining[spare.joined_r] = (run_id, spare.pid, folders, time.monotonic() + JOIN_WAIT_S)
            self.selector.modify(spare.joined_r, selectors.EVENT_READ, "joined")
            return True
        self.children[run_id] = spare.pid
        self.folders[run_id] = folders
        self.send({"id": run_id, "pid": spare.pid, "joined": spare.joined})
        return True

    def drop(self, spare: _Spare) -> None:
        """Kill a spare that will not run anything, and reap it."""
        if spare.command_w >= 0:
            os.close(spare.command_w)
        if spare.joined_r >= 0:
            self.selector.unregister(spare.joined_r)
            os.close(spare.joined_r)
        try:
            os.kill(spare.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(spare.pid, 0)
        except ChildProcessError:
            pass

    def discard_spare(self) -> None:
        if self.spare is not None:
            spare, self.spare = self.spare, None
            self.drop(spare)

    def report_exits(self) -> None:
        for run_id, pid in list(self.children.items()):
            if run_id in self.reported:
                continue
            try:
                exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            except ChildProcessError:
                exited = True
            if exited:
                self.reported.add(run_id)
                self.send({"id": run_id, "exited": True})

    def reap(self, run_id: int) -> None:
        pid = self.children.pop(run_id, None)
        self.reported.discard(run_id)
        returncode, cpu = None, 0.0
        if pid is not None:
            try:
                _, status, usage = os.wait4(pid, 0)
                returncode, cpu = os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
            except ChildProcessError:
                pass
        self.send({"id": run_id, "returncode": returncode, "cpu": cpu})
        self.learn(run_id)

    def learn_path(self, run_id: int) -> str:
        """Where run ``run_id`` lists the modules it imported."""
        if not self._learn_dir:
            self._learn_dir = tempfile.mkdtemp(prefix=f"specrun-fork-learn-{os.getpid()}-")
        return os.path.join(self._learn_dir, f"{run_id}.json")

    def learn(self, run_id: int) -> None:
        """Queue for preloading what the reaped run imported that the next forks may share."""
        folders = self.folders.pop(run_id, [])
        entries = modules.read_learned(self.learn_path(run_id))
        if entries:
            names = modules.learnable(entries, folders, self.tried)
            self.learned += [name for name in names if name not in self.learned]
            if names:
                print(f"fork server: run {run_id} imported {len(names)} shareable modules: "
                      f"{', '.join(names[:20])}{' …' if len(names) > 20 else ''}", file=sys.stderr, flush=True)

    def shutdown(self) -> None:
        """specrun is gone: leave no run behind (and no learning folder)."""
        if self._learn_dir:
            shutil.rmtree(self._learn_dir, ignore_errors=True)
        self.discard_spare()
        for joined_r, (run_id, pid, _, _) in list(self.joining.items()):
            self.children[run_id] = pid
            os.close(joined_r)
        self.joining.clear()
        for pid in self.children.values():
            # its group (the run and what it started), and the child itself: one still moving
            # into its cgroup has not made its own session yet, so its group is not its pid
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + 5
        for pid in self.children.values():
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.01)


def main(argv: list[str]) -> int:
    """``argv = [LOG, MODULE …]``: preload, say ready, serve until stdin closes."""
    here = os.path.dirname(os.path.abspath(__file__))
    if not getattr(sys.flags, "safe_path", False) and sys.path and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]                              # started without -P (Python < 3.11)
    reply_fd = os.dup(1)
    _redirect(argv[0], 1)
    os.dup2(1, 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is specrun's to handle
    server = Server(reply_fd)
    loaded = preload(list(argv[1:]) or list(DEFAULT_PRELOAD), "", server.tried)
    server.send({"ready": True, "pid": os.getpid(), "preloaded": loaded})
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
