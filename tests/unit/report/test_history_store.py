"""The run history database: migrations, concurrent writers (real processes), a corrupt or
locked file, and the ``--baseline RUN`` selectors (property-tested)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specrun.report.history import store
from specrun.report.history.store import CaseRow, HistoryError, RunRow, RunSelector, parse_run_selector


def run_row(started: str = "2026-01-02T03:04:05+00:00") -> RunRow:
    return RunRow(0, started, started, 7, 0, "specs")


def case_row(case_id: str = "p::s[a]", outcome: str = "passed", duration: float = 0.5, **extra) -> CaseRow:
    values = dict(run_id=0, case_id=case_id, spec="specs/p.yaml", pipeline="p", step="s", scenario="a",
                  mode="isolation", kind="step", outcome=outcome, classification=None, duration_s=duration,
                  cpu_s=0.1, peak_rss_bytes=10 * 2**20, seed=7, script_hash="aa", spec_hash="bb")
    values.update(extra)
    return CaseRow(**values)


def test_a_new_file_has_the_current_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(store.SCHEMA_VERSION,)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rows_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    first = store.write_run(path, run_row(), [case_row(), case_row("p::s[b]", "failed", classification="SCRIPT_ERROR")])
    second = store.write_run(path, run_row("2026-01-03T00:00:00+00:00"), [case_row(duration=0.7)])
    assert second == first + 1
    history = store.read_history(path)
    assert history.run_ids() == [first, second]
    assert [(c.run_id, c.case_id, c.outcome, c.duration_s) for c in history.cases] == [
        (first, "p::s[a]", "passed", 0.5), (first, "p::s[b]", "failed", 0.5), (second, "p::s[a]", "passed", 0.7)]
    assert store.read_history(path, last=1).run_ids() == [second]
    assert store.read_history(path, until=first).run_ids() == [first]


def test_an_older_schema_is_migrated_once(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    # a later specrun adds a column: version 2 migrates version-1 files, keeping their rows
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, "ALTER TABLE runs ADD COLUMN host TEXT"))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    store.connect(path).close()
    store.connect(path).close()   # already at 2: nothing to do (ALTER twice would fail)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    assert "host" in [row[1] for row in conn.execute("PRAGMA table_info(runs)")]
    assert conn.execute("SELECT COUNT(*) FROM cases").fetchone() == (1,)


def test_a_file_from_a_newer_specrun_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(HistoryError, match="schema version 99"):
        store.write_run(path, run_row(), [case_row()])


def test_a_corrupt_file_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(HistoryError, match="h.sqlite"):
        store.write_run(path, run_row(), [case_row()])
    with pytest.raises(HistoryError):
        store.read_history(path)


def test_a_writer_waits_for_a_lock_held_briefly(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:   # the busy timeout makes it wait for the other transaction instead of failing
        store.write_run(path, run_row(), [case_row()], timeout=20)
    finally:
        release.join()
        holder.close()
    assert len(store.read_history(path).runs) == 2


def test_a_lock_held_longer_than_the_timeout_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked"):
            store.write_run(path, run_row(), [case_row()], timeout=0.2)
    finally:
        holder.close()


def _writer(path: str, worker: int, runs: int) -> None:
    for n in range(runs):
        store.write_run(Path(path), run_row(), [case_row(f"p::w{worker}[{n}]"), case_row(f"p::w{worker}[{n}]b")])


def test_concurrent_writers_in_separate_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), w, 15)) for w in range(4)]
    for process in workers:   # a fresh file: the first writers also race to create and migrate it
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    history = store.read_history(path)
    assert len(history.runs) == 60
    assert len({(c.run_id, c.case_id) for c in history.cases}) == 120
    assert all(sum(c.run_id == r.run_id for c in history.cases) == 2 for r in history.runs)


# -- run selectors ---------------------------------------------------------------

RUNS = [RunRow(i, f"2026-01-{i:02d}T12:00:00+00:00", None, None, 0, "") for i in range(1, 8)]


def test_selectors_resolve() -> None:
    assert parse_run_selector("3").resolve(RUNS).run_id == 3
    assert parse_run_selector("latest").resolve(RUNS).run_id == 7
    assert parse_run_selector("last~2").resolve(RUNS).run_id == 5
    assert parse_run_selector("latest~7").resolve(RUNS) is None
    assert parse_run_selector("99").resolve(RUNS) is None
    assert parse_run_selector("2026-01-04").resolve(RUNS).run_id == 4           # the date's end
    assert parse_run_selector("2026-01-04T11:00").resolve(RUNS).run_id == 3     # naive: UTC
    assert parse_run_selector("2026-01-04T13:00:00+02:00").resolve(RUNS).run_id == 3
    assert parse_run_selector("2025-12-31").resolve(RUNS) is None


selectors = st.one_of(
    st.builds(RunSelector, run_id=st.integers(0, 10**9)),
    st.builds(RunSelector, back=st.integers(0, 10**6)),
    st.builds(RunSelector, when=st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.sampled_from([None, UTC]))))


@given(selectors)
def test_a_selector_survives_its_text(selector: RunSelector) -> None:
    assert parse_run_selector(str(selector)) == selector


@given(st.text())
def test_any_text_is_a_selector_or_a_value_error(text: str) -> None:
    try:
        parse_run_selector(text)
    except ValueError as exc:
        assert repr(text)[:20] in str(exc) or text.strip() in str(exc)


def test_bad_selectors_say_what_is_accepted() -> None:
    for text in ("", "yesterday", "latest~", "-1", "2026-13-40"):
        with pytest.raises(ValueError, match="is not a run"):
            parse_run_selector(text)




def test_a_reader_does_not_wait_for_a_run_being_written(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store.write_run(path, run_row(), [case_row()])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")   # another run holds the write lock, mid-transaction
    writer.execute("INSERT INTO runs (started, args) VALUES ('2026-02-02T00:00:00+00:00', '')")
    try:   # WAL: the reader sees the last committed state at once, even with no busy timeout
        history = _read_now(path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert len(history.runs) == 1


def _read_now(path: Path) -> store.History:
    original = store.BUSY_TIMEOUT_S
    store.BUSY_TIMEOUT_S = 0.0
    try:
        return store.read_history(path)
    finally:
        store.BUSY_TIMEOUT_S = original
