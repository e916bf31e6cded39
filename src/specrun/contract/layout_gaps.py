"""What a layout port's folder lacks or holds beyond its layout: each split's files, and
for a ``{shard}`` layout exactly shards 0 … ``shards``-1 of each split.

The files of a ``{shard}`` layout are found by pattern (``{shard}`` is any digits), so
without this check a script writing two of three declared shards, or leaving a split out,
would be validated on what it did write and pass."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..spec.placeholders import layout_fields, layout_pattern

if TYPE_CHECKING:
    from ..spec.model import PortSpec


def stray_files(port: PortSpec, files: list[Path], root: Path) -> list[str]:
    """Files under ``root`` that are none of the layout's: the folder a consumer receives
    holds only its layout's files (an input given one more is broken data, the
    ``extra_file`` mutation), so an output holding one breaks its contract."""
    if not port.is_dir or not root.is_dir():
        return []
    ours = {f.resolve() for f in files}
    extra = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if p.is_file() and p.resolve() not in ours)
    return [f"files not in layout {port.layout!r}: {', '.join(extra[:10])}"
            + (f" and {len(extra) - 10} more" if len(extra) > 10 else "")] if extra else []


def layout_gaps(port: PortSpec, files: list[Path], root: Path) -> list[str]:
    """Problems with the set of files found under ``root`` for ``port`` (empty: complete)."""
    if not port.is_dir:
        return []
    layout = port.layout or ""
    fields = layout_fields(layout)
    splits: list[str | None] = list(port.split or []) if "split" in fields else [None]
    found = [f.relative_to(root).as_posix() for f in files]
    if "shard" not in fields:
        present = set(found)
        return [f"missing {layout.format(split=split)}" for split in splits
                if layout.format(split=split) not in present]
    problems: list[str] = []
    declared = port.shards or 1
    for split in splits:
        pattern = layout_pattern(layout, [split] if split is not None else None, capture_shard=True)
        numbers: dict[int, list[str]] = {}
        for relative in found:
            match = pattern.fullmatch(relative)
            if match:
                numbers.setdefault(int(match.group("shard")), []).append(relative)
        where = f"split {split!r}: " if split is not None else ""
        if not numbers:
            problems.append(f"{where}no file matching {layout.format(split=split, shard=0)!r} "
                            f"(layout {layout!r} declares {declared} shards)")
            continue
        missing = [layout.format(split=split, shard=n) for n in range(declared) if n not in numbers]
        unexpected = [name for n, names in sorted(numbers.items()) if n >= declared for name in names]
        doubled = [name for n, names in sorted(numbers.items()) if n < declared and len(names) > 1
                   for name in names]
        details = ([f"missing {', '.join(missing)}"] if missing else []) + \
                  ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) + \
                  ([f"shard written twice: {', '.join(doubled)}"] if doubled else [])
        if details:
            problems.append(f"{where}layout {layout!r} declares {declared} shards (0 to {declared - 1}): "
                            + "; ".join(details))
    return problems
