"""The result cache's parts: the store (atomic, LRU, two processes at once), the import
graph, the key (what changes it) and what is stored."""

from __future__ import annotations

import argparse
import json
import keyword
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.config import load_plugins
from specrun.modes.result_cache import imports
from specrun.modes.result_cache.cache import ResultCache, storable
from specrun.modes.result_cache.case_key import KeyMaker
from specrun.modes.result_cache.store import ResultStore
from specrun.plan import PlannedCase
from specrun.results import CaseResult, ErrorClass, Outcome, RetryAttempt
from specrun.session import Session

# -- the store -------------------------------------------------------------------


def test_an_entry_is_stored_and_served_whole(tmp_path):
    store = ResultStore(tmp_path / "c")
    store.put("ab" * 32, {"result": {"x": 1}})
    assert store.get("ab" * 32)["result"] == {"x": 1}
    assert store.get("cd" * 32) is None
    assert not [p for p in (tmp_path / "c").rglob("*") if p.name.startswith(".")]   # no temp file left


def test_a_damaged_or_foreign_entry_is_a_miss_not_an_error(tmp_path):
    store = ResultStore(tmp_path / "c")
    key = "ab" * 32
    store.put(key, {"result": {}})
    store.path(key).write_text('{"key": "ab')               # truncated by a crash of the disk
    assert store.get(key) is None
    store.path(key).write_text(json.dumps({"key": "other"}))  # another key's content
    assert store.get(key) is None


def test_the_least_recently_used_entries_go_first(tmp_path):
    store = ResultStore(tmp_path / "c", max_bytes=10**9)
    keys = [f"{i:02d}" * 32 for i in range(4)]
    for age, key in enumerate(keys):
        store.put(key, {"result": {"pad": "x" * 100}})
        stamp = time.time() - 1000 + age * 10
        os.utime(store.path(key), (stamp, stamp))
    store.get(keys[0])                                      # used now: the most recent
    size = store.path(keys[0]).stat().st_size
    store.max_bytes = 2 * size + size // 2
    assert store.evict() == 2
    assert store.get(keys[0]) is not None and store.get(keys[3]) is not None
    assert store.get(keys[1]) is None and store.get(keys[2]) is None



def test_a_pipeline_steps_outputs_are_kept_beside_its_entry_counted_and_evicted_with_it(tmp_path):
    produced = tmp_path / "sandbox"
    (produced / "parts").mkdir(parents=True)
    (produced / "parts" / "part-0.csv").write_text("x\n" + "1\n" * 500)
    (produced / "one.csv").write_text("x\n2\n")
    store = ResultStore(tmp_path / "c", max_bytes=10**9)
    old, new = "aa" * 32, "bb" * 32
    size = store.put_tree(old, {"parts": produced / "parts", "one": produced / "one.csv"})
    assert size == 1002 + 4
    store.put(old, {"result": {}}, size)
    assert (store.tree_path(old) / "parts" / "part-0.csv").read_text() == "x\n" + "1\n" * 500
    assert (store.tree_path(old) / "one").read_text() == "x\n2\n"
    assert not [p for p in store.tree_path(old).parent.iterdir() if p.name.startswith(".")]   # no staging left
    entry_bytes = store.path(old).stat().st_size
    assert [size_ for _, size_, _ in store.entries()] == [entry_bytes + size]    # the outputs count
    stamp = time.time() - 100
    os.utime(store.path(old), (stamp, stamp))
    store.put(new, {"result": {}})
    store.max_bytes = store.path(new).stat().st_size + 10       # room for the newer entry only
    assert store.evict() == 1
    assert store.get(old) is None and not store.tree_path(old).exists()
    assert store.get(new) is not None


WRITER = """
import json, sys
from pathlib import Path
from specrun.modes.result_cache.store import ResultStore

store = ResultStore(Path(sys.argv[1]), max_bytes=int(sys.argv[3]))
me = sys.argv[2]
bad = 0
for i in range(300):
    key = f"{i % 40:02x}" * 32
    store.put(key, {"writer": me, "result": {"pad": me * 2000, "i": i}})
    got = store.get(f"{(i * 7) % 40:02x}" * 32)
    if got is not None and (len(got["result"]["pad"]) != 2000 or got["key"] != f"{(i * 7) % 40:02x}" * 32):
        bad += 1
print(bad)
"""


