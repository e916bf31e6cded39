"""A case packed for a worker that shares no filesystem with specrun.

:func:`pack` turns a :class:`RunRequest` into a :class:`CasePackage`: every file of the
sandbox (generated inputs), the script and the local modules its imports reach
(``analysis/script_imports.py``), and each input or output outside the sandbox (a
fixture beside the spec), as bytes under relative names, with the client's absolute
prefixes they came from.  On the worker, :func:`unpack` writes them into a fresh folder
and rewrites every path of the request (args, env, input and output paths) to it;
:func:`pack_results` ships the sandbox back (outputs, logs, whatever the script wrote in
its working directory; not ``input/``, ``work/``, ``tmp/``) and :func:`restore` writes it
where the client expects it.  Either direction past ``cap`` bytes is :class:`TransferTooLarge`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...analysis.script_imports import import_graph
from ..request import RunRequest

#: the default cap of what travels each way per case
DEFAULT_CAP = 256 * 1024 * 1024
SANDBOX = "sandbox"
#: the sandbox folders that do not travel back (the client has its inputs; HOME and TMPDIR are scratch)
NOT_RETURNED = ("input", "work", "tmp")


class TransferTooLarge(Exception):
    """What a case would ship is over the cap."""


@dataclass
class CasePackage:
    """Files by relative name, the client prefix each top folder stands for, and the request."""

    request: RunRequest
    files: dict[str, bytes] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    #: top folder name ("sandbox", "code/0", "extern/1") → the client's absolute path
    roots: dict[str, str] = field(default_factory=dict)
    script_name: str = ""            # the script under "code/0" (empty: a command's program is not shipped)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


@dataclass
class ResultPackage:
    """What comes back: files under the package's root names, and the run's record."""

    record: Any
    files: dict[str, bytes] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    worker: str = ""

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


def _add_tree(package: CasePackage | ResultPackage, name: str, path: Path, cap: int, what: str,
              skip: tuple[str, ...] = ()) -> None:
    if path.is_file():
        package.files[name] = path.read_bytes()
    elif path.is_dir():
        package.dirs.append(name)
        for child in sorted(path.rglob("*")):
            rel = child.relative_to(path)
            if rel.parts[0] in skip or child.is_symlink() and not child.exists():
                continue
            if child.is_dir():
                package.dirs.append(f"{name}/{rel.as_posix()}")
            elif child.is_file():
                package.files[f"{name}/{rel.as_posix()}"] = child.read_bytes()
    if package.size > cap:
        raise TransferTooLarge(f"{what} is {package.size} bytes, over the per-case transfer cap of {cap} bytes "
                               f"(--dask-transfer-cap)")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def local_roots(request: RunRequest) -> list[Path]:
    """Where the child finds the script's local imports: its folder, then the declared PYTHONPATH."""
    declared = [Path(p).resolve() for p in request.env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [Path(request.script).resolve().parent, *declared]


def pack(request: RunRequest, cap: int = DEFAULT_CAP) -> CasePackage:
    """The case as bytes (see the module's docstring); :class:`TransferTooLarge` past ``cap``."""
    workdir = Path(request.workdir).resolve()
    package = CasePackage(request=request)
    package.roots[SANDBOX] = str(workdir)
    what = f"case {request.label or request.script}: what it ships to the worker"
    _add_tree(package, SANDBOX, workdir, cap, what)
    if request.command is None:
        roots = local_roots(request)
        for index, root in enumerate(roots):
            package.roots[f"code/{index}"] = str(root)
        package.script_name = Path(request.script).resolve().name
        for file in import_graph(Path(request.script), roots).local:
            index = next(i for i, root in enumerate(roots) if _inside(file, root))
            package.files[f"code/{index}/{file.relative_to(roots[index]).as_posix()}"] = file.read_bytes()
    outside = [p for p in (*request.input_paths.values(), *request.output_paths.values())
               if not _inside(Path(p).resolve(), workdir)]
    for index, path in enumerate(outside):
        name = f"extern/{index}"
        package.roots[name] = str(Path(path).resolve())
        _add_tree(package, name, Path(path).resolve(), cap, what)
    if package.size > cap:
        raise TransferTooLarge(f"{what} is {package.size} bytes, over the per-case transfer cap of {cap} bytes "
                               f"(--dask-transfer-cap)")
    return package


def _write(base: Path, files: dict[str, bytes], dirs: list[str]) -> None:
    for name in dirs:
        (base / name).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = base / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def remap(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every path prefix of ``mapping`` replaced (longest first), through
    strings, paths, lists, tuples, dicts and dataclasses."""
    if isinstance(value, str):
        for old in sorted(mapping, key=len, reverse=True):
            if old in value:
                value = value.replace(old, mapping[old])
        return value
    if isinstance(value, Path):
        return Path(remap(str(value), mapping))
    if isinstance(value, list):
        return [remap(v, mapping) for v in value]
    if isinstance(value, tuple):
        return tuple(remap(v, mapping) for v in value)
    if isinstance(value, dict):
        return {remap(k, mapping): remap(v, mapping) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: remap(getattr(value, f.name), mapping) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def unpack(package: CasePackage, base: Path) -> tuple[RunRequest, dict[str, str]]:
    """Write the package under ``base``; the request with its paths there, and the mapping
    worker path → client path that takes the record back."""
    _write(base, package.files, package.dirs)
    to_worker = {client: str(base / name) for name, client in package.roots.items()}
    request = remap(package.request, to_worker)
    if package.script_name:
        request.script = base / "code/0" / package.script_name
    return request, {worker: client for client, worker in to_worker.items()}


def pack_results(package: CasePackage, base: Path, record: Any, worker: str, cap: int) -> ResultPackage:
    """The sandbox and the outside outputs as they are after the run (see the module's docstring)."""
    result = ResultPackage(record=record, worker=worker)
    what = f"case {package.request.label or package.request.script}: what it ships back (outputs and logs)"
    _add_tree(result, SANDBOX, base / SANDBOX, cap, what, skip=NOT_RETURNED)
    outputs = {str(Path(p).resolve()) for p in package.request.output_paths.values()}
    for name, client in package.roots.items():
        if name.startswith("extern/") and client in outputs:
            _add_tree(result, name, base / name, cap, what)
    return result


def restore(package: CasePackage, result: ResultPackage) -> None:
    """Write what came back where the client expects it."""
    for name, data in result.files.items():
        top, _, rest = name.partition("/")
        root = top if top == SANDBOX else "/".join(name.split("/")[:2])
        rest = name[len(root) + 1:] if name != root else ""
        target = Path(package.roots[root]) / rest if rest else Path(package.roots[root])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for name in result.dirs:
        root = SANDBOX if name.split("/")[0] == SANDBOX else "/".join(name.split("/")[:2])
        rest = name[len(root) + 1:]
        (Path(package.roots[root]) / rest).mkdir(parents=True, exist_ok=True)
