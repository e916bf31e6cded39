"""``specrun plugins``: every loaded plugin, where it comes from, its version, its hooks.

Where a plugin comes from: ``built-in`` (specrun's own modules and the reporter
objects they return), an installed distribution (``specrun-drift 0.1.0``: found
through its entry point, or through the package that defines the object), or
``local`` (a module imported from the project, with its file).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy
from rich.console import Console
from rich.table import Table

from .._version import __version__
from .json_report import to_stdout, write_json_text


def _module_of(plugin: Any) -> str:
    return str(getattr(plugin, "__name__", None) or type(plugin).__module__)


def _origin(plugin: Any, dist: Any, packages: Mapping[str, list[str]]) -> tuple[str, str | None]:
    """``(origin, version)`` of a plugin object."""
    if dist is not None:
        return dist.project_name, dist.version
    module = _module_of(plugin)
    top = module.split(".", 1)[0]
    if top == "specrun":
        return "built-in", __version__
    for name in packages.get(top, []):
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    loaded = sys.modules.get(module)
    version = getattr(loaded, "__version__", None) if loaded is not None else None
    where = getattr(loaded, "__file__", None) if loaded is not None else None
    return ("local" + (f" ({Path(where)})" if where else "")), (str(version) if version else None)


def plugin_rows(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """One row per registered plugin: name, module, origin, version, hooks."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    packages = metadata.packages_distributions()
    rows = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        origin, version = _origin(plugin, dists.get(id(plugin)), packages)
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "module": _module_of(plugin), "origin": origin,
                     "version": version, "hooks": hooks})
    return rows


def print_plugins(pm: pluggy.PluginManager, console: Console | None = None,
                  json_path: str | None = None) -> None:
    """Print the table; with ``json_path`` also write the rows as JSON."""
    rows = plugin_rows(pm)
    if json_path:
        write_json_text(json_path, json.dumps(rows, indent=2) + "\n")
    console = console or Console(highlight=False, soft_wrap=True, stderr=to_stdout(json_path))
    table = Table(title="specrun plugins", title_justify="left")
    for header in ("name", "from", "version", "hooks"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["origin"], row["version"] or "",
                      ", ".join(h.removeprefix("specrun_") for h in row["hooks"]))
    console.print(table)
