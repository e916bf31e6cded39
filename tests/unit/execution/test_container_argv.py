"""The bwrap command line of a container run (execution/container.py): the private /opt/ml
comes right after the read-only world, so the sandbox's own binds (which may lie under
/opt) are mounted on top of it, and the port binds come last, parents before children;
hyperparameters.json holds strings, as SageMaker writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specrun.execution import container as container_module
from specrun.execution.container import ContainerRun, Mount, container_run, hyperparameters
from specrun.execution.namespace import bwrap_argv
from specrun.spec.model import ContainerSpec


def _pairs(argv: list[str]) -> list[tuple[str, str]]:
    return [(argv[i], argv[i + 1]) for i in range(len(argv) - 1)]


def test_private_opt_ml_precedes_the_sandbox_binds_even_under_opt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container_module.os.path, "isdir", lambda p: p != "/opt/ml")
    monkeypatch.setattr(container_module.os, "listdir", lambda p: ["tools", "project"])
    monkeypatch.setattr(container_module.os.path, "islink", lambda p: False)
    run = ContainerRun("sagemaker-processing", mounts=[Mount("/opt/project/box/output/out", "/opt/ml/out", True)])
    argv = bwrap_argv("bwrap", Path("/opt/project/box"), inputs=(), writable=(), network=False, container=run)
    pairs = _pairs(argv)
    tmpfs = pairs.index(("--tmpfs", "/opt"))
    assert pairs.index(("--ro-bind", "/opt/tools")) > tmpfs      # the host's /opt entries stay visible
    assert pairs.index(("--dir", "/opt/ml")) > pairs.index(("--ro-bind", "/opt/project"))
    assert pairs.index(("--bind", "/opt/project/box")) > pairs.index(("--dir", "/opt/ml"))   # the sandbox on top
    assert argv.index("/opt/ml/out") > argv.index("/opt/project/box")
    assert argv[argv.index("/opt/ml/out") - 2] == "--bind"              # an output: writable


def test_an_existing_host_opt_ml_is_covered_by_a_tmpfs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container_module.os.path, "isdir", lambda p: True)
    assert ContainerRun("sagemaker-processing").private_root_argv() == ["--tmpfs", "/opt/ml"]


def test_port_binds_go_parents_first_and_inputs_read_only(tmp_path: Path) -> None:
    run = ContainerRun("x", mounts=[Mount("/h/b", "/opt/ml/a/b"), Mount("/h/a", "/opt/ml/a", True)])
    assert run.mount_argv() == ["--bind", "/h/a", "/opt/ml/a", "--ro-bind", "/h/b", "/opt/ml/a/b"]


def test_hyperparameters_are_strings_and_lists_json(tmp_path: Path) -> None:
    assert hyperparameters({"epochs": 3, "lr": 0.1, "name": "x", "on": True, "layers": [1, 2]}) == {
        "epochs": "3", "lr": "0.1", "name": "x", "on": "true", "layers": "[1, 2]"}
    spec = ContainerSpec("sagemaker-training", mounts=[("/opt/ml/model", "outputs", "model")])
    run = container_run(spec, tmp_path, {}, {"model": str(tmp_path / "out" / "model")}, {"epochs": 3})
    written = json.loads((tmp_path / "container" / "hyperparameters.json").read_text())
    assert written == {"epochs": "3"}
    assert Mount(str((tmp_path / "container" / "hyperparameters.json").resolve()),
                 "/opt/ml/input/config/hyperparameters.json") in run.mounts
    assert (tmp_path / "out" / "model").is_dir()
