"""Was a SIGKILL that specrun did not send the kernel's OOM killer?  Evidence, not a guess.

The kernel counts the processes its OOM killer killed in a memory cgroup: ``oom_kill`` in
``memory.events`` (cgroup v2) or in ``memory.oom_control`` (cgroup v1).  The runner reads
the counter of specrun's own cgroup (its scripts run in it) before and after a run:

* it grew → the OOM killer killed a process of the cgroup during the run: RESOURCE_ERROR;
* it did not grow → not the OOM killer: someone (the script itself, another process)
  sent SIGKILL, a CRASH;
* no counter can be read (another OS, a hidden cgroup) → the peak RSS decides: a tree that
  never used a quarter of the memory it could have is not what an OOM killer picks.
"""

from __future__ import annotations

import re
from pathlib import Path

import psutil

CGROUP_ROOT = Path("/sys/fs/cgroup")
_OOM_KILL = re.compile(r"^oom_kill (\d+)$", re.MULTILINE)
#: without a counter, a SIGKILLed tree whose peak RSS stayed under this share of the memory
#: it could use is not taken for an OOM kill
SMALL_SHARE = 0.25


def _cgroup_dirs() -> list[Path]:
    """The memory cgroup directories of this process, cgroup v2 first, then v1."""
    found: list[Path] = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        number, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        relative = path.lstrip("/")
        if number == "0" and not controllers:                      # v2 unified hierarchy
            found.extend([CGROUP_ROOT / relative, CGROUP_ROOT])
        elif "memory" in controllers.split(","):                   # v1 memory controller
            found.extend([CGROUP_ROOT / "memory" / relative, CGROUP_ROOT / "memory"])
    return found


def oom_kill_count() -> int | None:
    """The OOM killer's kill counter of this process's memory cgroup, or None if unreadable."""
    for directory in _cgroup_dirs():
        for name in ("memory.events", "memory.oom_control"):
            try:
                match = _OOM_KILL.search((directory / name).read_text())
            except OSError:
                continue
            if match:
                return int(match.group(1))
    return None


def memory_ceiling() -> int:
    """The memory a run could use: the machine's, or the cgroup limit when lower."""
    ceiling = psutil.virtual_memory().total
    for directory in _cgroup_dirs():
        for name in ("memory.max", "memory.limit_in_bytes"):
            try:
                value = (directory / name).read_text().strip()
            except OSError:
                continue
            if value.isdigit():
                ceiling = min(ceiling, int(value))
    return ceiling


def sigkill_was_oom(before: int | None, after: int | None, peak_rss: int,
                    ceiling: int | None = None) -> bool:
    """Whether a SIGKILL specrun did not send was the OOM killer (see the module doc)."""
    if before is not None and after is not None:
        return after > before
    limit = ceiling if ceiling is not None else memory_ceiling()
    return peak_rss >= SMALL_SHARE * limit
