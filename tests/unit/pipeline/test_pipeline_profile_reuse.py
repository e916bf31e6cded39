"""A handed-over file is profiled once (issue 15 point 1): the consumer's input profile is the
producer's output profile when the consumer reads the very same files (hard links: same inode,
size, mtime_ns) under an equal contract; a different contract, changed files or a copy get
their own profile, and a reused profile equals what profiling the consumer's frame gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pipeline_builders import col, port, schema

from specrun.analysis.compat import Edge
from specrun.analysis.profile import profile_frame
from specrun.contract.io import read_port_frame
from specrun.modes.pipeline import step as step_module
from specrun.modes.pipeline.profile_reuse import port_read
from specrun.modes.pipeline.state import link_tree
from specrun.modes.pipeline.step import PipelineContext, disk_bytes

EDGE = Edge("a", "out", "b", "in")
PRODUCED = schema("produced", col("n", "int"), col("x", "float"), col("s", "str"))


def context() -> PipelineContext:
    """Only the profile bookkeeping of a pipeline run is used here."""
    return PipelineContext(session=None, spec=None, dag=None, options={}, run=None,  # type: ignore[arg-type]
                           seed=0, kept=None, cases={})  # type: ignore[arg-type]


@pytest.fixture
def handed_over(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    produced = tmp_path / "kept" / "out.csv"
    produced.parent.mkdir()
    pd.DataFrame({"n": rng.integers(0, 9, 500), "x": rng.normal(0, 1, 500),
                  "s": rng.choice(["p", "q"], 500)}).to_csv(produced, index=False)
    consumed = tmp_path / "sandbox" / "in.csv"
    consumed.parent.mkdir()
    return produced, consumed


def profile_producer(ctx: PipelineContext, path: Path) -> None:
    producer = port("out", "csv", PRODUCED)
    frame = read_port_frame(producer, path, PRODUCED)
    ctx.profile("a", "out", "output", frame, disk_bytes(path), read=port_read(producer, PRODUCED, path))


def profile_consumer(ctx: PipelineContext, target: Path, consumer_schema, monkeypatch) -> tuple[int, pd.DataFrame]:
    """The consumer's input profiled as prepare_inputs does; returns how often profile_frame ran."""
    effective = port("in", "csv", consumer_schema, from_="a.out")
    before = port_read(effective, consumer_schema, target)
    frame = read_port_frame(effective, target, consumer_schema)
    calls = []
    real = step_module.profile_frame
    monkeypatch.setattr(step_module, "profile_frame", lambda *a, **k: calls.append(a) or real(*a, **k))
    ctx.input_profile(EDGE, frame, before, effective, consumer_schema, target)
    monkeypatch.setattr(step_module, "profile_frame", real)
    return len(calls), frame


def test_the_same_files_under_an_equal_contract_reuse_the_producer_profile(handed_over, monkeypatch):
    produced, target = handed_over
    ctx = context()
    profile_producer(ctx, produced)
    assert link_tree(produced, target) == "hardlink"
    same = schema("produced", col("n", "int"), col("x", "float"), col("s", "str"))   # equal, not the same object
    calls, frame = profile_consumer(ctx, target, same, monkeypatch)
    assert calls == 0
    reused = ctx.profiles[("b", "in", "input")]
    assert repr(reused) == repr(profile_frame(frame, "b.in", nbytes=disk_bytes(target)))
    assert ctx.profiles[("a", "out", "output")].port == "a.out"      # the producer's is left as it was


def test_a_consumer_schema_reading_another_dtype_gets_its_own_profile(handed_over, monkeypatch):
    produced, target = handed_over
    ctx = context()
    profile_producer(ctx, produced)
    link_tree(produced, target)
    as_float = schema("consumed", col("n", "float"), col("x", "float"), col("s", "str"))
    calls, frame = profile_consumer(ctx, target, as_float, monkeypatch)
    assert calls == 1
    mine = ctx.profiles[("b", "in", "input")]
    assert mine.dtypes["n"] == str(frame["n"].dtype) == "float64"
    assert ctx.profiles[("a", "out", "output")].dtypes["n"] == "int64"
    assert repr(mine) == repr(profile_frame(frame, "b.in", nbytes=disk_bytes(target)))


def test_other_read_options_get_their_own_profile(handed_over, monkeypatch):
    produced, target = handed_over
    ctx = context()
    profile_producer(ctx, produced)
    link_tree(produced, target)
    effective = port("in", "csv", PRODUCED, from_="a.out", header=False)
    before = port_read(effective, PRODUCED, target)
    assert before != ctx.output_reads[("a", "out")]


def test_a_copy_or_a_rewritten_file_gets_its_own_profile(handed_over, monkeypatch):
    produced, target = handed_over
    ctx = context()
    profile_producer(ctx, produced)
    shutil.copy2(produced, target)                    # same bytes and mtime, another inode
    assert profile_consumer(ctx, target, PRODUCED, monkeypatch)[0] == 1
    target.unlink()
    link_tree(produced, target)
    frame = pd.read_csv(produced)
    frame.loc[0, "n"] = 99                            # the producer's file changed after its profile
    stat = produced.stat()
    frame.to_csv(target, index=False)                 # written through the link: same inode
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    calls, changed = profile_consumer(ctx, target, PRODUCED, monkeypatch)
    assert calls == 1
    assert ctx.profiles[("b", "in", "input")].column("n").max == 99
