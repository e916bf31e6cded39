"""The project config: ``[tool.specrun]`` of ``pyproject.toml``, or a ``specrun.toml``.

Looked up from the current directory upwards; the first folder holding a
``specrun.toml`` or a ``pyproject.toml`` is the project root (``specrun.toml`` wins
when both are there).  Keys (top level in ``specrun.toml``):

* ``plugins`` — plugin modules to load, importable from the project root;
* ``modes`` — per-mode options (``[tool.specrun.modes.isolation]`` …), applied
  below each spec's own ``modes:`` (see ``modes/options.py``);
* ``cache_size`` — the most disk the result cache takes (``"100MB"``), below ``--cache-size``;
* ``scheduler`` — the Dask scheduler ``--dist dask`` uses (``"tcp://host:8786"``), below ``--scheduler``.

Mistakes are :class:`SpecError` naming the file, the line and the key (exit 4).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .spec.model import Location, PipelineSpec, SpecError

PROJECT_KEYS: tuple[str, ...] = ("plugins", "modes", "cache_size", "scheduler")
FILES = ("specrun.toml", "pyproject.toml")


@dataclass
class ProjectConfig:
    """What the project config says; empty when there is none."""

    path: Path | None = None
    prefix: str = ""                  # "tool.specrun." for pyproject.toml
    plugins: list[str] = field(default_factory=list)
    modes: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache_size: int | None = None     # bytes (None: not written)
    scheduler: str | None = None      # a Dask scheduler's address (None: not written)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()


def load_project_config(start: Path) -> ProjectConfig:
    """The project config governing ``start`` (a folder)."""
    for folder in [start.absolute(), *start.absolute().parents]:
        for name in FILES:
            candidate = folder / name
            if candidate.is_file():
                return read_project_config(candidate)
    return ProjectConfig()


def read_project_config(path: Path) -> ProjectConfig:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise SpecError(f"invalid TOML: {exc}", file=path, line=int(line.group(1)) if line else 1) from None
    pyproject = path.name == "pyproject.toml"
    section = data.get("tool", {}).get("specrun", {}) if pyproject else data
    prefix = "tool.specrun." if pyproject else ""
    if not isinstance(section, dict):
        raise SpecError("expected a table", file=path, line=_line(text, "specrun"), key="tool.specrun")
    config = ProjectConfig(path=path, prefix=prefix)
    for key, value in section.items():
        where = Location(path, _line(text, key), prefix + key)
        if key not in PROJECT_KEYS:
            raise SpecError(f"unknown key {key!r} (known: {', '.join(PROJECT_KEYS)})", where)
        if key == "plugins":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise SpecError("expected a list of plugin module names", where)
            config.plugins = list(value)
        elif key == "modes":
            config.modes = _modes(value, path, text, prefix)
        elif key == "cache_size":
            config.cache_size = _size(value, where)
        elif key == "scheduler":
            if not isinstance(value, str) or not value.strip():
                raise SpecError("expected a Dask scheduler address such as \"tcp://10.0.0.5:8786\"", where)
            config.scheduler = value.strip()
    return config


def _size(value: Any, where: Location) -> int:
    from .spec.units import parse_memory

    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SpecError("expected a size such as \"100MB\"", where)
    try:
        return parse_memory(value)
    except ValueError as exc:
        raise SpecError(str(exc), where) from None


def _modes(value: Any, path: Path, text: str, prefix: str) -> dict[str, dict[str, Any]]:
    from .modes.options import mode_options

    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise SpecError("expected a table of mode tables ([modes.NAME])", file=path,
                        line=_line(text, "modes"), key=prefix + "modes")
    probe = PipelineSpec(path=path, pipeline="<project>")
    for name, options in value.items():
        for key, setting in options.items():   # one key at a time, to name it as written
            try:   # built-in modes check their keys and values; plugin modes check their own
                mode_options(probe, name, {name: {key: setting}})
            except SpecError as exc:
                raise SpecError(exc.message, file=path, line=_line(text, key, after=f"modes.{name}"),
                                key=f"{prefix}modes.{name}.{key}") from None
    return {name: dict(options) for name, options in value.items()}


def _line(text: str, key: str, after: str | None = None) -> int:
    """The first line assigning ``key`` (or a table header naming it), searched from the
    table header naming ``after`` when given; 1 if not found."""
    start = 0
    if after is not None:
        header = re.search(rf"^\s*\[[^\]]*\b{re.escape(after)}\][ \t]*$", text, re.MULTILINE)
        start = header.end() if header else 0
    pattern = re.compile(rf"^\s*(\[[^\]]*\b{re.escape(key)}\b[^\]]*\]|\"?{re.escape(key)}\"?\s*=)", re.MULTILINE)
    found = pattern.search(text, start) or pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1
