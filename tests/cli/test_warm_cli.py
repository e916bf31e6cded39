"""The warm runner the CLI tests use (tests/warm_cli.py) reports what ``python -m specrun``
would: exit status, stdout, stderr, in the given directory and environment, each run in a
process of its own, so a test's verdict on specrun is not the runner's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.warm_cli import run_specrun

SPEC = """\
version: 1
pipeline: w
steps:
  s:
    script: s.py
    call: main
    inputs: {rows: {format: csv, schema: {columns: {id: {type: int}}}}}
    outputs: {out: {format: csv, schema: {columns: {id: {type: int}}}}}
scenarios:
  standard: {rows: 3}
"""


def cold(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specrun", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=240)


def test_warm_and_cold_runs_agree_on_status_and_output(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "w.yaml").write_text(SPEC)
    (tmp_path / "specs" / "s.py").write_text(
        "import shutil\ndef main(input_paths, output_paths, environ_vars, job_args):\n"
        "    shutil.copy(input_paths['rows'], output_paths['out'])\n")
    env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "100"}
    for args, expected in ((["specs", "-q", "--collect-only"], 0), (["nowhere/"], 4), (["--no-such-flag"], 2)):
        warm, plain = run_specrun(args, cwd=tmp_path, env=env), cold(args, tmp_path, env)
        assert (warm.returncode, warm.stdout, warm.stderr) == (plain.returncode, plain.stdout, plain.stderr)
        assert warm.returncode == expected
    (tmp_path / "specs" / "s.py").write_text("def main(input_paths, output_paths, environ_vars, job_args):\n"
                                             "    raise KeyError('amount')\n")
    failed = run_specrun(["specs", "-q"], cwd=tmp_path, env=env)
    assert failed.returncode == 1 and "KeyError" in failed.stdout


PROBE = """
import json, os, sys
print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(), "mark": os.environ.get("WARM_MARK"),
                  "argv0": os.path.basename(sys.argv[0]), "path0": sys.path[0]}), file=sys.stderr)
"""


def test_each_run_has_its_own_process_directory_and_environment(tmp_path: Path) -> None:
    import json

    seen = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "probe.py").write_text(PROBE)      # a plugin: imported inside the specrun process
        env = {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "WARM_MARK": name}
        done = run_specrun(["-p", "probe", "--version"], cwd=folder, env=env)
        assert done.returncode == 0, done.stderr
        seen.append(json.loads(done.stderr.splitlines()[0]))
    assert [s["cwd"] for s in seen] == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert [s["mark"] for s in seen] == ["a", "b"]
    assert seen[0]["pid"] != seen[1]["pid"] and os.getpid() not in {s["pid"] for s in seen}
    assert {s["argv0"] for s in seen} == {"__main__.py"}           # as python -m specrun
    assert [s["path0"] for s in seen] == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert "WARM_MARK" not in os.environ


PATH_PROBE = """
import json, sys
print(json.dumps(sys.path[:3]), file=sys.stderr)
"""


def test_a_pythonpath_is_on_sys_path_where_the_interpreter_puts_it(tmp_path: Path) -> None:
    """A run whose PYTHONPATH names a folder finds a plugin there, with sys.path's first
    entries what a fresh ``python -m specrun`` has, and the next run does not keep it."""
    import json

    site, work = tmp_path / "site", tmp_path / "work"
    site.mkdir()
    work.mkdir()
    (site / "pathprobe.py").write_text(PATH_PROBE)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env = {**base, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(site)}
    warm, plain = run_specrun(["-p", "pathprobe", "--version"], cwd=work, env=env), cold(
        ["-p", "pathprobe", "--version"], work, env)
    assert warm.returncode == plain.returncode == 0, warm.stderr
    assert json.loads(warm.stderr.splitlines()[0])[:2] == json.loads(plain.stderr.splitlines()[0])[:2] \
        == [str(work), str(site)]
    without = run_specrun(["-p", "pathprobe", "--version"], cwd=work,
                          env={**base, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert without.returncode != 0 and "pathprobe" in without.stdout + without.stderr


def _env() -> dict[str, str]:
    return {**os.environ, "SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "100"}


def test_a_run_interrupted_half_way_never_hands_its_replies_to_the_next(tmp_path: Path, monkeypatch) -> None:
    """A test's time limit (or Ctrl-C) can stop the runner between sending a run and reading
    its status. The parent's late replies must not become the next runs' (in CI this gave
    every later test on that worker the previous test's exit status and output)."""
    from tests.warm_cli import WarmCli

    cli = WarmCli(tmp_path / "scratch")
    (tmp_path / "scratch").mkdir()
    env = _env()
    original, calls = WarmCli._reply, []

    def interrupted(self, timeout):
        calls.append(timeout)
        if len(calls) == 3:         # ready, pid, then the first run's status
            raise KeyboardInterrupt
        return original(self, timeout)

    monkeypatch.setattr(WarmCli, "_reply", interrupted)
    try:
        try:
            cli.run(["--help"], tmp_path, env, timeout=120)
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the interruption did not happen")
        for args in (["--version"], ["nowhere/"], ["--version"]):
            plain = cold(args, tmp_path, env)
            assert cli.run(args, tmp_path, env, timeout=120) == (plain.returncode, plain.stdout, plain.stderr)
    finally:
        cli.close()


@pytest.mark.slow
def test_a_run_past_its_time_limit_is_killed_and_the_next_run_is_its_own(tmp_path: Path) -> None:
    from tests.warm_cli import WarmCli

    (tmp_path / "scratch").mkdir()
    (tmp_path / "slow.py").write_text("import time\ntime.sleep(120)\n")   # a plugin: imported by specrun
    cli = WarmCli(tmp_path / "scratch")
    env = _env()
    try:
        try:
            cli.run(["-p", "slow", "--version"], tmp_path, env, timeout=3)
        except subprocess.TimeoutExpired:
            pass
        else:
            raise AssertionError("the slow run was not stopped")
        plain = cold(["--version"], tmp_path, env)
        assert cli.run(["--version"], tmp_path, env, timeout=120) == (plain.returncode, plain.stdout, "")
    finally:
        cli.close()


@pytest.mark.slow
def test_a_run_that_ends_before_its_pid_is_read_is_not_waited_for(tmp_path: Path, monkeypatch) -> None:
    """When the parent's pid and status replies are both in the pipe before the runner reads
    the first, the second must still be seen.  A buffered ``readline`` took both off the pipe
    and ``select`` then waited the whole time limit for a reply already read (CI: a
    ``specrun --version`` that "timed out after 240 seconds")."""
    import time

    from tests.warm_cli import WarmCli

    (tmp_path / "scratch").mkdir()
    cli = WarmCli(tmp_path / "scratch")
    original, calls = WarmCli._reply, []

    def late(*args, **kwargs):
        calls.append(None)
        if len(calls) == 2:         # ready, then this run's pid: read only after the run has ended
            time.sleep(2)
        return original(*args, **kwargs)

    monkeypatch.setattr(WarmCli, "_reply", late)
    env = _env()
    try:
        plain = cold(["--version"], tmp_path, env)
        assert cli.run(["--version"], tmp_path, env, timeout=15) == (plain.returncode, plain.stdout, plain.stderr)
    finally:
        cli.close()
