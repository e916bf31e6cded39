"""A case's cache key: a hash of everything that decides its result.

:class:`KeyMaker` builds, for one planned case, a canonical JSON document of:

* the case (id, mode, kind) and its payload — the step, its ports and their schemas, the
  scenario, the parameters, the broken constraint or edge (the model objects, their
  ``location`` left out: moving a key in the YAML changes no result);
* every file those nodes name (script, fixtures, samples, golden files, a pandera YAML, a
  JSON Schema), by content; for a folder, every file under it;
* the local modules the script's imports reach and the modules of ``python:`` properties
  and checks (see :mod:`.imports`), by content; the versions of the installed
  distributions they import;
* the input schemas a ``from:`` port takes from its producer, ``defaults:``, the mode's
  options, plugin-owned spec keys;
* the run seed (every case seed derives from it, a scenario's ``seed:`` and the case id:
  a run without a fixed seed draws a fresh one, so it never hits), ``--executor``,
  ``--dist`` and ``--scheduler``,
  ``-W`` filters, ``--max-examples``, ``--no-shrink``, the isolation level;
* the interpreter (``sys.executable``, ``sys.version``), specrun's version and a digest of
  its own source files, the versions of the data libraries it generates and validates
  with, the plugins registered and their files, ``PYTHONPATH``;
* a property case's Hypothesis example database (the failures it replays first) and a
  golden case's snapshot files.

An object the key cannot describe exactly (a value without a stable text) makes the case
uncacheable (:class:`Uncacheable`): it runs.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._version import __version__
from ...plan import PlannedCase
from ...spec.model import PipelineSpec, StepSpec
from . import imports

if TYPE_CHECKING:  # pragma: no cover
    from ...plugin_types import SessionLike

KEY_FORMAT = 1
#: the libraries specrun generates, writes, reads and validates data with
DATA_LIBRARIES = ("pandas", "numpy", "pandera", "pyarrow", "hypothesis")
_PYTHON_REF = re.compile(r"^([A-Za-z_][\w.]*):[A-Za-z_]\w*$")
#: folders named for where relative paths resolve, not read as inputs: by name, not content
#: (a step's ``base_dir`` is the spec's folder, which holds the spec itself)
_NAME_ONLY_FIELDS = frozenset({"base_dir"})
_SKIPPED_FIELDS = frozenset({"location", "locations"})
_CHUNK = 1 << 20


class Uncacheable(Exception):
    """The case holds something the key cannot describe exactly."""


class KeyMaker:
    """Keys for the cases of one session; file digests and import graphs are computed once."""

    def __init__(self, session: SessionLike) -> None:
        self.session = session
        self._digests: dict[Path, str] = {}
        self._graphs: dict[tuple[Path, tuple[Path, ...]], imports.ImportGraph] = {}
        self._versions: dict[str, str] = {}
        self._refs: dict[int, dict[str, Any]] = {}   # id(step) -> its python refs (the spec outlives the session)
        self._lock = threading.Lock()
        self._environment: dict[str, Any] | None = None

    # -- the key ---------------------------------------------------------------

    def key(self, spec: PipelineSpec, case: PlannedCase, extra: Mapping[str, Any] | None = None) -> str:
        """The hex key of ``case``; :class:`Uncacheable` when it cannot be made exactly."""
        return hashlib.sha256(json.dumps(self.document(spec, case, extra), sort_keys=True,
                                         separators=(",", ":")).encode()).hexdigest()

    def document(self, spec: PipelineSpec, case: PlannedCase,
                 extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the key hashes, as a readable document (tests and debugging print it)."""
        from ..options import mode_options
        from ..step_case import input_schema

        payload = case.payload
        # a deep-dive case's payload is the step itself
        step: StepSpec | None = payload if isinstance(payload, StepSpec) else getattr(payload, "step", None)
        if step is None:
            raise Uncacheable(f"case {case.id!r} has no step")
        doc: dict[str, Any] = {
            "format": KEY_FORMAT,
            "case": {"id": case.id, "mode": case.mode, "kind": case.kind, "params": self.encode(case.params)},
            "payload": self.encode(payload),
            "input_schemas": {name: self.encode(input_schema(spec, port)) for name, port in step.inputs.items()},
            "defaults": self.encode(spec.defaults),
            "mode_options": self.encode(dict(mode_options(spec, case.mode, self.session.project_modes))),
            "extensions": self.encode(spec.extensions),
            "seed": self.session.spec_seed(spec),
            "options": self._options(getattr(getattr(payload, "scenario", None), "examples", None) is not None),
            "code": self._code(step),
            "python_refs": self._python_refs(step),
            "environment": self.environment(),
        }
        if extra:
            doc["extra"] = self.encode(dict(extra))
        return doc

    # -- parts -------------------------------------------------------------------

    def _options(self, property_case: bool) -> dict[str, Any]:
        """The command-line options that change what a case does (``--max-examples`` and
        ``--no-shrink`` only for property cases)."""
        from ..isolation.property_run import PropertyRunOptions

        options = self.session.options
        out: dict[str, Any] = {"executor": options.executor, "warning_filters": list(options.warning_filters),
                               "hermetic": options.hermetic,
                               # a cluster's workers have their own packages and machine: their
                               # verdict is never served for a local run, nor one cluster's for another
                               "dist": options.dist, "scheduler": options.scheduler if options.dist else None}
        if property_case:
            given = PropertyRunOptions.from_namespace(self.session.config)
            out.update(max_examples=given.max_examples, no_shrink=given.no_shrink)
        return out

    def _code(self, step: StepSpec) -> dict[str, Any]:
        if step.python is not None:
            # another interpreter's packages cannot be looked up from here: never served stale
            raise Uncacheable(f"step {step.name!r} runs in its own interpreter ({step.python})")
        if step.script is None:     # a command: the program and the files its arguments name
            named = [Path(shutil.which(step.command[0]) or step.command[0])] if step.command else []
            named += [Path(a) for a in (step.command or [])[1:] if Path(a).is_absolute()]
            return {"files": {str(p): self.digest(p) for p in named}, "packages": {}}
        graph = self.graph(step.script, self.roots(step.script))
        return {"files": {str(p): self.digest(p) for p in graph.local},
                "packages": self.versions(graph.names, graph.installed)}

    def _python_refs(self, step: StepSpec) -> dict[str, Any]:
        """The modules ``module:function`` strings in the step's nodes name (``python:``
        properties and artifact checks, its ports' pandera references), by content when
        local; worked out once per step."""
        with self._lock:
            known = self._refs.get(id(step))
        if known is None:
            known = self._step_refs(step)
            with self._lock:
                self._refs[id(step)] = known
        return known

    def _step_refs(self, step: StepSpec) -> dict[str, Any]:
        from ...contract.properties import module_dirs

        refs: set[str] = set()
        _strings(self.encode([step.properties, step.inputs, step.outputs]), refs)
        dirs = list(module_dirs(step))
        out: dict[str, Any] = {}
        for text in sorted(refs):
            match = _PYTHON_REF.match(text)
            if match is None:
                continue
            module = match.group(1)
            found = imports.resolve(module, dirs)
            if found is None:
                top = {module.partition(".")[0]}
                out[text] = self.versions(top, top)
                continue
            graph = self.graph(found, tuple(dirs))
            out[text] = {"files": {str(p): self.digest(p) for p in graph.local},
                         "packages": self.versions(graph.names, graph.installed)}
        return out

    def environment(self) -> dict[str, Any]:
        """What every case of the run shares: interpreter, specrun, libraries, plugins."""
        if self._environment is None:
            from ...execution.namespace import probe

            pm = getattr(self.session, "pm", None)
            plugins = {}
            for name, plugin in (pm.list_name_plugin() if pm is not None else ()):
                file = getattr(plugin, "__file__", None) or getattr(type(plugin), "__module__", "")
                plugins[str(name)] = (self.digest(Path(file)) if isinstance(file, str) and file.endswith(".py")
                                      and not _inside_specrun(Path(file)) else str(file))
            self._environment = {
                "python": [sys.executable, sys.version],
                "specrun": [__version__, specrun_source_digest()],
                "libraries": {name: imports.version_of(name) for name in DATA_LIBRARIES},
                "isolation": probe().isolation,
                "plugins": plugins,
                "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            }
        return self._environment

    # -- helpers -----------------------------------------------------------------

    @staticmethod
    def roots(script: Path) -> tuple[Path, ...]:
        """Where the child finds the script's imports: its folder, then ``PYTHONPATH``."""
        extra = [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        return (Path(script).resolve().parent, *extra)

    def graph(self, script: Path, roots: tuple[Path, ...]) -> imports.ImportGraph:
        key = (Path(script), roots)
        with self._lock:
            found = self._graphs.get(key)
        if found is None:
            found = imports.import_graph(script, roots)
            with self._lock:
                self._graphs[key] = found
        return found

    def versions(self, top_level: set[str], not_found: set[str]) -> dict[str, str]:
        """``{distribution: version}`` of the distributions providing ``top_level`` names;
        a name in ``not_found`` (not a local file either) that no distribution provides is
        ``{name: "?"}``: its appearing later changes the key."""
        out: dict[str, str] = {}
        for name in sorted(top_level):
            dists = self._distributions(name)
            for dist in dists:
                out[dist] = self._version(dist)
            if not dists and name in not_found:
                out[name] = "?"
        return out

    def _distributions(self, name: str) -> list[str]:
        """The distributions providing top-level module ``name``: the one of that name when
        it is installed (the common case, no scan), else ``packages_distributions()``'s."""
        if self._version(name) != "?":
            return [name]
        return list(_providers().get(name) or ())

    def _version(self, dist: str) -> str:
        with self._lock:
            version = self._versions.get(dist)
        if version is None:
            version = imports.version_of(dist)
            with self._lock:
                self._versions[dist] = version
        return version

    def digest(self, path: Path) -> str:
        """``size:blake2b`` of a file, of every file under a folder, or ``missing``."""
        path = Path(path)
        with self._lock:
            known = self._digests.get(path)
        if known is not None:
            return known
        value = _digest(path)
        with self._lock:
            self._digests[path] = value
        return value

    def encode(self, value: Any) -> Any:
        """``value`` as canonical JSON: dataclasses as mappings (``location`` left out),
        paths with their content's digest; :class:`Uncacheable` for anything else."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"@": type(value).__name__,
                    **{f.name: (str(getattr(value, f.name)) if f.name in _NAME_ONLY_FIELDS
                                else self.encode(getattr(value, f.name)))
                       for f in dataclasses.fields(value) if f.name not in _SKIPPED_FIELDS}}
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, Path):
            return {"path": str(value), "content": self.digest(value)}
        if isinstance(value, str):
            # a file named by absolute path (a pandera YAML, a JSON Schema): by content; never a
            # folder (an env value such as /tmp is not an input of the case)
            if value.startswith("/") and "\n" not in value and len(value) < 4096 and os.path.isfile(value):
                return {"path": value, "content": self.digest(Path(value))}
            return value
        if isinstance(value, bool) or value is None or isinstance(value, int):
            return value
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, Mapping):
            return {str(k): self.encode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.encode(v) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted((self.encode(v) for v in value), key=repr)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise Uncacheable(f"cannot describe {type(value).__name__} in a cache key")


def tree_digest(path: Path) -> str:
    """The digest of a file or a folder's files (``missing`` if absent)."""
    return _digest(path)


def _digest(path: Path) -> str:
    try:
        if path.is_dir():
            h = hashlib.blake2b(digest_size=16)
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                h.update(item.relative_to(path).as_posix().encode() + b"\0" + _digest(item).encode() + b"\0")
            return f"dir:{h.hexdigest()}"
        h = hashlib.blake2b(digest_size=16)
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
        return f"{path.stat().st_size}:{h.hexdigest()}"
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}"


def _strings(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


_SPECRUN_DIR = Path(__file__).resolve().parents[2]


def _inside_specrun(path: Path) -> bool:
    try:
        path.resolve().relative_to(_SPECRUN_DIR)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def specrun_source_digest() -> str:
    """A digest of specrun's own source files: an edit of specrun (an editable install
    keeps its version) changes every key."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(_SPECRUN_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".json") and "__pycache__" not in path.parts:
            h.update(path.relative_to(_SPECRUN_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def _providers() -> Mapping[str, list[str]]:
    from importlib import metadata

    return metadata.packages_distributions()
