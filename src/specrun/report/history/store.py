"""The history database: runs and their cases, in SQLite (stdlib ``sqlite3``).

One file, ``<workspace>/history.sqlite`` unless ``--history-db`` names another (CI jobs
with their own workspaces may share one).  It is opened in WAL mode with a busy timeout,
and each run is written in one ``BEGIN IMMEDIATE`` transaction, so runs that finish at
the same time wait for each other instead of failing.  ``schema_version`` holds the
schema's version; :data:`MIGRATIONS` brings an older file up to date, inside the same
kind of transaction, so two processes opening an old file migrate it once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

DB_FILE = "history.sqlite"
BUSY_TIMEOUT_S = 10.0   #: how long a writer waits for another one before giving up (a warning)

#: MIGRATIONS[i] takes the schema from version i to version i + 1
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL,
        finished TEXT,
        seed INTEGER,
        exit_code INTEGER,
        args TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE cases (
        run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        case_id TEXT NOT NULL,
        spec TEXT NOT NULL,
        pipeline TEXT NOT NULL,
        step TEXT,
        scenario TEXT,
        mode TEXT NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        classification TEXT,
        duration_s REAL NOT NULL,
        cpu_s REAL,
        peak_rss_bytes INTEGER,
        seed INTEGER,
        script_hash TEXT,
        spec_hash TEXT,
        PRIMARY KEY (run_id, spec, case_id)
    );
    CREATE INDEX cases_by_case ON cases (spec, case_id, run_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history cannot be read or written (corrupt, locked, newer than this specrun)."""


@dataclass(frozen=True)
class RunRow:
    run_id: int
    started: str
    finished: str | None
    seed: int | None
    exit_code: int | None
    args: str


@dataclass(frozen=True)
class CaseRow:
    """One case of one run, as stored."""

    run_id: int
    case_id: str
    spec: str             # the spec file, relative to the project (see report/last_failed.spec_key)
    pipeline: str
    step: str | None
    scenario: str | None
    mode: str
    kind: str
    outcome: str
    classification: str | None
    duration_s: float
    cpu_s: float | None
    peak_rss_bytes: int | None
    seed: int | None
    script_hash: str | None
    spec_hash: str | None

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "error")


_CASE_COLUMNS = tuple(f.name for f in fields(CaseRow))


def db_path(workspace: Path, override: str | None = None) -> Path:
    return Path(override) if override else workspace / DB_FILE


def connect(path: Path, timeout: float | None = None) -> sqlite3.Connection:
    """Open (creating it if need be) and migrate the history at ``path``."""
    timeout = BUSY_TIMEOUT_S if timeout is None else timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{path}: cannot open the run history: {exc}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":   # set once, by the first writer
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise HistoryError(f"{path}: cannot use the run history: {exc}") from None
    except HistoryError:
        conn.close()
        raise
    return conn


def _current_version(conn: sqlite3.Connection) -> int | None:
    """The file's schema version, read without a write lock (None: no version table yet)."""
    found = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if found is None:
        return None
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else None


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    if _current_version(conn) == SCHEMA_VERSION:
        return   # up to date: no write lock, so a reader never waits for a run being written
    conn.execute("BEGIN IMMEDIATE")   # one migrator at a time; the others wait, then find it done
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{path}: the run history has schema version {version}; this specrun "
                               f"knows versions up to {SCHEMA_VERSION} (upgrade specrun)")
        for script in MIGRATIONS[version:]:
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
        if row is None:
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif version != SCHEMA_VERSION:
            conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def write_run(path: Path, run: RunRow, cases: Sequence[CaseRow], timeout: float | None = None) -> int:
    """Store one run and its cases in one transaction; returns the new run's id (``run.run_id``
    and each case's ``run_id`` are ignored)."""
    conn = connect(path, timeout)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT INTO runs (started, finished, seed, exit_code, args) VALUES (?, ?, ?, ?, ?)",
                (run.started, run.finished, run.seed, run.exit_code, run.args))
            run_id = int(cursor.lastrowid or 0)
            marks = ", ".join("?" for _ in _CASE_COLUMNS)
            conn.executemany(f"INSERT OR REPLACE INTO cases ({', '.join(_CASE_COLUMNS)}) VALUES ({marks})",
                             [(run_id, *astuple(case)[1:]) for case in cases])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return run_id
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: cannot write the run history: {exc}") from None
    finally:
        conn.close()


@dataclass
class History:
    """What was read: runs oldest first, and their cases."""

    runs: list[RunRow]
    cases: list[CaseRow]

    def run_ids(self) -> list[int]:
        return [r.run_id for r in self.runs]


