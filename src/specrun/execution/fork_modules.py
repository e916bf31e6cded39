"""Which modules a fork of the warm parent may share, and which it must not.

Loaded by path into the fork server (:mod:`.fork_server`), like the child bootstrap:
standard library only.

* **Shadowing.** A fresh interpreter imports a script's ``import queue`` from the script's
  folder when that folder holds ``queue.py``: the folder is first on ``sys.path``.  A fork
  of a parent that already imported the standard library's ``queue`` (pandas does) would
  hand the script the parent's module instead.  :func:`shadowed` names the modules a run's
  folders provide that the parent has loaded since start-up; such a run is not forked.
* **Learning.** A run imports modules the parent has not preloaded (``pyarrow.dataset`` on
  the first ``read_parquet``, ``pandas.io.formats.csvs`` on the first ``to_csv``); every fork
  would pay for them again.  The child lists what it imported (:func:`write_learned`), and
  the parent preloads those it would import from the very same file (:func:`learnable`), so
  later forks start with them.  Modules from the script's folder, from the run's
  ``PYTHONPATH``, or that the parent would find elsewhere than the child did, are never
  learned.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import re
import sys
from collections.abc import Iterable, Set
from typing import Any

#: a run reports at most this many modules (a script cannot make the parent import without end)
MAX_LEARNED = 5000
MAX_LEARNED_BYTES = 1 << 20
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def local_modules(folders: Iterable[str]) -> set[str]:
    """Top-level module names importable from ``folders``: ``NAME.py``, a compiled
    ``NAME.pyc``, an extension module, or a package ``NAME/__init__.py`` (a folder without
    ``__init__`` is a namespace portion, which any regular module of the name outranks)."""
    suffixes = (*importlib.machinery.SOURCE_SUFFIXES, *importlib.machinery.BYTECODE_SUFFIXES,
                *importlib.machinery.EXTENSION_SUFFIXES)
    found: set[str] = set()
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            for suffix in suffixes:
                if entry.endswith(suffix) and len(entry) > len(suffix):
                    found.add(entry[:-len(suffix)])
                    break
            else:
                if "." not in entry and os.path.isfile(os.path.join(folder, entry, "__init__.py")):
                    found.add(entry)
    return found


def shadowed(folders: Iterable[str], loaded: Iterable[str], at_start: Set[str]) -> list[str]:
    """Modules in ``loaded`` (the parent's ``sys.modules``) that a fresh interpreter would
    import from ``folders`` instead; ``at_start`` (loaded before any script folder is on the
    path) cannot be shadowed."""
    tops = {name.partition(".")[0] for name in loaded} - set(at_start)
    return sorted(tops & local_modules(folders))


def search_folders(script_dir: str, env: dict[str, str], shared: Iterable[str] = ()) -> list[str]:
    """The folders a run searches before the installed modules that the parent does not:
    its script's and its PYTHONPATH's, less those on the parent's own path (``shared``:
    the run's PYTHONPATH names site-packages and specrun's bootstrap too)."""
    common = {os.path.realpath(p) for p in shared if p}
    folders = [script_dir, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return [p for p in folders if p and os.path.realpath(p) not in common]


def learned_since(before: Set[str]) -> list[list[str]]:
    """``[name, file]`` of each module imported since ``before`` that came from a file."""
    found = []
    for name, module in list(sys.modules.items()):
        if name in before or module is None:
            continue
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path:
            found.append([name, path])
    return found[:MAX_LEARNED]


def write_learned(path: str, before: Set[str]) -> None:
    """In the child, at its end: what it imported, for the parent (nothing: no file)."""
    found = learned_since(before)
    if not found:
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(found, fh)
    except (OSError, TypeError, ValueError):
        pass


def read_learned(path: str) -> list[tuple[str, str]]:
    """What a child reported (``[]`` for no file or anything malformed); the file is removed."""
    try:
        if os.path.getsize(path) > MAX_LEARNED_BYTES:
            return []
        with open(path, encoding="utf-8") as fh:
            data: Any = json.load(fh)
    except (OSError, ValueError):
        return []
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    if not isinstance(data, list):
        return []
    return [(entry[0], entry[1]) for entry in data[:MAX_LEARNED]
            if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)]


def _inside(path: str, folders: Iterable[str]) -> bool:
    real = os.path.realpath(path)
    for folder in folders:
        base = os.path.realpath(folder).rstrip(os.sep)
        if real == base or real.startswith(base + os.sep):
            return True
    return False


def learnable(entries: Iterable[tuple[str, str]], folders: list[str], tried: Set[str]) -> list[str]:
    """The reported modules the parent may preload, parents before their submodules: a valid
    name not yet loaded or tried, whose top level no run folder provides, not from a run
    folder, and which the parent's own import system finds at the very file the child
    imported (a parent package not loaded and not learnable here keeps its submodules out)."""
    local = local_modules(folders)
    accepted: set[str] = set()
    order = sorted(entries, key=lambda entry: (entry[0].count("."), entry[0]))
    for name, path in order:
        if (not _NAME.match(name) or name.startswith("_specrun") or name.startswith("__")
                or name in sys.modules or name in tried or name.partition(".")[0] in local
                or _inside(path, folders)):
            continue
        parent = name.rpartition(".")[0]
        if parent and parent not in sys.modules and parent not in accepted:
            continue
        if _origin(name, parent) == os.path.realpath(path):
            accepted.add(name)
    return [name for name, _ in order if name in accepted]


def _origin(name: str, parent: str) -> str | None:
    """Where the parent's import system would load ``name`` from, without importing it
    (the parent package's path is read, never executed)."""
    if parent:
        package = sys.modules.get(parent)
        search = getattr(package, "__path__", None) if package is not None else None
        if search is None:           # the parent is accepted but not imported yet: its spec's locations
            spec = importlib.machinery.PathFinder.find_spec(parent.partition(".")[0])
            if spec is None or parent.count("."):
                return None
            search = spec.submodule_search_locations
        if search is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, list(search))
    else:
        spec = importlib.machinery.PathFinder.find_spec(name)
    if spec is None or not spec.origin or not spec.has_location:
        return None
    return os.path.realpath(spec.origin)
