"""JUnit XML: one ``<testsuite>`` per pipeline and mode, one ``<testcase>`` per case."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from ..atomic import write_text_atomic
from ..hooks import hookimpl
from ..results import CaseResult, Outcome, SessionResult
from ..run_options import RunOptions
from .safe_text import xml_text


def render(result: SessionResult) -> str:
    suites: dict[tuple[str, str], list[CaseResult]] = defaultdict(list)
    for case in result.cases:
        suites[(case.pipeline, case.mode)].append(case)
    root = ET.Element("testsuites", name="specrun")
    for (pipeline, mode), cases in suites.items():
        suite = ET.SubElement(root, "testsuite", name=f"{pipeline}.{mode}", tests=str(len(cases)),
                              failures=str(sum(c.outcome is Outcome.FAILED for c in cases)),
                              errors=str(sum(c.outcome is Outcome.ERROR for c in cases)),
                              skipped=str(sum(c.outcome is Outcome.SKIPPED for c in cases)),
                              time=f"{sum(c.duration_s for c in cases):.3f}")
        for case in cases:
            name = case.id.split("::", 1)[-1]
            element = ET.SubElement(suite, "testcase", classname=f"{pipeline}.{mode}.{case.kind}",
                                    name=name, time=f"{case.duration_s:.3f}")
            body = _body(case)
            if case.outcome is Outcome.FAILED:
                ET.SubElement(element, "failure", message=_message(case),
                              type=case.classification.value if case.classification else "failure").text = body
            elif case.outcome is Outcome.ERROR:
                ET.SubElement(element, "error", message=_message(case),
                              type=case.classification.value if case.classification else "error").text = body
            elif case.outcome is Outcome.SKIPPED:
                ET.SubElement(element, "skipped", message=case.message)
            for attempt in case.retries:   # as Maven Surefire writes reruns: a pass after them is flaky
                tag = "flakyFailure" if case.outcome is Outcome.PASSED else "rerunFailure"
                kind = attempt.classification.value if attempt.classification else "failure"
                ET.SubElement(element, tag, message=f"{kind}: {attempt.message}"[:1000], type=kind)
            # notices (stray processes killed, inputs modified) go first, so CI shows them even on a pass
            out = "".join(f"specrun notice: {notice}\n" for notice in case.notices) + case.stdout_tail
            if out:
                ET.SubElement(element, "system-out").text = out
            if case.stderr_tail:
                ET.SubElement(element, "system-err").text = case.stderr_tail
    for element in root.iter():   # script-provided text may hold anything: keep the file XML 1.0
        element.text = xml_text(element.text) if element.text else element.text
        for key, value in element.attrib.items():
            element.attrib[key] = xml_text(value)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _message(case: CaseResult) -> str:
    prefix = f"{case.classification.value}: " if case.classification else ""
    return (prefix + case.message)[:1000]


def _body(case: CaseResult) -> str:
    lines = [case.message]
    for validation in case.validations:
        if not validation.ok:
            lines.append(validation.message)
            lines.extend(f"  {f.column}: {f.check} ({f.count}) e.g. {f.examples}" for f in validation.failures)
    lines.extend(f"property {p.name}: {p.message}" for p in case.properties if not p.ok)
    if case.error:
        lines.append(case.error.traceback)
    if case.replay:
        lines.append(f"replay: {case.replay}")
    return "\n".join(lines)


class JUnitReporter:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    @hookimpl
    def specrun_sessionfinish(self, session, result: SessionResult) -> None:
        if session.options.plans_only:
            return
        write_text_atomic(self.path, render(result))


@hookimpl
def specrun_reporters(config: argparse.Namespace) -> list[JUnitReporter]:
    path = RunOptions.from_namespace(config).junitxml
    return [JUnitReporter(path)] if path else []