def test_two_processes_writing_reading_and_evicting_at_once_never_see_half_an_entry(tmp_path):
    """Two real processes share one store: each writes, reads the other's entries and evicts
    (the cap holds about 15 of the 40 keys); no read may see a partial entry, nothing raises."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[3] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "c"), name, str(15 * 2100)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for name in ("a", "b")]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [out.strip() for out, _ in outs] == ["0", "0"]
    left = list((tmp_path / "c").rglob("*.json"))
    assert 0 < len(left) <= 40
    for path in left:
        data = json.loads(path.read_text())
        assert len(data["result"]["pad"]) == 2000
    assert not [p for p in (tmp_path / "c").rglob(".*") if p.is_file()]


# -- the import graph -------------------------------------------------------------

IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s))
NAMES = st.lists(IDENTIFIERS, min_size=1, max_size=3).map(".".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, st.sampled_from(["import", "from", "nested"])), min_size=1, max_size=6))
def test_every_import_statement_is_found(statements):
    lines = []
    for name, form in statements:
        if form == "import":
            lines.append(f"import {name} as alias")
        elif form == "from":
            lines.append(f"from {name} import thing")
        else:
            lines.append(f"def f():\n    try:\n        import {name}\n    except ImportError:\n        pass")
    found = {name for name, level in imports.imported_names("\n".join(lines)) if level == 0}
    assert {name for name, _ in statements} <= found


def test_the_graph_follows_local_modules_and_names_the_installed_ones(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("from . import shared\n")
    (tmp_path / "pkg" / "shared.py").write_text("import numpy\n")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "deep.py").write_text("from ..shared import X\n")
    (tmp_path / "lone.py").write_text("import json\n")
    (tmp_path / "unused.py").write_text("")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import os, json
        import pandas as pd
        from pkg.sub import deep
        def main():
            import lone
    """))
    graph = imports.import_graph(script, (tmp_path,))
    names = {p.relative_to(tmp_path).as_posix() for p in graph.local}
    assert names == {"script.py", "lone.py", "pkg/__init__.py", "pkg/shared.py", "pkg/sub/__init__.py",
                     "pkg/sub/deep.py"}
    assert graph.local[0] == script.resolve()
    assert graph.installed == {"pandas", "numpy"}           # os and json are the standard library


