"""Drive specrun end to end: write a spec and scripts into tmp_path, run the CLI."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.warm_cli import WarmCli, shared_cli


@dataclass
class RunOutcome:
    code: int
    stdout: str
    stderr: str
    record: dict | None

    def case(self, fragment: str) -> dict:
        matches = [c for c in (self.record or {}).get("cases", []) if fragment in c["id"]]
        assert len(matches) == 1, f"{fragment!r} matched {[c['id'] for c in matches]}"
        return matches[0]


class Project:
    """A temporary project folder with specs and scripts."""

    def __init__(self, root: Path, cli: WarmCli | None = None) -> None:
        self.root = root
        self.cli = cli if cli is not None else shared_cli()

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def run(self, *args: str, timeout: float = 240, env: dict[str, str] | None = None) -> RunOutcome:
        """Run specrun in the project; ``env`` adds variables (after SPECRUN_* are removed)."""
        json_path = self.root / "result.json"
        json_path.unlink(missing_ok=True)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
        environ["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        environ["COLUMNS"] = "200"
        environ.update(env or {})
        cmd = [sys.executable, "-m", "specrun", *args]
        own_output = ("plugins", "schema", "replay", "snapshot", "infer", "init")
        if "--json" not in args and (not args or args[0] not in own_output):
            cmd += ["--json", str(json_path)]
        code, stdout, stderr = self.cli.run(cmd[3:], self.root, environ, timeout)
        record = json.loads(json_path.read_text()) if json_path.exists() else None
        return RunOutcome(code, stdout, stderr, record)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project whose runs fork from this worker's warm specrun parent (tests/warm_cli.py)."""
    return Project(tmp_path)
