"""The bundled example's deep dive on its committed snapshot, with ``--html``: the page holds
the record's deep-dive tables (real vs synthetic, drift per column, bottlenecks) and no
pipeline section, since no pipeline ran."""

from __future__ import annotations

import html
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.warm_cli import run_specrun

ROOT = Path(__file__).resolve().parents[3]


class Captions(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.captions: list[str] = []
        self.classes: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag, attrs) -> None:
        self._in_caption = tag == "caption"
        if tag == "section":
            self.classes.append(dict(attrs).get("class") or dict(attrs).get("id") or "")
        if self._in_caption:
            self.captions.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data) -> None:
        if self._in_caption:
            self.captions[-1] += data


@pytest.mark.slow
def test_a_real_deep_dive_becomes_its_tables(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env.update(SPECRUN_DISABLE_PLUGIN_AUTOLOAD="1", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    proc = run_specrun(["specs/fraud.yaml", "--mode", "deep_dive", "-q",
                           "--workspace", str(tmp_path / "ws"), "--json", str(tmp_path / "r.json"),
                           "--html", str(tmp_path / "r.html")],
                          cwd=ROOT, capture_output=True, text=True, timeout=400, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deep = json.loads((tmp_path / "r.json").read_text())["records"]["deep_dive:fraud-detection"]
    page = Captions()
    page.feed((tmp_path / "r.html").read_text())
    assert "deep-dive" in page.classes and "pipeline" not in page.classes
    assert "real vs synthetic data" in page.captions and "bottlenecks" in page.captions
    drifted = sum(len(columns) for step in deep["steps"].values() for columns in step["synthetic_drift"].values())
    assert ("drift per column (synthetic vs real)" in page.captions) == bool(drifted)
    assert ("recommendations" in page.captions) == bool(deep["recommendations"])
    assert ("volume scaling" in page.captions) == any(s.get("scaling") for s in deep["steps"].values())
    text = html.unescape((tmp_path / "r.html").read_text())
    for bottleneck in deep["bottlenecks"]:
        assert bottleneck["message"] in text
