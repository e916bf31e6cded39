"""Paths given on the command line that do not exist: one line each, with a "did you mean".

``specrun chek specs`` (a misspelt sub-command) and ``specrun spec/`` (a misspelt
folder) are the same mistake to the parser: a PATH that is not there.  The line says
which, and suggests the closest sub-command or the closest existing file or folder
(:mod:`difflib`), so the fix is one edit away.  Standard library only: it runs before
anything heavy is imported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path


def _close(word: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return found[0] if found else None


def closest_existing(path: str) -> str | None:
    """The existing path closest to ``path``: each missing part replaced by the closest entry
    of the folder above it (``spec/a.yml`` → ``specs/a.yaml``); None if a part has nothing close."""
    base = Path()
    for part in Path(path).parts:
        if (base / part).exists():
            base = base / part
            continue
        try:
            names = [entry.name for entry in (base if str(base) else Path(".")).iterdir()]
        except OSError:
            return None
        near = _close(part, names)
        if near is None:
            return None
        base = base / near
    return str(base) if base != Path(path) and base.exists() else None


def missing_paths(paths: Sequence[str], commands: Sequence[str] = ()) -> list[str]:
    """One message per path of ``paths`` that does not exist, with a suggestion where one is close.

    ``commands`` are the sub-command names a bare word may have meant (the first PATH of
    plain ``specrun``); a command suggestion wins over a file one.
    """
    lines = []
    for given in paths:
        if Path(given).exists():
            continue
        word = str(Path(given))
        command = _close(word, commands) if commands and "/" not in word and "\\" not in word else None
        if command is not None:
            lines.append(f"{word}: file or directory not found, nor a command (did you mean 'specrun {command}'?)")
            continue
        near = closest_existing(given)
        hint = f" (did you mean {near!r}?)" if near else ""
        lines.append(f"{word}: file or directory not found{hint}")
    return lines
