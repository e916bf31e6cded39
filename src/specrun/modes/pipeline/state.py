"""The outputs kept from the last pipeline run, and handing data over without copying.

Each step's outputs are kept under ``<workspace>/pipeline/<pipeline>/<step>``
(``<pipeline>[<run>]`` for each run of a spec that runs its DAG several times): a
symlink to a version directory ``.<step>.<token>/`` holding ``output/<port>`` (the
same names as in a sandbox) and ``manifest.json``.  Keeping a step hard-links its
sandbox outputs into a fresh version directory, writes the manifest, then swaps the
symlink with one ``os.replace`` — a reader sees the old outputs or the new ones,
never half of them.  Kept files are read-only: consumers receive hard links to them.

``specrun --from STEP`` reuses these outputs for the producers upstream of STEP;
the manifest's fingerprints tell whether the spec still declares the same outputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...atomic import write_text_atomic
from ...contract.io import port_target
from ...errors import UsageError
from ...execution.fingerprint import changes, fingerprint
from ...execution.sandbox import safe_name
from ...results import to_jsonable
from ...spec.model import PipelineSpec, PortSpec

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "specrun-pipeline-outputs"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def _link_file(src: Path, dest: Path) -> str:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    try:
        os.link(src, dest)
        return "hardlink"
    except OSError:           # another file system, or links not allowed: copy instead
        shutil.copy2(src, dest)
        return "copy"


def link_tree(src: Path, dest: Path) -> str:
    """Make ``dest`` hold ``src``'s file or directory tree through hard links.

    Files that cannot be linked are copied.  Returns ``hardlink`` when nothing was
    copied, else ``copy``.
    """
    src, dest = Path(src), Path(dest)
    if not src.is_dir():
        return _link_file(src, dest)
    dest.mkdir(parents=True, exist_ok=True)
    methods = set()
    for path in sorted(src.rglob("*")):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            methods.add(_link_file(path, target))
    return "copy" if "copy" in methods else "hardlink"


def _without_locations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items() if k != "location"}
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value


def port_fingerprint(port: PortSpec) -> str:
    """A digest of what an output port promises: format, compression, layout, schema."""
    schema = None
    if port.schema is not None:
        schema = _without_locations(to_jsonable(dataclasses.replace(port.schema, name="", extends=None)))
    declared = {"format": port.format, "compression": port.compression, "layout": port.layout,
                "shards": port.shards, "split": port.split, "schema": schema}
    if not port.header:
        declared["header"] = False
    if port.split_schemas:
        declared["split_schemas"] = {
            split: _without_locations(to_jsonable(dataclasses.replace(each, name="", extends=None)))
            for split, each in port.split_schemas.items()}
    text = json.dumps(declared, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def files_in(path: Path) -> list[Path]:
    """The files a port holds on disk: the file itself, or every file under its directory."""
    if path.is_dir():
        return [p for p in path.rglob("*") if p.is_file()]
    return [path] if path.is_file() else []


class KeptOutputs:
    """The kept outputs of one pipeline, under ``<workspace>/pipeline/<pipeline>/``."""

    def __init__(self, workspace: Path, pipeline: str, folder: str | None = None) -> None:
        """``folder``: the run's own folder name (``PIPELINE[RUN]``, see ``runs.py``), else the pipeline's."""
        self.root = Path(workspace) / "pipeline" / (folder or safe_name(pipeline))
        self.pipeline = pipeline

    def step_dir(self, step: str) -> Path:
        return self.root / safe_name(step)

    def output_path(self, step: str, port: PortSpec) -> Path:
        """Where a kept output lives (a file, or a directory for a layout port)."""
        return port_target(self.step_dir(step), port, "output")

    def manifest(self, step: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.step_dir(step) / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None

    def keep(self, step: str, sandbox_root: Path, ports: Mapping[str, PortSpec],
             info: Mapping[str, Any]) -> Path:
        """Keep a step's outputs (hard links) and make them the step's kept outputs atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        version = Path(tempfile.mkdtemp(prefix=f".{safe_name(step)}.", dir=self.root))
        outputs: dict[str, Any] = {}
        for name, port in ports.items():
            produced = port_target(sandbox_root, port, "output")
            kept = port_target(version, port, "output")
            files = files_in(produced)
            if not files:
                continue
            link_tree(produced, kept)
            for file in files_in(kept):
                os.chmod(file, READ_ONLY)
            outputs[name] = {"path": kept.relative_to(version).as_posix(), "format": port.format,
                             "files": len(files), "bytes": sum(f.stat().st_size for f in files),
                             "fingerprint": port_fingerprint(port),
                             "content": fingerprint({name: kept})[name]}
        manifest = {"format": MANIFEST_FORMAT, "format_version": 1, "pipeline": self.pipeline,
                    "step": step, "kept_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    **to_jsonable(dict(info)), "outputs": outputs}
        write_text_atomic(version / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        link = self.step_dir(step)
        previous = self._target(link)
        swap = self.root / f".{safe_name(step)}.link-{version.name.rsplit('.', 1)[-1]}"
        swap.symlink_to(version.name)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        os.replace(swap, link)
        if previous is not None and previous != version:
            shutil.rmtree(previous, ignore_errors=True)
        return version

    def discard(self, step: str) -> None:
        """Forget a step's kept outputs (the step ran again and produced nothing usable)."""
        link = self.step_dir(step)
        previous = self._target(link)
        if link.is_symlink():
            link.unlink()
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)

    def problems(self, spec: PipelineSpec, step: str, outputs: Iterable[str]) -> list[str]:
        """Why the kept ``outputs`` of ``step`` cannot be reused by this spec (empty: they can)."""
        manifest = self.manifest(step)
        if manifest is None:
            return [f"step {step!r} has no kept outputs in {self.step_dir(step)}"]
        found = []
        for name in outputs:
            port = spec.steps[step].outputs[name]
            kept = manifest.get("outputs", {}).get(name)
            if kept is None or not files_in(self.output_path(step, port)):
                found.append(f"output {step}.{name} was not kept by the last run")
            elif kept.get("fingerprint") != port_fingerprint(port):
                found.append(f"the spec changed output {step}.{name} since it was kept "
                             f"({manifest.get('kept_at', '?')})")
            elif isinstance(kept.get("content"), dict):   # written by every keep(); absent in old workspaces
                modified = changes({name: kept["content"]}, {name: self.output_path(step, port)}).get(name)
                if modified:
                    found.append(f"output {step}.{name} was modified since it was kept "
                                 f"({manifest.get('kept_at', '?')}): {modified}")
        return found

    def require(self, spec: PipelineSpec, start: str, needed: Mapping[str, Iterable[str]]) -> None:
        """Raise a usage error unless every ``{step: outputs}`` in ``needed`` can be reused."""
        found = [p for step, outputs in needed.items() for p in self.problems(spec, step, outputs)]
        if found:
            raise UsageError(f"--from {start}: cannot reuse the upstream outputs: {'; '.join(found)}. "
                             f"Run the pipeline without --from first (or --from an earlier step).")

    @staticmethod
    def _target(link: Path) -> Path | None:
        if not link.is_symlink():
            return None
        return (link.parent / os.readlink(link)).resolve()

