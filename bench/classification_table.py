"""Run the misbehaving scripts of the execution integration tests with the
FreshExecutor and print script → classification → message (for the docs).

    .venv/bin/python bench/classification_table.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "execution"))

from misbehaving_cases import MISBEHAVING, run_case  # noqa: E402

from specrun.execution.runner import FreshExecutor  # noqa: E402


def main() -> int:
    executor = FreshExecutor()
    rows = []
    with tempfile.TemporaryDirectory(prefix="specrun-classify-") as base:
        for case in MISBEHAVING:
            t0 = time.monotonic()
            record, _ = run_case(case, Path(base), executor)
            got = record.classification.value if record.classification else "ok"
            want = case.classification.value if case.classification else "ok"
            rows.append((case.script, got, f"{time.monotonic() - t0:.2f}", record.message,
                         "" if got == want else f"  (expected {want})"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"{'script':<{widths[0]}}  {'classification':<{widths[1]}}  {'s':>{widths[2]}}  message")
    for script, got, secs, message, note in rows:
        print(f"{script:<{widths[0]}}  {got:<{widths[1]}}  {secs:>{widths[2]}}  {message}{note}")
    return 0 if all(not r[4] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
