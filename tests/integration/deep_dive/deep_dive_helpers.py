"""Helpers of the deep-dive tests: run the ``specrun`` command line, build specs."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "fraud"
if str(ROOT) not in sys.path:   # `tests.s3server` and `examples` live at the repository root
    sys.path.insert(0, str(ROOT))

from tests.s3server import client_environment  # noqa: E402
from tests.warm_cli import run_specrun  # noqa: E402


@dataclass
class CliResult:
    code: int
    output: str
    record: dict[str, Any]

    def case(self, step: str) -> dict[str, Any]:
        found = [c for c in self.record.get("cases", []) if c["step"] == step and c["mode"] == "deep_dive"]
        assert len(found) == 1, self.output
        return found[0]

    def deep_dive(self, pipeline: str) -> dict[str, Any]:
        return self.record["records"][f"deep_dive:{pipeline}"]


def specrun(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300,
            json_path: Path | None = None) -> CliResult:
    """``python -m specrun ARGS --json FILE`` (FILE: ``json_path``, else ``cwd/result.json``; not for ``snapshot``)
    with dummy AWS credentials and no instance-metadata probing."""
    out = json_path or cwd / "result.json"
    out.unlink(missing_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SPECRUN_", "AWS_"))}
    environment.update(client_environment())
    environment.update({"SPECRUN_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "200"})
    environment.update(env or {})
    record_flag = [] if args[:1] == ("snapshot",) else ["--json", str(out)]   # snapshot writes no record
    proc = run_specrun([*args, *record_flag], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=environment)
    record = json.loads(out.read_text()) if out.exists() else {}
    return CliResult(proc.returncode, proc.stdout + proc.stderr, record)


def fraud_spec(deep_dive: str) -> str:
    """specs/fraud.yaml with absolute script paths and ``modes:`` replaced by ``deep_dive``."""
    text = (ROOT / "specs" / "fraud.yaml").read_text()
    text = text.replace("../examples/fraud", str(EXAMPLE))
    return text[:text.index("\nmodes:")] + "\nmodes:\n  deep_dive: " + deep_dive + "\n"
