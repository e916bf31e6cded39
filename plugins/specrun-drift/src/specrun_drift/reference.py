"""Where a step's reference inputs come from, and putting them into a sandbox.

A reference is one of:

* a specrun snapshot folder (``manifest.json``; see ``specrun.sources.write_snapshot``):
  input ``PORT`` of step ``STEP`` is the execution's input channel ``PORT`` of ``STEP``;
* a plain folder: ``REF/STEP/PORT`` if it exists, else ``REF/PORT`` (a folder, or a file
  with or without the format's suffix, e.g. ``REF/rows.csv``);
* an ``s3://`` prefix: ``PREFIX/PORT/`` (or ``PREFIX/STEP/PORT/``), sampled to
  ``sample_size`` rows per folder into specrun's source cache.

``inputs: {PORT: PATH}`` overrides the place of a port (relative to the reference, or a
full ``s3://`` URI).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specrun.lazy import lazy_module
from specrun.plugin import PortSpec, StepSpec, copy_fixture, read_port_frame, write_port
from specrun.sources import S3Settings, SourceCache, SourceError, find_snapshot, make_clients, sample_uri

from .options import DriftOptions

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

SUFFIXES = {"csv": (".csv", ".csv.gz"), "tsv": (".tsv", ".tsv.gz"), "jsonl": (".jsonl", ".jsonl.gz"),
            "parquet": (".parquet", ".pq")}


class Reference:
    """Finds the reference data of each input port (local path, sampled if remote)."""

    def __init__(self, options: DriftOptions, cache_dir: Path) -> None:
        self.options = options
        self.cache_dir = cache_dir
        self._s3: Any = None
        self._cache: SourceCache | None = None

    def locate(self, step: StepSpec, port_name: str, port: PortSpec, seed: int) -> Path:
        """A local file or folder holding the reference data of ``step``'s input ``port_name``."""
        override = self.options.inputs.get(port_name)
        if self.options.is_s3 or (override or "").startswith("s3://"):
            return self._sample(step, port_name, port, override, seed)
        root = Path(self.options.reference)
        if not root.exists():
            raise SourceError(str(root), "the reference folder does not exist", permanent=True)
        if override:
            return self._existing(root / override)
        snapshot = find_snapshot(root) if (root / "manifest.json").is_file() else None
        if snapshot is not None:
            return self._existing(snapshot.channel_path(step.name, port_name, "input"))
        suffixes = ("",) + SUFFIXES.get(port.format, ())
        for base in (root / step.name / port_name, root / port_name):
            for suffix in suffixes:
                candidate = base.with_name(base.name + suffix)
                if candidate.exists():
                    return candidate
        raise SourceError(str(root), f"no reference data for input {port_name!r} of step {step.name!r} "
                          f"(looked for {step.name}/{port_name}[.{port.format}] and {port_name}[.{port.format}])",
                          permanent=True)

    @staticmethod
    def _existing(path: Path) -> Path:
        if not path.exists():
            raise SourceError(str(path), "not found", permanent=True)
        return path

    def _sample(self, step: StepSpec, port_name: str, port: PortSpec, override: str | None, seed: int) -> Path:
        if self._s3 is None:
            settings = S3Settings(endpoint_url=self.options.endpoint_url, region=self.options.region,
                                  profile=self.options.profile)
            self._s3 = make_clients(settings)[0]
        if self._cache is None:
            self._cache = SourceCache(self.cache_dir)
        base = self.options.reference.rstrip("/")
        if override:
            uris = [override if override.startswith("s3://") else f"{base}/{override}"]
        else:
            uris = [f"{base}/{step.name}/{port_name}/", f"{base}/{port_name}/"]
        fmt = port.format if port.tabular else "auto"
        error: SourceError | None = None
        for uri in uris:
            try:
                sampled = sample_uri(self._s3, uri, fmt, self.options.sample_size, seed, cache=self._cache)
            except SourceError as exc:
                error = error or exc
                continue
            return sampled.path
        assert error is not None
        raise error


def place(source: Path, port: PortSpec, target: Path) -> None:
    """Put reference data at an input's place in the sandbox, in the port's shape:
    a folder of files for a port with a layout, one file otherwise."""
    if source.is_dir() == port.is_dir:     # already in the port's shape
        copy_fixture(source, target)
    elif source.is_file():
        target.mkdir(parents=True, exist_ok=True)
        copy_fixture(source, target / source.name)
    else:   # a folder of shards for a single-file port: read them all, write one file
        files = sorted(f for f in source.rglob("*") if f.is_file() and f.name.endswith(SUFFIXES.get(port.format, ())))
        if not files:
            raise SourceError(str(source), f"no {port.format} files in the reference folder", permanent=True)
        single = replace(port, layout=None, shards=None, split=None) if port.is_dir else port
        frames = [read_port_frame(single, file) for file in files]
        write_port(port, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], target)
