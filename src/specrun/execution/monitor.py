"""Resource monitoring of a whole process tree with psutil.

:class:`ProcessTreeMonitor` samples, on a background thread, the root process and
every descendant it can reach: total RSS (peak), CPU time, I/O and the number of
processes.  Figures for one instant are summed over the processes alive at that
instant and the maximum over time is kept; on Linux a process's CPU times
include its reaped children (``children_user/system``) and its I/O counters
include theirs, so work done by short-lived pool workers is not lost when they
exit, and nothing is counted twice.  Sampling the root once more while it is a
zombie (see the runner) captures its final totals.

I/O figures are ``read_chars``/``write_chars`` (bytes passed through read()/write()
system calls, page cache or not) where available, else ``read_bytes``/``write_bytes``.
RSS is summed per process, so pages shared after ``fork`` count once per process.
The peak is the largest of those sums and of any single process's own high-water
mark (``VmHWM`` on Linux, which sees spikes between samples).  The rusage
``ru_maxrss`` of a child is not used: after ``vfork`` it holds the PARENT's peak.

Every process ever seen is remembered (as ``psutil.Process``, which guards
against pid reuse) so the runner can kill descendants that left the process
group.  When a memory limit is given, ``on_memory_exceeded(tree_rss)`` is called
once, from the monitor thread, the first time the tree's RSS goes over it.

With an :class:`OutputBudget` (a step's ``max_output_size``) each sample also measures
the disk the run's outputs take (:func:`disk_usage`: allocated blocks, each inode once,
the excluded folders skipped) and calls ``on_output_exceeded(bytes)`` once, the first
time it goes over the budget.  A cgroup's I/O accounting is not a disk budget (it counts
bytes written, also to files deleted since), so this one is measured on the disk.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

MemoryCallback = Callable[[int], None]


@dataclass(frozen=True)
class OutputBudget:
    """A run's disk budget: at most ``limit`` bytes under ``paths`` (``exclude`` skipped)."""

    limit: int
    paths: tuple[Path, ...]
    exclude: frozenset[Path] = frozenset()
    on_exceeded: Callable[[int], None] | None = None


def disk_usage(paths: Iterable[Path], exclude: frozenset[Path] = frozenset()) -> int:
    """Bytes of disk (allocated blocks) the files under ``paths`` take, each inode once,
    without following symlinks and skipping the folders in ``exclude``."""
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [Path(p) for p in paths]
    while stack:
        path = stack.pop()
        if path in exclude:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        blocks = getattr(st, "st_blocks", None)
        total += blocks * 512 if blocks is not None else st.st_size
        if stat.S_ISDIR(st.st_mode):
            try:
                with os.scandir(path) as entries:
                    stack.extend(Path(entry.path) for entry in entries)
            except OSError:
                continue
    return total


@dataclass
class TreeUsage:
    """What the monitor measured so far."""

    peak_rss_bytes: int = 0
    cpu_s: float = 0.0
    read_bytes: int = 0
    write_bytes: int = 0
    max_processes: int = 0
    samples: int = 0
    peak_output_bytes: int | None = None     # with an output budget: the most disk its outputs took


def _io_of(proc: psutil.Process) -> tuple[int, int]:
    try:
        io = proc.io_counters()
    except (psutil.Error, AttributeError, NotImplementedError, OSError):
        return 0, 0
    read = getattr(io, "read_chars", None)
    write = getattr(io, "write_chars", None)
    if read is None or write is None:
        return io.read_bytes, io.write_bytes
    return read, write


def _rss_of(proc: psutil.Process) -> tuple[int, int]:
    """(current RSS, the process's own peak RSS) in bytes.  On Linux the peak is
    ``VmHWM``, which catches spikes between samples; elsewhere it is the current RSS."""
    try:
        with open(f"/proc/{proc.pid}/status", "rb") as fh:
            fields = dict(line.split(b":", 1) for line in fh if line.startswith((b"VmRSS", b"VmHWM")))
        rss = int(fields[b"VmRSS"].split()[0]) * 1024
        return rss, max(rss, int(fields[b"VmHWM"].split()[0]) * 1024)
    except (OSError, KeyError, ValueError, IndexError):
        rss = proc.memory_info().rss
        return rss, rss


