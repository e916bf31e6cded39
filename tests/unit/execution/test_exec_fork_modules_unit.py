"""The fork server's module rules (execution/fork_modules.py): which local files shadow a
loaded module, and which modules a child reports the parent may preload."""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.execution import fork_modules as fm


def _installed(tmp_path: Path, monkeypatch, name: str) -> str:
    """A module the (test) parent would import from its own path, not loaded yet."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / f"{name}.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    assert name not in sys.modules
    return str(site / f"{name}.py")


def test_local_modules_are_sources_bytecode_extensions_and_regular_packages(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.pyc").write_bytes(b"")
    (tmp_path / f"c{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "__init__.py").write_text("")
    (tmp_path / "data").mkdir()                      # a namespace portion: outranked, not shadowing
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / ".py").write_text("")
    assert fm.local_modules([str(tmp_path), str(tmp_path / "missing")]) == {"a", "b", "c", "d"}


def test_shadowed_names_loaded_modules_a_folder_provides_except_those_loaded_at_start(tmp_path: Path) -> None:
    for name in ("queue", "os", "mine"):
        (tmp_path / f"{name}.py").write_text("")
    loaded = ["queue", "os", "os.path", "pandas", "pandas.io"]
    assert fm.shadowed([str(tmp_path)], loaded, frozenset({"os"})) == ["queue"]


def test_search_folders_leave_out_the_parents_own_path(tmp_path: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "boot"), "", str(tmp_path / "libs")])}
    assert fm.search_folders(str(tmp_path / "s"), env, [str(tmp_path / "boot")]) == [
        str(tmp_path / "s"), str(tmp_path / "libs")]


def test_a_module_is_learned_only_from_the_file_the_parent_would_load(tmp_path: Path, monkeypatch) -> None:
    real = _installed(tmp_path, monkeypatch, "mod_learn_a")
    assert fm.learnable([("mod_learn_a", real)], [], set()) == ["mod_learn_a"]
    assert fm.learnable([("mod_learn_a", "/elsewhere/mod_learn_a.py")], [], set()) == []    # another file
    assert fm.learnable([("mod_learn_a", real)], [], {"mod_learn_a"}) == []                  # tried already
    assert fm.learnable([("json", sys.modules["json"].__file__)], [], set()) == []           # loaded already


def test_a_module_from_a_run_folder_or_named_there_is_never_learned(tmp_path: Path, monkeypatch) -> None:
    real = _installed(tmp_path, monkeypatch, "mod_learn_b")
    run = tmp_path / "run"
    run.mkdir()
    (run / "mod_learn_b.py").write_text("")
    (run / "helper.py").write_text("")
    assert fm.learnable([("mod_learn_b", real)], [str(run)], set()) == []                  # shadowed there
    assert fm.learnable([("helper", str(run / "helper.py"))], [str(run)], set()) == []
    monkeypatch.syspath_prepend(str(run))          # even where the parent would find it at that file
    assert fm.learnable([("helper", str(run / "helper.py"))], [str(run)], set()) == []


def test_submodules_follow_their_parent_and_bad_names_are_dropped(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "pkg_learn_x"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sub.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    init, sub = str(package / "__init__.py"), str(package / "sub.py")
    assert fm.learnable([("pkg_learn_x.sub", sub)], [], set()) == []            # its parent is not loaded
    assert fm.learnable([("pkg_learn_x.sub", sub), ("pkg_learn_x", init)], [], set()) == [
        "pkg_learn_x", "pkg_learn_x.sub"]                                          # parent first
    assert "pkg_learn_x" not in sys.modules                                        # nothing was imported
    bad = [("__main__", init), ("_specrun_child_bootstrap", init), ("a b", init), ("pkg_learn_x.", init)]
    assert fm.learnable(bad, [], set()) == []


def test_the_child_reports_what_it_imported_and_the_parent_reads_it_once(tmp_path: Path) -> None:
    before = frozenset(sys.modules) - {"json"}
    path = tmp_path / "learned.json"
    fm.write_learned(str(path), before)
    entries = fm.read_learned(str(path))
    assert ("json", sys.modules["json"].__file__) in entries
    assert not path.exists() and fm.read_learned(str(path)) == []
    fm.write_learned(str(path), frozenset(sys.modules))     # nothing new: no file at all
    assert not path.exists()


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                                  max_size=3), max_leaves=20))
def test_a_malformed_report_is_ignored_never_raised(report: object) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "r.json")
        with open(path, "w") as fh:
            json.dump(report, fh)
        entries = fm.read_learned(path)
        assert all(isinstance(a, str) and isinstance(b, str) for a, b in entries)
        assert not os.path.exists(path)


def test_an_oversized_report_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([["m", "x" * fm.MAX_LEARNED_BYTES]]))
    assert fm.read_learned(str(path)) == [] and not path.exists()
