"""A temporary project for pipeline-mode tests: specs and real scripts in tmp_path, run
through ``python -m specrun`` with a JSON record, like a user would."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.warm_cli import run_specrun

# Reads every input (CSV or Parquet) and writes its rows to every tabular output.
# PASS_ENV names a column to null out (NULL_COLUMN) or a failure to raise (FAIL).
COPY_SCRIPT = '''
import os
from pathlib import Path

import pandas as pd


def read(path):
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    frames = [pd.read_parquet(f) if f.suffix == ".parquet" else pd.read_csv(f) for f in files]
    return pd.concat(frames, ignore_index=True)


def main(input_paths, output_paths, environ_vars, job_args):
    log = environ_vars.get("LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(environ_vars["NAME"] + "\\n")
    if environ_vars.get("FAIL"):
        raise ValueError(environ_vars["FAIL"])
    frames = [read(p) for p in input_paths.values()]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for column in filter(None, environ_vars.get("DROP", "").split(",")):
        frame = frame.drop(columns=[column])
    if environ_vars.get("NULL_COLUMN"):
        frame[environ_vars["NULL_COLUMN"]] = None
    if environ_vars.get("TOKEN"):
        # never all digits with at most one 'e': a CSV reader downstream would read
        # "0123e456..." back as a float, and specrun rightly fails the str column
        frame["token"] = "run-" + os.urandom(8).hex()
    for name, path in output_paths.items():
        if path.endswith(".parquet"):
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
'''


@dataclass
class PipelineOutcome:
    code: int
    stdout: str
    stderr: str
    record: dict[str, Any] | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def case(self, case_id: str) -> dict[str, Any]:
        """The result whose id ends with ``case_id`` (exactly one)."""
        found = [c for c in (self.record or {}).get("cases", []) if c["id"].endswith("::" + case_id)]
        assert len(found) == 1, (case_id, [c["id"] for c in (self.record or {}).get("cases", [])])
        return found[0]

    def pipeline(self, name: str) -> dict[str, Any]:
        return (self.record or {})["records"][f"pipeline:{name}"]


class PipelineProject:
    """A tmp_path project: ``write`` files, ``run`` specrun, read kept outputs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: added to specrun's environment, e.g. SPECRUN_ISOLATION=process for scripts that
        #: share a file outside their sandboxes (a log of runs, a rendezvous folder)
        self.extra_env: dict[str, str] = {}
        self.write("copy_step.py", COPY_SCRIPT)

    def write(self, relative: str, text: str, **values: Any) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text).lstrip("\n")
        for key, value in values.items():
            body = body.replace("{{" + key + "}}", str(value))
        path.write_text(body, encoding="utf-8")
        return path

    def run(self, *args: str, timeout: float = 240) -> PipelineOutcome:
        json_path = self.root / "result.json"
        json_path.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
        env.update(SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1", COLUMNS="200", **self.extra_env)
        proc = run_specrun([*args, "--json", str(json_path)],
                              cwd=self.root, capture_output=True, text=True, timeout=timeout, env=env)
        record = json.loads(json_path.read_text()) if json_path.exists() else None
        return PipelineOutcome(proc.returncode, proc.stdout, proc.stderr, record)

    def kept(self, pipeline: str, step: str, relative: str, workspace: str = ".specrun") -> Path:
        """A kept output file of the last pipeline run."""
        return self.root / workspace / "pipeline" / pipeline / step / "output" / relative
