"""The namespace sandbox (execution/namespace.py) holds: real scripts try to escape it.

Every test here runs only where the start-up probe finds the namespace sandbox usable
(it skips with the probe's reason elsewhere).  Each escape test fails under the process
sandbox (``ISOLATION = "process"``), where the same scripts do escape.
"""

from __future__ import annotations

import socket
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from misbehaving_cases import MISBEHAVING, ScriptCase, run_case

from specrun.execution.fork import ForkExecutor
from specrun.execution.namespace import NAMESPACE, probe
from specrun.execution.request import RunRecord, RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir
from specrun.results import ErrorClass

PROBE = probe()
pytestmark = pytest.mark.skipif(not PROBE.namespaced, reason=f"no namespace sandbox here: {PROBE.reason}")

#: The isolation under test (set to "process" to see every escape test fail).
ISOLATION = NAMESPACE


def _run(tmp_path: Path, source: str, *, args: tuple[str, ...] = (), inputs: dict[str, Path] | None = None,
         network: bool = False, timeout: float = 60.0) -> tuple[RunRecord, Path]:
    script = tmp_path / "scripts" / "probe_script.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    with SandboxDir(base=tmp_path / "sandboxes", keep=True) as box:
        input_paths = {}
        for name, source_path in (inputs or {}).items():
            target = box.inputs / source_path.name
            target.write_bytes(source_path.read_bytes())
            input_paths[name] = str(target)
        request = RunRequest(script=script, workdir=box.root, args=list(args), input_paths=input_paths,
                             network=network, timeout=timeout, label="namespace-test")
        return FreshExecutor(isolation=ISOLATION).run(request), box.root


def test_the_record_says_namespace(tmp_path: Path) -> None:
    record, _ = _run(tmp_path, "print('hello')\n")
    assert record.ok, record.message
    assert record.metrics.isolation == ISOLATION == NAMESPACE


def test_tmp_is_private(tmp_path: Path) -> None:
    target = Path(f"/tmp/escape-{uuid.uuid4().hex}")
    try:
        record, _ = _run(tmp_path, """
            import sys
            with open(sys.argv[1], "w") as fh:      # works: the run's own /tmp
                fh.write("escaped")
            print(open(sys.argv[1]).read())
        """, args=(str(target),))
        assert record.ok, record.message
        assert "escaped" in record.stdout_tail
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


@pytest.mark.parametrize("where", ["home", "root"])
def test_writing_outside_the_sandbox_fails(tmp_path: Path, where: str) -> None:
    folder = Path.home() if where == "home" else Path("/")
    target = folder / f"escape-{uuid.uuid4().hex}"
    try:
        record, _ = _run(tmp_path, """
            import sys
            open(sys.argv[1], "w").write("escaped")
        """, args=(str(target),))
        assert not record.ok
        assert record.classification == ErrorClass.SCRIPT_ERROR
        assert record.error is not None and "Read-only file system" in record.error.message
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_inputs_cannot_be_modified(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    record, root = _run(tmp_path, """
        import sys
        with open(sys.argv[1], "a") as fh:
            fh.write("2\\n")
    """, args=(str(Path("input") / "data.csv"),), inputs={"data": data})
    assert not record.ok
    assert record.error is not None and "Read-only file system" in record.error.message
    assert (root / "input" / "data.csv").read_text(encoding="utf-8") == "a\n1\n"


def test_outputs_and_tmpdir_stay_writable(tmp_path: Path) -> None:
    record, root = _run(tmp_path, """
        import os, tempfile
        with tempfile.NamedTemporaryFile("w", delete=False) as fh:   # TMPDIR: the sandbox's tmp/
            fh.write("scratch")
        open(os.path.join(os.environ["HOME"], "rc"), "w").write("home")
        open("output/result.txt", "w").write("done")
    """)
    assert record.ok, record.message
    assert (root / "output" / "result.txt").read_text() == "done"
    assert (root / "work" / "rc").read_text() == "home"


@pytest.fixture
def server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts and answers "hi"; its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"hi")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


CONNECT = """
    import socket, sys
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as conn:
        print("got", conn.recv(2).decode())
"""


def test_no_network_by_default(tmp_path: Path, server: int) -> None:
    record, _ = _run(tmp_path, CONNECT, args=(str(server),))
    assert not record.ok
    assert record.error is not None and record.error.type in {"ConnectionRefusedError", "OSError"}
    assert "got hi" not in record.stdout_tail


def test_network_true_reaches_the_server(tmp_path: Path, server: int) -> None:
    record, _ = _run(tmp_path, CONNECT, args=(str(server),), network=True)
    assert record.ok, record.message
    assert "got hi" in record.stdout_tail


