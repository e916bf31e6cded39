"""layout_gaps: a layout folder is complete exactly when each split holds shards 0 … N-1
once (any zero padding), and every gap is named."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from specrun.contract.layout_gaps import layout_gaps
from specrun.spec.model import PortSpec

LAYOUTS = ["part-{shard}.csv", "part-{shard:05d}.csv", "{split}/part-{shard}.csv", "{split}-{shard:03d}/data.csv"]


@given(layout=st.sampled_from(LAYOUTS), declared=st.integers(1, 6),
       written=st.dictionaries(st.sampled_from(["train", "test"]), st.sets(st.integers(0, 8), max_size=8)))
def test_complete_exactly_when_each_split_has_every_declared_shard_once(layout: str, declared: int,
                                                                       written: dict[str, set[int]]) -> None:
    splits = ["train", "test"] if "{split}" in layout else None
    port = PortSpec("parts", "csv", layout=layout, shards=declared, split=splits)
    root = Path("/nowhere")
    if splits is None:
        written = {"": written.get("train", set())}
    files = [root / layout.format(split=split, shard=n) for split, numbers in written.items() for n in numbers]
    gaps = layout_gaps(port, files, root)
    expected = set(range(declared))
    complete = all(written.get(split, set()) == expected for split in (splits or [""]))
    assert (not gaps) == complete, gaps
    for split in splits or [""]:
        numbers = written.get(split, set())
        for n in sorted(expected - numbers) if numbers else []:
            assert any(layout.format(split=split, shard=n) in gap for gap in gaps)
        for n in sorted(numbers - expected):
            assert any(f"unexpected {layout.format(split=split, shard=n)}" in gap or
                       layout.format(split=split, shard=n) in gap for gap in gaps)


def test_a_shard_written_twice_under_two_paddings_is_named() -> None:
    port = PortSpec("parts", "csv", layout="part-{shard}.csv", shards=2)
    root = Path("/r")
    gaps = layout_gaps(port, [root / "part-0.csv", root / "part-00.csv", root / "part-1.csv"], root)
    assert gaps and "shard written twice: part-0.csv, part-00.csv" in gaps[0]


def test_a_split_layout_without_shards_names_the_missing_split_file() -> None:
    port = PortSpec("parts", "csv", layout="{split}/data.csv", split=["train", "val"])
    root = Path("/r")
    assert layout_gaps(port, [root / "train/data.csv"], root) == ["missing val/data.csv"]
    assert layout_gaps(port, [root / "train/data.csv", root / "val/data.csv"], root) == []
