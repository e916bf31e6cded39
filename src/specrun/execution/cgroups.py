"""Per-case cgroups: exact memory and CPU limits, and a process tracker nothing escapes.

Where specrun may create cgroups (a writable, delegated cgroup v2 subtree with the
``memory`` controller, e.g. as root at the top of ``/sys/fs/cgroup``, or the cgroup v1
``memory`` hierarchy), each run's process tree goes into a cgroup of its own, made under
specrun's own cgroup (:func:`cgroup_support` finds it once per process):

* ``memory.max`` (v2) / ``memory.limit_in_bytes`` (v1) is the run's ``memory_limit``, with
  swap off (``memory.swap.max = 0`` / ``memory.memsw.limit_in_bytes`` = the limit), so the
  kernel holds the limit exactly: no sampling, no overshoot.  An OOM kill at that limit is
  *known*: the cgroup's ``oom_kill`` counter (``memory.events`` / ``memory.oom_control``);
* ``cpu.max`` (v2) / ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us`` (v1) is the step's
  ``cpu:`` (1.5 = one and a half cores' time per wall second);
* at the run's end every process still in the cgroup is killed (``cgroup.kill`` on v2,
  else SIGKILL to each pid of ``cgroup.procs`` until none is left), whatever it did to
  leave the process group (``setsid``, a double fork, an empty environment); then the
  cgroup is removed.

The run's first process moves itself in before it executes anything (it writes ``0``, the
writer itself, to each ``cgroup.procs``; see :func:`enter_argv`), so everything it starts
is born inside.  Where no cgroup can be made, the caller keeps the RSS watchdog of
:mod:`.monitor` (records say which: ``metrics.memory_enforcement``).
``SPECRUN_CGROUPS=off`` in specrun's environment forces that fallback.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: ``off`` in specrun's environment: no per-case cgroups (the RSS watchdog enforces memory).
CGROUPS_VAR = "SPECRUN_CGROUPS"
CPU_PERIOD_US = 100_000
_OOM_KILL = re.compile(r"^oom_kill (\d+)$", re.MULTILINE)
KILL_ROUNDS = 200


@dataclass(frozen=True)
class Controller:
    """Where case cgroups of one controller are made: ``parent`` (specrun's own cgroup)."""

    name: str          # "memory" or "cpu"
    version: int       # 1 or 2
    parent: Path


@dataclass(frozen=True)
class CgroupSupport:
    """The controllers specrun may use here (empty: none, ``reason`` says why)."""

    controllers: tuple[Controller, ...] = ()
    reason: str = ""

    def get(self, name: str) -> Controller | None:
        return next((c for c in self.controllers if c.name == name), None)

    @property
    def available(self) -> bool:
        return self.get("memory") is not None


def _mounts() -> list[tuple[str, Path, str, set[str]]]:
    """(hierarchy root, mount point, fstype, options) of every cgroup mount of this process."""
    found: list[tuple[str, Path, str, set[str]]] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        head, _, tail = line.partition(" - ")
        fields, after = head.split(), tail.split()
        if len(fields) < 5 or len(after) < 3 or after[0] not in ("cgroup", "cgroup2"):
            continue
        found.append((fields[3], Path(fields[4]), after[0], set(after[2].split(",")) | set(fields[5].split(","))))
    return found


def _own_paths() -> list[tuple[str, set[str], str]]:
    """(hierarchy id, controllers, path) from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        number, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        out.append((number, set(filter(None, controllers.split(","))), path))
    return out


def _located(root: str, mount: Path, path: str) -> Path | None:
    """The directory of cgroup ``path`` under a mount of hierarchy root ``root``."""
    relative = os.path.relpath(path, root) if root != "/" else path.lstrip("/")
    if relative.startswith(".."):
        return None
    return mount / relative if relative != "." else mount


def _can_make(parent: Path, needs: str) -> bool:
    """Whether a child cgroup of ``parent`` can be made and shows the ``needs`` file."""
    probe_dir = parent / f"specrun-probe-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    try:
        probe_dir.mkdir()
    except OSError:
        return False
    try:
        return (probe_dir / needs).exists()
    finally:
        try:
            probe_dir.rmdir()
        except OSError:
            pass


def _v2_enabled(parent: Path, controller: str) -> bool:
    """Whether ``controller`` is (or can be made) available to children of ``parent``."""
    try:
        if controller not in (parent / "cgroup.controllers").read_text().split():
            return False
        if controller in (parent / "cgroup.subtree_control").read_text().split():
            return True
        (parent / "cgroup.subtree_control").write_text(f"+{controller}")
        return True
    except OSError:     # EBUSY: a non-root cgroup with processes cannot delegate (no internal processes)
        return False


def cgroup_support() -> CgroupSupport:
    """The per-case cgroups this process may make (cached per ``SPECRUN_CGROUPS`` value)."""
    return _support(os.environ.get(CGROUPS_VAR, "").strip().lower())


@lru_cache(maxsize=4)
def _support(forced: str) -> CgroupSupport:
    if forced in ("off", "0", "no", "false"):
        return CgroupSupport(reason=f"{CGROUPS_VAR}={forced}")
    mounts = _mounts()
    own = _own_paths()
    if not mounts or not own:
        return CgroupSupport(reason="no cgroup filesystem")
    found: dict[str, Controller] = {}
    for number, names, path in own:          # v1 hierarchies: one per controller (or pair)
        if number == "0":
            continue
        for root, mount, fstype, options in mounts:
            if fstype != "cgroup" or not names & options:
                continue
            parent = _located(root, mount, path)
            if parent is None:
                continue
            if "memory" in names and "memory" not in found and _can_make(parent, "memory.limit_in_bytes"):
                found["memory"] = Controller("memory", 1, parent)
            if "cpu" in names and "cpu" not in found and _can_make(parent, "cpu.cfs_quota_us"):
                found["cpu"] = Controller("cpu", 1, parent)
    v2_path = next((p for number, _, p in own if number == "0"), None)
    for root, mount, fstype, _ in mounts:
        if fstype != "cgroup2" or v2_path is None:
            continue
        parent = _located(root, mount, v2_path)
        if parent is None:
            continue
        for name, needs in (("memory", "memory.max"), ("cpu", "cpu.max")):
            if name not in found and _v2_enabled(parent, name) and _can_make(parent, needs):
                found[name] = Controller(name, 2, parent)
    if "memory" not in found:
        return CgroupSupport(tuple(found.values()), reason="no writable memory cgroup (v2 delegated subtree or v1)")
    support = CgroupSupport(tuple(found.values()))
    sweep_stale(support)
    return support


_CASE_NAME = re.compile(r"^specrun-(\d+)-[0-9a-f]{10}$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(support: CgroupSupport) -> list[Path]:
    """Case cgroups left by a specrun that died without cleaning up (SIGKILL, a power cut):
    what still runs in them is killed (a script of that run must not outlive it) and the
    directories removed.  Only ``specrun-<pid>-*`` folders whose pid is gone are touched;
    returns them."""
    swept: list[Path] = []
    for controller in support.controllers:
        try:
            children = list(controller.parent.iterdir())
        except OSError:
            continue
        for directory in children:
            found = _CASE_NAME.match(directory.name)
            if found is None or not directory.is_dir() or _alive(int(found.group(1))):
                continue
            CaseCgroup({controller.name: directory}, {controller.name: controller.version}).remove()
            swept.append(directory)
    return swept


def _write(path: Path, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


@dataclass
class CaseCgroup:
    """The cgroup(s) of one run: one directory per controller (one for both on v2)."""

    dirs: dict[str, Path]                    # controller name -> directory
    versions: dict[str, int]
    memory_limit: int | None = None
    cpu: float | None = None
    removed: bool = field(default=False)

    @property
    def procs_files(self) -> list[Path]:
        return [d / "cgroup.procs" for d in dict.fromkeys(self.dirs.values())]

    def set_limits(self, memory_limit: int | None, cpu: float | None) -> None:
        """Set the run's limits (OSError if the kernel refuses); a cgroup made ahead, which a
        spare child of the fork server joined while it waited, gets its run's limits here."""
        if memory_limit is not None:
            _limit_memory(self.dirs["memory"], self.versions["memory"], memory_limit)
        self.memory_limit = memory_limit
        if "cpu" in self.dirs and cpu is not None:
            _limit_cpu(self.dirs["cpu"], self.versions["cpu"], cpu)
            self.cpu = cpu

    def add(self, pid: int) -> None:
        """Move ``pid`` in (a no-op if it already moved itself)."""
        for procs in self.procs_files:
            _write(procs, str(pid))

    def pids(self) -> set[int]:
        """Every process in the cgroup now."""
        found: set[int] = set()
        for procs in self.procs_files:
            try:
                found.update(int(p) for p in procs.read_text().split())
            except (OSError, ValueError):
                continue
        return found

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer killed in this cgroup."""
        memory = self.dirs.get("memory")
        if memory is None:
            return 0
        name = "memory.events" if self.versions["memory"] == 2 else "memory.oom_control"
        try:
            match = _OOM_KILL.search((memory / name).read_text())
        except OSError:
            return 0
        return int(match.group(1)) if match else 0

    def peak_bytes(self) -> int | None:
        """The most memory the kernel ever charged to the cgroup (None: not kept here)."""
        memory = self.dirs.get("memory")
        if memory is None:
            return None
        name = "memory.peak" if self.versions["memory"] == 2 else "memory.max_usage_in_bytes"
        try:
            return int((memory / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill_all(self) -> int:
        """SIGKILL every process in the cgroup until it is empty; how many were signalled."""
        killed: set[int] = set()
        kill_file = next((d / "cgroup.kill" for d in self.dirs.values() if (d / "cgroup.kill").exists()), None)
        for _ in range(KILL_ROUNDS):
            pids = self.pids()
            if not pids:
                break
            killed |= pids
            if kill_file is not None:
                try:
                    _write(kill_file, "1")
                except OSError:
                    kill_file = None
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)
        return len(killed)

    def remove(self) -> None:
        """Kill what is left and remove the directories (retried while the kernel lets go)."""
        if self.removed:
            return
        self.kill_all()
        for directory in dict.fromkeys(self.dirs.values()):
            for _ in range(100):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        break
                    self.kill_all()
                    time.sleep(0.01)
        self.removed = True


def make_case_cgroup(support: CgroupSupport, memory_limit: int | None, cpu: float | None) -> CaseCgroup | None:
    """A new cgroup for one run with its limits set; None when it cannot be made (the
    caller falls back to the watchdog and to CPU affinity)."""
    if not support.available:
        return None
    name = f"specrun-{os.getpid()}-{uuid.uuid4().hex[:10]}"
    wanted = ["memory"] + (["cpu"] if cpu is not None and support.get("cpu") is not None else [])
    case = CaseCgroup({}, {}, memory_limit, None)
    try:
        for controller_name in wanted:
            controller = support.get(controller_name)
            assert controller is not None
            directory = controller.parent / name
            if directory not in case.dirs.values():
                directory.mkdir()
            case.dirs[controller_name] = directory
            case.versions[controller_name] = controller.version
        case.set_limits(memory_limit, cpu)
    except OSError:
        case.remove()
        return None
    return case


def _limit_memory(directory: Path, version: int, limit: int) -> None:
    if version == 2:
        _write(directory / "memory.max", str(limit))
        if (directory / "memory.swap.max").exists():
            _write(directory / "memory.swap.max", "0")
        _write(directory / "memory.oom.group", "1")     # an OOM kill takes the whole run
        return
    _write(directory / "memory.limit_in_bytes", str(limit))
    if (directory / "memory.memsw.limit_in_bytes").exists():      # memory + swap = memory: no swap
        _write(directory / "memory.memsw.limit_in_bytes", str(limit))


def _limit_cpu(directory: Path, version: int, cpu: float) -> None:
    quota = max(1000, round(cpu * CPU_PERIOD_US))
    if version == 2:
        _write(directory / "cpu.max", f"{quota} {CPU_PERIOD_US}")
        return
    _write(directory / "cpu.cfs_period_us", str(CPU_PERIOD_US))
    _write(directory / "cpu.cfs_quota_us", str(quota))


def enter_argv(case: CaseCgroup, argv: list[str]) -> list[str]:
    """``argv`` started by a shell that first moves itself into ``case`` (writing ``0``,
    the writer, to each ``cgroup.procs``), so every process of the run is born inside."""
    moves = "; ".join(f'echo 0 > "${i + 1}"' for i in range(len(case.procs_files)))
    shift = len(case.procs_files)
    script = f'{moves}; shift {shift}; exec "$@"'
    return ["/bin/sh", "-c", script, "specrun-cgroup", *map(str, case.procs_files), *argv]

