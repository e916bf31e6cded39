"""Kept outputs: hard-linked, read-only, replaced atomically, refused when the spec changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun.config import UsageError
from specrun.modes.pipeline.state import KeptOutputs, link_tree, port_fingerprint
from specrun.spec.model import ColumnSpec, PipelineSpec, PortSpec, SchemaSpec, StepSpec


def spec_with(output: PortSpec) -> PipelineSpec:
    step = StepSpec(name="a", script=Path("/x/a.py"), outputs={output.name: output})
    return PipelineSpec(path=Path("/x/spec.yaml"), pipeline="demo", steps={"a": step})


def write_output(sandbox: Path, text: str) -> None:
    (sandbox / "output").mkdir(parents=True, exist_ok=True)
    (sandbox / "output" / "out.csv").write_text(text)


def test_keep_links_replaces_and_discards(tmp_path):
    port = PortSpec(name="out", format="csv")
    kept = KeptOutputs(tmp_path / "ws", "demo")
    write_output(tmp_path / "run1", "id\n1\n")
    first = kept.keep("a", tmp_path / "run1", {"out": port}, {"seed": 1})
    path = kept.output_path("a", port)
    assert path.read_text() == "id\n1\n"
    assert os.stat(path).st_ino == os.stat(tmp_path / "run1/output/out.csv").st_ino   # a hard link
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert kept.manifest("a")["outputs"]["out"]["files"] == 1 and kept.manifest("a")["seed"] == 1

    write_output(tmp_path / "run2", "id\n2\n")
    second = kept.keep("a", tmp_path / "run2", {"out": port}, {"seed": 2})
    assert path.read_text() == "id\n2\n" and not first.exists() and second.exists()
    assert kept.step_dir("a").is_symlink()

    kept.discard("a")
    assert not kept.step_dir("a").exists() and not second.exists() and kept.manifest("a") is None


def test_reuse_is_refused_when_missing_or_changed(tmp_path):
    schema = SchemaSpec(name="s", columns={"id": ColumnSpec(name="id", type="int")})
    port = PortSpec(name="out", format="csv", schema=schema)
    kept = KeptOutputs(tmp_path / "ws", "demo")
    with pytest.raises(UsageError, match="step 'a' has no kept outputs"):
        kept.require(spec_with(port), "b", {"a": ["out"]})
    write_output(tmp_path / "run", "id\n1\n")
    kept.keep("a", tmp_path / "run", {"out": port}, {})
    kept.require(spec_with(port), "b", {"a": ["out"]})
    wider = PortSpec(name="out", format="csv", schema=SchemaSpec(
        name="s", columns={"id": ColumnSpec(name="id", type="int", nullable=True)}))
    with pytest.raises(UsageError, match="the spec changed output a.out"):
        kept.require(spec_with(wider), "b", {"a": ["out"]})


def test_fingerprints_ignore_where_things_are_written():
    from specrun.spec.model import Location

    here = SchemaSpec(name="s", columns={"id": ColumnSpec(name="id", type="int",
                                                          location=Location(Path("a.yaml"), 3, "x"))})
    there = SchemaSpec(name="t", columns={"id": ColumnSpec(name="id", type="int",
                                                           location=Location(Path("a.yaml"), 9, "y"))})
    assert port_fingerprint(PortSpec(name="o", schema=here)) == port_fingerprint(PortSpec(name="o", schema=there))
    assert port_fingerprint(PortSpec(name="o", schema=here)) != port_fingerprint(
        PortSpec(name="o", format="parquet", schema=here))


names = st.text(alphabet="abcxyz019_", min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(st.lists(names, min_size=1, max_size=3).map(tuple), st.binary(max_size=64),
                            min_size=1, max_size=6))
def test_link_tree_reproduces_any_tree(tmp_path_factory, tree):
    root = tmp_path_factory.mktemp("tree")
    src, dest = root / "src", root / "dest"
    written = {}
    for parts, content in tree.items():
        path = src.joinpath(*parts)
        if any(p.is_file() for p in [src.joinpath(*parts[:i]) for i in range(1, len(parts))]) or path.is_dir():
            continue                    # a name already used as a file (or a folder): skip this one
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written[Path(*parts)] = content
    assert link_tree(src, dest) == "hardlink"
    copied = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    assert copied == written
