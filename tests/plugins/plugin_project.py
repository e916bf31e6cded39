"""Helpers of the plugin tests: a project folder with plugin modules, specs and
scripts, and the CLI run in a process of its own (forked from the warm parent of
tests/warm_cli.py) with the environment each test chooses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tests.warm_cli import run_specrun

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "plugins.md"

# A script that copies its input to its output (an identity step).
COPY_SCRIPT = '''
import pandas as pd


def main(input_paths, output_paths, environ_vars, job_args):
    pd.read_csv(input_paths["rows"]).to_csv(output_paths["out"], index=False)
'''

# A one-step spec around COPY_SCRIPT; {extra} goes at the top level.
COPY_SPEC = '''
version: 1
pipeline: demo
{extra}
defaults: {{timeout: 60, seed: 3}}
schemas:
  rows:
    columns:
      id: {{type: int, unique: true}}
      amount: {{type: float, min: 0, max: 10}}
steps:
  copy:
    script: copy_rows.py
    call: main
    inputs:
      rows: {{format: csv, schema: rows}}
    outputs:
      out: {{format: csv, schema: rows}}
scenarios:
  standard: {{rows: 20}}
modes:
  isolation: {{scenarios: [standard]}}
'''


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    record: dict | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def cases(self, mode: str | None = None) -> list[dict]:
        return [c for c in (self.record or {}).get("cases", []) if mode is None or c["mode"] == mode]


class PluginProject:
    """A temporary project: write files, run ``python -m specrun`` in it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def copy_spec(self, extra: str = "", name: str = "spec.yaml") -> Path:
        self.write("copy_rows.py", COPY_SCRIPT)
        return self.write(name, COPY_SPEC.format(extra=extra))

    def env(self, autoload: bool = False, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SPECRUN_") and k not in ("GITHUB_STEP_SUMMARY", "PYTHONPATH")}
        if not autoload:
            env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        env["COLUMNS"] = "250"
        env.update(extra)
        return env

    def run(self, *args: str, autoload: bool = False, python: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 240) -> Outcome:
        json_path = self.root / "result.json"
        json_path.unlink(missing_ok=True)
        cmd = [python or sys.executable, "-m", "specrun", *args]
        if "--json" not in args and args and args[0] not in ("plugins", "check"):
            cmd += ["--json", str(json_path)]
        environ = env if env is not None else self.env(autoload)
        if python is None:      # forked from the warm parent, as a fresh ``python -m specrun`` would run
            proc = run_specrun(cmd[3:], cwd=self.root, env=environ, timeout=timeout)
        else:
            proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout, env=environ)
        record = json.loads(json_path.read_text()) if json_path.exists() else None
        return Outcome(proc.returncode, proc.stdout, proc.stderr, record)


def docs_files(text: str | None = None) -> dict[str, str]:
    """Every fenced block of docs/plugins.md whose first line is ``# file: PATH``."""
    text = DOCS.read_text(encoding="utf-8") if text is None else text
    files = {}
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        first, _, rest = block.partition("\n")
        found = re.match(r"#\s*file:\s*(\S+)", first)
        if found:
            files[found.group(1)] = rest
    return files
