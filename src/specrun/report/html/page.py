"""Render the HTML page: the jinja2 templates in ``templates/``, autoescaped, one file.

The stylesheet and script are read from the package and inlined as they are (they are
not templates); the case rows travel as one ``<script type="application/json">`` blob
(:func:`json_blob`) that the script turns into a virtual table, so a report of 10,000
cases stays small and opens fast.  Nothing on the page loads from the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from .model import Report, build_report

TEMPLATE = "report.html.j2"
ASSETS = ("report.css", "report.js")


def json_blob(value: Any) -> Markup:
    """``value`` as JSON that is safe inside ``<script type="application/json">``: every ``<``,
    ``>`` and ``&`` is a ``\\u`` escape, so no ``</script>`` or ``<!--`` can end the element."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _asset(name: str) -> Markup:
    text = resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():   # our own file: it must not end its element early
        raise AssertionError(f"{name} contains {closing}")
    return Markup(text)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["seconds"] = lambda v: "—" if v is None else f"{float(v):.2f} s"
    env.filters["num"] = lambda v: f"{v:g}" if isinstance(v, float) else str(v)
    return env


def render_report(report: Report) -> str:
    data = {"columns": list(report.case_columns), "rows": report.case_rows}
    return environment().get_template(TEMPLATE).render(
        report=report, cases_json=json_blob(data), css=_asset("report.css"), js=_asset("report.js"))


def render_html(record: dict[str, Any], trends: Mapping[str, Sequence[float]] | None = None) -> str:
    """The self-contained HTML page of a JSON record (``model.RecordError`` if it is not one);
    ``trends`` (case id → durations, oldest first) adds a sparkline per case."""
    return render_report(build_report(record, trends))