def _processes_with(token: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if token in (proc.info.get("cmdline") or []):
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
            except psutil.Error:
                continue
    return found


def test_double_forked_daemon_dies_with_the_case(tmp_path: Path) -> None:
    token = f"specrun-daemon-{uuid.uuid4().hex}"
    try:
        record, root = _run(tmp_path, f"""
            import os, sys, time
            started = os.path.abspath("output/daemon-started")
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:     # the daemon: no marker variable, no process group of the run
                    code = f"open({{started!r}}, 'w').write('up'); import time; time.sleep(600)"
                    os.execve({sys.executable!r}, [{sys.executable!r}, "-c", code, {token!r}], {{}})
                os._exit(0)
            os.wait()
            deadline = time.monotonic() + 30
            while not os.path.exists(started) and time.monotonic() < deadline:
                time.sleep(0.01)
        """)
        assert record.ok, record.message
        assert (root / "output" / "daemon-started").exists()     # it did run
        _, alive = psutil.wait_procs(_processes_with(token), timeout=10)
        assert alive == []
    finally:
        for proc in _processes_with(token):
            proc.kill()


def test_parent_processes_are_not_visible(tmp_path: Path) -> None:
    record, _ = _run(tmp_path, """
        import os
        print("ppid", os.getppid(), "pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
    """)
    assert record.ok, record.message
    line = record.stdout_tail.strip().splitlines()[-1]
    assert line.startswith("ppid 1 ")        # bubblewrap's reaper: the namespace's PID 1
    assert str(psutil.Process().pid) not in line.split("pids", 1)[1].replace(",", " ").replace("[", " ").split()


# The misbehaving-script table still holds inside the namespaces: classification,
# signals, the memory watchdog and the timeout (the monitored root is bwrap; the tree
# below it is the script's).  A stray is killed with the namespace, not counted.
NAMESPACED = tuple(replace(c, stray_processes_killed=0, message="") if c.id == "escaping_grandchild" else c
                   for c in MISBEHAVING)


@pytest.mark.parametrize("case", NAMESPACED, ids=[c.id for c in NAMESPACED])
def test_misbehaving_script_is_classified_in_the_namespace(case: ScriptCase, tmp_path: Path) -> None:
    record, root = run_case(case, tmp_path, FreshExecutor(isolation=ISOLATION))
    assert record.metrics.isolation == ISOLATION
    assert record.classification == case.classification, record.message
    assert case.message in record.message
    if case.exit_code is not None:
        assert record.metrics.exit_code == case.exit_code
    if case.signal is not None:
        assert record.metrics.signal == case.signal
    if case.memory_limit is not None and record.metrics.memory_enforcement == "watchdog":
        assert record.metrics.memory_exceeded and record.metrics.peak_rss_bytes > case.memory_limit
    elif case.memory_limit is not None:         # the case cgroup: the kernel held the limit
        assert record.metrics.memory_exceeded and record.metrics.oom_killed
        assert record.metrics.memory_peak_bytes is not None
        assert record.metrics.memory_peak_bytes <= case.memory_limit
    if case.id == "escaping_grandchild":
        pid_file = root / "output" / "grandchild.pid"
        assert pid_file.exists()


def test_sys_exit_with_a_signal_like_code_stays_an_exit_code(tmp_path: Path) -> None:
    record, _ = _run(tmp_path, "import sys\nsys.exit(139)\n")
    assert record.metrics.exit_code == 139 and record.metrics.signal is None
    assert record.message.startswith("exited with code 139")


def test_namespace_isolation_that_is_unavailable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECRUN_ISOLATION", "process")
    with pytest.raises(RuntimeError, match="namespace isolation is not available"):
        FreshExecutor(isolation=NAMESPACE)
    assert FreshExecutor(isolation="auto").namespace is None


def test_fork_executor_forks_process_isolated_and_goes_fresh_for_namespaces(tmp_path: Path) -> None:
    """A fork of the warm parent says it is process-isolated; with isolation="namespace"
    (what --hermetic asks) the fork executor runs the request fresh inside namespaces."""
    script = tmp_path / "escape.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('escaped')\n")
    targets = [Path(f"/tmp/escape-{uuid.uuid4().hex}") for _ in range(2)]
    forked = ForkExecutor(server_dir=tmp_path / "fork")
    hermetic = ForkExecutor(server_dir=tmp_path / "fork-ns", isolation=ISOLATION)
    try:
        records = []
        for executor, target in zip((forked, hermetic), targets, strict=True):
            with SandboxDir(base=tmp_path / "sandboxes") as box:
                records.append(executor.run(RunRequest(script=script, workdir=box.root, args=[str(target)])))
        assert all(r.ok for r in records), [r.message for r in records]
        assert [r.metrics.isolation for r in records] == ["process", ISOLATION]
        assert targets[0].exists()            # the forked run escaped, as its record admits
        assert not targets[1].exists()
        assert hermetic._server is None       # no warm parent was started for it
    finally:
        forked.close()
        hermetic.close()
        for target in targets:
            target.unlink(missing_ok=True)
