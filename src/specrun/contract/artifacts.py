"""Contracts of non-tabular outputs (``json``, ``pickle``, ``text``, ``file``): their ``checks:``.

``not_empty``, ``size: {min, max}`` and ``json_schema`` (validated with the
``jsonschema`` library) are checked here; a ``python: module:function`` check, and
anything that needs a pickle's content, runs in a fresh interpreter
(:data:`CHILD_CODE` through ``subprocess`` with a timeout): specrun never unpickles
or calls user code in its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from ..spec.model import ArtifactCheck, PortSpec

CHILD_TIMEOUT = 60.0

# Run as ``python -c CHILD_CODE REQUEST_JSON``: loads the artifact, checks, prints one JSON line.
CHILD_CODE = r'''
import json, pickle, sys
from pathlib import Path
request = json.loads(sys.argv[1])
path = Path(request["path"])
sys.path[:0] = request["paths"]   # a pickle's classes and the check module, from the project
problems = []
def load():
    fmt = request["format"]
    if fmt == "pickle":
        with open(path, "rb") as handle:
            return pickle.load(handle)
    if fmt == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    if fmt == "text":
        return path.read_text(encoding="utf-8")
    return path
try:
    value = load()
except Exception as exc:
    print(json.dumps({"problems": [f"cannot be loaded: {type(exc).__name__}: {exc}"]}))
    raise SystemExit(0)
if request["not_empty"]:
    try:
        empty = value is None or (hasattr(value, "__len__") and len(value) == 0)
    except Exception:
        empty = False
    if empty:
        problems.append(f"is empty (loaded {type(value).__name__} {value!r:.60})")
ref = request["python"]
if ref:
    module_name, _, name = ref.partition(":")
    try:
        import importlib
        function = getattr(importlib.import_module(module_name), name)
        verdict = function(value)
    except Exception as exc:
        problems.append(f"check {ref} raised {type(exc).__name__}: {exc}")
    else:
        if verdict is False:
            problems.append(f"check {ref} returned False")
        elif isinstance(verdict, str):
            problems.append(f"check {ref}: {verdict}")
        elif verdict is not None and verdict is not True:
            problems.append(f"check {ref} returned {verdict!r}; expected None, True, False or a message")
print(json.dumps({"problems": problems}))
'''


def _check(checks: list[ArtifactCheck], kind: str) -> ArtifactCheck | None:
    return next((c for c in checks if c.kind == kind), None)


def _in_child(port: PortSpec, file: Path, not_empty: bool, python: str | None,
              import_paths: list[Path]) -> list[str]:
    """What the fresh interpreter found wrong with ``file``."""
    request = {"path": str(file), "format": port.format, "not_empty": not_empty, "python": python,
               "paths": [str(p) for p in import_paths]}
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD_CODE, json.dumps(request)],
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                              cwd=str(file.parent), stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return [f"loading and checking it took longer than {CHILD_TIMEOUT:g}s"]
    last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    try:
        return list(json.loads(last[0])["problems"])
    except (IndexError, ValueError, KeyError, TypeError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return [f"the check process ended with exit code {proc.returncode}: {tail}"]


def _text_empty(port: PortSpec, file: Path, value: Any) -> str | None:
    if file.stat().st_size == 0:
        return "is empty (0 bytes)"
    if port.format == "json" and (value is None or value in ({}, [], "")):
        return f"is empty (JSON {json.dumps(value)})"
    if port.format == "text" and not file.read_text(encoding="utf-8", errors="replace").strip():
        return "is empty (only whitespace)"
    return None


def artifact_problems(port: PortSpec, file: Path, import_paths: list[Path]) -> list[str]:
    """Every way ``file`` breaks the port's format and ``checks`` (empty: it honours them)."""
    problems: list[str] = []
    value: Any = None
    if port.format == "json":
        try:
            value = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [f"is not valid JSON: {exc}"]
    checks = port.checks
    size = _check(checks, "size")
    if size is not None:
        actual = file.stat().st_size
        low, high = size.value.get("min"), size.value.get("max")
        if (low is not None and actual < low) or (high is not None and actual > high):
            problems.append(f"has {actual} bytes, expected "
                            f"{'at least ' + str(low) if low is not None else ''}"
                            f"{' and ' if low is not None and high is not None else ''}"
                            f"{'at most ' + str(high) if high is not None else ''}")
    schema = _check(checks, "json_schema")
    if schema is not None:
        document = json.loads(Path(schema.value).read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(document)(document)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path) or "<root>"
            problems.append(f"violates JSON Schema {Path(schema.value).name} at {where}: {error.message}")
        if len(errors) > 3:
            problems.append(f"... and {len(errors) - 3} more JSON Schema error(s)")
    not_empty = _check(checks, "not_empty") is not None
    python = _check(checks, "python")
    if not_empty and port.format != "pickle":
        empty = _text_empty(port, file, value)
        if empty:
            problems.append(empty)
    if python is not None or (port.format == "pickle" and (not_empty or python is not None)):
        problems.extend(_in_child(port, file, not_empty and port.format == "pickle",
                                  python.value if python is not None else None, import_paths))
    return problems

