"""The deep dive's download cap (sources/bandwidth.py): bytes never arrive faster than the
cap allows, across readers and threads, with a clock the test controls (no timing)."""

from __future__ import annotations

import io
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.modes.options import mode_options
from specrun.sources.bandwidth import CHUNK_BYTES, Bandwidth, read_body
from specrun.spec.model import SpecError
from specrun.spec.units import parse_bandwidth


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self.lock:
            self.now += seconds


@settings(max_examples=200, deadline=None)
@given(rate=st.integers(1, 10**9), chunks=st.lists(st.tuples(st.integers(0, 10**7), st.floats(0, 5)), max_size=30))
def test_bytes_never_arrive_faster_than_the_cap(rate, chunks):
    clock = FakeClock()
    cap = Bandwidth(rate, clock=clock, sleep=clock.sleep)
    start = clock.now
    total = 0
    for size, idle in chunks:
        clock.now += idle                    # the network (or the reader) took this long
        cap.spend(size)
        total += size
        assert clock.now - start >= total / rate - 1e-6      # B bytes took at least B / rate
    assert cap.spent == total


def test_an_idle_spell_earns_no_burst():
    clock = FakeClock()
    cap = Bandwidth(1000, clock=clock, sleep=clock.sleep)
    cap.spend(1000)                          # 1 s of budget
    clock.now += 60                          # idle for a minute
    before = clock.now
    cap.spend(5000)
    assert clock.now - before == pytest.approx(5.0)     # still 5 s for 5,000 bytes


def test_readers_on_several_threads_share_one_cap():
    clock = FakeClock()
    cap = Bandwidth(10_000, clock=clock, sleep=clock.sleep)
    threads = [threading.Thread(target=lambda: [cap.spend(1000) for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cap.spent == 40_000
    assert clock.now - 100.0 >= 4.0 - 1e-6              # 40,000 bytes at 10,000/s


def test_a_body_is_read_in_paced_chunks_and_whole_without_a_cap():
    data = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 7)
    clock = FakeClock()
    cap = Bandwidth(CHUNK_BYTES, clock=clock, sleep=clock.sleep)
    assert read_body(io.BytesIO(data), cap) == data
    assert cap.spent == len(data) and clock.now - 100.0 >= len(data) / CHUNK_BYTES - 1e-6
    assert read_body(io.BytesIO(data), None) == data


@pytest.mark.parametrize("text, expected", [("20MB/s", 20_000_000), ("512KiB/s", 524_288), ("1 GB", 10**9),
                                            (1000, 1000), ("1.5MiB/s", 1_572_864)])
def test_bandwidths_parse(text, expected):
    assert parse_bandwidth(text) == expected


@pytest.mark.parametrize("text", ["fast", "0MB/s", "-1MB/s", "20MB/h", True, "/s"])
def test_a_bad_bandwidth_is_refused(text):
    with pytest.raises(ValueError, match="expected a bandwidth|must be positive"):
        parse_bandwidth(text)


def test_the_deep_dive_option_is_checked_at_its_key(tmp_path):
    from specrun.spec.loader import load_spec

    spec_file = tmp_path / "spec.yaml"
    (tmp_path / "s.py").write_text("def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    spec_file.write_text("version: 1\npipeline: p\nsteps:\n  s: {script: s.py, call: main}\n"
                         "modes:\n  deep_dive: {bandwidth: 2MB/s}\n")
    assert mode_options(load_spec(spec_file), "deep_dive")["bandwidth"] == 2_000_000
    spec_file.write_text(spec_file.read_text().replace("2MB/s", "quick"))
    with pytest.raises(SpecError, match="modes.deep_dive.bandwidth: expected a bandwidth"):
        mode_options(load_spec(spec_file), "deep_dive")
