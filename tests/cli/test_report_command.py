"""``specrun report RECORD --html FILE``: a real run's record becomes the page; a missing,
broken or foreign record is a usage error naming the file."""

from __future__ import annotations

import json
import os
import subprocess
from html.parser import HTMLParser

from tests.warm_cli import run_specrun

SPEC = """
version: 1
pipeline: tiny
defaults: {timeout: 60, seed: 1}
schemas:
  rows: {columns: {x: {type: int, min: 0, max: 9}}}
steps:
  ok:
    script: ok.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
  broken:
    script: broken.py
    call: main
    inputs: {rows: {format: csv, schema: rows}}
    outputs: {out: {format: csv, schema: rows}}
scenarios:
  standard: {rows: 5}
modes:
  isolation: {scenarios: [standard]}
"""
OK = """
import shutil


def main(input_paths, output_paths, environ_vars, job_args):
    shutil.copy(input_paths["rows"], output_paths["out"])
"""
BROKEN = """
def main(input_paths, output_paths, environ_vars, job_args):
    raise KeyError("no column <b>amount</b>")
"""


def report(project, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return run_specrun(["report", *args], cwd=project.root,
                          capture_output=True, text=True, timeout=120, env=env)


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blob = ""
        self._in = False

    def handle_starttag(self, tag, attrs) -> None:
        self._in = tag == "script" and ("type", "application/json") in attrs

    def handle_data(self, data) -> None:
        if self._in:
            self.blob += data

    def handle_endtag(self, tag) -> None:
        self._in = False


def test_a_runs_record_renders_with_every_case(project) -> None:
    project.write("specs/tiny.yaml", SPEC)
    project.write("specs/ok.py", OK)
    project.write("specs/broken.py", BROKEN)
    out = project.run("specs", "--html", "blocked.html", "-p", "no:html")
    assert out.code == 1, out.stdout + out.stderr
    assert not (project.root / "blocked.html").exists()   # the reporter is a plugin like any other
    done = report(project, "result.json", "--html", "page.html")
    assert done.returncode == 0, done.stderr
    cases = out.record["cases"]
    assert f"wrote page.html ({len(cases)} cases from result.json)" in done.stdout
    page = (project.root / "page.html").read_text()
    parser = Ids()
    parser.feed(page)
    rows = json.loads(parser.blob)["rows"]
    assert [(r[0], r[1]) for r in rows] == [(c["id"], c["outcome"]) for c in cases]
    assert ("tiny::broken[standard]", "failed") in [(r[0], r[1]) for r in rows]
    assert "KeyError: &#39;no column &lt;b&gt;amount&lt;/b&gt;&#39;" in page
    assert "<b>amount</b>" not in page


def test_a_missing_file_is_a_usage_error(project) -> None:
    out = report(project, "nothing.json", "--html", "page.html")
    assert out.returncode == 2
    assert "nothing.json: no such file" in out.stderr
    assert not (project.root / "page.html").exists()


def test_a_file_that_is_not_json_names_the_line(project) -> None:
    project.write("bad.json", '{"format": "specrun-result",\n  "cases": [,]}\n')
    out = report(project, "bad.json", "--html", "page.html")
    assert out.returncode == 2
    assert "bad.json:2: not JSON" in out.stderr


def test_json_that_is_not_a_specrun_record_is_refused(project) -> None:
    project.write("other.json", '{"results": []}')
    out = report(project, "other.json", "--html", "page.html")
    assert out.returncode == 2
    assert 'other.json: not a specrun result record (expected "format": "specrun-result"' in out.stderr
    assert "Traceback" not in out.stderr


def test_html_is_required(project) -> None:
    project.write("r.json", "{}")
    out = report(project, "r.json")
    assert out.returncode == 2 and "--html" in out.stderr
