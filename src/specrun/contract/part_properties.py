"""Properties of the files of a split or sharded output: ``part_rows``, ``class_balance``
and ``disjoint`` (no value of a column in two splits: no test id leaks into train).

An output with a ``layout`` is read file by file; these properties see each file
(``part_rows``: rows per file, and each split's share of all rows) and each split
(``class_balance``: the share of every value of a label column in each split against
its share in the whole output).  A split's files are grouped by the layout's
``{split}`` field; without one, each shard file is its own group.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..lazy import lazy_module
from ..results import PropertyResult
from ..spec.model import PortSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")


def _split_patterns(port: PortSpec) -> dict[str, re.Pattern[str]]:
    """A regex per split name matching that split's relative file paths."""
    patterns = {}
    for split in port.split or []:
        parts = []
        for literal, field, _spec, _conv in string.Formatter().parse(port.layout or ""):
            parts.append(re.escape(literal))
            if field == "split":
                parts.append(re.escape(split))
            elif field:
                parts.append(r"[^/]+")
        patterns[split] = re.compile("".join(parts))
    return patterns


@dataclass(frozen=True)
class Part:
    """One file of an output as a ``python:`` property taking ``parts`` receives it."""

    output: str
    split: str | None      # the layout's ``{split}`` of this file (None without one)
    shard: int | None      # its ``{shard}`` number (None without one)
    path: str              # relative to the output's folder ("" for a one-file output)
    frame: pd.DataFrame


def _identity_pattern(port: PortSpec) -> re.Pattern[str]:
    """The layout as a regex capturing ``{split}`` and ``{shard}`` (a repeat must match the first)."""
    parts, seen = [], set()
    for literal, field, _spec, _conv in string.Formatter().parse(port.layout or ""):
        parts.append(re.escape(literal))
        if field in seen:
            parts.append(f"(?P={field})")
        elif field == "split":
            parts.append("(?P<split>" + "|".join(re.escape(n) for n in port.split or []) + ")")
        elif field == "shard":
            parts.append(r"(?P<shard>\d+)")
        elif field:
            parts.append(r"[^/]+")
        if field in ("split", "shard"):
            seen.add(field)
    return re.compile("".join(parts))


def output_parts(ports: Mapping[str, PortSpec], outputs: Mapping[str, pd.DataFrame],
                 by_file: Mapping[str, Mapping[str, pd.DataFrame]]) -> list[Part]:
    """Every file of every tabular output read, with its split and shard, in declared order."""
    found = []
    for name, port in ports.items():
        if name not in outputs:
            continue
        files = by_file.get(name) if port.is_dir else None
        if not files:
            found.append(Part(name, None, None, "", outputs[name]))
            continue
        pattern = _identity_pattern(port)
        for relative, frame in files.items():
            match = pattern.fullmatch(relative)
            split = match.groupdict().get("split") if match else None
            shard = match.groupdict().get("shard") if match else None
            found.append(Part(name, split, int(shard) if shard is not None else None, relative, frame))
    return found


