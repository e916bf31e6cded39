"""Targeted mutations: the ones that change some files of a port, not its whole frame.

A mutation with ``where: {split: …, shard: …}`` is applied to the rows of the matching
split / shard files only, after the whole-port mutations (those without ``where``) have
been applied to the generated frame and the frame has been divided among the port's
files exactly as :func:`~specrun.contract.io.write_port` divides it.  ``remove_file``
leaves the matching files out; ``truncate_file`` cuts each matching file, once written,
to ``bytes`` bytes or to ``fraction`` of its size (a text file ends with an incomplete
row; ``bytes: 0`` leaves an empty file).
Targeted mutations apply in the order written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..lazy import lazy_module
from ..spec.model import MutationSpec, PartWhere, PortSpec, SchemaSpec, SpecError
from .io import LayoutPart, layout_parts, write_parts
from .mutators import apply_mutations
from .types import TypeRegistry

#: Formats whose files are rows of text (cut inside a row by ``truncate_file``).
TEXT_ROWS = ("csv", "tsv", "jsonl")

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


@dataclass
class TargetedWrite:
    """What a port's targeted mutations did: the files written, removed and truncated."""

    written: list[Path] = field(default_factory=list)
    kept: list[LayoutPart] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)      # paths relative to the port
    truncated: list[str] = field(default_factory=list)

    @property
    def changed_files(self) -> bool:
        """A file the layout declares is missing or cut: the port no longer holds its contract."""
        return bool(self.removed or self.truncated)

    def frame(self) -> pd.DataFrame:
        """The rows the script is fed, every kept file's in order (a truncated file's in full)."""
        frames = [part.frame for part in self.kept]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def describe(self) -> list[str]:
        return [f"removed {r}" for r in self.removed] + [f"truncated {t}" for t in self.truncated]


def _matching(parts: list[LayoutPart], where: PartWhere | None, port: PortSpec,
              mutation: MutationSpec) -> list[LayoutPart]:
    chosen = [p for p in parts if where is None or where.matches(p.split, p.shard)]
    if not chosen:
        present = ", ".join(p.relative or port.name for p in parts) or "none left"
        raise SpecError(f"mutation {mutation.op!r} where {where} matches no file of input {port.name!r} "
                        f"(files: {present})", mutation.location)
    return chosen


def _truncate(port: PortSpec, path: Path, params: dict[str, float | int]) -> None:
    """Cut the file to the size asked; an uncompressed text file is cut one character into
    the row the cut fell in, so it ends with an incomplete row as an interrupted write leaves
    it (a cut on a row boundary, or inside a row's last value, would read as valid rows)."""
    data = path.read_bytes()
    size = int(params["bytes"]) if "bytes" in params else int(len(data) * float(params.get("fraction", 0.5)))
    size = max(0, min(size, len(data)))
    if port.format in TEXT_ROWS and port.compression is None and 0 < size < len(data):
        line_start = data.rfind(b"\n", 0, size) + 1
        if line_start > 0 and line_start < len(data) - 1:
            size = line_start + 1
    path.write_bytes(data[:size])


def write_targeted(port: PortSpec, frame: pd.DataFrame, schema: SchemaSpec, mutations: list[MutationSpec],
                   target: Path, seed: int, mutate_seed: int, types: TypeRegistry) -> TargetedWrite:
    """Write ``frame`` as ``port``'s files at ``target`` with the targeted ``mutations``
    applied (each a :attr:`~specrun.spec.model.MutationSpec.targeted` one)."""
    parts = layout_parts(port, frame, seed)
    truncations: list[tuple[LayoutPart, MutationSpec]] = []
    done = TargetedWrite()
    for index, mutation in enumerate(mutations):
        chosen = _matching(parts, mutation.where, port, mutation)
        if mutation.op == "remove_file":
            parts = [p for p in parts if p not in chosen]
            done.removed += [p.relative or port.name for p in chosen]
        elif mutation.op == "truncate_file":
            truncations += [(p, mutation) for p in chosen]
        else:
            for number, part in enumerate(chosen):
                part.frame = apply_mutations(part.frame, schema, [mutation], mutate_seed + 7919 * index + number,
                                             types)
    if port.is_dir:
        Path(target).mkdir(parents=True, exist_ok=True)
    done.written = write_parts(port, parts, target)
    done.kept = parts
    for part, mutation in truncations:
        if part in parts:
            _truncate(port, Path(target) / part.relative if part.relative else Path(target), dict(mutation.params))
            done.truncated.append(part.relative or port.name)
    return done
