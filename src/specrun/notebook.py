"""Notebook display: registers the HTML report's renderers for ``_repr_html_``.

Imported by ``specrun/__init__``, so a result or a spec shows as HTML in Jupyter as soon
as specrun is imported.  Registering costs nothing: each renderer imports the report
(jinja2, networkx) on its first call (see :mod:`specrun.display` for why the records ask
a registry rather than import the report themselves).
"""

from __future__ import annotations

from typing import Any

from .display import register_html


def _session(result: Any) -> str:
    from .report.html.notebook import session_html

    return session_html(result)


def _case(case: Any) -> str:
    from .report.html.notebook import case_html

    return case_html(case)


def _pipeline(run: Any) -> str:
    from .report.html.notebook import pipeline_html

    return pipeline_html(run)


def _spec(spec: Any) -> str:
    from .report.html.notebook import spec_html

    return spec_html(spec)


def register() -> None:
    """Register the four renderers (idempotent)."""
    register_html("session", _session)
    register_html("case", _case)
    register_html("pipeline", _pipeline)
    register_html("spec", _spec)
