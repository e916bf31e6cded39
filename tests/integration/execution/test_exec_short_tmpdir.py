"""A run's TMPDIR is short enough for AF_UNIX sockets (issue 11, point 7): a
``multiprocessing.Pool`` works with every start method (fork, spawn, forkserver) under
the fresh executor (process and namespace sandbox) and the fork executor, even when the
sandbox lives deep in a long workspace path.

The sandboxes here sit under a deliberately long folder (as deep as a real workspace's
``.specrun/sandboxes/<case id>-XXXXXXXX``): with the sandbox's own ``tmp/`` as TMPDIR
(``TMP_ALIAS = False`` below disables the alias) the forkserver cases fail with
``OSError: AF_UNIX path too long``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from specrun.execution import short_tmp
from specrun.execution.fork import ForkExecutor, fork_available
from specrun.execution.namespace import NAMESPACE, PROCESS, probe
from specrun.execution.request import RunRequest
from specrun.execution.runner import FreshExecutor
from specrun.execution.sandbox import SandboxDir

SCRIPT = Path(__file__).resolve().parent / "scripts" / "pool_start_methods.py"
#: Set to False to run with the old TMPDIR (the sandbox's tmp/): the forkserver cases fail.
TMP_ALIAS = True
#: A workspace as deep as a real one's sandboxes folder, and then some.
DEEP = "workspace-" + "d" * 40 + "/.specrun/sandboxes"
START_METHODS = ["fork", "spawn", "forkserver"]


@pytest.fixture
def executors() -> Iterator[dict[str, object]]:
    made: dict[str, object] = {}
    yield made
    for executor in made.values():
        executor.close()  # type: ignore[attr-defined]


def _executor(kind: str, made: dict[str, object]) -> FreshExecutor:
    if kind == "fresh-namespace":
        found = probe()
        if not found.namespaced:
            pytest.skip(f"no namespace sandbox here: {found.reason}")
        executor: FreshExecutor = FreshExecutor(isolation=NAMESPACE)
    elif kind == "fork":
        if not fork_available():
            pytest.skip("fork is not available on this platform")
        executor = ForkExecutor(isolation=PROCESS)
    else:
        executor = FreshExecutor(isolation=PROCESS)
    made[kind] = executor
    return executor


@pytest.fixture(autouse=True)
def _alias_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    if not TMP_ALIAS:
        monkeypatch.setattr(short_tmp, "ALIAS_DIR", "/nonexistent-specrun-alias-dir")


@pytest.mark.parametrize("start_method", START_METHODS)
@pytest.mark.parametrize("kind", ["fresh-process", "fresh-namespace", "fork"])
def test_pool_works_with_every_start_method(kind: str, start_method: str, tmp_path: Path,
                                            executors: dict[str, object]) -> None:
    executor = _executor(kind, executors)
    with SandboxDir(base=tmp_path / DEEP, prefix="isolation-standard-clean_step-") as box:
        assert len(str(box.tmp)) > 107 - len("/pymp-12345678/listener-12345678")   # too deep without the alias
        output = box.outputs / "result.json"
        request = RunRequest(script=SCRIPT, workdir=box.root, args=[start_method, str(output)],
                             output_paths={"result": str(output)}, timeout=120, label=kind)
        record = executor.run(request)
        assert record.ok, (record.message, record.stderr_tail)
        result = json.loads(output.read_text())
        assert result["squares"] == [x * x for x in range(6)]
        assert result["start_method"] == start_method
        assert len(result["tmpdir"]) <= 20
        assert result["gettempdir"] == result["tmpdir"]
        if kind != "fresh-namespace":       # inside the namespace the link lives in the private /tmp
            assert result["tmp_real"] == str(box.tmp)
            assert not os.path.lexists(result["tmpdir"]), "the alias outlived its run"


def test_what_the_script_writes_to_tmpdir_lands_in_its_sandbox(tmp_path: Path) -> None:
    script = tmp_path / "scratch.py"
    script.write_text("import tempfile\n"
                      "with tempfile.NamedTemporaryFile('w', delete=False, suffix='.scratch') as fh:\n"
                      "    fh.write('kept')\n")
    with SandboxDir(base=tmp_path / DEEP) as box:
        record = FreshExecutor(isolation=PROCESS).run(RunRequest(script=script, workdir=box.root, timeout=60))
        assert record.ok, record.message
        assert [p.read_text() for p in box.tmp.glob("*.scratch")] == ["kept"]


def test_alias_falls_back_to_the_folder_where_no_link_can_be_made(tmp_path: Path) -> None:
    alias = short_tmp.TmpAlias(tmp_path, on_host=True, base=str(tmp_path / "missing"))
    assert alias.path == str(tmp_path) and alias.bwrap_link is None
    alias.remove()
    assert tmp_path.is_dir()


def test_alias_never_replaces_an_existing_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = iter(["taken", "taken", "free"])
    monkeypatch.setattr(short_tmp, "alias_name", lambda base: os.path.join(base, next(names)))
    (tmp_path / "taken").write_text("someone else's")
    alias = short_tmp.TmpAlias(tmp_path / "target", on_host=True, base=str(tmp_path))
    assert alias.path == str(tmp_path / "free")
    assert (tmp_path / "taken").read_text() == "someone else's"
    alias.remove()
    assert not os.path.lexists(tmp_path / "free")
