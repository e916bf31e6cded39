"""What a notebook shows for a run, a case, a pipeline run and a spec: the HTML report's
parts (summary, failure details, pipeline section, DAG), from the same templates.

Each renderer goes through the JSON record, as the page does (``model.build_report`` and
its parts clean every string), and renders ``notebook.html.j2``, which includes the
page's partials.  The output is a fragment for Jupyter's output area: no page, no script
(notebook output is often untrusted, so nothing here needs JavaScript), case tables
capped at :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...analysis.compat import resolve_edges
from ...results import CaseResult, PipelineRun, SessionResult, to_jsonable
from .. import json_report
from .dag import layout_dag
from .failures import failure_detail
from .model import build_report, clean, slim_case
from .pipeline_view import pipeline_view

if TYPE_CHECKING:  # pragma: no cover
    from ...spec.model import PipelineSpec

MAX_ROWS = 50      # cases listed by a run's display; the rest are counted
TEMPLATE = "notebook.html.j2"


def _render(**context: Any) -> str:
    from .page import environment

    defaults: dict[str, Any] = {"report": None, "case": None, "rows": [], "more": 0, "spec": None, "pipelines": [],
                                "failures": []}
    return environment().get_template(TEMPLATE).render(**{**defaults, **context})


def session_html(result: SessionResult) -> str:
    """The run: the report's summary, the first cases (failures first), the failure
    details and every pipeline run."""
    report = build_report(json.loads(json_report.render(result)))
    rows = sorted((slim_case(clean(to_jsonable(c))) for c in result.cases),
                  key=lambda c: c["outcome"] in ("passed", "skipped"))
    return _render(report=report, rows=rows[:MAX_ROWS], more=max(len(rows) - MAX_ROWS, 0),
                   failures=report.failures, pipelines=report.pipelines)


def case_html(case: CaseResult) -> str:
    """One case: its row of the case table and, when it did not pass, its failure details."""
    data = clean(to_jsonable(case))
    failures = [] if case.passed else [failure_detail(0, {"cases": [data["id"]]}, data)]
    return _render(rows=[slim_case(data)], failures=failures)


def pipeline_html(run: PipelineRun) -> str:
    """One pipeline run: the report's pipeline section (DAG, transitions, timeline, evolution)."""
    return _render(pipelines=[pipeline_view(clean(run.record))])


def spec_html(spec: PipelineSpec) -> str:
    """A loaded spec: its steps and edges as the report's DAG (nothing ran: no outcomes)."""
    steps = [{"step": clean(name), "outcome": "planned"} for name in spec.steps]
    transitions = [{"edge": clean(f"{edge.source} -> {edge.target}"), "outcome": "planned"}
                   for edge in resolve_edges(spec)]
    view = {"name": clean(spec.pipeline), "path": clean(str(spec.path)), "steps": len(steps),
            "edges": len(transitions), "dag": layout_dag(steps, transitions)}
    return _render(spec=view)

