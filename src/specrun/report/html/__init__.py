"""The HTML report: one self-contained file rendered from the JSON record.

``model`` turns a record (the dict ``json_report.render`` writes) into what the page
shows; ``dag`` and ``gantt`` compute the SVG coordinates of each pipeline run in
Python; ``page`` renders the jinja2 templates shipped in ``templates/`` (autoescaped,
inline CSS/JS/SVG, no network); ``reporter`` is the ``--html FILE`` plugin.  Like the
other reporters it reads only the record.
"""

from __future__ import annotations

from .page import render_html

__all__ = ["render_html"]
