"""What a script sees (env, cwd, arguments) and what the runner reports about it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from specrun.execution import classify as classify_plugin
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.hooks import hookimpl, make_plugin_manager
from specrun.results import ErrorClass

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def _probe(box: SandboxDir, **request_fields: object) -> dict:
    out = box.outputs / "probe.json"
    record = FreshExecutor().run(RunRequest(
        script=SCRIPTS / "env_probe.py", workdir=box.root, call="main",
        output_paths={"probe": str(out)}, **request_fields))  # type: ignore[arg-type]
    assert record.ok, (record.message, record.stderr_tail)
    return json.loads(out.read_text())


def test_parent_secrets_do_not_leak_and_declared_env_does(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "parent-secret")
    monkeypatch.setenv("SOME_PARENT_SETTING", "1")
    with SandboxDir(base=tmp_path) as box:
        seen = _probe(box, env={"BASE_CURRENCY": "USD", "AWS_REGION": "eu-west-1"})
        env = seen["os_environ"]
        assert "AWS_SECRET_ACCESS_KEY" not in env and "SOME_PARENT_SETTING" not in env
        assert env["BASE_CURRENCY"] == "USD" and env["AWS_REGION"] == "eu-west-1"
        assert seen["environ_vars"] == {"BASE_CURRENCY": "USD", "AWS_REGION": "eu-west-1"}
        assert env["HOME"] == str(box.work) and seen["tmpdir_real"] == str(box.tmp)
        assert env["TMPDIR"].startswith("/tmp/sr-")       # a short alias of the sandbox's tmp/
        assert env["PYTHONHASHSEED"] == "0" and env["LC_ALL"] == "C.UTF-8"
        assert seen["cwd"] == str(box.root)


def test_job_args_become_a_namespace_and_the_module_has_its_stem_name(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        seen = _probe(box, job_args={"job_type": "training", "epochs": 3},
                      input_paths={"data": str(box.inputs / "data.csv")})
    assert seen["job_args_type"] == "argparse.Namespace"
    assert seen["job_args"] == {"job_type": "training", "epochs": 3}
    assert seen["name"] == "env_probe"
    assert seen["sys_path0"] == str(SCRIPTS)
    assert seen["input_paths"]["data"].endswith("input/data.csv")


def test_stdout_and_stderr_tails_are_captured(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        record = FreshExecutor().run(RunRequest(script=SCRIPTS / "prints.py", workdir=box.root))
        assert record.ok
        assert record.stdout_tail.splitlines()[-1] == "out line 99"
        assert record.stderr_tail.splitlines()[-1] == "err line 99"
        assert len(record.stdout_tail.splitlines()) == 40
        assert "out line 0\n" in record.stdout_path.read_text()   # the full log is kept


def test_metrics_are_plausible_for_a_writing_script(tmp_path: Path) -> None:
    with SandboxDir(base=tmp_path) as box:
        record = FreshExecutor().run(RunRequest(
            script=SCRIPTS / "writes_1mb.py", workdir=box.root, call="main",
            output_paths={"blob": str(box.outputs / "blob.bin")}))
        assert record.ok, record.message
        assert (box.outputs / "blob.bin").stat().st_size == 2**20
    m = record.metrics
    assert m.write_bytes >= 2**20
    assert m.peak_rss_bytes > 0 and m.wall_s > 0 and m.cpu_s > 0
    assert m.exit_code == 0 and m.signal is None and m.max_processes == 1
    assert record.classification is None and record.message == ""


def test_logs_are_kept_after_the_sandbox_is_gone(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    with SandboxDir(base=tmp_path / "boxes") as box:
        record = FreshExecutor(keep_logs_dir=kept).run(RunRequest(
            script=SCRIPTS / "prints.py", workdir=box.root, label="p::prints[standard]"))
    assert not box.root.exists()
    assert record.stdout_path is not None and record.stdout_path.is_relative_to(kept)
    assert "out line 99" in record.stdout_path.read_text()
    assert (record.stdout_path.parent / "request.json").is_file()


def test_a_plugin_classification_overrides_the_builtin(tmp_path: Path) -> None:
    class AssertionsAreContractErrors:
        @hookimpl
        def specrun_classify_error(self, error, metrics, stderr):  # noqa: ANN001, ANN201
            if error is not None and error.type == "AssertionError":
                return ErrorClass.CONTRACT_ERROR
            return None

    pm = make_plugin_manager()
    pm.register(classify_plugin)
    pm.register(AssertionsAreContractErrors())

    def hook(error, metrics, stderr, inputs_valid):  # noqa: ANN001, ANN202
        return pm.hook.specrun_classify_error(error=error, metrics=metrics, stderr=stderr,
                                              inputs_valid=inputs_valid)

    executor = FreshExecutor(classifier=hook)
    with SandboxDir(base=tmp_path) as box:
        asserted = executor.run(RunRequest(script=SCRIPTS / "asserts.py", workdir=box.root,
                                           call="main"))
        raised = executor.run(RunRequest(script=SCRIPTS / "raises_value_error.py",
                                         workdir=box.root, call="main"))
    assert asserted.classification == ErrorClass.CONTRACT_ERROR
    assert raised.classification == ErrorClass.DATA_ERROR        # the built-in decided
    assert raised.error is not None and raised.error.type == "ValueError"


def test_a_stale_error_file_from_a_previous_run_is_not_reported(tmp_path: Path) -> None:
    executor = FreshExecutor()
    with SandboxDir(base=tmp_path) as box:
        failed = executor.run(RunRequest(script=SCRIPTS / "raises_value_error.py",
                                         workdir=box.root, call="main"))
        passed = executor.run(RunRequest(script=SCRIPTS / "prints.py", workdir=box.root))
    assert not failed.ok and passed.ok and passed.error is None


def test_env_of_the_runner_process_is_untouched(tmp_path: Path) -> None:
    before = dict(os.environ)
    with SandboxDir(base=tmp_path) as box:
        _probe(box, env={"X": "1"})
    assert dict(os.environ) == before
