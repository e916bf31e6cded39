"""The HTML report: one self-contained file rendered from the JSON record.

``model`` turns a record (the dict ``json_report.render`` writes) into what the page
shows; ``dag`` and ``gantt`` compute the SVG coordinates of each pipeline run in
Python; ``page`` renders the jinja2 templates shipped in ``templates/`` (autoescaped,
inline CSS/JS/SVG, no network); ``reporter`` is the ``--html FILE`` plugin.  Like the
other reporters it reads only the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["render_html"]


def render_html(record: dict[str, Any], trends: Mapping[str, Sequence[float]] | None = None) -> str:
    """The page for ``record`` (see :func:`.page.render_html`).  jinja2 and networkx are
    imported here, on the first render: registering the ``--html`` plugin costs nothing
    to a run, or a ``specrun check``, that writes no page."""
    from .page import render_html as render

    return render(record, trends)
