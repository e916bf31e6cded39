"""Fingerprints of a run's input files, taken before and after the run, to catch tampering.

A script that rewrites, truncates, deletes or adds files in one of its inputs leaves the
next reader (in pipeline mode: the producer's kept output, reached through a hard link)
with data nobody validated.  Without a namespace sandbox nothing stops it, so
:func:`fingerprint` records every input file's size and BLAKE2b digest before the run and
:func:`input_changes` says, after it, what differs — the caller decides what that means
(pipeline mode fails the case, isolation mode reports it as a notice).  Kept pipeline outputs
carry the same fingerprint, so ``--from`` refuses outputs modified since they were kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

_CHUNK = 1 << 20

#: ``{port: {relative file name: "size:digest"}}``
Fingerprint = dict[str, dict[str, str]]


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return f"{path.stat().st_size}:{h.hexdigest()}"


def _files(root: Path) -> dict[str, Path]:
    if root.is_dir():
        return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {root.name: root} if root.is_file() else {}


def fingerprint(inputs: Mapping[str, Path]) -> Fingerprint:
    """Size and digest of every file of every input port (a file, or a directory tree)."""
    out: Fingerprint = {}
    for port, root in inputs.items():
        files: dict[str, str] = {}
        for name, path in _files(Path(root)).items():
            try:
                files[name] = _digest(path)
            except OSError:          # unreadable before the run: nothing to compare against
                continue
        out[port] = files
    return out


def input_changes(before: Fingerprint, inputs: Mapping[str, Path]) -> dict[str, str]:
    """What the run did to its inputs: port → "input 'x': a.csv changed"; empty if nothing."""
    return {port: f"input {port!r}: {said}" for port, said in changes(before, inputs).items()}


def changes(before: Fingerprint, paths: Mapping[str, Path]) -> dict[str, str]:
    """What differs now from ``before``, per port: "a.csv changed; b.csv deleted"."""
    after = fingerprint(paths)
    lines: dict[str, str] = {}
    for port, old in before.items():
        new = after.get(port, {})
        changed = sorted(n for n in old if n in new and new[n] != old[n])
        deleted = sorted(n for n in old if n not in new)
        added = sorted(n for n in new if n not in old)
        parts = [f"{_names(changed)} changed" if changed else "",
                 f"{_names(deleted)} deleted" if deleted else "",
                 f"{_names(added)} added" if added else ""]
        said = "; ".join(p for p in parts if p)
        if said:
            lines[port] = said
    return lines


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