def _cpu_of(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system + getattr(t, "children_user", 0.0) + getattr(t, "children_system", 0.0)


#: Linux lists each thread's children in /proc/PID/task/TID/children: walking the tree
#: then costs O(tree), not O(all processes on the machine).
_PROC_CHILDREN = os.path.exists(f"/proc/self/task/{threading.get_native_id()}/children")


def _children_of(pid: int) -> list[psutil.Process]:
    """Direct children of ``pid`` from /proc (children of every thread)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    out = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                pids = fh.read().split()
        except OSError:
            continue
        for child in pids:
            try:
                out.append(psutil.Process(int(child)))
            except psutil.Error:
                continue
    return out


def _ppid_map_children() -> Callable[[int], list[psutil.Process]]:
    """Portable fallback: one pass over the process table → ``pid -> children``."""
    children: dict[int, list[psutil.Process]] = {}
    for proc in psutil.process_iter(["ppid"]):
        ppid = proc.info.get("ppid")
        if ppid:
            children.setdefault(ppid, []).append(proc)
    return lambda pid: children.get(pid, [])


class ProcessTreeMonitor:
    """Samples the process tree rooted at ``pid`` every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05, memory_limit: int | None = None,
                 on_memory_exceeded: MemoryCallback | None = None,
                 output_budget: OutputBudget | None = None) -> None:
        self.pid = pid
        self.output_budget = output_budget
        self.output_exceeded = False
        self.interval = interval
        self.memory_limit = memory_limit
        self.on_memory_exceeded = on_memory_exceeded
        self.memory_exceeded = False
        self._usage = TreeUsage()
        self._seen: dict[int, psutil.Process] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._root: psutil.Process | None = psutil.Process(pid)
            self._seen[pid] = self._root
        except psutil.NoSuchProcess:
            self._root = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> ProcessTreeMonitor:
        """Take a first sample now and keep sampling on a daemon thread."""
        self.sample()
        self._thread = threading.Thread(target=self._loop, name=f"specrun-monitor-{self.pid}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> TreeUsage:
        """Stop sampling; the usage measured so far."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        return self.usage

    def __enter__(self) -> ProcessTreeMonitor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    # -- sampling ----------------------------------------------------------

    def _tree(self) -> list[psutil.Process]:
        """Every live process reachable from the root or from a process seen before."""
        children = _children_of if _PROC_CHILDREN else _ppid_map_children()
        found: dict[int, psutil.Process] = {}
        stack = [p for p in self._seen.values() if p.is_running()]
        while stack:
            proc = stack.pop()
            if proc.pid in found:
                continue
            known = self._seen.get(proc.pid)
            found[proc.pid] = known if known is not None and known.is_running() else proc
            stack.extend(children(proc.pid))
        return list(found.values())

    def sample(self) -> None:
        """Take one sample (thread-safe; also used for the final zombie sample)."""
        callback_rss: int | None = None
        with self._lock:
            rss = cpu = 0.0
            read = write = alive = hwm = 0
            for proc in self._tree():
                self._seen[proc.pid] = proc
                try:
                    with proc.oneshot():
                        zombie = proc.status() == psutil.STATUS_ZOMBIE
                        cpu += _cpu_of(proc)
                        r, w = _io_of(proc)
                        if not zombie:
                            current, peak = _rss_of(proc)
                            rss += current
                            hwm = max(hwm, peak)
                except psutil.Error:
                    continue
                read += r
                write += w
                alive += 0 if zombie else 1
            u = self._usage
            u.samples += 1
            u.peak_rss_bytes = max(u.peak_rss_bytes, int(rss), hwm)
            u.cpu_s = max(u.cpu_s, cpu)
            u.read_bytes = max(u.read_bytes, read)
            u.write_bytes = max(u.write_bytes, write)
            u.max_processes = max(u.max_processes, alive)
            if (self.memory_limit is not None and not self.memory_exceeded
                    and rss > self.memory_limit):
                self.memory_exceeded = True
                callback_rss = int(rss)
        if callback_rss is not None and self.on_memory_exceeded is not None:
            self.on_memory_exceeded(callback_rss)
        if self.output_budget is not None:
            self._measure_outputs(self.output_budget)

    def _measure_outputs(self, budget: OutputBudget) -> None:
        used = disk_usage(budget.paths, budget.exclude)
        with self._lock:
            self._usage.peak_output_bytes = max(self._usage.peak_output_bytes or 0, used)
            fire = used > budget.limit and not self.output_exceeded
            self.output_exceeded = self.output_exceeded or fire
        if fire and budget.on_exceeded is not None:
            budget.on_exceeded(used)

    # -- results -----------------------------------------------------------

    @property
    def usage(self) -> TreeUsage:
        with self._lock:
            return TreeUsage(**vars(self._usage))

    def seen_processes(self) -> list[psutil.Process]:
        """Every process ever seen in the tree (root included)."""
        with self._lock:
            return list(self._seen.values())

    def live_descendants(self) -> list[psutil.Process]:
        """Seen descendants (not the root) still running and not zombies."""
        return alive(p for p in self.seen_processes() if p.pid != self.pid)


def alive(procs: Iterable[psutil.Process]) -> list[psutil.Process]:
    """The processes among ``procs`` still running (a zombie counts as exited)."""
    out = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.Error:
            continue
    return out


def find_run_processes(var: str, value: str, pgid: int | None, started_after: float,
                       exclude: set[int] | frozenset[int] = frozenset()) -> list[psutil.Process]:
    """Live processes created after ``started_after`` (epoch s) that belong to a run:
    in process group ``pgid`` or with ``var=value`` in their environment (inherited
    by every descendant that did not scrub it, even after ``setsid``).  It runs after every
    run, over every process on the machine: the age test uses the creation time each cached
    ``psutil.Process`` keeps (``process_iter(attrs)`` would build a dict per process, ~10x
    the cost), and only the young are read further."""
    out = []
    for proc in psutil.process_iter():
        try:
            if proc.pid in exclude or proc.create_time() < started_after:
                continue
            in_group = pgid is not None and os.getpgid(proc.pid) == pgid
            if (in_group or proc.environ().get(var) == value) \
                    and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except (psutil.Error, OSError):
            continue
    return out
