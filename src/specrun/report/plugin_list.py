"""``specrun plugins``: every loaded plugin, where it comes from, and its hooks."""

from __future__ import annotations

from typing import Any

import pluggy
from rich.console import Console
from rich.table import Table


def plugin_rows(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    rows = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append({
            "name": name,
            "module": getattr(plugin, "__name__", type(plugin).__module__ + "." + type(plugin).__name__),
            "distribution": f"{dist.project_name} {dist.version}" if dist else "built-in" if str(getattr(plugin, "__name__", "")).startswith("specrun.") else "local",
            "hooks": hooks,
        })
    return rows


def print_plugins(pm: pluggy.PluginManager, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    table = Table(title="specrun plugins", title_justify="left")
    for header in ("name", "from", "hooks"):
        table.add_column(header, overflow="fold")
    for row in plugin_rows(pm):
        table.add_row(row["name"], row["distribution"], ", ".join(h.removeprefix("specrun_") for h in row["hooks"]))
    console.print(table)
