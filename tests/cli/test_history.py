"""The run history through real ``python -m specrun`` runs: written by every run, read by
``specrun history`` (rates, trends, a real flaky script) and ``specrun history --regressions``
(a script made slower and a new failure flagged, exit 1; a steady case not flagged), safe with
two runs finishing at once, and never failing a run (a corrupt database is a warning)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

OK = "def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n"
SLOW = "import time\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n    time.sleep({s})\n"
BROKEN = 'def main(input_paths, output_paths, environ_vars, job_args):\n    raise ValueError("broken on purpose")\n'
# reads a file next to it that the test changes between runs: same script, spec and seed, another verdict
FLIPPING = '''from pathlib import Path

def main(input_paths, output_paths, environ_vars, job_args):
    if (Path(__file__).parent / "flip.txt").read_text().strip() == "fail":
        raise RuntimeError("flip.txt says fail")
'''


def spec(*steps: str) -> str:
    lines = ["version: 1", "pipeline: hist", "defaults: {seed: 11}", "steps:"]
    for step in steps:
        lines += [f"  {step}:", f"    script: ../{step}.py", "    call: main"]
    lines += ["scenarios:", "  a: {}", "modes:", "  isolation: {scenarios: [a]}"]
    return "\n".join(lines) + "\n"


def _plain(project, *args: str):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    environ["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    proc = subprocess.run([sys.executable, "-m", "specrun", *args], cwd=project.root, capture_output=True,
                          text=True, timeout=120, env=environ)
    return proc


def rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT run_id, case_id, outcome, seed, script_hash IS NOT NULL, spec_hash IS NOT NULL"
                            " FROM cases ORDER BY run_id, case_id").fetchall()


@pytest.mark.slow
def test_regressions_flag_a_slower_script_and_a_new_failure_not_a_steady_one(project) -> None:
    project.write("specs/h.yaml", spec("steady", "slower", "breaks"))
    project.write("steady.py", OK)
    project.write("slower.py", SLOW.format(s=0))
    project.write("breaks.py", OK)
    first = project.run("specs", "--no-cache", "--mode", "isolation")
    assert first.code == 0, first.stdout + first.stderr
    project.write("slower.py", SLOW.format(s=4))
    project.write("breaks.py", BROKEN)
    second = project.run("specs", "--no-cache", "--mode", "isolation")
    assert second.code == 1, second.stdout

    db = project.root / ".specrun" / "history.sqlite"
    assert [r[:3] for r in rows(db)] == [
        (1, "hist::breaks[a]", "passed"), (1, "hist::slower[a]", "passed"), (1, "hist::steady[a]", "passed"),
        (2, "hist::breaks[a]", "failed"), (2, "hist::slower[a]", "passed"), (2, "hist::steady[a]", "passed")]
    assert all(r[3] is not None and r[4] and r[5] for r in rows(db))   # seed and both hashes recorded

    # a floor of 2 s: a trivial case slowed by a loaded machine is not flagged, a 4 s sleep is
    found = _plain(project, "history", "--regressions", "--time-floor", "2s")
    assert found.returncode == 1, found.stdout + found.stderr
    flagged = [line.split(": ")[0].split() for line in found.stdout.splitlines() if line.startswith("  ")]
    assert flagged == [["NEW", "FAILURE", "hist::breaks[a]"], ["TIME", "hist::slower[a]"]], found.stdout
    assert "hist::steady[a]" not in found.stdout
    assert "2 regressions" in found.stdout

    # against itself nothing regressed; a threshold above the slow-down leaves only the failure
    same = _plain(project, "history", "--regressions", "--baseline", "latest", "--time-floor", "2s")
    assert same.returncode == 0 and "no regressions" in same.stdout, same.stdout
    lenient = _plain(project, "history", "--regressions", "--threshold", "100000%")
    assert lenient.returncode == 1 and "TIME" not in lenient.stdout and "NEW FAILURE" in lenient.stdout
    # the first run against the second: the fixed failure and the faster script are not regressions
    backwards = _plain(project, "history", "--regressions", "--run", "1", "--baseline", "2", "--time-floor", "2s")
    assert backwards.returncode == 0, backwards.stdout
    missing = _plain(project, "history", "--regressions", "--baseline", "7")
    assert missing.returncode == 2 and "--baseline 7: no such run" in missing.stderr

    summary = _plain(project, "history")
    assert summary.returncode == 0, summary.stderr
    assert "hist::breaks   50%  1/2" in summary.stdout
    assert "hist::steady  100%  2/2" in summary.stdout
    # breaks flipped, but its script changed: not flaky
    assert "flaky cases (outcome changed with the same script, spec and seed): none" in summary.stdout


def test_a_flaky_script_is_found_and_the_html_report_shows_trends(project) -> None:
    project.write("specs/h.yaml", spec("flips"))
    project.write("flips.py", FLIPPING)
    project.write("flip.txt", "pass")
    assert project.run("specs", "--no-cache").code == 0
    project.write("flip.txt", "fail")
    failed = project.run("specs", "--no-cache", "--html", "report.html")
    assert failed.code == 1, failed.stdout

    summary = _plain(project, "history")
    assert "flaky cases (outcome changed with the same script, spec and seed): 1" in summary.stdout, summary.stdout
    assert "  hist::flips[a] (seed " in summary.stdout and "#1 passed, #2 failed" in summary.stdout
    assert "hist::flips   50%  1/2" in summary.stdout

    page = (project.root / "report.html").read_text()
    assert '<section id="trends">' in page
    assert '<tr data-case="hist::flips[a]">' in page and "over 2 runs" in page
    # specrun report draws the trends from the history too, up to the record's own run
    rendered = _plain(project, "report", ".specrun/last-run.json", "--html", "again.html")
    assert rendered.returncode == 0, rendered.stderr
    assert '<tr data-case="hist::flips[a]">' in (project.root / "again.html").read_text()


def test_without_history_the_report_has_no_trends_and_the_command_says_so(project) -> None:
    project.write("specs/h.yaml", spec("steady"))
    project.write("steady.py", OK)
    out = project.run("specs", "--no-cache", "-p", "no:history", "--html", "report.html")
    assert out.code == 0, out.stdout
    assert not (project.root / ".specrun" / "history.sqlite").exists()
    assert 'id="trends"' not in (project.root / "report.html").read_text()
    told = _plain(project, "history")
    assert told.returncode == 0 and "no run history in .specrun/history.sqlite" in told.stdout


def test_a_corrupt_history_is_a_warning_and_the_run_still_passes(project) -> None:
    project.write("specs/h.yaml", spec("steady"))
    project.write("steady.py", OK)
    db = project.root / ".specrun" / "history.sqlite"
    db.parent.mkdir()
    db.write_bytes(b"definitely not sqlite\n" * 200)
    out = project.run("specs", "--no-cache")
    assert out.code == 0, out.stdout + out.stderr
    assert out.record["counts"]["passed"] == 1
    warnings = [line for line in out.stderr.splitlines() if "run history not written" in line]
    assert len(warnings) == 1 and "history.sqlite" in warnings[0], out.stderr
    unreadable = _plain(project, "history")
    assert unreadable.returncode == 2 and "history.sqlite" in unreadable.stderr


def test_two_concurrent_runs_share_one_history(project) -> None:
    project.write("specs/h.yaml", spec("one", "two"))
    project.write("one.py", SLOW.format(s=0.3))
    project.write("two.py", OK)
    shared = project.root / "shared" / "history.sqlite"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    environ["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    runs = [subprocess.Popen([sys.executable, "-m", "specrun", "specs", "--mode", "isolation",
                              "--workspace", f"ws{n}", "--history-db", str(shared)], cwd=project.root, env=environ,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    ends = [run.communicate(timeout=240) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], ends
    assert not any("warning" in err for _, err in ends), ends
    assert sorted(r[:3] for r in rows(shared)) == [
        (1, "hist::one[a]", "passed"), (1, "hist::two[a]", "passed"),
        (2, "hist::one[a]", "passed"), (2, "hist::two[a]", "passed")]
    told = _plain(project, "history", "--history-db", str(shared))
    assert "hist::one  100%  2/2" in told.stdout, told.stdout


def test_a_case_served_from_the_result_cache_is_not_recorded_again(project) -> None:
    project.write("specs/h.yaml", spec("steady"))
    project.write("steady.py", OK)
    assert project.run("specs", "--mode", "isolation").code == 0
    again = project.run("specs", "--mode", "isolation")
    assert again.code == 0 and again.case("steady")["cached"]
    db = project.root / ".specrun" / "history.sqlite"
    assert [r[:3] for r in rows(db)] == [(1, "hist::steady[a]", "passed")]   # one real run, one record
