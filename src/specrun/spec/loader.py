"""Spec files → :class:`PipelineSpec`: read, validate, build, check references.

``load_spec`` is the one entry point the session uses; every user mistake it finds
is a :class:`SpecError` ``file:line: key: message`` (never a traceback), and
``discover_specs`` turns command-line paths into the spec files to load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import strictyaml as sy

from . import units
from .build_container import resolve_containers
from .build_scenarios import build_scenarios
from .build_schemas import build_named_schemas
from .build_steps import apply_resource_defaults, apply_retry_defaults, build_steps, interpreter_path
from .case_templates import check_templates
from .model import Defaults, Location, PipelineSpec, SpecError
from .options import LoadOptions
from .references import check_references, link_ports
from .schema import NonEmptyStr, spec_validator
from .values import generic_data
from .yamlnodes import Node, parse

SPEC_SUFFIXES = (".yaml", ".yml")
# a line that is not blank, a comment or a document marker
_CONTENT = re.compile(r"^(?!\s*(#|---\s*$|\.\.\.\s*$)).*\S", re.MULTILINE)
# Pipeline-mode settings given as durations, stored in seconds.
_MODE_DURATIONS = {"pipeline": ("timeout_per_step", "max_pipeline_time")}


def load_spec(path: Path, extra_keys: Mapping[str, sy.Validator] | None = None, *,
              known_types: Iterable[str] | None = None,
              known_mutators: Iterable[str] | None = None,
              known_properties: Iterable[str] | None = None,
              known_checks: Iterable[str] | None = None) -> PipelineSpec:
    """Load one spec file into the typed model.

    ``extra_keys`` are plugin-owned top-level keys (stored parsed in
    ``spec.extensions``); the ``known_*`` names are plugin column types, mutators,
    properties and column checks accepted besides the built-in ones (``known_checks``
    None accepts any check name).
    """
    path = Path(path)
    file = path.absolute()
    text = _read(file)
    if not _CONTENT.search(text):
        raise SpecError("the spec file is empty (expected a mapping with 'version', "
                        "'pipeline' and 'steps')", file=file, line=1)
    options = LoadOptions.create(file.parent, known_types=known_types,
                                 known_mutators=known_mutators,
                                 known_properties=known_properties, known_checks=known_checks)
    root = parse(text, file, spec_validator(extra_keys))
    return build_spec(root, file, options, extra_keys or {})


def build_spec(root: Node, file: Path, options: LoadOptions,
               extra_keys: Mapping[str, Any]) -> PipelineSpec:
    """The model of a validated document."""
    spec = PipelineSpec(path=file, pipeline=str(root["pipeline"].data),
                        version=int(root["version"].data))
    spec.locations = {node.key: node.location for node in root.walk() if node.key}
    if "plugins" in root:
        spec.plugins = [str(name) for name in root["plugins"].data]
    if "defaults" in root:
        defaults = dict(root["defaults"].data)
        if "transient" in defaults:
            defaults["transient"] = [str(name) for name in defaults["transient"]]
        if "python" in defaults:
            defaults["python"] = interpreter_path(str(defaults["python"]), options)
        spec.defaults = Defaults(**defaults)   # a grammar key without a field fails here
    spec.schemas = build_named_schemas(root.get("schemas"), options)
    spec.steps, written = build_steps(root["steps"], spec.schemas, options)
    apply_retry_defaults(spec.steps.values(), spec.defaults)
    apply_resource_defaults(spec.steps.values(), spec.defaults)
    link_ports(spec, written)
    resolve_containers(spec.steps.values(), spec.defaults)
    if "dag" in root:
        spec.dag = [tuple(edge) for edge in root["dag"].data]
    spec.scenarios = build_scenarios(root.get("scenarios"), spec.steps, options)
    for scenario in spec.scenarios.values():
        if scenario.location is None:
            scenario.location = spec.where(f"scenarios.{scenario.name}")
    if "modes" in root:
        spec.modes = {name: _mode(name, node) for name, node in root["modes"].items()}
    spec.extensions = {key: root[key].data for key in extra_keys if key in root}
    check_references(spec)
    check_templates(spec)
    return spec


_PLUGINS_KEY = re.compile(r"\bplugins\s*:")
_PLUGINS_BLOCK = re.compile(r"^plugins\s*:.*(?:\n(?:[ \t#].*|[ \t]*))*", re.MULTILINE)


def plugin_names(path: Path) -> list[tuple[str, Location]]:
    """The ``plugins:`` of a spec file with their locations, read before the spec is
    validated (the plugins may add spec keys and column types).  Only the top-level
    ``plugins:`` block is parsed when it can be cut out; a file that cannot be read
    this far gives ``[]``: the full load reports its problem."""
    file = Path(path).absolute()
    try:
        text = _read(file)
        if not _PLUGINS_KEY.search(text):
            return []
        block = _PLUGINS_BLOCK.search(text)
        if block is not None:   # parse just the block, then shift its lines
            offset = text.count("\n", 0, block.start())
            node = parse(block.group(), file, sy.Map({"plugins": sy.Seq(NonEmptyStr())}))["plugins"]
        else:                   # e.g. a flow-style document: parse it all
            offset = 0
            root = parse(text, file, sy.MapPattern(sy.Str(), sy.Any()))
            found = root.get("plugins") if root.is_mapping() else None
            if found is None:
                return []
            node = found.revalidate(sy.Seq(NonEmptyStr()))
    except SpecError:
        return []
    return [(str(item.data), Location(file, item.line + offset, item.key)) for item in node.elements()]


def _mode(name: str, node: Node) -> dict[str, Any]:
    """A mode's settings as plain data; known duration settings in seconds."""
    settings = {key: generic_data(value) for key, value in node.data.items()}
    for key in _MODE_DURATIONS.get(name, ()):
        if key in settings:
            try:
                settings[key] = units.parse_duration(str(node[key].data))
            except ValueError as error:
                raise node.error(str(error), key) from None
    return settings


def _read(file: Path) -> str:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise SpecError("spec file not found", file=file, line=1) from None
    except OSError as error:
        raise SpecError(f"cannot read spec file: {error.strerror or error}",
                        file=file, line=1) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SpecError("the spec file is not UTF-8 text", file=file, line=line) from None


def discover_specs(paths: Sequence[Path]) -> list[Path]:
    """Spec files for command-line paths: files as given, folders walked for *.yaml / *.yml.

    Folders are walked recursively in sorted order, skipping hidden folders and files;
    a path that does not exist raises FileNotFoundError naming it.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_walk(path))
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    unique: dict[Path, None] = dict.fromkeys(found)
    return list(unique)


def _walk(folder: Path) -> list[Path]:
    """Spec files under ``folder`` in sorted path order (symlinked folders not followed)."""
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        files.extend(Path(root) / name for name in sorted(names)
                     if not name.startswith(".") and Path(name).suffix.lower() in SPEC_SUFFIXES)
    return files