def read_history(path: Path, last: int | None = None, until: int | None = None) -> History:
    """The last ``last`` runs (all when None) with an id up to ``until``, oldest first."""
    if not path.exists():
        return History([], [])
    conn = connect(path)
    try:
        query = "SELECT * FROM runs" + (" WHERE run_id <= ?" if until is not None else "") + " ORDER BY run_id DESC"
        params: list[int] = [until] if until is not None else []
        if last is not None:
            query += " LIMIT ?"
            params.append(last)
        runs = [RunRow(*row) for row in conn.execute(query, params)][::-1]
        if not runs:
            return History([], [])
        cases = [CaseRow(*row) for row in conn.execute(
            f"SELECT {', '.join(_CASE_COLUMNS)} FROM cases WHERE run_id >= ? AND run_id <= ? ORDER BY run_id",
            (runs[0].run_id, runs[-1].run_id))]
        kept = {r.run_id for r in runs}
        return History(runs, [c for c in cases if c.run_id in kept])
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: cannot read the run history: {exc}") from None
    finally:
        conn.close()


# -- run selectors (--baseline RUN) --------------------------------------------

_SELECTOR = re.compile(r"^(?:(?P<id>[0-9]+)|(?P<last>latest|last)(?:~(?P<back>[0-9]+))?"
                       r"|(?P<when>\d{4}-\d{2}-\d{2}.*))$")


@dataclass(frozen=True)
class RunSelector:
    """A run named on the command line: ``42`` (its id), ``latest`` / ``last`` (the newest),
    ``latest~K`` (K runs before the newest), or an ISO date or time (the newest run started
    at or before it; a date means its end)."""

    run_id: int | None = None
    back: int | None = None
    when: datetime | None = None

    def __str__(self) -> str:
        if self.run_id is not None:
            return str(self.run_id)
        if self.back is not None:
            return "latest" if self.back == 0 else f"latest~{self.back}"
        assert self.when is not None
        return self.when.isoformat()

    def resolve(self, runs: Sequence[RunRow]) -> RunRow | None:
        """The run of ``runs`` (oldest first) this names, or None."""
        if self.run_id is not None:
            return next((r for r in runs if r.run_id == self.run_id), None)
        if self.back is not None:
            return runs[-1 - self.back] if self.back < len(runs) else None
        assert self.when is not None
        chosen = None
        for run in runs:
            started = _parse_time(run.started)
            if started is not None and _comparable(started, self.when) <= self.when:
                chosen = run
        return chosen


def parse_run_selector(text: str) -> RunSelector:
    """``--baseline RUN``; :class:`ValueError` with what is accepted for anything else."""
    match = _SELECTOR.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a run (a run id, 'latest', 'latest~K' or an ISO date/time)")
    if match["id"] is not None:
        return RunSelector(run_id=int(match["id"]))
    if match["last"] is not None:
        return RunSelector(back=int(match["back"] or 0))
    when = match["when"]
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
            return RunSelector(when=datetime.fromisoformat(when + "T23:59:59"))
        return RunSelector(when=datetime.fromisoformat(when))
    except ValueError:
        raise ValueError(f"{text!r} is not a run: {when!r} is not an ISO date/time") from None


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _comparable(value: datetime, like: datetime) -> datetime:
    """``value`` with ``like``'s awareness (stored times are UTC; a naive selector is UTC)."""
    if (value.tzinfo is None) == (like.tzinfo is None):
        return value
    return value.replace(tzinfo=None) if like.tzinfo is None else value.replace(tzinfo=UTC)


def case_rows_of(history: History, run_id: int) -> Iterable[CaseRow]:
    return (c for c in history.cases if c.run_id == run_id)


TREND_RUNS = 20   #: the report's sparklines show the last this many runs


def duration_trends(path: Path, until_started: str | None = None, last: int = TREND_RUNS) -> dict[str, list[float]]:
    """Each case id's durations over the last ``last`` runs started at or before
    ``until_started`` (all runs when None), oldest first; empty without a history."""
    history = read_history(path)
    runs = history.runs
    if until_started is not None:
        limit = _parse_time(until_started)
        if limit is not None:
            runs = [r for r in runs if (t := _parse_time(r.started)) is not None and _comparable(t, limit) <= limit]
    kept = {r.run_id for r in runs[-last:]}
    out: dict[str, list[float]] = {}
    for row in history.cases:
        if row.run_id in kept:
            out.setdefault(row.case_id, []).append(row.duration_s)
    return out
