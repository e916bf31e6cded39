"""The bubblewrap command line (execution/namespace.py): what is bound how, and in which
order (a later mount wins), for arbitrary sandbox layouts; and bwrap's exit codes."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.execution.namespace import bwrap_argv, decode_returncode

NAMES = st.text(alphabet="abcdefghij_-.0123456789", min_size=1, max_size=8).filter(lambda n: n not in {".", ".."})


def _mounts(argv: list[str]) -> list[tuple[str, str]]:
    """(option, target) of every mount, in order."""
    out = []
    for i, arg in enumerate(argv):
        if arg in ("--bind", "--ro-bind"):
            out.append((arg, argv[i + 2]))
        elif arg == "--tmpfs":
            out.append((arg, argv[i + 1]))
    return out


@given(inputs=st.lists(NAMES, max_size=5, unique=True), network=st.booleans())
def test_inputs_are_read_only_on_top_of_the_writable_sandbox(tmp_path_factory: pytest.TempPathFactory,
                                                            inputs: list[str], network: bool) -> None:
    root = tmp_path_factory.mktemp("box")
    paths = []
    for name in inputs:
        path = root / "input" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
        paths.append(path)
    argv = bwrap_argv("bwrap", root, inputs=paths, writable=[root / "output" / "o.csv"], network=network)
    mounts = _mounts(argv)
    assert mounts[0] == ("--ro-bind", "/")                     # the world, read-only, first
    sandbox = mounts.index(("--bind", str(root)))
    assert all(kind != "--tmpfs" for kind, _ in mounts[sandbox:])   # no /tmp over the sandbox
    assert [m for m in mounts[sandbox + 1:]] == [("--ro-bind", str(p)) for p in paths]
    assert ("--unshare-net" in argv) is (not network)
    assert {"--unshare-user", "--unshare-pid", "--unshare-ipc", "--die-with-parent"} <= set(argv)
    assert argv[argv.index("--chdir") + 1] == str(root) and argv[-1] == "--"


def test_outputs_outside_the_sandbox_get_their_folder_writable(tmp_path: Path) -> None:
    box, elsewhere = tmp_path / "box", tmp_path / "kept" / "out"
    box.mkdir()
    argv = bwrap_argv("bwrap", box, inputs=[], writable=[elsewhere / "a.csv", box / "output" / "b.csv"],
                      network=False)
    binds = [target for kind, target in _mounts(argv) if kind == "--bind"]
    assert binds == [str(box), str(elsewhere)]
    assert elsewhere.is_dir()


def test_readable_paths_under_tmp_are_bound_before_the_sandbox(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    box = tmp_path / "scripts" / "box"     # a sandbox inside the readable folder stays writable
    box.mkdir()
    argv = bwrap_argv("bwrap", box, inputs=[], writable=[], network=False, readable=[scripts, "/usr"])
    mounts = _mounts(argv)
    if str(tmp_path).startswith("/tmp/"):
        assert mounts.index(("--ro-bind", str(scripts))) < mounts.index(("--bind", str(box)))
    assert ("--ro-bind", "/usr") not in mounts                 # visible anyway: not under a private dir


@pytest.mark.parametrize(("returncode", "script_exit", "expected"), [
    (0, None, 0), (1, None, 1), (128, None, 128),
    (128 + signal.SIGSEGV, None, -signal.SIGSEGV),
    (128 + signal.SIGKILL, None, -signal.SIGKILL),
    (139, 139, 139),                                         # the script's own sys.exit(139)
    (255, None, 255), (None, None, None),
])
def test_bwrap_exit_codes_become_signals_again(returncode, script_exit, expected) -> None:
    assert decode_returncode(returncode, script_exit) == expected


def test_a_whole_private_folder_is_never_made_readable() -> None:
    argv = bwrap_argv("bwrap", Path("/tmp/box"), inputs=[], writable=[], network=False, readable=["/tmp", "/tmp/"])
    assert ("--ro-bind", "/tmp") not in _mounts(argv)


def test_tmpdir_alias_is_linked_inside_the_private_tmp(tmp_path: Path) -> None:
    target = tmp_path / "tmp"
    argv = bwrap_argv("bwrap", tmp_path, inputs=[], writable=[], network=False,
                      links=[(str(target), "/tmp/sr-12345678")])
    at = argv.index("--symlink")
    assert argv[at + 1:at + 3] == [str(target), "/tmp/sr-12345678"]
    assert argv.index("--tmpfs") < at          # made in the private /tmp, not hidden by it
