"""The script's import graph for the result cache's key: it lives in
``analysis/script_imports.py`` (the Dask executor ships the same local modules with each
case); re-exported here under the names the key uses."""

from __future__ import annotations

from ...analysis.script_imports import ImportGraph, import_graph, imported_names, resolve, version_of

__all__ = ["ImportGraph", "import_graph", "imported_names", "resolve", "version_of"]
