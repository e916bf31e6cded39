"""docs/python-api.md, run as written: every ```python block, in order, in one namespace, in a
copy of the repository's specs/ and examples/ (the bundled fraud-detection example)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "python-api.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_the_doc_has_its_examples() -> None:
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    assert any("run_specs" in b for b in blocks) and any("load_result" in b for b in blocks)


@pytest.mark.slow
def test_every_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("specs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".specrun", "__pycache__"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")
    namespace: dict[str, object] = {"__name__": "python_api_docs"}
    for number, block in enumerate(python_blocks(DOC.read_text(encoding="utf-8")), 1):
        code = compile(block, f"docs/python-api.md (python block {number})", "exec")
        exec(code, namespace)   # noqa: S102 - the documentation's own examples