def groups(port: PortSpec, parts: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The output's rows by split (when the layout has ``{split}``), else by file."""
    patterns = _split_patterns(port)
    if not patterns:
        return dict(parts)
    grouped: dict[str, list[pd.DataFrame]] = {split: [] for split in patterns}
    for relative, frame in parts.items():
        for split, pattern in patterns.items():
            if pattern.fullmatch(relative):
                grouped[split].append(frame)
                break
    return {split: (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())
            for split, frames in grouped.items()}


def check_part_rows(port: PortSpec, parts: dict[str, pd.DataFrame],
                    params: dict[str, Any]) -> PropertyResult:
    """Rows of every file within [min, max]; each split's share of rows within tolerance."""
    output = params["output"]
    counts = {relative: len(frame) for relative, frame in parts.items()}
    low, high = params.get("min"), params.get("max")
    bad = {r: n for r, n in counts.items()
           if (low is not None and n < int(low)) or (high is not None and n > int(high))}
    listing = ", ".join(f"{r}: {n}" for r, n in counts.items())
    problems = []
    if bad:
        problems.append(f"rows outside [{low if low is not None else 0}, "
                        f"{high if high is not None else 'inf'}] in " + ", ".join(f"{r} ({n})" for r, n in bad.items()))
    shares = params.get("shares")
    if shares:
        tolerance = float(params.get("tolerance", 0.0))
        by_split = {split: len(frame) for split, frame in groups(port, parts).items()}
        total = sum(by_split.values())
        for split, expected in shares.items():
            actual = by_split.get(split, 0) / total if total else 0.0
            if abs(actual - float(expected)) > tolerance:
                problems.append(f"split {split!r} holds {actual:.3f} of the rows, expected "
                                f"{float(expected):g} ± {tolerance:g}")
    if problems:
        return PropertyResult("part_rows", False, f"output {output!r}: " + "; ".join(problems)
                              + f" (rows per file: {listing})")
    return PropertyResult("part_rows", True, f"output {output!r}: rows per file: {listing}")


def check_class_balance(port: PortSpec, parts: dict[str, pd.DataFrame],
                        params: dict[str, Any]) -> PropertyResult:
    """Each value of ``column`` has the same share in every split (or file) as overall, ± tolerance."""
    output, column = params["output"], str(params["column"])
    tolerance = float(params["tolerance"])
    grouped = groups(port, parts)
    missing = [name for name, frame in grouped.items() if len(frame) and column not in frame.columns]
    if missing:
        return PropertyResult("class_balance", False, f"output {output!r}: column {column!r} missing "
                                                      f"from {', '.join(missing)}")
    present = [frame[column] for frame in grouped.values() if len(frame)]
    if not present:
        return PropertyResult("class_balance", False, f"output {output!r} has no rows to balance")
    overall = pd.concat(present, ignore_index=True).value_counts(normalize=True, dropna=False)
    problems = []
    for name, frame in grouped.items():
        if not len(frame):
            problems.append(f"{name} is empty")
            continue
        share = frame[column].value_counts(normalize=True, dropna=False).reindex(overall.index, fill_value=0.0)
        for value, expected in overall.items():
            if abs(float(share[value]) - float(expected)) > tolerance:
                problems.append(f"{name}: {column}={value!r} is {float(share[value]):.3f} of the rows "
                                f"(overall {float(expected):.3f})")
    if problems:
        return PropertyResult("class_balance", False, f"output {output!r}: class balance of {column!r} "
                              f"differs by more than {tolerance:g}: " + "; ".join(problems[:6]))
    return PropertyResult("class_balance", True, f"output {output!r}: {column!r} balanced within "
                                                 f"{tolerance:g} across {', '.join(grouped)}")


def check_disjoint(port: PortSpec, parts: dict[str, pd.DataFrame], params: dict[str, Any]) -> PropertyResult:
    """No value of ``column`` appears in two of ``splits`` (default: every split of the output)."""
    output, column = params["output"], str(params["column"])
    grouped = groups(port, parts)
    names = list(params.get("splits") or grouped)
    missing = [relative for relative, frame in parts.items() if len(frame) and column not in frame.columns]
    if missing:       # per file: concatenated with a file that has it, the column would read as nulls
        return PropertyResult("disjoint", False, f"output {output!r}: column {column!r} missing "
                                                 f"from {', '.join(missing)}")
    values = {name: set(grouped[name][column].dropna().tolist()) if len(grouped.get(name, ())) else set()
              for name in names}
    problems = []
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            shared = values[first] & values[second]
            if shared:
                examples = sorted(shared, key=repr)[:5]
                problems.append(f"{len(shared)} value(s) in both {first} and {second}, e.g. {examples}")
    if problems:
        return PropertyResult("disjoint", False, f"output {output!r}: {column!r} is not disjoint across "
                                                 "splits: " + "; ".join(problems))
    return PropertyResult("disjoint", True, f"output {output!r}: no {column!r} value in two of "
                                            f"{', '.join(names)}")
