"""What a script must (or must not) print and warn, as a scenario's ``expect`` says.

The judge (:func:`..step_case.judge`) decides pass or fail; this module checks the
log keys of an expectation against one run: ``stdout`` / ``stderr`` regexes that
must match the script's whole log (not only the tail kept in the record),
``no_stdout`` / ``no_stderr`` regexes that must not, and ``warns`` / ``no_warns``
Python warnings it must or must not have emitted (as recorded by the child).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..execution.request import RunRecord
from ..results import ScriptWarning
from ..spec.model import ExpectSpec, WarningExpect

#: A log larger than this is checked on its first this-many bytes, and says so.
MAX_LOG_BYTES = 64 * 2**20


def log_mismatches(expect: ExpectSpec, record: RunRecord) -> list[str]:
    """What the run printed or warned against what ``expect`` asks; empty when it agrees."""
    problems: list[str] = []
    for stream in ("stdout", "stderr"):
        must, must_not = getattr(expect, stream), getattr(expect, f"no_{stream}")
        if not must and not must_not:
            continue
        text, note = _log_text(record, stream)
        for pattern in must:
            if not re.search(pattern, text, re.MULTILINE):
                problems.append(f"nothing in {stream} matches {pattern!r}{note}")
        for pattern in must_not:
            if note:
                problems.append(f"cannot check no_{stream} {pattern!r}{note}")
                continue
            found = re.search(pattern, text, re.MULTILINE)
            if found:
                problems.append(f"{stream} matches {pattern!r}: {_line_of(text, found)!r}")
    for wanted in expect.warns:
        if not any(warning_matches(wanted, w) for w in record.warnings):
            seen = ", ".join(f"{w.category}: {w.message}" for w in record.warnings[:3]) or "none"
            problems.append(f"no {wanted.category} matching {wanted.message or '.*'!r} was emitted "
                            f"(warnings emitted: {seen})")
    for unwanted in expect.no_warns:
        hit = next((w for w in record.warnings if warning_matches(unwanted, w)), None)
        if hit is not None:
            where = f" at {Path(hit.filename).name}:{hit.lineno}" if hit.filename else ""
            problems.append(f"emitted {hit.category}: {hit.message}{where} (no_warns: {unwanted})")
    return problems


def warning_matches(wanted: WarningExpect, warning: ScriptWarning) -> bool:
    """The warning is of the category (or a subclass; bare or qualified name) and its
    message matches the regex, when one is given."""
    names = {warning.category, *warning.mro, *(m.rsplit(".", 1)[-1] for m in warning.mro)}
    if wanted.category not in names:
        return False
    return wanted.message is None or re.search(wanted.message, warning.message) is not None


def _log_text(record: RunRecord, stream: str) -> tuple[str, str]:
    """The whole log of ``stream``, and a note when only part of it could be read."""
    path: Path | None = getattr(record, f"{stream}_path")
    if path is not None:
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_LOG_BYTES + 1)
        except OSError:
            pass
        else:
            if len(data) > MAX_LOG_BYTES:
                return (data[:MAX_LOG_BYTES].decode("utf-8", errors="replace"),
                        f" (only the first {MAX_LOG_BYTES // 2**20} MiB of {stream} were read)")
            return data.decode("utf-8", errors="replace"), ""
    return getattr(record, f"{stream}_tail"), f" (only the tail of {stream} was available)"


def _line_of(text: str, match: re.Match[str]) -> str:
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    line = text[start:end if end >= 0 else len(text)].strip()
    return line if len(line) <= 200 else line[:199] + "…"
