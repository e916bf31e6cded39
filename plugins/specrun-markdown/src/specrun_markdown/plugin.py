"""The entry point of specrun-markdown: ``--markdown FILE`` and ``$GITHUB_STEP_SUMMARY``.

The summary is written at the end of the run: to ``--markdown FILE`` (replaced
atomically) and, when the environment variable ``GITHUB_STEP_SUMMARY`` names a file
(as in a GitHub Actions job), appended to it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from specrun.atomic import write_text_atomic
from specrun.plugin import hookimpl

from .render import render


class MarkdownSummary:
    """Collects spec errors, renders the record at session finish."""

    def __init__(self, path: Path | None, step_summary: Path | None) -> None:
        self.path = path
        self.step_summary = step_summary
        self.spec_errors: list[str] = []

    @hookimpl
    def specrun_spec_error(self, session, error) -> None:
        self.spec_errors.append(str(error))

    @hookimpl
    def specrun_sessionfinish(self, session, result) -> None:
        text = render(result, self.spec_errors)
        if self.path is not None:
            write_text_atomic(self.path, text)
        if self.step_summary is not None:
            with self.step_summary.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")


@hookimpl
def specrun_addoption(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("markdown")
    group.add_argument("--markdown", dest="markdown_path", metavar="FILE",
                       help="write a Markdown summary (tables per pipeline, failures) to FILE")


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[MarkdownSummary]:
    path = getattr(config, "markdown_path", None)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path and not summary:
        return []
    return [MarkdownSummary(Path(path) if path else None, Path(summary) if summary else None)]