def test_a_script_that_does_not_parse_is_its_own_file_only(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import (\n")
    graph = imports.import_graph(script, (tmp_path,))
    assert graph.local == [script.resolve()] and graph.installed == set()


# -- the key ----------------------------------------------------------------------

SPEC = """
version: 1
pipeline: k
defaults: {seed: 3}
schemas:
  s:
    columns:
      x: {type: int}
steps:
  yamlish:
    script: ../yamlish.py
    call: main
    inputs:
      i: {format: csv, schema: s}
  plain:
    script: ../plain.py
    call: main
    inputs:
      i: {format: csv, schema: s}
scenarios:
  one: {rows: 3}
  prop: {examples: 3}
modes:
  isolation: {scenarios: [one, prop]}
"""


@pytest.fixture
def keyed(tmp_path, monkeypatch):
    """(keys of every planned case, a function making them again with ``argv``)."""
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "k.yaml").write_text(SPEC)
    (tmp_path / "yamlish.py").write_text("import strictyaml\ndef main(*a):\n    pass\n")
    (tmp_path / "plain.py").write_text("def main(*a):\n    pass\n")

    def keys(**options) -> dict[str, str]:
        namespace = argparse.Namespace(workspace=str(tmp_path / ".specrun"), **options)
        session = Session(namespace, load_plugins([]))
        spec = session.load_spec(tmp_path / "specs" / "k.yaml")
        cache = ResultCache(session)
        return {case.id: cache.key(spec, case) for case in session.modes["isolation"].plan(session, spec)}

    return keys


def test_the_same_inputs_make_the_same_key_in_another_session(keyed):
    first = keyed()
    assert len(first) == 4 and all(first.values())
    assert keyed() == first


def test_a_package_version_changes_the_keys_of_the_steps_importing_it_only(keyed, monkeypatch):
    before = keyed()
    real = imports.version_of
    monkeypatch.setattr(imports, "version_of", lambda dist: "99.0" if dist == "strictyaml" else real(dist))
    after = keyed()
    changed = {case for case in before if before[case] != after[case]}
    assert changed == {"k::yamlish[one]", "k::yamlish[prop]"}


def test_a_data_library_version_changes_every_key(keyed, monkeypatch):
    before = keyed()
    real = imports.version_of
    monkeypatch.setattr(imports, "version_of", lambda dist: "0.0" if dist == "pandas" else real(dist))
    after = keyed()
    assert all(before[case] != after[case] for case in before)


def test_the_seed_and_the_run_options_are_in_the_key(keyed):
    base = keyed()
    assert keyed(seed=4) != base
    assert set(keyed(seed=4).values()).isdisjoint(base.values())
    assert keyed(executor="fresh") != base
    on_cluster = keyed(dist="dask")          # the workers' packages and machine, not these
    assert set(on_cluster.values()).isdisjoint(base.values())
    assert set(keyed(dist="dask", scheduler="tcp://127.0.0.1:8786").values()).isdisjoint(on_cluster.values())
    with_examples = keyed(max_examples=7)
    assert {c for c in base if base[c] != with_examples[c]} == {"k::yamlish[prop]", "k::plain[prop]"}


def test_a_property_case_key_follows_its_hypothesis_database(keyed, tmp_path):
    from specrun.execution.sandbox import safe_name

    base = keyed()

    db = tmp_path / ".specrun" / "hypothesis" / safe_name("k::plain[prop]")
    db.mkdir(parents=True)
    (db / "failure").write_bytes(b"a failing example found by another run")
    after = keyed()
    assert {c for c in base if base[c] != after[c]} == {"k::plain[prop]"}


def test_a_payload_the_key_cannot_describe_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    session = Session(argparse.Namespace(workspace=str(tmp_path / ".ws")), load_plugins([]))
    with pytest.raises(Exception, match="cannot describe"):
        KeyMaker(session).encode({"frame": object()})


# -- what is stored -----------------------------------------------------------------


def result(outcome: Outcome, classification: ErrorClass | None = None, **extra) -> CaseResult:
    return CaseResult(id="p::s[a]", mode="isolation", pipeline="p", step="s", outcome=outcome,
                      classification=classification, **extra)


def test_only_the_scripts_own_verdicts_are_stored():
    assert storable(result(Outcome.PASSED))
    assert storable(result(Outcome.SKIPPED))
    assert storable(result(Outcome.FAILED, ErrorClass.SCRIPT_ERROR))
    assert storable(result(Outcome.FAILED, ErrorClass.CONTRACT_ERROR))
    assert not storable(result(Outcome.ERROR, ErrorClass.SETUP_ERROR))          # specrun could not run it
    assert not storable(result(Outcome.FAILED, ErrorClass.TIMEOUT))             # the machine's load
    assert not storable(result(Outcome.FAILED, ErrorClass.RESOURCE_ERROR))
    assert not storable(result(Outcome.PASSED, retries=[RetryAttempt(ErrorClass.CRASH, "x")]))   # flaky
    assert not storable(result(Outcome.PASSED), stopping="interrupted")
    assert not storable(result(Outcome.PASSED, cached=True))                    # already stored


def test_a_case_without_a_step_is_not_keyed(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    session = Session(argparse.Namespace(workspace=str(tmp_path / ".ws")), load_plugins([]))
    from specrun.spec.model import PipelineSpec

    spec = PipelineSpec(path=tmp_path / "x.yaml", pipeline="p")
    assert ResultCache(session).key(spec, PlannedCase("p::x", "isolation", "p", None, payload=None)) is None


REFS_SPEC = """
version: 1
pipeline: r
defaults: {seed: 3}
steps:
  writer:
    script: ../writer.py
    call: main
    env: {SCRATCH: /tmp}
    outputs:
      doc: {format: json, checks: [{json_schema: doc.schema.json}]}
    properties:
      - python: checks_mod:doc_ok
scenarios:
  one: {}
modes:
  isolation: {scenarios: [one]}
"""


def test_files_and_modules_the_spec_names_are_in_the_key_by_content(tmp_path, monkeypatch):
    """A JSON Schema file and a ``python:`` property's module (and what it imports) change
    the key when edited; an env value naming a folder (/tmp) is not read."""
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "r.yaml").write_text(REFS_SPEC)
    (specs / "doc.schema.json").write_text('{"type": "object"}')
    (specs / "checks_mod.py").write_text("import checks_helper\ndef doc_ok(context):\n    return True\n")
    (specs / "checks_helper.py").write_text("X = 1\n")
    (tmp_path / "writer.py").write_text("def main(*a):\n    pass\n")

    def key() -> str | None:
        session = Session(argparse.Namespace(workspace=str(tmp_path / ".specrun")), load_plugins([]))
        spec = session.load_spec(specs / "r.yaml")
        (case,) = session.modes["isolation"].plan(session, spec)
        return ResultCache(session).key(spec, case)

    read: list[Path] = []
    real_digest = KeyMaker.digest
    monkeypatch.setattr(KeyMaker, "digest", lambda self, path: read.append(Path(path)) or real_digest(self, path))
    base = key()
    assert base is not None and key() == base
    assert Path("/tmp") not in read and specs / "doc.schema.json" in read
    (specs / "doc.schema.json").write_text('{"type": "array"}')
    schema_edited = key()
    assert schema_edited != base
    (specs / "checks_helper.py").write_text("X = 2\n")
    assert key() != schema_edited
