"""Memory sizes and durations as written in specs: ``2GB`` → bytes, ``5m`` → seconds.

Memory: a plain integer is bytes; decimal units (``KB``, ``MB``, ``GB``, ``TB``, or
``K``/``M``/``G``/``T``) are powers of 1000 and binary units (``KiB``, ``MiB``,
``GiB``, ``TiB``, or ``Ki``…) powers of 1024.  Units are case-insensitive and may
be separated from the number by spaces; fractions are allowed (``1.5GB``).

Durations: a plain number is seconds; ``ms``, ``s``, ``m``, ``h``, ``d`` units may
be combined (``1h30m``).  Bandwidths are a memory size per second (``20MB/s``; the
``/s`` may be left out).  All raise :class:`ValueError` with a one-line message.
"""

from __future__ import annotations

import math
import re

_MEMORY_UNITS: dict[str, int] = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2,
    "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
    "ki": 1024, "kib": 1024, "mi": 1024**2, "mib": 1024**2,
    "gi": 1024**3, "gib": 1024**3, "ti": 1024**4, "tib": 1024**4,
}
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)\s*$")

_DURATION_UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)", re.IGNORECASE)


def parse_memory(text: str | int) -> int:
    """Bytes for a memory size such as ``512MB``, ``1GiB`` or ``1048576``; must be > 0."""
    if isinstance(text, bool):
        raise ValueError(f"expected a memory size such as 512MB or 2GiB, found {text!r}")
    if isinstance(text, int):
        value = text
    else:
        match = _MEMORY.match(str(text))
        unit = match.group(2).lower() if match else None
        if match is None or unit not in _MEMORY_UNITS:
            raise ValueError(f"expected a memory size such as 512MB or 2GiB, found {str(text)!r}")
        value = math.floor(float(match.group(1)) * _MEMORY_UNITS[unit] + 0.5)
    if value <= 0:
        raise ValueError(f"memory size must be positive, found {text!r}")
    return value


def parse_bandwidth(text: str | int) -> int:
    """Bytes per second for a bandwidth such as ``20MB/s``, ``512KiB/s`` or ``1000000``; > 0."""
    if isinstance(text, str):
        raw = text.strip()
        body = raw[:-2] if raw.lower().endswith("/s") else raw
        try:
            return parse_memory(body)
        except ValueError:
            raise ValueError(f"expected a bandwidth such as 20MB/s or 512KiB/s, found {text!r}") from None
    try:
        return parse_memory(text)
    except ValueError:
        raise ValueError(f"expected a bandwidth such as 20MB/s or 512KiB/s, found {text!r}") from None


def parse_duration(text: str | int | float) -> float:
    """Seconds for a duration such as ``90``, ``2.5``, ``90s``, ``5m``, ``1h30m``; must be > 0."""
    if isinstance(text, bool):
        raise ValueError(f"expected a duration such as 90, 90s, 5m or 1h, found {text!r}")
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        raw = str(text)
        number = _NUMBER.match(raw)
        if number:
            seconds = float(number.group(1))
        else:
            compact = raw.strip()
            parts = list(_DURATION_PART.finditer(compact))
            rebuilt = "".join(part.group(0) for part in parts)
            if not parts or rebuilt.replace(" ", "") != compact.replace(" ", ""):
                raise ValueError(f"expected a duration such as 90, 90s, 5m or 1h, found {raw!r}")
            seconds = sum(float(p.group(1)) * _DURATION_UNITS[p.group(2).lower()] for p in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"duration must be positive, found {text!r}")
    return seconds


_SIZE_NAMES = (("TiB", 1024**4), ("TB", 1000**4), ("GiB", 1024**3), ("GB", 1000**3),
               ("MiB", 1024**2), ("MB", 1000**2), ("KiB", 1024), ("kB", 1000))


def size_text(n: int) -> str:
    """A size as a spec would write it, exact: ``100_000_000`` → ``"100 MB"``, ``2**30`` →
    ``"1 GiB"``; a size no unit divides stays bytes (``"1234 bytes"``)."""
    for name, unit in _SIZE_NAMES:
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n} bytes"


def mib(n: float, digits: int = 1) -> str:
    """The one way specrun shows a byte count: ``734003200`` → ``"700.0 MiB"``."""
    return f"{n / 2**20:.{digits}f} MiB"
