"""Targeted mutations: the ones that change some files of a port, not its whole frame.

A mutation with ``where: {split: …, shard: …}`` is applied to the rows of the matching
split / shard files only, after the whole-port mutations (those without ``where``) have
been applied to the generated frame and the frame has been divided among the port's
files exactly as :func:`~specrun.contract.io.write_port` divides it.  ``remove_file``
leaves the matching files out; ``truncate_file`` cuts each matching file, once written,
to ``bytes`` bytes or to ``fraction`` of its size (a text file ends with an incomplete
row; ``bytes: 0`` leaves an empty file).  ``extra_file`` adds a file the layout does not
hold to the port's folder (a copy of the first matching file's rows, named ``name`` or
``stray-<its name>``): a script that globs the folder reads it, one that reads the layout's
files ignores it, and neither notices.  ``shard_columns`` gives the matching files (without
``where:``, the first file only) another column set: ``drop`` one column or ``rename`` one.
Targeted mutations apply in the order written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..lazy import lazy_module
from ..spec.model import MutationSpec, PartWhere, PortSpec, SchemaSpec, SpecError
from ..spec.placeholders import layout_pattern
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
    added: list[str] = field(default_factory=list)        # stray files the layout does not hold
    reshaped: list[str] = field(default_factory=list)     # "FILE: what changed in its columns"

    @property
    def changed_files(self) -> bool:
        """A file the layout declares is missing, cut or of other columns, or a file it does not
        declare is there: the port no longer holds its contract."""
        return bool(self.removed or self.truncated or self.added or self.reshaped)

    def frame(self) -> pd.DataFrame:
        """The rows the script is fed, every kept file's in order (a truncated file's in full)."""
        frames = [part.frame for part in self.kept]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def describe(self) -> list[str]:
        return ([f"removed {r}" for r in self.removed] + [f"truncated {t}" for t in self.truncated]
                + [f"added stray file {a}" for a in self.added]
                + [f"other columns in {r}" for r in self.reshaped])


def _reshape(part: LayoutPart, params: dict) -> str:
    """Drop or rename one column of ``part``'s rows; what changed, for the case's message."""
    if "drop" in params:
        column = str(params["drop"])
        part.frame = part.frame.drop(columns=[column])
        return f"{part.relative}: dropped {column!r}"
    (old, new), = dict(params["rename"]).items()
    part.frame = part.frame.rename(columns={old: new})
    return f"{part.relative}: renamed {old!r} to {new!r}"


def _stray(port: PortSpec, part: LayoutPart, params: dict, mutation: MutationSpec) -> LayoutPart:
    """A file beside ``part`` that the layout does not hold, with ``part``'s rows."""
    folder, _, name = part.relative.rpartition("/")
    relative = str(params.get("name") or (f"{folder}/" if folder else "") + f"stray-{name}")
    if layout_pattern(port.layout or "", port.split).fullmatch(relative):
        raise SpecError(f"extra_file {relative!r} is a file of input {port.name!r}'s layout "
                        f"{port.layout!r}, not a stray one", mutation.location)
    return LayoutPart(relative, None, None, part.frame.copy())


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
    strays: list[LayoutPart] = []
    done = TargetedWrite()
    for index, mutation in enumerate(mutations):
        chosen = _matching(parts, mutation.where, port, mutation)
        if mutation.op == "remove_file":
            parts = [p for p in parts if p not in chosen]
            done.removed += [p.relative or port.name for p in chosen]
        elif mutation.op == "truncate_file":
            truncations += [(p, mutation) for p in chosen]
        elif mutation.op == "shard_columns":
            for part in chosen if mutation.where is not None else chosen[:1]:
                done.reshaped.append(_reshape(part, dict(mutation.params)))
        elif mutation.op == "extra_file":
            strays.append(_stray(port, chosen[0], dict(mutation.params), mutation))
        else:
            for number, part in enumerate(chosen):
                part.frame = apply_mutations(part.frame, schema, [mutation], mutate_seed + 7919 * index + number,
                                             types)
    if port.is_dir:
        Path(target).mkdir(parents=True, exist_ok=True)
    done.written = write_parts(port, parts, target)
    done.kept = parts
    if strays:
        done.written += write_parts(port, strays, target)
        done.added = [stray.relative for stray in strays]
    for part, mutation in truncations:
        if part in parts:
            _truncate(port, Path(target) / part.relative if part.relative else Path(target), dict(mutation.params))
            done.truncated.append(part.relative or port.name)
    return done
