"""No text a script prints can break a report: every built-in file reporter still parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.report import json_report, junit
from specrun.report.safe_text import visible, xml_text
from specrun.results import CaseResult, ChildError, ErrorClass, Outcome, SessionResult

# all of Unicode, control characters and lone surrogates included
anything = st.text(st.characters(exclude_categories=()), max_size=60)


def hostile_result(text: str) -> SessionResult:
    case = CaseResult(id=f"p::step[{text}]", mode="isolation", pipeline="p", step=text, scenario=text,
                      outcome=Outcome.FAILED, classification=ErrorClass.SCRIPT_ERROR, message=text,
                      stdout_tail=text, stderr_tail=text,
                      error=ChildError(type="ValueError", module="builtins", message=text, traceback=text))
    ok = CaseResult(id="p::other[standard]", mode="isolation", pipeline="p", step="other", stdout_tail=text)
    return SessionResult(started="2026-01-01T00:00:00+00:00", cases=[case, ok])


@settings(max_examples=200, deadline=None)
@given(anything)
def test_junit_is_well_formed_xml_whatever_the_script_printed(text: str) -> None:
    document = junit.render(hostile_result(text))
    root = ET.fromstring(document.encode("utf-8"))   # raises on anything XML 1.0 forbids
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and failure.attrib["type"] == "SCRIPT_ERROR"
    assert failure.attrib["message"] == "SCRIPT_ERROR: " + xml_text(text)


@settings(max_examples=200, deadline=None)
@given(anything)
def test_json_record_is_valid_utf8_json_whatever_the_script_printed(text: str) -> None:
    document = json_report.render(hostile_result(text))
    data = json.loads(document.encode("utf-8").decode("utf-8"))
    assert data["cases"][0]["message"] == text


def test_forbidden_characters_are_shown_not_dropped() -> None:
    text = "a\x00b\x1b[2Jc\x0bd\udc80e\ufffff"
    assert xml_text(text) == "a\\x00b\\x1b[2Jc\\x0bd\\udc80e\\uffff" + "f"
    assert visible("bell\x07 esc\x1b]0;title\x07 tab\tnl\n") == "bell\\x07 esc\\x1b]0;title\\x07 tab\tnl\n"


@settings(max_examples=200, deadline=None)
@given(anything)
def test_console_prints_script_text_visible_and_never_interpreted(text: str) -> None:
    """The FAILURES block and the notices summary of a hostile case: no control character or
    escape sequence reaches the terminal, and the text is shown as written (not as rich markup)."""
    import argparse
    import io
    import re

    from rich.console import Console

    from specrun.report.console import ConsoleReporter

    buffer = io.StringIO()
    reporter = ConsoleReporter(argparse.Namespace(verbose=0, quiet=0),
                               Console(file=buffer, force_terminal=False, color_system=None, width=10_000,
                                       highlight=False, soft_wrap=True))
    case = hostile_result(text).cases[0]
    case.notices = [text]
    reporter.render_failure(case)
    reporter.render_notices([case])
    printed = buffer.getvalue()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", printed)
    def squeeze(value: str) -> str:   # rich expands tabs and pads lines: compare without whitespace
        return re.sub(r"\s", "", value)

    assert squeeze(f"SCRIPT_ERROR: {visible(text)}") in squeeze(printed)
