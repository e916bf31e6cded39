"""``container:`` / ``container_paths:`` → :class:`ContainerSpec`: which folder of the
container each port appears at.

The conventional paths (what a SageMaker job sees; a port's explicit ``container_paths:``
entry replaces its conventional one):

===================== ======================================= ==========================================
kind                  inputs ``NAME``                         outputs
===================== ======================================= ==========================================
sagemaker-processing  ``/opt/ml/processing/input/NAME``       ``/opt/ml/processing/output/NAME``
sagemaker-training    ``/opt/ml/input/data/NAME`` (a channel) ``model`` → ``/opt/ml/model``, ``output``
                                                              → ``/opt/ml/output/data``; others need
                                                              an explicit path
===================== ======================================= ==========================================

Every container path is a folder, as SageMaker's are, and holds one port.  A folder port
(``layout:``) *is* that folder; a file input appears inside it under its own name
(``NAME.csv``).  An output must be a folder port: SageMaker uploads a
folder, and specrun must not guess which file in it is the port.  Only paths under
``/opt/ml`` may be mapped: that is the tree the run gets private (see execution/container.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from .model import ContainerSpec, Defaults, SpecError, StepSpec
from .yamlnodes import Node

ROOT = "/opt/ml"
PROCESSING, TRAINING = "sagemaker-processing", "sagemaker-training"
#: Where a training job finds its hyperparameters (written by specrun, not a port's).
HYPERPARAMETERS = "/opt/ml/input/config/hyperparameters.json"
TRAINING_OUTPUTS = {"model": "/opt/ml/model", "output": "/opt/ml/output/data"}
_RESERVED = ("/opt/ml/input/config",)


def build_container(node: Node, step: StepSpec) -> ContainerSpec | None:
    """The step's ``container:`` with its explicit paths checked against its ports (the
    conventional ones are added by :func:`resolve_containers`, after ``defaults:``)."""
    if "container" not in node and "container_paths" not in node:
        return None
    key = "container" if "container" in node else "container_paths"
    if step.command is not None:
        raise node.error(f"'{key}' maps a SageMaker job's paths for a Python script: a 'command' step "
                         "cannot have it", key)
    if "container" not in node:
        raise node.error("'container_paths' needs 'container: sagemaker-processing' or "
                         "'container: sagemaker-training' beside it", "container_paths")
    explicit: dict[str, tuple[str, str]] = {}
    if "container_paths" in node:
        mapped: set[tuple[str, str]] = set()
        for path, value in node["container_paths"].items():
            where = value
            if not _under_root(path):
                raise where.error(f"container path {path!r} must be an absolute, normalised folder under "
                                  f"{ROOT}/ (only {ROOT} is private to the run)")
            if any(_inside(path, reserved) or _inside(reserved, path) for reserved in _RESERVED):
                raise where.error(f"container path {path!r} overlaps {', '.join(_RESERVED)}, where specrun "
                                  "writes the hyperparameters")
            direction, _, port = str(value.data).partition(".")
            ports = step.inputs if direction == "inputs" else step.outputs if direction == "outputs" else None
            if ports is None or not port:
                raise where.error(f"{value.data!r} must name a port: inputs.NAME or outputs.NAME")
            if port not in ports:
                known = ", ".join(sorted(ports)) or "none"
                raise where.error(f"unknown {direction[:-1]} {port!r} of step {step.name!r} (known: {known})")
            if (direction, port) in mapped:
                raise where.error(f"{direction}.{port} is mapped twice")
            mapped.add((direction, port))
            explicit[path] = (direction, port)
    return ContainerSpec(kind=str(node["container"].data), explicit=explicit, location=node["container"].location)


def resolve_containers(steps: Iterable[StepSpec], defaults: Defaults) -> None:
    """Give every script step without its own ``container:`` the one of ``defaults:``,
    then fill each container's mounts (conventional and explicit) and check them: ports
    are ready (``from:`` inherited) by now, so an output's ``layout`` is known."""
    for step in steps:
        if step.container is None and defaults.container is not None and step.command is None:
            step.container = ContainerSpec(kind=defaults.container, location=step.location)
        if step.container is not None:
            step.container.mounts = _mounts(step, step.container)


def _mounts(step: StepSpec, container: ContainerSpec) -> list[tuple[str, str, str]]:
    where = container.location or step.location
    explicit = {port: path for path, port in container.explicit.items()}
    placed: list[tuple[str, str, str]] = []          # (container path, direction, port)
    for direction, ports in (("inputs", step.inputs), ("outputs", step.outputs)):
        for name in ports:
            path = explicit.get((direction, name)) or _conventional(container.kind, direction, name)
            if path is None:
                raise SpecError(f"output {name!r} has no conventional path in a training job (model -> "
                                f"{TRAINING_OUTPUTS['model']}, output -> {TRAINING_OUTPUTS['output']}): "
                                f"map it in 'container_paths', e.g. {ROOT}/output/{name}: outputs.{name}",
                                where)
            placed.append((path, direction, name))
    for path, direction, name in placed:
        port = (step.inputs if direction == "inputs" else step.outputs)[name]
        if direction == "outputs" and not port.is_dir:
            raise SpecError(f"output {name!r} is mapped onto the container folder {path}: it must be a folder "
                            f"port (add a layout naming the files the script writes there, e.g. "
                            f"layout: {name}.{port.format})", where)
        for other, other_direction, other_name in placed:
            if (other_direction, other_name) != (direction, name) and (other == path or (
                    port.is_dir and _inside(other, path))):
                raise SpecError(f"{direction}.{name} ({path}) and {other_direction}.{other_name} ({other}) "
                                "overlap: a folder port's container folder holds nothing else", where)
    return placed


def _conventional(kind: str, direction: str, name: str) -> str | None:
    if kind == PROCESSING:
        return f"{ROOT}/processing/{'input' if direction == 'inputs' else 'output'}/{name}"
    if direction == "inputs":
        return f"{ROOT}/input/data/{name}"
    return TRAINING_OUTPUTS.get(name)


def _under_root(path: str) -> bool:
    return path.startswith(ROOT + "/") and posixpath.normpath(path) == path


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
